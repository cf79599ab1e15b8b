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
 * Makes text safe to print as log lines:
 *  - every line break (CR, LF, CRLF — the runner's line reader splits on each) becomes one `\n`;
 *  - control characters are removed;
 *  - a line that would start with `::` after leading whitespace — a GitHub workflow command
 *    (`::add-mask::`, `::stop-commands::`, `::error::`; the runner trims the line before matching) —
 *    gets an invisible joiner between the colons;
 *  - `##[`, the runner's legacy command form, matched anywhere in a line, is broken the same way.
 * https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
 */
export function safeLogText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line
        .replace(CONTROL, '')
        .replace(/^(\s*):(?=:)/, `$1:${JOINER}`)
        .replace(/##\[/g, `#${JOINER}#[`),
    )
    .join('\n');
}

/**
 * What a platform logger prints for a message. Control characters go first (one inside a secret's
 * echo must not hide it from the redactor), then the redactor, then the line rules (a joiner
 * inserted earlier could split a secret).
 */
export function printable(redact: (text: string) => string): (message: string) => string {
  return (message) => safeLogText(redact(message.replace(CONTROL, '')));
}
