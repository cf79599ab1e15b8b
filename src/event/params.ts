/**
 * The `params` input: extra `key=value` lines shown in the message and sent as `event.params`
 * (DESIGN §3, §5). Blank lines and `# comments` are ignored; the value is everything after the
 * first `=`, so `url=https://x/?a=b` keeps its own `=`. A repeated key keeps the last value, as a
 * shell or a dotenv file would.
 */
export interface ParsedParams {
  params: Record<string, string>;
  errors: string[];
}

export function parseParams(text: string | null | undefined): ParsedParams {
  // Entries, not assignments: a key named `__proto__` must stay a plain key.
  const entries: [string, string][] = [];
  const errors: string[] = [];
  const lines = (text ?? '').split(/\r\n|\r|\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    const key = eq > 0 ? trimmed.slice(0, eq).trim() : '';
    if (key === '') {
      errors.push(`params: line ${index + 1} is not key=value`);
      return;
    }
    entries.push([key, trimmed.slice(eq + 1).trim()]);
  });
  return { params: Object.fromEntries(entries), errors };
}
