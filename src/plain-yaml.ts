/**
 * The `channels` input as most people write it — a YAML list of flat `key: value` mappings — read
 * without the YAML library:
 *
 *   - type: dingtalk
 *     url: env:DINGTALK_URL   # a comment
 *     at_all: true
 *   - type: email
 *     from: 'CI <ci@example.com>'
 *
 * Loading the `yaml` package (a 120 KB chunk) and parsing with it cost such a run more than a third
 * of its instructions (a two-target dry run on Node 24: 192 M against 141 M for the same list as
 * JSON; callgrind, issue 14). This reads only the plain subset, and reads it exactly as `yaml` does
 * (YAML 1.2, core schema): every line is an item's first `- key: value` at the left edge or one more
 * `key: value` under the item's first key; values are single-line plain or quoted scalars, `true`
 * and `false`, or small decimal integers. Anything else — block or flow collections, multi-line
 * or escaped scalars, anchors, tags, other numbers, null, duplicate keys, tabs, control characters
 * — gives undefined and the caller parses with `yaml`, errors and warnings included. A test
 * compares both on generated lists (__tests__/plain-yaml.test.ts).
 */

const KEY = '[A-Za-z_][A-Za-z0-9_-]*';
/** `- key: value` at the left edge: the item's indent (spaces after the dash), key, rest. */
const ITEM = new RegExp(`^-( +)(${KEY}):(?: +(.*))?$`);
/** ` key: value`: indent, key, rest. */
const ENTRY = new RegExp(`^( +)(${KEY}):(?: +(.*))?$`);
/** What yaml reads as null, true or false, never as a string (core schema); keys included. */
const NULL = /^(?:~|null|Null|NULL)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;
/**
 * A plain scalar that may resolve to something else than a string, or may not be a plain scalar at
 * all: it starts with an indicator or a sign, digit or dot (a number, .inf, .nan), or holds ": " or
 * ends with ":" (a mapping).
 */
const NOT_PLAIN_STRING = /^[-?:,[\]{}#&*!|>'"%@`+.~0-9]|: |:$/;
// eslint-disable-next-line no-control-regex -- the characters yaml refuses or reads its own way
const AWKWARD = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\t\\]/;

/** The list, or undefined when the text is not in the subset (parse it with yaml). */
export function parsePlainYamlList(text: string): Record<string, string | number | boolean>[] | undefined {
  const lines = text.replace(/\r\n/g, '\n');
  if (AWKWARD.test(lines)) return undefined;
  const list: Record<string, string | number | boolean>[] = [];
  let item: Record<string, string | number | boolean> | undefined;
  let indent = 0;
  for (const line of lines.split('\n')) {
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const start = ITEM.exec(line);
    const entry = start ?? ENTRY.exec(line);
    if (!entry) return undefined;
    const width = start ? 1 + entry[1]!.length : entry[1]!.length;
    if (start) {
      list.push((item = {}));
      indent = width;
    } else if (item === undefined || width !== indent) return undefined;
    const key = entry[2]!;
    // A key yaml reads as something else than itself (null, true), __proto__ (yaml keeps it as a
    // key of its own; an assignment here would not) and a repeated key (an error in yaml) are left to it.
    if (scalar(key) !== key || key === '__proto__' || Object.hasOwn(item!, key)) return undefined;
    const value = scalar(entry[3] ?? '');
    if (value === undefined) return undefined;
    item![key] = value;
  }
  return list.length ? list : undefined;
}

/** One line's value as yaml reads it, or undefined outside the subset. */
function scalar(raw: string): string | number | boolean | undefined {
  const quote = raw[0];
  if (quote === "'" || quote === '"') {
    // The scalar ends at the first quote not doubled ('it''s'); after it only a comment may follow.
    const match = quote === "'" ? /^'((?:[^']|'')*)'(.*)$/.exec(raw) : /^"([^"]*)"(.*)$/.exec(raw);
    if (!match || !/^(?:\s+#.*)?\s*$/.test(match[2]!)) return undefined;
    return quote === "'" ? match[1]!.replace(/''/g, "'") : match[1]!;
  }
  // A comment starts at a # after whitespace; the scalar is what comes before it, trailing spaces cut.
  const value = raw.replace(/\s+#.*$/, '').trimEnd();
  if (value === '' || NULL.test(value)) return undefined;
  if (TRUE.test(value)) return true;
  if (FALSE.test(value)) return false;
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(value)) return Number(value);
  if (NOT_PLAIN_STRING.test(value)) return undefined;
  return value;
}
