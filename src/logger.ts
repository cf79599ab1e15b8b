/**
 * The logger every part prints through, and what makes a printed line safe. Each platform's logger
 * (platform/*.ts) runs every message through `redact` and then `safeLogText` before adding its own
 * prefix, so no text we print — commit messages in a dry-run body, an endpoint's error answer, a
 * YAML warning — can act on the CI that reads our output.
 */

/** Log lines pass through the redactor and safeLogText before they are written. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** A foldable group in the CI log (GitHub ::group::; a plain header elsewhere). */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/** U+2060 WORD JOINER: invisible, and not whitespace for the runner's Trim() nor for JavaScript's. */
const JOINER = '\u2060';

/**
 * C0 controls except tab, DEL and C1 controls: ESC starts terminal sequences (colours, cursor
 * moves, GitLab's section markers), BEL rings, NUL truncates some viewers. Line breaks are handled
 * separately, as line breaks.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Characters that show nothing yet change what a line looks like: bidi controls (U+202E turns
 * "txt.exe" around), zero-width spaces and joiners (a `\u200b::error::` line reads as a command to
 * a person), the byte-order mark, soft hyphen and invisible operators. Log text has no use for them.
 */
export const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** Text without control and invisible formatting characters (for sinks other than the log, such as the job summary). */
export function withoutHidden(text: string): string {
  return text.replace(CONTROL, '').replace(INVISIBLE, '');
}

/**
 * Line breaks: CR, LF and CRLF end a line for the runner's line reader; U+2028 and U+2029 do for
 * browsers' log views and many tools. (NEL, VT and FF are control characters and are removed.)
 */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/;

/** What a line of a message after its first starts with: column 0 is for our own lines. */
const CONTINUATION = '  ';

/**
 * Makes text safe to print as log lines:
 *  - every line break (CR, LF, CRLF, U+2028, U+2029) becomes one `\n`;
 *  - control characters and invisible formatting characters (bidi overrides, zero-width) are removed;
 *  - every line after the first is indented, so text inside a message (a commit line in a dry-run
 *    body, an endpoint's answer) cannot start a line that looks like ours (`✅ prod (dingtalk):
 *    delivered`, `error: …`, `warning: …`): only our own lines start at column 0;
 *  - a line that would start with `::` after leading whitespace — a GitHub workflow command
 *    (`::add-mask::`, `::stop-commands::`, `::error::`; the runner trims the line before matching) —
 *    gets an invisible joiner between the colons;
 *  - `##[` (the runner's legacy command form) and `##vso[` (Azure Pipelines' logging commands, read
 *    anywhere in a line), matched anywhere in a line, are broken the same way.
 * https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
 * https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands
 */
export function safeLogText(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line, index) => {
      const safe = line
        .replace(CONTROL, '')
        .replace(INVISIBLE, '')
        .replace(/^(\s*):(?=:)/, `$1:${JOINER}`)
        .replace(/##(?=(?:vso)?\[)/gi, `#${JOINER}#`);
      return index > 0 && safe ? `${CONTINUATION}${safe}` : safe;
    })
    .join('\n');
}

/**
 * What a platform logger prints for a message. Control and invisible characters go first (one inside
 * a secret's echo must not hide it from the redactor), then the redactor, then the line rules (a joiner
 * inserted earlier could split a secret).
 */
export function printable(redact: (text: string) => string): (message: string) => string {
  return (message) => safeLogText(redact(message.replace(CONTROL, '').replace(INVISIBLE, '')));
}

/**
 * Wraps `warn` so the same message is reported once however many renders repeat it (the title,
 * the body and a channel's own render of one target all read the same placeholders).
 */
export function warnOnce(warn: (msg: string) => void): (msg: string) => void {
  const seen = new Set<string>();
  return (msg) => {
    if (seen.has(msg)) return;
    seen.add(msg);
    warn(msg);
  };
}
