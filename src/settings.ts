/**
 * Inputs → Settings. One loader for every surface: flat inputs (one target) or `channels` (a YAML
 * or JSON list of targets). Every problem is collected and reported together, each naming the input
 * (and the target) and what is expected — never the value of a secret.
 */
import type { z } from './channels/schema.js';
import { CHANNEL_TYPES, type ChannelRegistry } from './channels/index.js';
import type { Channel, ChannelType, TargetSettings } from './channels/types.js';
import { isTriggerWord, TRIGGER_WORDS, type TriggerWord } from './event/transition.js';
import { INPUT_NAMES, parseBoolean, SECRET_INPUTS, shownValue, splitList } from './inputs.js';
import { MENTION_PEOPLE_WORDS, parseMentionPeople } from './people/select.js';
import { parsePlainYamlList } from './plain-yaml.js';
import { FIELD_NAMES, type FieldName, type Locale } from './render/types.js';

/** Inputs that a `channels` entry inherits from the top level when it does not set them itself. */
const INHERITED = [
  'notify_on',
  'mention_on',
  'title',
  'template',
  'fields',
  'locale',
  'timeout',
  'retries',
  'keyword',
  'at_mobiles',
  'at_user_ids',
  'at_all',
  'mention_people',
  'email_people',
  // The message_refs JSON of an earlier step: each target picks its own ref by name.
  'update',
] as const;

/** Inputs that belong to the run, not to a target; a `channels` entry may not set them. */
const RUN_INPUTS = new Set([
  'channel',
  'channels',
  'status',
  'params',
  'dry_run',
  'fail_on_error',
  'github_token',
  'gitlab_token',
  'needs',
  'people',
]);

export interface PlannedTarget {
  settings: TargetSettings;
  channel: Channel<unknown>;
  options: unknown;
}

export interface InvalidTarget {
  name: string;
  index: number;
  channel: string;
  errors: string[];
}

export interface Settings {
  status: string;
  params_text: string;
  /** The `people` input as given ('' = the default file, when the repository has one). */
  people_text: string;
  needs: string;
  github_token: string;
  gitlab_token: string;
  dry_run: boolean;
  fail_on_error: boolean;
  timeout_ms: number;
  retries: number;
  targets: PlannedTarget[];
  invalid: InvalidTarget[];
  /** Problems with the run's own inputs (no target can be built); non-empty = bad configuration. */
  errors: string[];
  /** Every secret value found in the inputs (after env: resolution), to mask before any log line. */
  secrets: string[];
  /** Things to tell the user that do not stop the run (YAML warnings such as an unknown tag). */
  warnings: string[];
}

/** Raw per-target inputs before validation: strings by snake_case name. */
type RawTarget = { index: number; where: string; values: Record<string, string>; problems: string[] };

/** The channels the inputs name, loaded (channels/index.ts `loadChannels` of `namedChannelTypes`). */
type Registry = ChannelRegistry;

/** The run's own inputs after step 1, and what every later step adds to. */
interface RunInputs {
  /** Every non-empty input, trimmed; secret inputs and `channels` with env: resolved. */
  top: Record<string, string>;
  dryRun: boolean;
  failOnError: boolean;
  timeoutMs: number;
  retries: number;
  errors: string[];
  secrets: string[];
  warnings: string[];
}

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** A key or channel type that can be printed as it is: a word, not a URL or token pasted by mistake. */
const plainWord = (text: string): boolean => /^[A-Za-z_][\w-]{0,29}$/.test(text) && shownValue(text) === `"${text}"`;

/**
 * Loads settings in four steps: the run's inputs (parse, resolve env:), the raw targets (the
 * `channels` list or the flat inputs), each target validated by its channel, and the plan.
 * `registry` maps channel types to their definitions; a type it does not know is reported as an
 * unknown channel. Never throws for bad input.
 */
export function loadSettings(raw: Record<string, string>, env: NodeJS.ProcessEnv, registry: Registry): Settings {
  const run = readRunInputs(raw, env);
  const rawTargets = run.top.channels ? readChannelsList(run, env) : flatTarget(run);
  const { targets, invalid } = planTargets(rawTargets, run, registry);
  return {
    status: run.top.status ?? '',
    params_text: run.top.params ?? '',
    needs: run.top.needs ?? '',
    people_text: run.top.people ?? '',
    github_token: run.top.github_token ?? '',
    gitlab_token: run.top.gitlab_token ?? '',
    dry_run: run.dryRun,
    fail_on_error: run.failOnError,
    timeout_ms: run.timeoutMs,
    retries: run.retries,
    targets,
    invalid,
    errors: run.errors,
    secrets: run.secrets,
    warnings: run.warnings,
  };
}

/** Secret inputs (and any string in `channels`) may be env:NAME, so secrets never pass through YAML text. */
function resolveEnv(env: NodeJS.ProcessEnv, name: string, value: string, problems: string[]): string {
  const m = ENV_REF.exec(value.trim());
  if (!m) return value;
  const envName = m[1] as string;
  const v = env[envName];
  if (v === undefined || v === '') {
    problems.push(`${name}: env:${envName} is not set (set the environment variable ${envName}, e.g. from a secret)`);
    return '';
  }
  return v;
}

/** Step 1: the run-wide inputs, parsed, with env: resolved and every secret collected. */
function readRunInputs(raw: Record<string, string>, env: NodeJS.ProcessEnv): RunInputs {
  const errors: string[] = [];
  const secrets: string[] = [];
  const top: Record<string, string> = {};
  for (const [name, rawValue] of Object.entries(raw)) {
    const value = (rawValue ?? '').trim();
    if (value === '') continue;
    const secret = SECRET_INPUTS.has(name);
    top[name] = secret || name === 'channels' ? resolveEnv(env, name, value, errors) : value;
    if (name === 'headers') top[name] = resolveHeaderValues(env, value, errors, secrets);
    if (secret && top[name]) secrets.push(top[name] as string);
  }
  const dryRun = parseBoolean(top.dry_run ?? 'false');
  if (dryRun === null) errors.push('dry_run: expected true or false');
  const failOnError = parseBoolean(top.fail_on_error ?? 'true');
  if (failOnError === null) errors.push('fail_on_error: expected true or false');
  const timeoutMs = parseTimeout(top.timeout ?? '10', errors);
  const retries = parseRetries(top.retries ?? '3', errors);
  return {
    top,
    dryRun: dryRun ?? false,
    failOnError: failOnError ?? true,
    timeoutMs,
    retries,
    errors,
    secrets,
    warnings: [],
  };
}

/** Step 2a: the flat inputs are one target (or, with no channel either, a run error). */
function flatTarget(run: RunInputs): RawTarget[] {
  if (!run.top.channel) {
    run.errors.push(
      `channel: no target given; set channel (one of ${CHANNEL_TYPES.join(', ')}) or channels (a list of targets)`,
    );
    return [];
  }
  const values: Record<string, string> = { ...run.top, type: run.top.channel };
  for (const name of RUN_INPUTS) delete values[name];
  return [{ index: 0, where: '', values, problems: [] }];
}

/** Step 2b: each `channels` entry as strings by input name, env: resolved, run-wide inputs inherited. */
function readChannelsList(run: RunInputs, env: NodeJS.ProcessEnv): RawTarget[] {
  const list = parseChannelsText(run.top.channels ?? '', run.errors, run.warnings);
  if (!list) return [];
  if (list.length === 0) run.errors.push('channels: the list is empty; give at least one {type: …} entry');
  const targets: RawTarget[] = [];
  list.forEach((entry, index) => {
    const where = `channels[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      run.errors.push(`${where}: expected a mapping like {type: webhook, url: env:HOOK_URL}`);
      return;
    }
    const problems: string[] = [];
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const name = key.trim().replace(/-/g, '_');
      if (name === 'type' || name === 'name') values[name] = stringify(value);
      else if (!INPUT_NAMES.has(name))
        problems.push(`${plainWord(key) ? key : shownValue(key)}: not an input (see the inputs table in the README)`);
      else if (RUN_INPUTS.has(name)) problems.push(`${key}: applies to the whole run; set it outside channels`);
      else {
        // env:NAME is allowed in any string value of a channels entry.
        let text = resolveEnv(env, name, name === 'headers' ? headerLines(value) : stringify(value), problems);
        if (name === 'headers') text = resolveHeaderValues(env, text, problems, run.secrets);
        values[name] = text;
        if (SECRET_INPUTS.has(name) && text) run.secrets.push(text);
      }
    }
    for (const name of INHERITED)
      if (values[name] === undefined && run.top[name] !== undefined) values[name] = run.top[name];
    targets.push({ index, where, values, problems });
  });
  return targets;
}

/**
 * Steps 3 and 4: each target validated (common inputs, then its channel's options) and named:
 * given, else its type, with #N when a type repeats. A type that is not a plain word never names
 * the target — it may be a URL or token put in `channel` by mistake.
 */
function planTargets(
  rawTargets: RawTarget[],
  run: RunInputs,
  registry: Registry,
): { targets: PlannedTarget[]; invalid: InvalidTarget[] } {
  const typeOf = (t: RawTarget) => (t.values.type ?? '').trim().toLowerCase();
  const typeCount = new Map<string, number>();
  for (const t of rawTargets) typeCount.set(typeOf(t), (typeCount.get(typeOf(t)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const targets: PlannedTarget[] = [];
  const invalid: InvalidTarget[] = [];
  for (const t of rawTargets) {
    const type = typeOf(t);
    const channel = registry[type as ChannelType];
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    const shownType = channel || plainWord(type) ? type : '';
    const name =
      t.values.name?.trim() ||
      (!shownType ? `target#${t.index}` : (typeCount.get(type) ?? 0) > 1 ? `${type}#${n}` : type);
    const checked = validateTarget(t, type, channel, run);
    if (!checked.ok) {
      const prefix = t.where ? `${t.where}${t.values.name ? ` "${t.values.name}"` : ''} ` : '';
      invalid.push({
        name,
        index: t.index,
        channel: shownType || 'unknown',
        errors: checked.problems.map((p) => `${prefix}${p}`),
      });
      continue;
    }
    targets.push({
      settings: { ...checked.common, name, index: t.index, channel: type as ChannelType, raw: withoutMeta(t.values) },
      channel: checked.channel,
      options: checked.options,
    });
  }
  return { targets, invalid };
}

/** Step 3: one target's common inputs and its channel's options; secrets in the options are collected. */
function validateTarget(
  t: RawTarget,
  type: string,
  channel: Channel<unknown> | undefined,
  run: RunInputs,
): { ok: true; common: Common; channel: Channel<unknown>; options: unknown } | { ok: false; problems: string[] } {
  const problems = [...t.problems];
  const input = t.where ? 'type' : 'channel';
  if (!type) problems.push(`${input}: missing; expected one of ${CHANNEL_TYPES.join(', ')}`);
  else if (!channel)
    problems.push(`${input}: unknown channel ${shownValue(type, 30)}; expected one of ${CHANNEL_TYPES.join(', ')}`);
  const common = parseCommon(t.values, run.timeoutMs, run.retries, problems);
  if (!channel || !common) return { ok: false, problems };
  if (common.msg_type && channel.msgTypes.length && !channel.msgTypes.includes(common.msg_type)) {
    const match = channel.msgTypes.find((m) => m.toLowerCase() === common.msg_type.toLowerCase());
    if (match) common.msg_type = match;
    else
      problems.push(
        `msg_type: ${shownValue(common.msg_type, 30)} is not a ${type} message type; expected one of ${channel.msgTypes.join(', ')}`,
      );
  }
  const parsed = channel.options.safeParse(withoutMeta(t.values));
  if (!parsed.success) return { ok: false, problems: [...problems, ...formatIssues(parsed.error)] };
  for (const secret of channel.secrets(parsed.data)) if (secret) run.secrets.push(secret);
  if (problems.length) return { ok: false, problems };
  return { ok: true, common, channel, options: parsed.data };
}

type Common = Omit<TargetSettings, 'name' | 'index' | 'channel' | 'raw'>;

function parseCommon(
  v: Record<string, string>,
  timeoutDefault: number,
  retriesDefault: number,
  problems: string[],
): Common | null {
  const before = problems.length;
  const words = (name: 'notify_on' | 'mention_on'): TriggerWord[] => {
    const list = splitList((v[name] ?? 'always').toLowerCase().replace(/-/g, '_'));
    const bad = list.filter((w) => !isTriggerWord(w));
    if (bad.length)
      problems.push(
        `${name}: ${bad.map((w) => shownValue(w, 20)).join(', ')} not understood; expected ${TRIGGER_WORDS.join(', ')}`,
      );
    return (list.length ? list : ['always']) as TriggerWord[];
  };
  const notifyOn = words('notify_on');
  const mentionOn = words('mention_on');
  const locale = (v.locale ?? 'en')
    .trim()
    .toLowerCase()
    .replace(/[-_].*$/, '');
  if (locale !== 'en' && locale !== 'zh')
    problems.push(`locale: ${shownValue(locale, 20)} not supported; expected en or zh`);
  let fields: FieldName[] | null = null;
  if (v.fields) {
    const list = splitList(v.fields.toLowerCase());
    const bad = list.filter((f) => !FIELD_NAMES.includes(f as FieldName));
    if (bad.length)
      problems.push(
        `fields: ${bad.map((f) => shownValue(f, 20)).join(', ')} unknown; expected any of ${FIELD_NAMES.join(', ')}`,
      );
    fields = list.filter((f) => FIELD_NAMES.includes(f as FieldName)) as FieldName[];
  }
  const atAll = parseBoolean(v.at_all ?? 'false');
  if (atAll === null) problems.push('at_all: expected true or false');
  const people = parseMentionPeople(splitList((v.mention_people ?? 'none').toLowerCase()));
  if (people.unknown.length)
    problems.push(
      `mention_people: ${people.unknown.map((w) => shownValue(w, 20)).join(', ')} not understood; expected any of ${MENTION_PEOPLE_WORDS.join(', ')}`,
    );
  const atMobiles = mentionList(v.at_mobiles ?? '');
  const atUserIds = mentionList(v.at_user_ids ?? '');
  const timeoutMs = v.timeout !== undefined ? parseTimeout(v.timeout, problems) : timeoutDefault;
  const retries = v.retries !== undefined ? parseRetries(v.retries, problems) : retriesDefault;
  if (problems.length > before) return null;
  return {
    notify_on: notifyOn,
    mention_on: mentionOn,
    title: v.title ?? '',
    template: v.template ?? '',
    msg_type: (v.msg_type ?? '').trim(),
    fields,
    locale: locale as Locale,
    keyword: (v.keyword ?? '').trim(),
    at_mobiles: atMobiles.ids,
    at_user_ids: atUserIds.ids,
    at_all: (atAll ?? false) || atMobiles.everyone || atUserIds.everyone,
    mention_people: people.wanted,
    timeout_ms: timeoutMs,
    retries,
  };
}

/**
 * `all` / `@all` in at_mobiles or at_user_ids means everyone, as Alibaba Cloud Flow's robot plugins
 * ("enter all to mention everyone") and CODING (`@all`) taught their users. It becomes `at_all`, so
 * every channel mentions everyone its own way (DingTalk isAtAll, WeCom "@all", Lark
 * `<at user_id="all">`) instead of sending a user id or phone number "all" that mentions nobody.
 * This is configuration; the same word in commit text stays inert (channels neutralise it).
 */
function mentionList(text: string): { ids: string[]; everyone: boolean } {
  const list = splitList(text);
  const isAll = (id: string) => /^@?all$/i.test(id);
  return { ids: [...new Set(list.filter((id) => !isAll(id)))], everyone: list.some(isAll) };
}

function parseTimeout(text: string, problems: string[]): number {
  const n = Number(text.trim().replace(/s$/i, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 600) {
    problems.push('timeout: expected seconds between 1 and 600, e.g. 10');
    return 10_000;
  }
  return Math.round(n * 1000);
}

function parseRetries(text: string, problems: string[]): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0 || n > 10) {
    problems.push('retries: expected a whole number from 0 to 10');
    return 3;
  }
  return n;
}

/**
 * The channel types the inputs name — `type` of each `channels` entry, else `channel` — so a run
 * loads only those channels. Input that cannot be read names none; loadSettings reports it.
 */
export function namedChannelTypes(raw: Record<string, string>, env: NodeJS.ProcessEnv): string[] {
  const typeOf = (value: unknown) => stringify(value).trim().toLowerCase();
  let channels = (raw.channels ?? '').trim();
  const ref = ENV_REF.exec(channels);
  if (ref) channels = (env[ref[1] as string] ?? '').trim();
  if (!channels) return [typeOf(raw.channel)];
  const list = parseChannelsText(channels, [], [], true) ?? [];
  return list.flatMap((entry) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.entries(entry as Record<string, unknown>)
          .filter(([key]) => key.trim() === 'type')
          .map(([, value]) => typeOf(value))
      : [],
  );
}

/**
 * `channels` is YAML (a superset of JSON). The parser's own messages quote the offending text,
 * which may be a secret URL, so only the position is reported. Its warnings (an unknown tag) are
 * collected for the log, which redacts them, instead of going to stderr raw.
 */
function parseChannelsText(text: string, errors: string[], warnings: string[], keep = false): unknown[] | null {
  // namedChannelTypes() reads the text first and keeps its parse, untouched, for loadSettings() to
  // take (once): a run parses its YAML once, not twice.
  const kept = !keep && keptParse?.text === text ? keptParse : parseChannelsOnce(text);
  keptParse = keep ? { ...kept, text } : undefined;
  errors.push(...kept.errors);
  warnings.push(...kept.warnings);
  return kept.list;
}

interface ChannelsParse {
  list: unknown[] | null;
  errors: string[];
  warnings: string[];
}
/** The parse namedChannelTypes() made, until loadSettings() takes it. */
let keptParse: (ChannelsParse & { text: string }) | undefined;

function parseChannelsOnce(text: string): ChannelsParse {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { list: parseChannelsValue(text, errors, warnings), errors, warnings };
}

function parseChannelsValue(text: string, errors: string[], warnings: string[]): unknown[] | null {
  const trimmed = text.trim();
  let value = readWithoutYaml(trimmed);
  if (value === undefined) {
    try {
      value = yamlParse(trimmed, warnings);
    } catch (err) {
      const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
      errors.push(
        `channels: not a valid YAML or JSON list${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}; expected e.g. "- type: webhook\\n  url: env:HOOK_URL"`,
      );
      return null;
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) value = [value];
  if (!Array.isArray(value)) {
    errors.push('channels: expected a list of targets, each {type, name?, …}');
    return null;
  }
  return value;
}

/**
 * A JSON list or mapping, or the common YAML list (flat `key: value` items, src/plain-yaml.ts):
 * what `channels` can be without the yaml package; undefined when yaml must read it. prepareYaml
 * and parseChannelsValue ask this one function, so yaml is loaded exactly for the texts that need it.
 */
function readWithoutYaml(trimmed: string): unknown {
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      /* YAML flow, or not valid at all: yaml says which */
    }
  }
  return parsePlainYamlList(trimmed);
}

/**
 * yaml is needed only when `channels` is YAML outside what readWithoutYaml reads. It is required
 * lazily so the common run never pays for loading it (startup time is measured).
 */
let yamlParse: (text: string, warnings: string[]) => unknown = (text: string) => {
  throw new Error(`yaml not loaded: ${text.length}`);
};
export async function prepareYaml(raw: Record<string, string>): Promise<void> {
  const text = (raw.channels ?? '').trim();
  if (!text || readWithoutYaml(text) !== undefined) return;
  const yaml = await import('yaml');
  yamlParse = (t: string, warnings: string[]) => {
    // parseDocument, not parse: parse() sends warnings to process.emitWarning (raw to stderr).
    const doc = yaml.parseDocument(t, { prettyErrors: true });
    if (doc.errors[0]) throw doc.errors[0];
    for (const w of doc.warnings) {
      const pos = w.linePos?.[0];
      // The message's first line; the rest is a code frame quoting the text.
      const what = (w.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      warnings.push(
        `channels: ${what}${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}; it is read as plain text`,
      );
    }
    return doc.toJS();
  };
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringify).join('\n');
  return JSON.stringify(value);
}

/**
 * A header's value may be env:NAME too (`Authorization: env:HOOK_AUTH`, or a mapping's value in
 * `channels`), so a token in a header never passes through YAML text; the value read is a secret.
 */
function resolveHeaderValues(env: NodeJS.ProcessEnv, text: string, problems: string[], secrets: string[]): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^([^:\r]+):\s*(env:[A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line);
      if (!m) return line;
      const name = (m[1] as string).trim();
      const value = resolveEnv(env, `headers (${name})`, m[2] as string, problems);
      if (value) secrets.push(value);
      // A line break in the variable must not start a second header (see headerLines).
      return `${name}: ${value.replace(/\r?\n/g, '\r')}`;
    })
    .join('\n');
}

/** `headers` may be a mapping in `channels`; the webhook channel reads "Name: value" lines. */
function headerLines(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return (
      Object.entries(value as Record<string, unknown>)
        // A line break inside a value must not start a second header: it is kept as a CR, which
        // the webhook channel refuses with an error naming `headers`.
        .map(([k, v]) => `${k}: ${stringify(v).replace(/\n/g, '\r')}`)
        .join('\n')
    );
  }
  return stringify(value);
}

function withoutMeta(values: Record<string, string>): Record<string, string> {
  const { type: _type, name: _name, ...rest } = values;
  return rest;
}

/** zod issues → "url: expected an http(s) URL" (the path names the input). */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
