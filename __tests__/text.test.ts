import {
  TRUNCATION_MARKER,
  atWordEdges,
  controlFree,
  escapeChatMarkdown,
  escapeHtml,
  escapeLarkMd,
  flatLine,
  headUnits,
  neutralizeMentions,
  oneLine,
  safeUrl,
  truncateChars,
  truncateUtf8,
  utf8Bytes,
} from '../src/render/text.js';
import { httpErrorLine } from '../src/delivery/text.js';

const WJ = '\u2060';

/** mulberry32: a seeded generator whose low bits are as random as its high ones; an integer below n. */
function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0;
  };
}

/** No lone surrogate: a cut inside a surrogate pair would leave one. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('utf8Bytes', () => {
  it('counts UTF-8 bytes, not characters: ASCII 1, Chinese 3, emoji 4', () => {
    expect([utf8Bytes('a'), utf8Bytes('失'), utf8Bytes('😀'), utf8Bytes('构建失败')]).toEqual([1, 3, 4, 12]);
  });
});

describe('truncateUtf8', () => {
  it('returns text that fits unchanged, without a marker', () => {
    expect(truncateUtf8('Fix payment path', 16)).toBe('Fix payment path');
  });

  it('cuts ASCII and appends the marker, the marker counting toward the limit', () => {
    // marker "…(truncated)" is 14 bytes (… is 3), so 20 bytes leave 6 for the text
    expect(utf8Bytes(TRUNCATION_MARKER)).toBe(14);
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', 20)).toBe('abcdef…(truncated)');
  });

  it('never splits a Chinese character: 3-byte characters are dropped whole', () => {
    // 20 - 14 = 6 bytes: two characters; 21 - 14 = 7 bytes: still two
    expect(truncateUtf8('构建失败了请查看日志', 20)).toBe('构建…(truncated)');
    expect(truncateUtf8('构建失败了请查看日志', 21)).toBe('构建…(truncated)');
    expect(truncateUtf8('构建失败了请查看日志', 23)).toBe('构建失…(truncated)');
  });

  it('never splits a surrogate pair (4-byte emoji)', () => {
    // 24 bytes > 21; 21 - 14 = 7: one 4-byte emoji fits, the second would need 8
    const out = truncateUtf8('😀😀😀😀😀😀', 21);
    expect(out).toBe('😀…(truncated)');
    expect(wellFormed(out)).toBe(true);
    expect(wellFormed('😀'.slice(0, 1))).toBe(false); // the check itself can fail
  });

  it('never separates a grapheme cluster (ZWJ family, flag, skin tone)', () => {
    const family = '👨‍👩‍👧'; // 18 bytes: three emoji joined by ZWJ
    expect(truncateUtf8(`${family}${family}`, 14 + 20)).toBe(`${family}…(truncated)`);
    expect(truncateUtf8(`${family}${family}`, 14 + 17)).toBe('…(truncated)');
    // a flag is two 4-byte regional indicators: 9 bytes of budget hold one flag, not one and a half
    expect(truncateUtf8('🇨🇳🇺🇸🇯🇵', 14 + 9)).toBe('🇨🇳…(truncated)');
    expect(truncateUtf8('👍🏽👍🏽👍🏽', 14 + 7)).toBe('…(truncated)'); // not a bare 👍 without its tone
  });

  it('keeps the result within max even when max is smaller than the marker', () => {
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', 5)).toBe('…(t');
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', 2)).toBe('');
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', 0)).toBe('');
    expect(truncateUtf8('abcdefghijklmnopqrstuvwxyz', -3)).toBe('');
  });

  it('never leaves a bare "@" where a cut separates it from the word joiner that defuses it', () => {
    const defused = neutralizeMentions('@all '.repeat(10));
    for (let max = 14; max < 40; max++) expect(truncateUtf8(defused, max)).not.toMatch(/@(?!\u2060)/);
  });

  it('cuts 50 KB of hostile text quickly, looking only at what can be kept', () => {
    const out = truncateUtf8('x@all '.repeat(10_000), 4096);
    expect(utf8Bytes(out)).toBeLessThanOrEqual(4096);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
    // a cut next to a cluster still keeps it whole: 4 bytes + part of an 18-byte family in 20 bytes
    expect(truncateUtf8(`abcd${'👨‍👩‍👧'.repeat(3000)}`, 14 + 20)).toBe('abcd…(truncated)');
  });

  it('uses a custom marker and keeps every result within the limit for every max', () => {
    const text = 'Fix 支付 path 😀 again 构建';
    for (let max = 0; max <= utf8Bytes(text) + 2; max++) {
      const out = truncateUtf8(text, max, ' [cut]');
      expect(utf8Bytes(out)).toBeLessThanOrEqual(max);
      expect(wellFormed(out)).toBe(true);
    }
    expect(truncateUtf8(text, 15, ' [cut]')).toBe('Fix 支 [cut]');
  });
});

describe('neutralizeMentions', () => {
  it('breaks DingTalk @mobile, @userid, @all and @所有人 with an invisible word joiner', () => {
    expect(neutralizeMentions('ping @13800000000 @manager7675 @all @所有人')).toBe(
      `ping @${WJ}13800000000 @${WJ}manager7675 @${WJ}all @${WJ}所有人`,
    );
  });

  it('breaks WeCom <@userid> and <@all>', () => {
    expect(neutralizeMentions('cc <@zhangsan> and < @all>')).toBe(`cc ‹@${WJ}zhangsan> and ‹ @${WJ}all>`);
  });

  it('breaks Lark <at user_id="all">, <at id=all>, <at email=…> in any case', () => {
    expect(neutralizeMentions('<at user_id="all">所有人</at> <AT id=all></at> <at email=boss@example.com></at>')).toBe(
      `‹at user_id="all">所有人</at> ‹AT id=all></at> ‹at email=boss@${WJ}example.com></at>`,
    );
  });

  it('breaks entity-encoded tags too: &lt;at, &#60;@, &#x3c;at', () => {
    expect(neutralizeMentions('&lt;at id=all&gt;&lt;/at&gt; &#60;@zhangsan&#62; &#x3C;at id=all>')).toBe(
      `‹at id=all&gt;&lt;/at&gt; ‹@${WJ}zhangsan&#62; ‹at id=all>`,
    );
  });

  it('is idempotent and leaves text without mentions alone', () => {
    const once = neutralizeMentions('mail mona@example.com <at id=all>');
    expect(neutralizeMentions(once)).toBe(once);
    expect(neutralizeMentions('a < b, <attic> is fine, Fix 支付')).toBe('a < b, <attic> is fine, Fix 支付');
  });
});

describe('escapeChatMarkdown (DingTalk and WeCom markdown)', () => {
  it('stops a commit message from closing a <font> tag or opening a link, keeping it readable', () => {
    const evil = 'x</font><font color="info">ok</font> [click](https://evil.example) ![](https://t.example/p.png)';
    expect(escapeChatMarkdown(evil)).toBe(
      'x＜/font＞＜font color="info"＞ok＜/font＞ ［click］(https://evil.example) !［］(https://t.example/p.png)',
    );
  });

  it('writes the tricky commit and branch with look-alikes and never adds a backslash', () => {
    expect([
      escapeChatMarkdown('Fix `null` in *urgent* [PAY-123] #12'),
      escapeChatMarkdown('feature/PAY-123_retry_logic'),
      escapeChatMarkdown('__init__ and _emphasis_ | cell'),
    ]).toEqual([
      'Fix ˋnullˋ in ＊urgent＊ ［PAY-123］ #12',
      'feature/PAY-123_retry_logic',
      '＿＿init＿＿ and ＿emphasis＿ ｜ cell',
    ]);
    expect(escapeChatMarkdown('a\\b')).toBe('a\\b');
  });

  it('removes mentions, newlines and a block start (heading, quote, list, ordered list)', () => {
    expect(escapeChatMarkdown('# Fix **all** `the` things\n<@zhangsan> @all\r\nmore')).toBe(
      `＃ Fix ＊＊all＊＊ ˋtheˋ things ‹@${WJ}zhangsan＞ @${WJ}all more`,
    );
    expect(['> quote', '- item', '+ item', '12. item', '  # h'].map((v) => escapeChatMarkdown(v))).toEqual([
      '＞ quote',
      '－ item',
      '＋ item',
      '12． item',
      '  ＃ h',
    ]);
  });

  it('keeps the lines of a multi-line value and defuses the start of each', () => {
    expect(escapeChatMarkdown('Fix it\n# Heading\n> quote\r\n- [x](http://phish.example)', { multiline: true })).toBe(
      'Fix it\n＃ Heading\n＞ quote\n－ ［x］(http://phish.example)',
    );
  });

  it('defuses HTML entities that a client could decode back into markup', () => {
    expect(escapeChatMarkdown('AT&T &lt;font&gt; &#60;@x&#62;')).toBe(`AT&T ＆lt;font＆gt; ‹@${WJ}x＆#62;`);
  });

  it('leaves branch-like text with inner underscores, dashes and dots unchanged, and keeps spaces at its ends', () => {
    expect(escapeChatMarkdown('feature/fix_payment-path v1.2.3 构建_测试')).toBe(
      'feature/fix_payment-path v1.2.3 构建_测试',
    );
    expect(escapeChatMarkdown(' — Run tests ')).toBe(' — Run tests ');
  });
});

describe('escapeLarkMd', () => {
  it('writes every markdown and HTML character as an entity, on one line, without mentions', () => {
    expect(escapeLarkMd('**bold** [a](b) <at id=all></at> _x_ ~y~ `z` # \\ |\nnext & @all')).toBe(
      `&#42;&#42;bold&#42;&#42; &#91;a&#93;(b) ‹at id=all&gt;&lt;/at&gt; &#95;x&#95; &#126;y&#126; &#96;z&#96; # &#92; &#124; next &amp; @${WJ}all`,
    );
    expect(['# not a heading', '- item', '1. item'].map((v) => escapeLarkMd(v))).toEqual([
      '&#35; not a heading',
      '&#45; item',
      '1&#46; item',
    ]);
  });

  it('keeps the lines of a multi-line value and defuses the start of each', () => {
    expect(escapeLarkMd('a\n# b\n[c](http://x)', { multiline: true })).toBe('a\n&#35; b\n&#91;c&#93;(http://x)');
  });

  it('shows an entity-encoded mention as text instead of decoding it into a tag', () => {
    expect(escapeLarkMd('&lt;at id=all&gt;')).toBe('‹at id=all&amp;gt;');
  });
});

describe('truncateChars', () => {
  it('counts characters (a CJK character or an emoji is one) and ends with the marker when it cuts', () => {
    expect([
      truncateChars('test (ubuntu, 20) · Run tests', 26),
      truncateChars('构建失败了请查看日志', 5),
      truncateChars('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 2),
      truncateChars('short', 26),
    ]).toEqual(['test (ubuntu, 20) · Run t…', '构建失败…', '👨‍👩‍👧…', 'short']);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });
});

describe('oneLine, flatLine and controlFree', () => {
  it('turns newlines, tabs, control and line-separator characters into single spaces and trims', () => {
    expect(oneLine('  Fix\r\npayment\tpath\u0000now\u2028ok  ')).toBe('Fix payment path now ok');
    expect(flatLine(' — Fix\npath ')).toBe(' — Fix path ');
  });

  it('keeps line breaks (as \\n) and tabs but no other control character', () => {
    expect(controlFree('a\r\nb\rc\u2028d\te\u0007f\u001b[31mg')).toBe('a\nb\nc\nd\te f [31mg');
  });

  it('drops bidi overrides, embeddings and isolates (a commit title must read as written), keeping joiners and RTL letters', () => {
    const spoof = 'fix: add \u202egnp.exe\u202c and \u2067x\u2069 \u202a\u202b\u202d\u2066\u2068';
    expect(flatLine(spoof)).toBe('fix: add gnp.exe and x ');
    expect(controlFree(`${spoof}\nline`)).toBe('fix: add gnp.exe and x \nline');
    // A family emoji (ZWJ), Persian with a zero-width non-joiner, Hebrew and Arabic stay as they are.
    for (const text of ['👨\u200d👩\u200d👧', 'می\u200cخواهم', 'תיקון באג', 'إصلاح الخطأ'])
      expect([flatLine(text), controlFree(text)]).toEqual([text, text]);
  });
});

describe('safeUrl', () => {
  it('accepts http and https URLs and returns them normalised', () => {
    expect(safeUrl('https://github.com/acme/api/actions/runs/4242')).toBe(
      'https://github.com/acme/api/actions/runs/4242',
    );
    expect(safeUrl(' HTTP://Example.com/a b')).toBe('http://example.com/a%20b');
  });

  it('percent-encodes characters that would end a markdown link or an HTML attribute', () => {
    expect(safeUrl('https://ci.example/job/(1)?q="x"&r=\'y\'')).toBe(
      'https://ci.example/job/%281%29?q=%22x%22&r=%27y%27',
    );
  });

  it('refuses javascript:, data:, file:, relative and malformed URLs', () => {
    expect(
      [
        'javascript:alert(1)',
        'JAVASCRIPT://x%0aalert(1)',
        'data:text/html,<b>x</b>',
        'file:///etc/passwd',
        '/relative/path',
        'https://',
        'not a url',
        '',
        null,
        undefined,
      ].map((u) => safeUrl(u)),
    ).toEqual([null, null, null, null, null, null, null, null, null, null]);
  });
});

describe('headUnits', () => {
  it('cuts at a UTF-16 count, one unit earlier where the cut would split a surrogate pair', () => {
    expect(headUnits('abcdef', 3)).toBe('abc');
    expect(headUnits('ab', 5)).toBe('ab');
    expect(headUnits('ab😀cd', 3)).toBe('ab');
    expect(headUnits('ab😀cd', 4)).toBe('ab😀');
    expect(headUnits('😀😀😀', 5)).toBe('😀😀');
  });

  it('never leaves a lone surrogate in a quoted error body, wherever the 200-character cut falls', () => {
    for (let pad = 0; pad < 4; pad++) {
      const line = httpErrorLine({
        status: 400,
        text: `${'x'.repeat(pad)}${'😀'.repeat(150)}`,
        headers: {},
        json: undefined,
      });
      expect(line).toMatch(/^HTTP 400 Bad Request: x*(?:😀)+…$/u);
      expect(line.replace(/😀/gu, '')).not.toMatch(/[\ud800-\udfff]/);
    }
  });
});

describe('cuts without the segmenter agree with it', () => {
  // Plain pieces (one cluster each, never joining a neighbour) and pieces that join: combining
  // accents, ZWJ sequences, skin tones, variation selectors, flags, Hangul jamo, CR LF, a Thai
  // spacing mark, a Devanagari conjunct (virama), half-width sound marks, BMP and astral emoji.
  const pieces = [
    'a',
    'Z',
    ' ',
    '\n',
    '\t',
    '中',
    '文',
    'é',
    'ß',
    '…',
    '—',
    '@',
    WJ,
    '\u200b',
    'カ',
    '、',
    'Ａ',
    'e\u0301',
    '\u0301',
    '\u200d',
    '👍',
    '👍🏽',
    '🏽',
    '❤\ufe0f',
    '\ufe0f',
    '🇨🇳',
    '🇨',
    '한',
    '\u1100\u1161',
    '\u1161',
    '\r\n',
    '\r',
    'สำ',
    '\u0e33',
    'क्ष',
    '\u094d',
    'ｶﾞ',
    '\uff9e',
    '✨',
    '👨‍👩‍👧',
    '😀',
    '\u302a',
    'か\u3099',
    '\u3099',
  ];
  const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
  const random = seededRandom(12345);
  const texts = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + random(24) }, () => pieces[random(pieces.length)]).join(''),
  );

  /** The longest prefix ending on a cluster boundary within `budget` UTF-8 bytes, as the segmenter says. */
  const reference = (text: string, budget: number) => {
    let best = '';
    let end = 0;
    for (const { segment } of segmenter.segment(text)) {
      end += segment.length;
      if (utf8Bytes(text.slice(0, end)) > budget) break;
      best = text.slice(0, end);
    }
    return best.replace(/@$/, '');
  };

  it('truncateUtf8 cuts where a whole-text segmentation would, at every budget', () => {
    const wrong: string[] = [];
    for (const text of texts) {
      for (let budget = 0; budget < utf8Bytes(text); budget += 1 + random(5)) {
        const cut = truncateUtf8(text, budget, '');
        if (cut !== reference(text, budget)) wrong.push(JSON.stringify([text, budget, cut]));
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('truncateChars counts clusters as the segmenter does', () => {
    const wrong: string[] = [];
    for (const text of texts) {
      const clusters = [...segmenter.segment(text)].map((s) => s.segment);
      for (let max = 2; max <= clusters.length + 1; max += 1 + random(3)) {
        const expected = clusters.length <= max ? text : clusters.slice(0, max - 1).join('') + '…';
        const cut = truncateChars(text, max);
        if (cut !== expected) wrong.push(JSON.stringify([text, max, cut, expected]));
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe('word edges without a \\p{…} regex', () => {
  it('replaces the underscores and tildes the lookaround patterns would, on 5,000 generated lines', () => {
    const original = new RegExp('(?<![\\p{L}\\p{N}])_|_(?![\\p{L}\\p{N}])', 'gu');
    const tildes = new RegExp('(?<![\\p{L}\\p{N}])~|~(?![\\p{L}\\p{N}])', 'gu');
    const pieces = [
      '_',
      '__',
      'a',
      'Z',
      '9',
      ' ',
      '-',
      'é',
      '中',
      '²',
      '①',
      '𝐀',
      '𝟘',
      '😀',
      '\ud835',
      '\udc00',
      '.',
      '＿',
      '~',
      '~~',
    ];
    const random = seededRandom(99);
    const wrong: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const line = Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)]).join('');
      // Only the underscores differ between the two: compare where each put a ＿.
      const ours = [...escapeChatMarkdown(line)].filter((c) => c === '_' || c === '＿').join('');
      const theirs = [...line.replace(original, '＿')].filter((c) => c === '_' || c === '＿').join('');
      if (ours !== theirs) wrong.push(JSON.stringify([line, ours, theirs]));
      const edges = atWordEdges(atWordEdges(line, '_', '＿'), '~', '∼');
      const expected = line.replace(original, '＿').replace(tildes, '∼');
      if (edges !== expected) wrong.push(JSON.stringify([line, edges, expected]));
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
