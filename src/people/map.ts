/**
 * The people map (input `people`): who is who across git, GitHub, GitLab and the chat platforms.
 * YAML or JSON text, or a path to a file in the workspace (default `.ci-notify/people.yml` when it
 * exists). Each entry has identities (`emails`, `github`, `gitlab`, `name`) and the ways to reach the
 * person (`dingtalk_mobile`, `dingtalk_user_id`, `wecom_user_id`, `wecom_mobile`, `lark_open_id`,
 * `lark_user_id`, `lark_email`, `email`).
 *
 * Phone numbers and platform ids are personal data: no error or log line quotes them. Problems name
 * the entry (its position and, when it has one, its name or login) and the field instead.
 */
import { isEmailAddress } from '../channels/email-address.js';
import type { Person, Provider } from '../event/types.js';

export const IDENTITY_FIELDS = ['name', 'emails', 'github', 'gitlab'] as const;
export const REACH_FIELDS = [
  'dingtalk_mobile',
  'dingtalk_user_id',
  'wecom_user_id',
  'wecom_mobile',
  'lark_open_id',
  'lark_user_id',
  'lark_email',
  'email',
] as const;
export type ReachField = (typeof REACH_FIELDS)[number];
const FIELDS: readonly string[] = [...IDENTITY_FIELDS, ...REACH_FIELDS];

/** Fields whose values are personal data that never appear in a real run's log. */
export const PRIVATE_FIELDS: readonly ReachField[] = [
  'dingtalk_mobile',
  'dingtalk_user_id',
  'wecom_user_id',
  'wecom_mobile',
  'lark_open_id',
  'lark_user_id',
];

export type PersonEntry = {
  /** Position in the map (0-based), for messages. */
  index: number;
  name: string | null;
  /** Lower-cased. */
  emails: string[];
  /** Lower-cased logins. */
  github: string | null;
  gitlab: string | null;
} & Record<ReachField, string | null>;

export interface PeopleMap {
  entries: PersonEntry[];
}

export const EMPTY_PEOPLE_MAP: PeopleMap = { entries: [] };

// ---------------------------------------------------------------------------------------------
// Validation

const GITHUB_LOGIN = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i;
const GITLAB_USERNAME = /^[a-z0-9_.][a-z0-9_.-]{0,254}$/i;
/** Digits, an optional leading + and - separators ("+86-13800000000" is DingTalk's form for other regions). */
const MOBILE = /^\+?\d[\d-]{4,19}$/;
/**
 * Platform user ids (DingTalk userId, WeCom userid, Lark user_id): letters, digits and `._-@`, not
 * starting with `@`, never the word "all" (which would mention everyone).
 */
const USER_ID = /^[a-z0-9_][a-z0-9._@-]{0,63}$/i;
const OPEN_ID = /^ou_[a-z0-9]{4,64}$/i;
const EVERYONE = /^@?all$/i;

type Check = (value: string) => string | null;

const CHECKS: Record<Exclude<(typeof FIELDS)[number], 'emails'>, Check> = {
  name: (v) => (v.length > 200 ? 'expected a name of at most 200 characters' : null),
  github: (v) => (GITHUB_LOGIN.test(v) ? null : 'expected a GitHub login such as monalisa'),
  gitlab: (v) => (GITLAB_USERNAME.test(v) ? null : 'expected a GitLab username such as mona.lisa'),
  dingtalk_mobile: (v) => (MOBILE.test(v) ? null : 'expected a mobile number such as 13800000000'),
  wecom_mobile: (v) => (MOBILE.test(v) ? null : 'expected a mobile number such as 13800000000'),
  dingtalk_user_id: userId('a DingTalk userId'),
  wecom_user_id: userId('a WeCom userid such as zhangsan'),
  lark_user_id: userId('a Lark user_id'),
  lark_open_id: (v) => (OPEN_ID.test(v) ? null : 'expected a Lark open_id (ou_…)'),
  lark_email: (v) => (isEmailAddress(v) ? null : 'expected an e-mail address'),
  email: (v) => (isEmailAddress(v) ? null : 'expected an e-mail address'),
};

function userId(what: string): Check {
  return (v) =>
    EVERYONE.test(v)
      ? `"${v}" would mention everyone; at_all / at_user_ids: all does that on purpose`
      : USER_ID.test(v)
        ? null
        : `expected ${what} (letters, digits, . _ - @)`;
}

/**
 * Checks a parsed people document (a list, or `{people: [...]}`). Returns the entries and every
 * problem, each naming the entry and the field.
 */
export function validatePeople(doc: unknown, source: string): { map: PeopleMap; errors: string[] } {
  const errors: string[] = [];
  const list = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && Array.isArray((doc as { people?: unknown }).people)
      ? ((doc as { people: unknown[] }).people as unknown[])
      : null;
  if (list === null) {
    if (doc === null || doc === undefined) return { map: EMPTY_PEOPLE_MAP, errors };
    return {
      map: EMPTY_PEOPLE_MAP,
      errors: [`people (${source}): expected a list of people, e.g. "- name: Mona Lisa\\n  github: monalisa"`],
    };
  }
  const entries: PersonEntry[] = [];
  list.forEach((raw, index) => {
    const entry = validateEntry(raw, index, errors);
    if (entry) entries.push(entry);
  });
  errors.push(...duplicateIdentities(entries));
  return { map: { entries }, errors: errors.map((e) => `people (${source}): ${e}`) };
}

function validateEntry(raw: unknown, index: number, errors: string[]): PersonEntry | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`people[${index}]: expected a mapping such as {name: Mona Lisa, github: monalisa, email: …}`);
    return null;
  }
  const values = raw as Record<string, unknown>;
  const label = entryLabel(index, values);
  const before = errors.length;
  const entry = { index, name: null, emails: [], github: null, gitlab: null } as unknown as PersonEntry;
  for (const field of REACH_FIELDS) entry[field] = null;

  for (const [key, value] of Object.entries(values)) {
    const field = key.trim().toLowerCase().replace(/-/g, '_');
    if (!FIELDS.includes(field)) {
      errors.push(`${label}: unknown field "${key.slice(0, 40)}"; expected any of ${FIELDS.join(', ')}`);
      continue;
    }
    if (value === null || value === undefined || value === '') continue;
    if (field === 'emails') {
      const list = Array.isArray(value) ? value : [value];
      for (const item of list) {
        const text = scalar(item);
        if (text === null || !isEmailAddress(text)) errors.push(`${label}.emails: expected a list of e-mail addresses`);
        else entry.emails.push(text.toLowerCase());
      }
      continue;
    }
    const text = scalar(value);
    if (text === null) {
      errors.push(`${label}.${field}: expected one value (text), not a list or mapping`);
      continue;
    }
    const problem = CHECKS[field as keyof typeof CHECKS]?.(text) ?? null;
    if (problem) {
      errors.push(`${label}.${field}: ${problem}`);
      continue;
    }
    if (field === 'name') entry.name = text;
    else if (field === 'github' || field === 'gitlab') entry[field] = text.toLowerCase();
    else entry[field as ReachField] = text;
  }
  if (errors.length > before) return null;
  if (!entry.emails.length && !entry.github && !entry.gitlab && !entry.name && !entry.email) {
    errors.push(`${label}: no identity; give emails, github, gitlab or name so commits can be matched to this person`);
    return null;
  }
  return entry;
}

/** `people[2] "Mona Lisa"`: the position, and the name or login when there is one (never an id). */
function entryLabel(index: number, values: Record<string, unknown>): string {
  const name = scalar(values.name) ?? scalar(values.github) ?? scalar(values.gitlab);
  return name ? `people[${index}] "${oneLineShort(name)}"` : `people[${index}]`;
}

/** The same e-mail or login in two entries would make the match depend on the order. */
function duplicateIdentities(entries: PersonEntry[]): string[] {
  const errors: string[] = [];
  const seen = new Map<string, PersonEntry>();
  const claim = (key: string, what: string, entry: PersonEntry) => {
    const other = seen.get(key);
    if (other && other !== entry)
      errors.push(`people[${entry.index}]: the same ${what} as people[${other.index}]; give each person one entry`);
    else seen.set(key, entry);
  };
  for (const entry of entries) {
    for (const email of new Set([...entry.emails, ...(entry.email ? [entry.email.toLowerCase()] : [])]))
      claim(`email:${email}`, 'e-mail address', entry);
    if (entry.github) claim(`github:${entry.github}`, 'github login', entry);
    if (entry.gitlab) claim(`gitlab:${entry.gitlab}`, 'gitlab username', entry);
  }
  return errors;
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  // YAML reads `dingtalk_mobile: 13800000000` as a number.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

function oneLineShort(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters must not reach a log line
  return text.replace(/[\u0000-\u001f\u007f-\u009f"]+/g, ' ').slice(0, 60);
}

// ---------------------------------------------------------------------------------------------
// Matching

/** GitHub's private commit e-mail: `login@users.noreply.github.com` or `id+login@users.noreply.github.com`. */
const GITHUB_NOREPLY = /^(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com$/i;
/** GitLab's: `id-username@users.noreply.<host>` (the host is the instance's). */
const GITLAB_NOREPLY = /^\d+-([^@]+)@users\.noreply\./i;

/**
 * The entry for a git identity, or null. The login the CI system gives (GitHub verified it against
 * the account's e-mails) wins, then the e-mail, then the login inside a noreply address, then the
 * name — and a name shared by two entries matches neither.
 */
export function findPerson(map: PeopleMap, who: Person, provider: Provider): PersonEntry | null {
  if (map.entries.length === 0) return null;
  const login = who.login?.trim().toLowerCase() || null;
  const email = who.email?.trim().toLowerCase() || null;
  const byLogin = (value: string | null, field: 'github' | 'gitlab') =>
    value ? (map.entries.find((e) => e[field] === value) ?? null) : null;

  const loginFields: Array<'github' | 'gitlab'> =
    provider === 'github' ? ['github'] : provider === 'gitlab' ? ['gitlab'] : ['github', 'gitlab'];
  for (const field of loginFields) {
    const found = byLogin(login, field);
    if (found) return found;
  }
  if (email) {
    const found = map.entries.find((e) => e.emails.includes(email) || e.email?.toLowerCase() === email);
    if (found) return found;
    const github = GITHUB_NOREPLY.exec(email)?.[1]?.toLowerCase() ?? null;
    const gitlab = GITLAB_NOREPLY.exec(email)?.[1]?.toLowerCase() ?? null;
    const fromNoreply = byLogin(github, 'github') ?? byLogin(gitlab, 'gitlab');
    if (fromNoreply) return fromNoreply;
  }
  const name = who.name?.trim().toLowerCase();
  if (name) {
    const named = map.entries.filter((e) => e.name?.toLowerCase() === name);
    if (named.length === 1) return named[0]!;
  }
  return null;
}
