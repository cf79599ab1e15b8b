/**
 * Text helpers every channel shares: byte-aware truncation and making untrusted repository text
 * (commit messages, branch and author names) safe in chat markup and HTML.
 */

export const TRUNCATION_MARKER = '…(truncated)';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary (never inside a surrogate
 * pair or a multi-byte sequence), appending `marker` when anything was cut. The marker counts.
 */
export function truncateUtf8(text: string, maxBytes: number, marker: string = TRUNCATION_MARKER): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - utf8Bytes(marker));
  let used = 0;
  let out = '';
  for (const ch of text) {
    const n = utf8Bytes(ch);
    if (used + n > budget) break;
    used += n;
    out += ch;
  }
  return out + marker;
}

const WORD_JOINER = '\u2060';

/**
 * Makes untrusted text unable to mention anyone on DingTalk, WeCom or Lark: `@all`, `@138…`,
 * `<@userid>`, `<at user_id="all">`, `<at id=all>`. A word joiner after every `@` keeps the text
 * readable while no platform parser sees a mention; `<at` and `<@` lose their `<`.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/<(\s*)(at\b|@)/gi, '‹$1$2')
    .replace(/@/g, `@${WORD_JOINER}`);
}

/** Escapes characters that would start markdown structure inside one inline value. */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/[\\`*_[\]()#>|~<]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Untrusted text → one line (commit titles, branch names): no newlines, no control characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
