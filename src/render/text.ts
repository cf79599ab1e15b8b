/**
 * Text helpers every channel shares: byte-aware truncation and making untrusted repository text
 * (commit messages, branch and author names) safe in chat markup and HTML.
 *
 * Untrusted text must never mention anyone, break the message markup, or inject HTML (DESIGN §4).
 * Channels use, for each UNTRUSTED value:
 *   DingTalk and WeCom markdown           escapeChatMarkdown(value) — look-alikes, never a backslash
 *   Lark card lark_md                     escapeLarkMd(value)
 *   plain text anywhere (text messages)   neutralizeMentions(oneLine(value))
 *   HTML (e-mail)                         escapeHtml(value)
 *   a link target in any markup           safeUrl(url) — null means "show it as text, do not link"
 * and truncateUtf8 on the result to meet the platform's byte limit.
 */

export const TRUNCATION_MARKER = '…(truncated)';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Grapheme clusters, so a cut never separates an emoji from its skin tone, a ZWJ family or a
// flag's second half, nor a letter from its combining accent. Node ships full ICU; the code-point
// fallback still never splits a surrogate pair. Made on the first cut, not at load: creating a
// segmenter loads ICU's break-iterator data, several milliseconds that most runs never need.
let segmenter: Intl.Segmenter | null | undefined;
function graphemeSegmenter(): Intl.Segmenter | null {
  segmenter ??=
    typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
      ? new Intl.Segmenter('und', { granularity: 'grapheme' })
      : null;
  return segmenter;
}

/** Code units around a cut that are segmented to find the grapheme boundary. */
const CLUSTER_SLACK = 64;

/** UTF-8 bytes of one code point. */
function utf8Size(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** UTF-16 code units of one code point. */
function utf16Size(ch: string): number {
  return ch.length;
}

/**
 * The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair: a
 * quoted answer or a log snippet never ends in half an emoji (which prints as U+FFFD).
 */
export function headUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * The longest prefix of `text` of at most `budget` units (`size` of each code point) that ends on
 * a character boundary. Code points are counted first (fast); only the few code units around the
 * cut are segmented into grapheme clusters to move the cut back to a cluster boundary
 * (Intl.Segmenter costs ~30 µs per cluster, too slow to walk 50 KB of hostile text).
 */
function prefixWithin(text: string, budget: number, size: (ch: string) => number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const n = size(ch);
    if (used + n > budget) break;
    used += n;
    end += ch.length;
  }
  if (end === text.length) return text;
  if (plainBoundary(text, end)) return text.slice(0, end);
  const graphemes = graphemeSegmenter();
  if (graphemes === null) return text.slice(0, end);
  const start = Math.max(0, end - CLUSTER_SLACK);
  let boundary = start;
  for (const piece of graphemes.segment(text.slice(start, end + CLUSTER_SLACK))) {
    const pieceEnd = start + piece.index + piece.segment.length;
    if (pieceEnd > end) break;
    boundary = pieceEnd;
  }
  return text.slice(0, boundary);
}

/**
 * Characters that are a grapheme cluster each and never join the character before or after them
 * (UAX #29: no mark, joiner, variation selector, emoji modifier, regional indicator, Hangul jamo or
 * syllable, prepended or CR): tab and LF, printable ASCII, Latin-1 and Latin Extended, general
 * punctuation, the zero-width space and the word joiner (controls: a break on both sides; the
 * joiner follows every "@" of untrusted text, neutralizeMentions), CJK symbols without the
 * ideographic tone marks (U+302A–302F), kana without the combining sound marks (U+3099–309A), CJK
 * ideographs, full-width forms without the half-width sound marks (U+FF9E–FF9F). Creating an Intl.Segmenter loads ICU's break-iterator data: 91 M
 * instructions on Node 24, half of a whole webhook delivery, and most cuts fall between two of these.
 */
const PLAIN =
  /^[\t\n\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u2060\u3000-\u3029\u3030-\u303f\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9d]*$/;

/**
 * Whether a cut of `text` at `end` (between two code points) is a grapheme cluster boundary without
 * asking the segmenter: true when the code units on both sides are plain (see PLAIN), or when the
 * one before is a pictograph (an emoji without a modifier, joiner or selector after it, which the
 * plain one after rules out) — a break the segmenter would also find (UAX #29, GB999).
 */
function plainBoundary(text: string, end: number): boolean {
  if (end <= 0 || end >= text.length) return true;
  const after = text[end]!;
  if (!PLAIN.test(after)) return false;
  const before = text.charCodeAt(end - 1);
  if (before >= 0xdc00 && before <= 0xdfff) {
    // An astral pictograph (U+1F300–1FAFF, not a skin-tone modifier U+1F3FB–1F3FF).
    const code = text.codePointAt(end - 2) ?? 0;
    return code >= 0x1f300 && code <= 0x1faff && !(code >= 0x1f3fb && code <= 0x1f3ff);
  }
  return PLAIN.test(text[end - 1]!);
}

function* segmentStrings(segmenter: Intl.Segmenter, text: string): Generator<string> {
  for (const s of segmenter.segment(text)) yield s.segment;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary (never inside a surrogate
 * pair, a multi-byte sequence or a grapheme cluster), appending `marker` when anything was cut.
 * The marker counts: the result is never longer than `maxBytes`. When even the marker does not
 * fit, the result is as much of the marker as fits (platforms reject over-long text; a clipped
 * marker still says "cut here").
 */
export function truncateUtf8(text: string, maxBytes: number, marker: string = TRUNCATION_MARKER): string {
  const max = Number.isFinite(maxBytes) ? Math.max(0, Math.floor(maxBytes)) : 0;
  if (utf8Bytes(text) <= max) return text;
  const markerBytes = utf8Bytes(marker);
  if (markerBytes >= max) return prefixWithin(marker, max, utf8Size);
  // A cut between an "@" and the word joiner that defuses it (neutralizeMentions) would leave a
  // bare "@": the "@" goes too.
  return prefixWithin(text, max - markerBytes, utf8Size).replace(/@$/, '') + marker;
}

/**
 * The same in UTF-16 code units, for platforms that count characters (Slack, Discord, Telegram,
 * Mattermost): JavaScript's `length`, what Telegram's entity offsets count, and never fewer than
 * the code points Discord and Mattermost count — within the limit in units is within it however
 * the platform counts.
 */
export function truncateUtf16(text: string, maxUnits: number, marker: string = TRUNCATION_MARKER): string {
  const max = Number.isFinite(maxUnits) ? Math.max(0, Math.floor(maxUnits)) : 0;
  if (text.length <= max) return text;
  if (marker.length >= max) return prefixWithin(marker, max, utf16Size);
  return prefixWithin(text, max - marker.length, utf16Size).replace(/@$/, '') + marker;
}

/**
 * Cuts `text` to at most `max` characters (grapheme clusters: an emoji or a CJK character is one),
 * ending with `marker` when anything was cut; for limits given in characters ("建议不超过26个字").
 */
export function truncateChars(text: string, max: number, marker = '…'): string {
  // A cluster holds at least one code point: text of at most `max` code points fits as it is.
  if (text.length <= max || [...text].length <= max) return text;
  // Plain text (PLAIN) is one cluster per code point: no segmenter (and no ICU data) needed.
  const graphemes = PLAIN.test(text) && PLAIN.test(marker) ? null : graphemeSegmenter();
  const pieces: string[] = [];
  let seen = 0;
  // Stop one past `max`: whether there is more is all that matters beyond it.
  for (const piece of graphemes ? segmentStrings(graphemes, text) : text) {
    pieces.push(piece);
    seen += piece.length;
    if (pieces.length > max) break;
  }
  if (pieces.length <= max && seen === text.length) return text;
  const markerLength = graphemes ? [...segmentStrings(graphemes, marker)].length : [...marker].length;
  if (markerLength >= max) return pieces.slice(0, Math.max(0, max)).join('');
  return pieces.slice(0, max - markerLength).join('') + marker;
}

const WORD_JOINER = '\u2060';

/**
 * Makes untrusted text unable to mention anyone on DingTalk, WeCom or Lark, keeping it readable:
 *  - tags: Lark `<at user_id="all">`, `<at id=all>`, `<at email=…>` (API_FACTS §C.3) and WeCom
 *    `<@userid>` (§B.3) lose their `<` (shown as `‹`), in any case and with spaces after `<`;
 *    their entity-encoded forms (`&lt;at`, `&#60;@`, `&#x3c;at`) too, because Lark's card
 *    markdown decodes entities and we do not rely on it never re-parsing them;
 *  - DingTalk `@13800000000`, `@userid`, `@all`, `@所有人` (§A.3) and WeCom `@all`: a word joiner
 *    (U+2060, invisible) after every `@`, so no platform parser sees a mention. Idempotent.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/(?:<|&lt;?|&#0*60;?|&#x0*3c;?)(\s*)(at\b|@)/gi, '‹$1$2')
    .replace(/@(?!\u2060)/g, `@${WORD_JOINER}`);
}

/** A character as a JSON `\uXXXX` escape (for `replace`): the same value to a JSON reader, no raw character. */
export function jsonUnicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Untrusted text → one line (commit titles, branch names): no newlines, no control characters. */
export function oneLine(text: string): string {
  return flatLine(text).trim();
}

/**
 * The same without trimming, for a piece of a line whose spaces matter (" — Run tests" after a
 * linked job name).
 */
export function flatLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(BIDI_CONTROLS, '');
}

/**
 * Explicit bidi embeddings, overrides and isolates: in commit text, U+202E ("right-to-left
 * override") shows "fix: [RLO]gnp.exe" as "fix: exe.png" — a message must show what was written.
 * Arabic and Hebrew need none of them (their direction is the letters' own), and the zero-width
 * joiners that emoji and Persian use are not among them.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Untrusted text that may keep its lines: `\n` line breaks, no other control characters. */
export function controlFree(text: string): string {
  return (
    text
      .replace(/\r\n?|[\u2028\u2029]/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]+/g, ' ')
      .replace(BIDI_CONTROLS, '')
  );
}

/**
 * Characters that carry structure in DingTalk and WeCom markdown, swapped for look-alikes.
 *
 * Why look-alikes and not backslashes: neither platform documents an escape (DingTalk "supports a
 * subset of Markdown", API_FACTS §A.2; WeCom lists its syntax only, §B.2), and a backslash the
 * renderer does not understand is shown to the reader. A look-alike always renders as itself.
 *  - `<` `>`: WeCom `<font color>` / `<@userid>`, DingTalk `<font>` and HTML — a commit message
 *    must not close our `<font>` or open a tag;
 *  - `[` `]`: links and images (`[text](url)`, `![](url)`) — no injected or disguised links;
 *  - `` ` ``: a code span could swallow our own markup up to the next backtick;
 *  - `*`: a stray `**` would end our bold early and bold the rest of the line;
 *  - `|`: a table cell separator in WeCom markdown_v2.
 * `_` only where it could open or close emphasis (next to a space or punctuation): inside a word
 * (`PAY-123_retry_logic`) it is not emphasis and stays as it is.
 */
const CHAT_MARKDOWN_LOOKALIKES: Record<string, string> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '`': 'ˋ',
  '*': '＊',
  '|': '｜',
  _: '＿',
};

/** A line start that would open a block: heading, quote, list item, ordered list, rule. */
const CHAT_BLOCK_START = /^(\s*)(#|[-+]|\d+\.)/;
const CHAT_BLOCK_LOOKALIKES: Record<string, string> = { '#': '＃', '-': '－', '+': '＋' };

/**
 * A letter or a number beyond ASCII. Built on first use: a \p{…} class costs V8 an ICU table lookup
 * when the regex is made (~4.5 M instructions on Node 24), and most underscores sit between ASCII.
 */
let letterOrNumber: RegExp | undefined;

function isLetterOrNumber(code: number | undefined): boolean {
  if (code === undefined) return false;
  if (code < 0x80) return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
  // new RegExp, not a literal: V8 checks a literal's \p{…} (an ICU lookup) when it parses the file.
  return (letterOrNumber ??= new RegExp('^[\\p{L}\\p{N}]$', 'u')).test(String.fromCodePoint(code));
}

/**
 * Every `char` that is not inside a word (a letter or number on both sides, as
 * `(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])` says for "_") as `replacement`: `_` and `~` emphasise
 * only at a word's edge, and `fix_payment_path` stays as it is.
 */
export function atWordEdges(text: string, char: string, replacement: string): string {
  if (!text.includes(char)) return text;
  return text.split(char).reduce((out, piece, i) => {
    if (i === 0) return piece;
    const at = out.length;
    // The code point before: a surrogate pair counts as one, a lone half as itself.
    const high = at > 1 ? out.charCodeAt(at - 2) : 0;
    const low = at > 0 ? out.charCodeAt(at - 1) : 0;
    const pair = high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
    const before = at === 0 ? undefined : pair ? out.codePointAt(at - 2) : low;
    const inWord = isLetterOrNumber(before) && isLetterOrNumber(piece.length ? piece.codePointAt(0) : undefined);
    return out + (inWord ? char : replacement) + piece;
  });
}

function chatMarkdownLine(line: string): string {
  return (
    atWordEdges(
      neutralizeMentions(line).replace(/[<>[\]`*|]/g, (c) => CHAT_MARKDOWN_LOOKALIKES[c] as string),
      '_',
      '＿',
    )
      // An entity such as `&lt;` could be decoded by the client into the character we just removed.
      .replace(/&(?=#?[a-z0-9]+;)/gi, '＆')
      .replace(CHAT_BLOCK_START, (_m, space: string, mark: string) =>
        mark.endsWith('.') ? `${space}${mark.slice(0, -1)}．` : `${space}${CHAT_BLOCK_LOOKALIKES[mark] ?? mark}`,
      )
  );
}

/**
 * One UNTRUSTED value inside DingTalk `markdown` / `actionCard` text or WeCom `markdown` /
 * `markdown_v2` content: no mentions (the `@` of DingTalk `@mobile`, §A.3, and WeCom `<@userid>`,
 * §B.3, are broken), no links, tags, emphasis, table cells or blocks that could alter the
 * surrounding message, and no backslash. One line unless `multiline` (a `${commit.message}` in a
 * user template keeps its lines, each defused at its start). The channel's own mentions are added
 * after escaping, never passed through here.
 */
export function escapeChatMarkdown(text: string, { multiline = false }: { multiline?: boolean } = {}): string {
  if (!multiline) return chatMarkdownLine(flatLine(text));
  return controlFree(text).split('\n').map(chatMarkdownLine).join('\n');
}

/**
 * Card markdown (`lark_md`, the card `markdown` element) decodes HTML entities, and Feishu's card
 * documentation ("Markdown — 特殊字符转义") prescribes them as the way to show markdown characters
 * literally; so every character with a meaning becomes an entity.
 */
const LARK_MD_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '|': '&#124;',
};

function larkMdLine(line: string): string {
  // With `[` and `]` escaped no link can start, so `(` `)` stay readable; `#`, `-`, `+` and `1.`
  // only open a block at the start of a line.
  return neutralizeMentions(line)
    .replace(/[&<>*_~`[\]\\|]/g, (c) => LARK_MD_ENTITIES[c] as string)
    .replace(/^(\s*)([#+-])/, (_m, space: string, mark: string) => `${space}&#${mark.charCodeAt(0)};`)
    .replace(/^(\s*\d+)\./, '$1&#46;');
}

/**
 * One UNTRUSTED value inside Lark `lark_md` / the card `markdown` element: shows exactly that
 * text and mentions nobody. One line unless `multiline` (template values keep their lines).
 */
export function escapeLarkMd(text: string, { multiline = false }: { multiline?: boolean } = {}): string {
  if (!multiline) return larkMdLine(flatLine(text));
  return controlFree(text).split('\n').map(larkMdLine).join('\n');
}

/**
 * A link target that is safe in any markup, or null. Only absolute http(s) URLs: `javascript:`,
 * `data:`, `file:` and relative targets are refused (a link in a chat or e-mail must only ever
 * open a web page; Lark also fails the whole send on an invalid post `href`, §C.2). The result is
 * the parsed URL with `(`, `)`, spaces, quotes and angle brackets percent-encoded, so it can sit in
 * `[text](url)`, `<a href="url">` and `<font>` markup without ending it early.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return null;
  return parsed.href.replace(/[()\s<>"'`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
