import { fitWithinUnits } from '../src/channels/byte-budget.js';
import { truncateUtf16 } from '../src/render/text.js';
import {
  escapeDiscordMarkdown,
  escapeDiscordTitle,
  escapeGoogleChatCardHtml,
  escapeGoogleChatText,
  escapeMattermostMarkdown,
  escapeMattermostPlain,
  escapeSlackMrkdwn,
  escapeTeamsMarkdown,
  escapeTelegramHtml,
} from '../src/render/chat-markup.js';

const WJ = '\u2060';

describe('escaping untrusted text for the global chat platforms', () => {
  it('Slack: &, <, > as entities, so <!channel>, <!here>, <@U…> and <!subteam^…> stay text', () => {
    expect(escapeSlackMrkdwn('<!channel> <!here> <@U1> <!subteam^S1|x> a & b > c')).toBe(
      `&lt;!channel&gt; &lt;!here&gt; ‹@${WJ}U1&gt; &lt;!subteam^S1|x&gt; a &amp; b &gt; c`,
    );
    expect(escapeSlackMrkdwn('*bold* _it_ ~st~ `code` fix_payment_path')).toBe(
      '∗bold∗ ＿it＿ ∼st∼ ˋcodeˋ fix_payment_path',
    );
  });

  it('Discord: markdown and mention forms backslash-escaped, @everyone and @here broken, block starts defused', () => {
    expect(escapeDiscordMarkdown('@everyone @here <@1> <@&2> <#3> <t:4> **b** __u__ ~~s~~ ||sp|| [x](u)')).toBe(
      `@${WJ}everyone @${WJ}here ‹@${WJ}1\\> ‹@${WJ}&2\\> \\<#3\\> \\<t:4\\> \\*\\*b\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|sp\\|\\| \\[x\\](u)`,
    );
    expect(escapeDiscordMarkdown('# heading\n> quote\n- item\n1. one', { multiline: true })).toBe(
      '\\# heading\n\\> quote\n\\- item\n1\\. one',
    );
    expect(escapeDiscordMarkdown('# heading\nnext')).toBe('\\# heading next');
    expect(escapeDiscordTitle('**x** ||s|| @everyone')).toBe(`∗∗x∗∗ |${WJ}|s|${WJ}| @${WJ}everyone`);
  });

  it('Telegram HTML: tags and entities shown as text, @username broken', () => {
    expect(escapeTelegramHtml('<b>x</b> &amp; "q" @durov')).toBe(
      `&lt;b&gt;x&lt;/b&gt; &amp;amp; &quot;q&quot; @${WJ}durov`,
    );
  });

  it('Mattermost: Slack-compatible <…> forms become look-alikes, @channel/@all/@here broken, markdown escaped', () => {
    expect(escapeMattermostMarkdown('<!channel> <!here> <@U1|boss> @channel @all **b** [x](u)')).toBe(
      `＜!channel＞ ＜!here＞ ‹@${WJ}U1\\|boss＞ @${WJ}channel @${WJ}all \\*\\*b\\*\\* \\[x\\](u)`,
    );
    expect(escapeMattermostMarkdown('- item\n# h', { multiline: true })).toBe('\\- item\n\\# h');
    expect(escapeMattermostPlain(' <!all> @here ')).toBe(`＜!all＞ @${WJ}here`);
  });

  it('Teams: <at> (opening and closing) inert, emphasis, links, lists and {{functions}} defused', () => {
    expect(escapeTeamsMarkdown('<at>Ann</at> **b** [x](u) {{DATE(2026-01-01T00:00:00Z)}}')).toBe(
      `‹at>Ann‹/at> ∗∗b∗∗ ［x］(u) {${WJ}{DATE(2026-01-01T00:00:00Z)}}`,
    );
    expect(escapeTeamsMarkdown('- one\n2. two', { multiline: true })).toBe('－ one\n2． two');
  });

  it('Google Chat: <users/all>, <users/…> and <url|text> forms broken in text; HTML escaped in cards', () => {
    expect(escapeGoogleChatText('<users/all> <users/1> <https://x|y> *b* @all')).toBe(
      `＜users/all> ＜users/1> ＜https://x|y> ∗b∗ @${WJ}all`,
    );
    expect(escapeGoogleChatCardHtml('<b>x</b> <users/all>')).toBe('&lt;b&gt;x&lt;/b&gt; &lt;users/all&gt;');
  });

  it('keeps the spaces of a piece of a line and makes it one line unless multiline', () => {
    for (const escape of [
      escapeSlackMrkdwn,
      escapeDiscordMarkdown,
      escapeTelegramHtml,
      escapeMattermostMarkdown,
      escapeTeamsMarkdown,
      escapeGoogleChatText,
    ]) {
      expect(escape(' — Run tests')).toBe(' — Run tests');
      expect(escape('a\r\nb\u2028c')).toBe('a b c');
      expect(escape('a\r\nb', { multiline: true })).toBe('a\nb');
    }
  });
});

describe('cutting in UTF-16 units', () => {
  it('never splits a grapheme: emoji with skin tone, ZWJ family, flag, combining accent', () => {
    const marker = '…';
    expect(truncateUtf16('👍🏽👍🏽', 5, marker)).toBe('👍🏽…');
    expect(truncateUtf16('👍🏽👍🏽', 4, marker)).toBe('…');
    expect(truncateUtf16('👨‍👩‍👧 family', 8, marker)).toBe('…');
    expect(truncateUtf16('👨‍👩‍👧 family', 9, marker)).toBe('👨‍👩‍👧…');
    expect(truncateUtf16('🇨🇳🇨🇳', 5, marker)).toBe('🇨🇳…');
    expect(truncateUtf16('e\u0301e\u0301', 3, marker)).toBe('e\u0301…');
    expect(truncateUtf16('short', 5, marker)).toBe('short');
    // A cut between an "@" and the word joiner that defuses it takes the "@" too, as truncateUtf8 does.
    expect(truncateUtf16('ab@\u2060channel', 4, marker)).toBe('ab…');
  });

  it('cuts a long text exactly at the cap, and on a grapheme boundary far from its start', () => {
    const cut = (text: string, max: number) => {
      const out = truncateUtf16(text, max, '…');
      // Compared by length and ending: a failure should not print 60,000 characters.
      return { length: out.length, prefix: text.startsWith(out.slice(0, -1)), end: out.slice(-5) };
    };
    expect(cut(`${'a'.repeat(100_000)}🎉`, 60_000)).toEqual({ length: 60_000, prefix: true, end: 'aaaa…' });
    const emoji = `${'a'.repeat(59_987)}👍🏽rest`; // the emoji is 4 units: 59,988–59,991
    expect(cut(emoji, 59_990)).toEqual({ length: 59_988, prefix: true, end: 'aaaa…' });
    expect(cut(emoji, 59_992)).toEqual({ length: 59_992, prefix: true, end: '👍🏽…' });
  });

  it('finds the largest cap that fits every limit at once', () => {
    const fitted = fitWithinUnits(
      (clip) => ({ a: clip('x'.repeat(5000)), b: clip('short'), c: clip('y'.repeat(3000)) }),
      (v) => Math.max(v.a.length + v.b.length + v.c.length - 6000, v.a.length - 4096),
      '…',
    );
    expect(fitted.truncated).toBe(true);
    expect(fitted.overshoot).toBeLessThanOrEqual(0);
    expect(fitted.value.b).toBe('short');
    expect(fitted.value.a.length + fitted.value.c.length + 5).toBeGreaterThan(5990);
  });
});
