/**
 * Text helpers every channel shares: byte-aware truncation and making untrusted repository text
 * (commit messages, branch and author names) safe in chat markup and HTML.
 *
 * Untrusted text must never mention anyone, break the message markup, or inject HTML (DESIGN §4).
 * Channels use, for each UNTRUSTED value:
 *   DingTalk markdown / actionCard text  escapeDingTalkMarkdown(value)
 *   WeCom markdown                        escapeWeComMarkdown(value)
 *   Lark card lark_md                     escapeLarkMd(value)
 *   plain text anywhere (text messages)   neutralizeMentions(value)
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
// fallback still never splits a surrogate pair.
const graphemes: Intl.Segmenter | null =
  typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter('und', { granularity: 'grapheme' })
    : null;

/** The longest prefix of `text` of at most `budget` UTF-8 bytes that ends on a character boundary. */
function prefixWithinBytes(text: string, budget: number): string {
  let used = 0;
  let end = 0;
  const pieces: Iterable<string> = graphemes ? segmentStrings(graphemes, text) : text;
  for (const piece of pieces) {
    const n = utf8Bytes(piece);
    if (used + n > budget) break;
    used += n;
    end += piece.length;
  }
  return text.slice(0, end);
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
  if (markerBytes >= max) return prefixWithinBytes(marker, max);
  return prefixWithinBytes(text, max - markerBytes) + marker;
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

/**
 * Backslash-escapes CommonMark inline structure in one value, for renderers that implement
 * CommonMark escapes (the GitHub job summary, webhook receivers that render GFM). Newlines become
 * spaces. Do not use it for DingTalk or WeCom: their renderers are undocumented subsets and may show
 * the backslashes (see escapeDingTalkMarkdown).
 */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/[\\`*_[\]()#>|~<!]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Untrusted text → one line (commit titles, branch names): no newlines, no control characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
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
 *  - `*`: a stray `**` would end our bold early and bold the rest of the line.
 * `_` and `~` stay: intra-word underscores (branch names) are not emphasis, and neither can
 * open a link, a tag or a mention.
 */
const CHAT_MARKDOWN_LOOKALIKES: Record<string, string> = {
  '<': '＜',
  '>': '＞',
  '[': '［',
  ']': '］',
  '`': 'ˋ',
  '*': '∗',
};

function chatMarkdownInline(text: string): string {
  return (
    neutralizeMentions(oneLine(text))
      .replace(/[<>[\]`*]/g, (c) => CHAT_MARKDOWN_LOOKALIKES[c] as string)
      // An entity such as `&lt;` could be decoded by the client into the character we just removed.
      .replace(/&(?=#?[a-z0-9]+;)/gi, '＆')
      // A value at the start of a line must not become a heading or a quote.
      .replace(/^#/, '＃')
  );
}

/**
 * One UNTRUSTED value (commit title, branch, author, rendered title) inside DingTalk `markdown` or
 * `actionCard` text: one line, no mentions (the `@` of DingTalk `@mobile` is broken, §A.3), no
 * links, tags or emphasis that could alter the surrounding message. The channel's own mentions
 * are added after escaping, never passed through here.
 */
export function escapeDingTalkMarkdown(text: string): string {
  return chatMarkdownInline(text);
}

/**
 * One UNTRUSTED value inside WeCom `markdown` content (the same rules as DingTalk, for the same
 * reason; `<@userid>` mentions and `<font color>` are what `<` would open, §B.2–B.3).
 */
export function escapeWeComMarkdown(text: string): string {
  return chatMarkdownInline(text);
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

/** One UNTRUSTED value inside Lark `lark_md`: shows exactly that text, on one line, mentions nobody. */
export function escapeLarkMd(text: string): string {
  // With `[` and `]` escaped no link can start, so `(` `)` stay readable; `#` only heads a line at its start.
  return neutralizeMentions(oneLine(text))
    .replace(/[&<>*_~`[\]\\|]/g, (c) => LARK_MD_ENTITIES[c] as string)
    .replace(/^#/, '&#35;');
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
