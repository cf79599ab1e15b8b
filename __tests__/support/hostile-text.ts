/**
 * A small seeded generator of hostile repository text for property tests: mentions of every
 * platform, markup of every platform, workflow-command lines, control characters, huge and empty
 * values. Seeded, so a failure names the seed that reproduces it.
 */

/** mulberry32: a tiny, well-mixed 32-bit PRNG, enough to pick fragments reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything that notifies everyone (or someone) somewhere, as people would type it. */
export const MENTIONS = [
  '@all',
  '@所有人',
  '<@all>',
  '<@U024BE7LH>',
  '<@&123456789012345678>',
  '<at user_id="all">所有人</at>',
  '<at id=all></at>',
  '<at email="boss@example.com"></at>',
  '&lt;at user_id="all"&gt;',
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S123>',
  '@everyone',
  '@here',
  '@channel',
  '<users/all>',
  '<users/123456789>',
  '@13800000000',
  '+86 138 0000 0000',
  '[boss](tg://user?id=123456)',
  '<at>Boss</at>',
  '<!here|here>',
  '<!subteam^S123|@team>',
  '<#C024BE7LH>',
  '<@W123|bob>',
  '<@!123456789012345678>',
  '<t:1700000000:R>',
  '@\u200beveryone',
  '＠everyone',
  '&#64;all',
  '&commat;channel',
  "<at user_id='all'></at>",
  '<AT ID=all></AT>',
  '< at id="all"></at>',
  '<users/all|x>',
  '@all-team',
  '<@zhangsan>',
  '&lt;@zhangsan&gt;',
  '<a href="tg://user?id=42">x</a>',
];

/** The phishing link every markup below tries to make live. */
export const PHISH = 'https://phish.example/login';

/** Markup of every platform: links, HTML, colours, emphasis, headings, code, JSON breakers. */
export const MARKUP = [
  `[Click here](${PHISH})`,
  `<${PHISH}|Click here>`,
  `<a href="${PHISH}">Click</a>`,
  '<font color="info">✅ All green</font>',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '**bold** __under__ *it* _it_ ~~strike~~ ||spoiler||',
  '# Heading',
  '> quote',
  '```code```',
  '`tick`',
  '"}]}\\',
  '${env.HOME} ${commit.title}',
  '<b>bold</b><i>it</i>',
  '&amp; &lt; &#60;',
  `[x](<${PHISH}>)`,
  `![img](${PHISH})`,
  `[x][1]\n[1]: ${PHISH}`,
  `<${PHISH}>`,
  '{{DATE(2024-01-01T00:00:00Z)}}',
  '\\',
  'x\n===',
  '    indented code',
  '~town-square #hashtag $TSLA /start',
];

/** Lines the GitHub runner would read as commands. */
export const COMMANDS = ['::add-mask::x', '::stop-commands::pwned', '  ::error file=a.js::boom', '##[warning]legacy'];

export const CONTROL = ['\u0000', '\u0007', '\u001b[31m', '\u001b]0;title\u0007', '\r', '\u2028', '\u202e', '\u200b'];

const FRAGMENTS = [...MENTIONS, ...MARKUP, ...COMMANDS, ...CONTROL, 'Fix payment path', '修复支付', '💥👨‍👩‍👧'];
const SEPARATORS = [' ', '\n', '', '\r\n', '\t'];

/** One hostile value: empty, a mix of fragments, or a huge one (tens of KB). */
export function hostileText(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const roll = random();
  if (roll < 0.08) return '';
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 10);
  for (let i = 0; i < count; i++) parts.push(pick(FRAGMENTS), pick(SEPARATORS));
  let text = parts.join('');
  if (roll > 0.85) {
    const unit = `${pick(FRAGMENTS)}${pick(SEPARATORS)}`;
    text += unit.repeat(Math.ceil((20_000 + random() * 40_000) / Math.max(1, unit.length)));
  }
  return text;
}
