/**
 * Redaction of secrets in everything we print. Every secret is registered with its derived forms
 * (URL-encoded, base64 of basic auth, tokens cut out of URLs, JSON-escaped) before the first log line.
 */

const MASK = '***';
/** Below this length a value is too likely to occur by accident (and masking "1" would ruin logs). */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret and its derived forms; returns every form added (for ::add-mask::). */
  add(secret: string | null | undefined): string[] {
    if (!secret) return [];
    const added: string[] = [];
    for (const form of derivedForms(secret)) {
      if (form.length >= MIN_SECRET_LENGTH && !this.secrets.has(form)) {
        this.secrets.add(form);
        added.push(form);
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
    // Longest first, so a URL is replaced whole before its token would be.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    return out;
  }

  get size(): number {
    return this.secrets.size;
  }
}

/** The forms a secret can take in a log line, an error or a request dump. */
export function derivedForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(Buffer.from(secret).toString('base64'));
  try {
    forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
  } catch {
    /* not encodable */
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(secret)) {
    for (const part of urlSecretParts(secret)) forms.add(part);
  }
  return [...forms];
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
  if (url.password) parts.push(url.password, decodeURIComponent(url.password));
  if (url.username && url.password) parts.push(`${url.username}:${url.password}`);
  for (const [, value] of url.searchParams) if (value.length >= 8) parts.push(value, encodeURIComponent(value));
  for (const seg of url.pathname.split('/')) {
    if (seg.length >= 16 || (seg.length >= 8 && /\d/.test(seg) && /[a-z]/i.test(seg))) parts.push(seg);
  }
  // The URL without query and the URL as the platform prints it are both credentials.
  parts.push(url.toString());
  return parts.filter((p) => p.length >= MIN_SECRET_LENGTH);
}
