/**
 * Redaction of secrets in everything we print. Every secret is registered with its derived forms
 * (URL-encoded, base64 and base64url, upper and lower case, its first 16 characters, base64 of
 * basic auth, tokens cut out of URLs, JSON-escaped) before the first log line.
 */
import { jsonUnicodeEscape } from '../render/text.js';

const MASK = '***';
/** Quoted answer bodies are cut with this marker; a secret may have been cut in half right before it. */
const CUT_MARKER = '…';
/** Below this length a value is too likely to occur by accident (and masking "1" would ruin logs). */
const MIN_SECRET_LENGTH = 4;
/**
 * Forms shorter than this are masked only as a whole token (not inside a longer run of letters,
 * digits and _): a 5-character password "state" must not turn "statement" into "***ment".
 */
const MIN_ANYWHERE_LENGTH = 8;
/**
 * A secret longer than this is also masked by its first PREFIX_LENGTH characters: answers and
 * tools often show a credential cut short ("token abcd1234abcd1234…").
 */
const PREFIX_LENGTH = 16;
/**
 * A form at least this long is also masked when whitespace splits it (an answer wrapped it): only
 * tokens wrap, and a form this long does not come out of words joined by chance.
 */
const WRAPPED_MIN_LENGTH = 16;
/**
 * Values that occur in every log and JSON output (`"ok":true`, "status: failure"): masking them
 * would garble the log and the outputs, and hides nothing. They are not registered; run() warns.
 */
const COMMON_WORDS = new Set([
  'true',
  'false',
  'yes',
  'no',
  'null',
  'none',
  'undefined',
  'fail',
  'failed',
  'failure',
  'pass',
  'passed',
  'success',
  'error',
  'unknown',
  'always',
  'never',
  'skipped',
  'cancelled',
  'canceled',
  'running',
  'pending',
  'test',
  'admin',
  'secret',
  'password',
  'token',
]);

/** The longest of COMMON_WORDS: a longer value is none of them (and is not lower-cased to ask). */
const LONGEST_COMMON_WORD = Math.max(...[...COMMON_WORDS].map((word) => word.length));

function isCommonWord(value: string): boolean {
  return value.length <= LONGEST_COMMON_WORD && COMMON_WORDS.has(value.toLowerCase());
}

/** Whether a value can be hidden in the log: long enough and not a word every log contains. */
export function isMaskable(secret: string | null | undefined): boolean {
  const value = (secret ?? '').trim();
  return value.length >= MIN_SECRET_LENGTH && !isCommonWord(value);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Longest first, so a URL is replaced whole before its token would be; rebuilt only after add(). */
  private sorted: string[] | null = null;
  /**
   * The short forms, matched as whole tokens by one pattern (null: there are none); rebuilt only
   * after add(). Unbuilt is `undefined`, so that "none" is not rebuilt for every line.
   */
  private shortPattern: RegExp | null | undefined = undefined;
  /** The forms masked anywhere in a line (MIN_ANYWHERE_LENGTH and longer); rebuilt only after add(). */
  private anywhere: FormIndex | null = null;
  /**
   * The forms redactWrapped() looks for, longest first; rebuilt only after add(). Chosen once, not
   * per line: a 50-target run has some 350 forms and a log line per target.
   */
  private wrappable: FormIndex | null = null;

  /** Registers a secret and its derived forms; returns every form added (for ::add-mask::). */
  add(secret: string | null | undefined): string[] {
    if (!secret || !isMaskable(secret)) return [];
    const added: string[] = [];
    for (const form of derivedForms(secret)) {
      if (form.length >= MIN_SECRET_LENGTH && !isCommonWord(form) && !this.secrets.has(form)) {
        this.secrets.add(form);
        added.push(form);
        this.sorted = null;
        this.shortPattern = undefined;
        this.anywhere = null;
        this.wrappable = null;
      }
    }
    return added;
  }

  /** Registers `user:password` basic-auth credentials (the base64 form is a secret too). */
  addBasicAuth(user: string, password: string): string[] {
    return [...this.add(password), ...this.add(Buffer.from(`${user}:${password}`).toString('base64'))];
  }

  redact(text: string): string {
    if (!text || this.secrets.size === 0) return text;
    let out = text;
    const secrets = (this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length));
    // Cut and wrapped secrets first: once a secret's first 16 characters (a form of their own) are
    // masked, the rest of a cut or wrapped secret no longer matches anything and would show.
    if (out.includes(CUT_MARKER)) out = redactCutSecrets(out, secrets);
    if (/\s/.test(out))
      out = redactWrapped(
        out,
        (this.wrappable ??= new FormIndex(secrets.filter((s) => s.length >= WRAPPED_MIN_LENGTH && !/\s/.test(s)))),
      );
    const anywhere = (this.anywhere ??= new FormIndex(secrets.filter((s) => s.length >= MIN_ANYWHERE_LENGTH)));
    for (const s of anywhere.candidates(out)) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    if (this.shortPattern === undefined)
      this.shortPattern = wholeTokenPattern(secrets.filter((s) => s.length < MIN_ANYWHERE_LENGTH));
    const short = this.shortPattern;
    if (short) out = out.replace(short, MASK);
    return out;
  }

  get size(): number {
    return this.secrets.size;
  }
}

/**
 * An answer that wraps long lines (base64 at 76 columns, a pretty-printed error) splits a secret
 * across lines, and a one-line error joins those lines with a space: no whole-string match finds
 * it. Masks a long form written with whitespace between its characters (only a long one: an id
 * such as `MonaLisa` must not hide the name "Mona Lisa"). The text without its whitespace is
 * searched first, so a pattern is built only for a form that is really there wrapped: a form that
 * appears whole (the common case: a log line quoting a URL) is masked as a string, and the text is
 * searched again; building and running a Unicode pattern for every line that quoted a secret cost
 * a 50-target run ~10 ms.
 */
function redactWrapped(text: string, wrappable: FormIndex): string {
  let out = text;
  let compact = text.replace(/\s+/g, '');
  for (const s of wrappable.candidates(compact)) {
    if (!compact.includes(s)) continue;
    if (out.includes(s)) {
      out = out.split(s).join(MASK);
      compact = out.replace(/\s+/g, '');
      if (!compact.includes(s)) continue;
    }
    const pattern = [...s].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
    out = out.replace(new RegExp(pattern, 'gu'), MASK);
    compact = out.replace(/\s+/g, '');
  }
  return out;
}

/**
 * Forms (each at least FORM_KEY_LENGTH long) grouped by their first FORM_KEY_LENGTH characters, so
 * that a line is searched once per group instead of once per form: the forms of 50 webhook URLs
 * on one host share a handful of beginnings ("http://h", "http%3A%", "aHR0cDov"…), and a run logs a
 * line per target, which made redaction grow with targets × targets.
 */
class FormIndex {
  private readonly groups = new Map<string, number[]>();
  /** A hash of each key's first 4 characters: most positions of a text are passed over on it. */
  private readonly starts = new Set<number>();

  /** `forms` in the order they are to be masked (longest first). */
  constructor(private readonly forms: string[]) {
    forms.forEach((form, i) => {
      // Masking puts *** into the text, so a form holding it may appear only after another was
      // masked: its group ('') is always searched.
      const key = form.includes(MASK) ? '' : form.slice(0, FORM_KEY_LENGTH);
      const group = this.groups.get(key);
      if (group) group.push(i);
      else this.groups.set(key, [i]);
      if (key) this.starts.add(startHash(key, 0));
    });
  }

  /** The forms whose beginning occurs in the text, in mask order; the caller still checks each whole. */
  candidates(text: string): readonly string[] {
    let hits: number[] | null = null;
    const take = (indexes: number[]) => {
      hits ??= [];
      for (const i of indexes) hits.push(i);
    };
    if (this.groups.size <= GROUPS_SEARCHED_WHOLE || this.groups.size * 4 <= text.length) {
      for (const [key, indexes] of this.groups) if (text.includes(key)) take(indexes);
    } else {
      // More groups than the text is long (secrets with tokens of their own each begin otherwise:
      // a run with 1,000 webhook URLs has ~6,000 groups): each position's next characters are
      // looked up instead, so the cost follows the text, not the number of secrets.
      const always = this.groups.get('');
      if (always) take(always);
      const seen = new Set<string>();
      for (let at = 0; at + FORM_KEY_LENGTH <= text.length; at++) {
        if (!this.starts.has(startHash(text, at))) continue;
        const key = text.slice(at, at + FORM_KEY_LENGTH);
        const indexes = this.groups.get(key);
        if (indexes && !seen.has(key)) {
          seen.add(key);
          take(indexes);
        }
      }
    }
    // Most lines quote no secret: nothing is allocated for them.
    return hits ? (hits as number[]).sort((a, b) => a - b).map((i) => this.forms[i] as string) : NO_FORMS;
  }
}

/** The four UTF-16 units of `text` at `at`, hashed to a small integer (collisions only cost a lookup). */
function startHash(text: string, at: number): number {
  return (
    (((text.charCodeAt(at) * 31 + text.charCodeAt(at + 1)) * 31 + text.charCodeAt(at + 2)) * 31 +
      text.charCodeAt(at + 3)) |
    0
  );
}

/** Up to this many groups, a text is searched for each group's key (a few native searches). */
const GROUPS_SEARCHED_WHOLE = 32;

const NO_FORMS: readonly string[] = [];

/** The length of a FormIndex key: the shortest form masked anywhere. */
const FORM_KEY_LENGTH = MIN_ANYWHERE_LENGTH;

/** One pattern for the short forms (longest first), each only where no letter, digit or _ touches it. */
function wholeTokenPattern(forms: string[]): RegExp | null {
  if (!forms.length) return null;
  const alternatives = forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, 'gu');
}

/**
 * A text cut to N characters ("HTTP 400: …body…") can end in the first half of a secret, which no
 * whole-string match finds. Masks any tail of at least MIN_SECRET_LENGTH characters before the
 * marker that is a prefix of a secret.
 */
function redactCutSecrets(text: string, secrets: string[]): string {
  return text.replace(/([^\s]*)…/g, (match, before: string) => {
    for (let start = 0; start <= before.length - MIN_SECRET_LENGTH; start++) {
      const tail = before.slice(start);
      if (secrets.some((s) => s.length > tail.length && s.startsWith(tail)))
        return `${before.slice(0, start)}${MASK}${CUT_MARKER}`;
    }
    return match;
  });
}

/** The forms a secret can take in a log line, an error or a request dump. */
export function derivedForms(secret: string): string[] {
  const forms = new Set<string>();
  // A URL's parts often repeat the URL or each other: each value is encoded once.
  const encoded = new Set<string>();
  const addEncoded = (value: string) => {
    if (encoded.has(value)) return;
    encoded.add(value);
    for (const form of encodedForms(value)) forms.add(form);
  };
  addEncoded(secret);
  // Secrets pasted into CI variables often carry a trailing newline that the settings trim.
  const trimmed = secret.trim();
  if (trimmed) addEncoded(trimmed);
  // A multi-line secret (a key, a JSON credential) is printed a line at a time as often as whole.
  const lines = secret.split(/\r\n|[\r\n]/).map((line) => line.trim());
  if (lines.length > 1) for (const line of lines) if (isMaskable(line)) addEncoded(line);
  // A token cut out of a URL travels alone, so it gets its own forms too; a URL's own first 16
  // characters ("https://oapi.din") are no secret, its token's are.
  const parts = URL_START.test(secret) ? urlSecretParts(secret) : null;
  for (const part of parts ?? []) addEncoded(part);
  const tokens = parts ? parts.filter((p) => !URL_START.test(p)) : [trimmed];
  for (const token of tokens) for (const form of shownForms(token)) forms.add(form);
  return [...forms];
}

const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * How other programs show a token: upper- or lower-cased (hex digests, headers), in base64url
 * (JWTs, URL-safe ids) and base64 without padding, and cut to its first 16 characters.
 */
function shownForms(token: string): string[] {
  const forms = [token.toUpperCase(), token.toLowerCase()];
  forms.push(Buffer.from(token).toString('base64url'), Buffer.from(token).toString('base64').replace(/=+$/, ''));
  if (token.length > PREFIX_LENGTH) forms.push(token.slice(0, PREFIX_LENGTH));
  return forms;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters no encoding below changes: a value made of them only is its own URL, JSON and HTML
 * form, and only its base64 differs (most tokens and keys; the common case made cheap).
 */
const PLAIN = /^[A-Za-z0-9_.-]*$/;

/** Printable ASCII but space, " & ' < > and \\: what JSON, HTML and Go's encoder leave as it is. */
const URL_SAFE = /^[!#-%(-;=?-[\]-~]*$/;

/**
 * The value as it appears raw, URL-encoded (both styles), JSON-escaped (once and twice) and in base64:
 * allEncodedForms(), short-cut for the values most secrets are (a token, a webhook URL) to the forms
 * that differ from the value, in the same order (a test holds the two equal).
 */
export function encodedForms(value: string): string[] {
  if (PLAIN.test(value)) return [value, Buffer.from(value).toString('base64')];
  if (URL_SAFE.test(value)) {
    // A URL or key of printable ASCII without "&'<>\ or space: its JSON, HTML and Go forms are
    // itself; only percent-encoding and JSON's optional \/ change it (a webhook URL, once per target).
    const uriEncoded = encodeURIComponent(value);
    return [
      value,
      ...percentForms(uriEncoded),
      value.replace(/\//g, '\\/'),
      Buffer.from(value).toString('base64'),
      formEncoded(uriEncoded),
    ];
  }
  return allEncodedForms(value);
}

/** Every form of encodedForms(), computed for any value (repeats included). */
export function allEncodedForms(value: string): string[] {
  const base64 = Buffer.from(value).toString('base64');
  const jsonEscaped = JSON.stringify(value).slice(1, -1);
  // Other JSON encoders escape more: Go's encoding/json writes <, > and & as \u003c…, Python's
  // json.dumps (ensure_ascii) every non-ASCII character as \u00f6, PHP's json_encode both that and /.
  const asciiJson = jsonEscaped.replace(/[\u007f-\uffff]/g, jsonUnicodeEscape);
  const goJson = jsonEscaped.replace(/[<>&\u2028\u2029]/g, jsonUnicodeEscape);
  // URL encoders see characters, not UTF-16 halves: a lone surrogate is sent as U+FFFD.
  const uriEncoded = encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
  return [
    value,
    ...percentForms(uriEncoded),
    jsonEscaped,
    asciiJson,
    asciiJson.replace(/\//g, '\\/'),
    goJson,
    // An HTML error page (a proxy's, a gateway's) quotes what it was sent with entities.
    value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c),
    // A JSON body quoted inside another JSON string (a log of a request dump) escapes twice.
    JSON.stringify(jsonEscaped).slice(1, -1),
    base64,
    formEncoded(uriEncoded),
  ];
}

/** encodeURIComponent's output, as RFC 3986 encoders write it (Python's quote, Go's QueryEscape, curl: !'()* too), and that with lower-case hex. */
function percentForms(uriEncoded: string): string[] {
  const strict = uriEncoded.replace(/[!'()*]/g, percentEncoded);
  return [uriEncoded, strict, strict.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())];
}

/** A form body (application/x-www-form-urlencoded, what URLSearchParams writes): space as +, and !'()~ encoded where encodeURIComponent keeps them. */
function formEncoded(uriEncoded: string): string {
  return uriEncoded.replace(/%20/g, '+').replace(/[!'()~]/g, percentEncoded);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function percentEncoded(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** Token-bearing parts of a URL: userinfo, query values, and long path segments (hook ids, keys). */
export function urlSecretParts(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const parts: string[] = [];
  if (url.password) parts.push(url.password, safeDecode(url.password));
  if (url.username && url.password) {
    parts.push(`${url.username}:${url.password}`);
    // undici and curl turn URL credentials into a Basic header: its base64 is the same secret.
    const user = safeDecode(url.username);
    const password = safeDecode(url.password);
    parts.push(Buffer.from(`${user}:${password}`).toString('base64'), `${user}:${password}`);
  }
  // Only when there is a query: the first use of searchParams builds URLSearchParams (~0.3 ms cold).
  // Decoding never lengthens a value, so a query whose raw values are all shorter than 8 has none.
  if (url.search.split('&').some((pair) => pair.length - pair.indexOf('=') - 1 >= 8))
    for (const [, value] of url.searchParams) if (value.length >= 8) parts.push(value, encodeURIComponent(value));
  for (const seg of url.pathname.split('/')) {
    // Long or letter+digit segments are hook ids and keys; lower-case words joined by - or _
    // ("generic-webhook-trigger") are routes, and masking them would garble our own hints.
    if (/^[a-z]+(?:[-_][a-z]+)*$/.test(seg)) continue;
    if (seg.length >= 16 || (seg.length >= 8 && /\d/.test(seg) && /[a-z]/i.test(seg))) parts.push(seg);
  }
  // The URL as WHATWG prints it (a trailing slash added, the host lower-cased) is the same credential.
  parts.push(url.toString());
  return parts.filter((p) => p.length >= MIN_SECRET_LENGTH);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
