/**
 * The default message model every channel lays out in its own markup (DESIGN §4, MESSAGES.md).
 * Pure: (event, options) → model. Led by the outcome: the title says what happened and where
 * (`❌ acme/api · main · CI #128 failed (was passing)`); the body says what broke first (the failed
 * jobs, linked, with their failed step), then the change (pull request, commit, author), then how
 * the run started and how long it took, then who may be concerned; nothing of the title repeated.
 *
 * Untrusted text (names, titles) is made one line and cut to a budget per part here, so one huge
 * value can never crowd out the others; channels escape it for their markup. Link targets are only
 * ever http(s) URLs (safeUrl), so channels can link them as given.
 */
import type { CiEvent, JobSummary, Person, Status } from '../event/types.js';
import {
  formatDuration,
  labels,
  outcomeColour,
  outcomePhrase,
  outcomeSign,
  statusWord,
  triggerWord,
  type Labels,
} from './locale.js';
import { warnOnce } from '../logger.js';
import { durationMs, renderTemplate, renderTemplateParts } from './template.js';
import { oneLine, safeUrl, truncateUtf8, utf8Bytes } from './text.js';
import { NAME_BYTES, cut, defaultTitle, headlineOf, nonEmpty, outcomeOf, refOf, repositoryName } from './title.js';
import type {
  ChangeRequestSection,
  CommitSection,
  Fact,
  FieldName,
  JobEntry,
  JobState,
  JobsSection,
  Line,
  Locale,
  MessageModel,
  PeopleSection,
  ParamsSection,
  Section,
  Span,
  TemplatePart,
  TriggerSection,
} from './types.js';

export { defaultTitle, headlineOf, outcomeOf } from './title.js';

export interface BuildMessageOptions {
  locale: Locale;
  /** null = every field the event has. */
  fields: FieldName[] | null;
  /** The user's `title` template; '' = the default title. */
  title: string;
  /** The user's `template` (the body); '' = none, channels show the default body. */
  template: string;
  env: NodeJS.ProcessEnv;
  warn(msg: string): void;
}

/** At most this many jobs of one state are listed; the rest are counted ("and 7 more"). */
export const MAX_LISTED_JOBS = 8;

/**
 * Budgets per part, in UTF-8 bytes (issue: one 50 KB author or commit line must never push the
 * title or the other facts out of a 4 KB message): titles are commit and pull-request titles,
 * shortened for reading; names have NAME_BYTES (render/title.ts).
 */
export const TITLE_BYTES = 240;
/** A user's `title` template renders to one line of at most this. */
export const USER_TITLE_BYTES = 400;
/** A user's `template` renders to at most this; each channel cuts further to its own limit. */
export const USER_BODY_BYTES = 16_000;

export function buildMessage(event: CiEvent, options: BuildMessageOptions): MessageModel {
  const { locale } = options;
  const l = labels(locale);
  const warn = warnOnce((msg) => options.warn(msg));
  const ctx = { event, env: options.env, locale };
  const shown = (field: FieldName) => options.fields === null || options.fields.includes(field);

  const outcome = outcomeOf(event);
  const title = defaultTitle(event, locale);
  // A title is one line on every platform; a template that renders to nothing keeps the default.
  const userTitle =
    options.title.trim() === '' ? '' : cut(oneLine(renderTemplate(options.title, ctx, 'text', warn)), USER_TITLE_BYTES);
  const bodyParts =
    options.template.trim() === '' ? null : capParts(renderTemplateParts(options.template, ctx, warn), USER_BODY_BYTES);

  const sections = buildSections(event, locale, shown);
  const runUrl = safeUrl(event.pipeline.url) ?? safeUrl(event.job?.url);
  const repository = repositoryName(event);
  return {
    locale,
    status: event.status,
    outcome,
    status_text: statusWord(event.status, locale),
    outcome_text: outcomePhrase(outcome, locale),
    status_emoji: outcomeSign(outcome),
    colour: outcomeColour(outcome),
    title: userTitle === '' ? title : userTitle,
    title_prefix: userTitle === '' ? title.slice(0, title.length - outcomePhrase(outcome, locale).length) : null,
    headline: headlineOf(event, locale),
    repository,
    repository_url: repository === null ? null : safeUrl(event.repository.url),
    ref: refOf(event),
    body: bodyParts === null ? null : bodyParts.map((p) => p.text).join(''),
    body_parts: bodyParts,
    sections,
    facts: sections.flatMap((section) => section.facts),
    punctuation: { colon: l.colon, list: l.list },
    link: runUrl !== null && shown('link') ? { label: l.view_run, url: runUrl } : null,
    event,
  };
}

/**
 * The title within `maxBytes` (as `measure` counts them after a layout's escaping): a default title
 * gives up its ref first — cut, then dropped — then the run's name, then the repository, so the
 * run number and the outcome always stay; a user's title is cut at its end. For layouts with a
 * short title field (WeCom news: 128 bytes, a Discord embed title: 256 characters).
 */
export function titleWithin(
  message: MessageModel,
  maxBytes: number,
  measure: (title: string) => number = utf8Bytes,
  marker = '…',
): string {
  if (measure(message.title) <= maxBytes || message.title_prefix === null) return message.title;
  // The headline is "<name> #<number><space?><outcome>" (joinWords): taken apart to give way piece by piece.
  const outcome = message.outcome_text;
  const run = message.headline.endsWith(outcome)
    ? message.headline.slice(0, message.headline.length - outcome.length)
    : message.headline;
  const runText = run.trimEnd();
  const space = run.slice(runText.length);
  const number = message.event.pipeline.number === null ? '' : `#${message.event.pipeline.number}`;
  const hasNumber = number !== '' && (runText === number || runText.endsWith(` ${number}`));
  const parts: { repository: string | null; ref: string | null; name: string | null } = {
    repository: message.repository,
    ref: message.ref?.text ?? null,
    name: hasNumber ? runText.slice(0, runText.length - number.length).trimEnd() || null : runText || null,
  };
  const compose = (): string => {
    const runPart = [parts.name, hasNumber ? number : null].filter((p) => p !== null).join(' ');
    const headline = runPart === '' ? outcome : `${runPart}${space}${outcome}`;
    return `${message.status_emoji} ${[parts.repository, parts.ref, headline].filter((p) => p !== null).join(' · ')}`;
  };
  for (const key of ['ref', 'name', 'repository'] as const) {
    const whole = parts[key];
    if (whole === null) continue;
    for (let budget = utf8Bytes(whole); budget > marker.length; budget = Math.floor(budget * 0.8)) {
      parts[key] = truncateUtf8(whole, budget, marker);
      if (measure(compose()) <= maxBytes) return compose();
    }
    parts[key] = null;
    if (measure(compose()) <= maxBytes) return compose();
  }
  return compose();
}

// ---------------------------------------------------------------------------------------------
// Sections

/** A section before its label/value facts are derived from it. */
type Draft = { [K in Section['kind']]: Omit<Extract<Section, { kind: K }>, 'facts'> }[Section['kind']];

function buildSections(event: CiEvent, locale: Locale, shown: (field: FieldName) => boolean): Section[] {
  const l = labels(locale);
  return draftSections(event, locale, shown).map((draft) => ({ ...draft, facts: factsOf(draft, l) }) as Section);
}

function draftSections(event: CiEvent, locale: Locale, shown: (field: FieldName) => boolean): Draft[] {
  const l = labels(locale);
  const sections: Draft[] = [];
  if (shown('jobs')) sections.push(...jobSections(event, l));
  if (shown('ref')) {
    const cr = changeRequestSection(event, l);
    if (cr) sections.push(cr);
  }
  const commit = commitSection(event, shown('commit'), shown('author'));
  if (commit) sections.push(commit);
  const trigger = triggerSection(event, locale, shown('trigger'), shown('duration'));
  if (trigger) sections.push(trigger);
  if (shown('author')) {
    const culprits = culpritsSection(event, l);
    if (culprits) sections.push(culprits);
  }
  if (shown('params')) {
    const params = paramsSection(event, l);
    if (params) sections.push(params);
  }
  return sections;
}

/**
 * The jobs worth naming, by state: failed first (what broke), then allowed failures when they
 * are the news (passed with warnings), cancelled and running jobs when that is the run's status,
 * and jobs waiting for someone (manual jobs nobody played yet).
 */
function jobSections(event: CiEvent, l: Labels): Draft[] {
  const jobs = jobsOfRun(event);
  const total = jobs.length;
  const of = (state: JobState, test: (job: JobSummary) => boolean): Draft | null => {
    const matching = jobs.filter(test);
    return matching.length === 0 ? null : jobsSection(state, matching, total, l);
  };
  const outcome = outcomeOf(event);
  return [
    of('failed', (job) => job.status === 'failure' && !job.allow_failure),
    outcome === 'warnings' ? of('allowed_failure', (job) => job.status === 'failure' && job.allow_failure) : null,
    event.status === 'cancelled' ? of('cancelled', (job) => job.status === 'cancelled') : null,
    event.status === 'running' ? of('running', (job) => job.status === 'running') : null,
    of('waiting', (job) => job.status === 'pending'),
  ].filter((section): section is Draft => section !== null);
}

/**
 * The run's jobs as the message counts them. When ci-notify runs as a step of the job that failed
 * (`if: always()` at the end of it), the CI lists every other job but not this one, which has not
 * finished: then this job is what failed (or was cancelled), and it is counted and named.
 */
function jobsOfRun(event: CiEvent): JobSummary[] {
  const jobs = event.jobs.filter((job) => nonEmpty(job.name) !== null);
  const self = event.job;
  const status: Status = event.status;
  if (
    jobs.length > 0 &&
    self !== null &&
    nonEmpty(self.name) !== null &&
    (status === 'failure' || status === 'cancelled') &&
    !jobs.some((job) => job.status === status) &&
    !jobs.some((job) => job.name === self.name)
  ) {
    const current: JobSummary = {
      name: self.name ?? '',
      status,
      url: self.url,
      duration_ms: null,
      stage: self.stage,
      allow_failure: false,
      failed_step: null,
    };
    return [...jobs, current];
  }
  return jobs;
}

function jobsSection(state: JobState, jobs: JobSummary[], total: number, l: Labels): Omit<JobsSection, 'facts'> {
  const entries: JobEntry[] = jobs.slice(0, MAX_LISTED_JOBS).map((job) => ({
    name: cut(oneLine(job.name), NAME_BYTES),
    url: safeUrl(job.url),
    step: state === 'failed' || state === 'allowed_failure' ? optional(job.failed_step, NAME_BYTES) : null,
  }));
  const more = jobs.length - entries.length;
  const heading = l.jobs_heading(state, jobs.length, total);
  const moreText = more > 0 ? l.and_more(more) : null;
  const lines: Line[] = [
    { spans: [{ text: heading, style: 'strong' }] },
    ...entries.map((job): Line => ({ item: true, spans: jobSpans(job) })),
  ];
  if (moreText !== null) lines.push({ item: true, spans: [{ text: moreText, style: 'muted' }] });
  return { kind: 'jobs', state, count: jobs.length, total, heading, jobs: entries, more, more_text: moreText, lines };
}

/** "test (ubuntu, 20) — Run tests": the job linked to its log, then its failed step. */
function jobSpans(job: JobEntry): Span[] {
  const spans: Span[] = [link(job.name, job.url)];
  if (job.step !== null) spans.push({ text: ` — ${job.step}`, style: 'muted' });
  return spans;
}

function changeRequestSection(event: CiEvent, l: Labels): Omit<ChangeRequestSection, 'facts'> | null {
  const type = event.ref.type;
  const cr = event.change_request;
  if ((type !== 'pull_request' && type !== 'merge_request') || cr === null) return null;
  const title = optional(cr.title, TITLE_BYTES);
  const source = optional(cr.source_branch, NAME_BYTES);
  const target = optional(cr.target_branch, NAME_BYTES);
  const url = safeUrl(cr.url);
  const branches = source !== null && target !== null ? `${source} → ${target}` : null;
  if (title === null && branches === null) return null;
  const spans: Span[] = [];
  if (title !== null) spans.push(link(title, url));
  if (branches !== null) spans.push({ text: title === null ? branches : ` · ${branches}`, style: 'muted' });
  return {
    kind: 'change_request',
    label: type === 'merge_request' ? l.merge_request : l.pull_request,
    number: cr.number === null ? null : `${type === 'merge_request' ? '!' : '#'}${cr.number}`,
    title,
    url,
    source_branch: source,
    target_branch: target,
    lines: [{ spans }],
  };
}

/** "9f8e7d6 Fix payment path · Mona Lisa": the short sha linked to the commit. */
function commitSection(event: CiEvent, showCommit: boolean, showAuthor: boolean): Omit<CommitSection, 'facts'> | null {
  const sha = showCommit ? (nonEmpty(event.commit.short_sha) ?? nonEmpty(event.commit.sha)?.slice(0, 7) ?? null) : null;
  const title = showCommit
    ? optional(nonEmpty(event.commit.title) ?? firstLine(event.commit.message), TITLE_BYTES)
    : null;
  const author = showAuthor ? authorOf(event) : null;
  if (sha === null && title === null && author === null) return null;
  const url = sha === null ? null : safeUrl(event.commit.url);
  const spans: Span[] = [];
  if (sha !== null) spans.push({ ...link(oneLine(sha), url), style: 'code' });
  if (title !== null) spans.push({ text: spans.length > 0 ? ` ${title}` : title });
  if (author !== null) spans.push({ text: spans.length > 0 ? ` · ${author}` : author, style: 'muted' });
  return { kind: 'commit', sha: sha === null ? null : oneLine(sha), url, title, author, lines: [{ spans }] };
}

/**
 * "push by octocat · attempt 2 · 1m 33s": how the run started, who started it when that is not
 * the commit's author (a re-run, a manual or scheduled run by someone else), the attempt of a
 * re-run, and how long it took.
 */
function triggerSection(
  event: CiEvent,
  locale: Locale,
  showTrigger: boolean,
  showDuration: boolean,
): Omit<TriggerSection, 'facts'> | null {
  const l = labels(locale);
  const trigger = showTrigger ? nonEmpty(event.pipeline.trigger) : null;
  const how = trigger === null ? null : triggerWord(oneLine(trigger), locale);
  const actor = personName(event.actor);
  const who =
    showTrigger && actor !== null && (event.commit.author === null || !samePerson(event.commit.author, event.actor))
      ? cut(oneLine(actor), NAME_BYTES)
      : null;
  const attempt =
    showTrigger && event.pipeline.attempt !== null && event.pipeline.attempt > 1 ? event.pipeline.attempt : null;
  const duration = showDuration ? formatDuration(durationMs(event), locale) : null;
  const parts = [
    how !== null || who !== null ? l.triggered(how, who) : null,
    attempt === null ? null : l.attempt(attempt),
    duration === null ? null : l.took(duration),
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  return {
    kind: 'trigger',
    how,
    who,
    attempt,
    duration,
    lines: [{ spans: [{ text: parts.join(' · '), style: 'muted' }] }],
  };
}

/** The people the run selected as possibly responsible (`mention_people: culprits`), by name. */
function culpritsSection(event: CiEvent, l: Labels): Omit<PeopleSection, 'facts'> | null {
  const names = [
    ...new Set(
      (event.people ?? [])
        .filter((person) => person.roles.includes('culprit'))
        .map((person) => optional(person.name, NAME_BYTES))
        .filter((name): name is string => name !== null),
    ),
  ];
  if (names.length === 0) return null;
  return {
    kind: 'culprits',
    label: l.culprits,
    names,
    lines: [{ spans: [{ text: `${l.culprits}${l.colon}`, style: 'muted' }, { text: names.join(l.list) }] }],
  };
}

function paramsSection(event: CiEvent, l: Labels): Omit<ParamsSection, 'facts'> | null {
  const params = Object.entries(event.params).map(([key, value]) => ({
    key: cut(oneLine(key), NAME_BYTES),
    value: cut(oneLine(value), TITLE_BYTES),
  }));
  if (params.length === 0) return null;
  return {
    kind: 'params',
    label: l.params,
    params,
    lines: [
      {
        spans: [
          { text: `${l.params}${l.colon}`, style: 'muted' },
          { text: params.map((p) => `${p.key}=${p.value}`).join(l.list) },
        ],
      },
    ],
  };
}

/** The label/value form of a section (jobs are only in sections: a list, not one value). */
function factsOf(section: Draft, l: Labels): Fact[] {
  switch (section.kind) {
    case 'jobs':
      return [];
    case 'change_request': {
      const value = [section.number, section.title].filter((p) => p !== null).join(' ');
      const branches =
        section.source_branch !== null && section.target_branch !== null
          ? `${section.source_branch} → ${section.target_branch}`
          : null;
      return [
        {
          field: 'ref',
          label: section.label,
          value: [value === '' ? null : value, branches].filter((p) => p !== null).join(' · '),
          url: section.url,
        },
      ];
    }
    case 'commit': {
      const facts: Fact[] = [];
      if (section.sha !== null || section.title !== null) {
        facts.push({
          field: 'commit',
          label: l.commit,
          value: section.title ?? '',
          url: section.url,
          link_text: section.sha,
        });
      }
      if (section.author !== null) facts.push({ field: 'author', label: l.author, value: section.author });
      return facts;
    }
    case 'trigger': {
      const facts: Fact[] = [];
      const how = section.how !== null || section.who !== null ? l.triggered(section.how, section.who) : null;
      const trigger = [how, section.attempt === null ? null : l.attempt(section.attempt)].filter((p) => p !== null);
      if (trigger.length > 0) facts.push({ field: 'trigger', label: l.trigger, value: trigger.join(' · ') });
      if (section.duration !== null) facts.push({ field: 'duration', label: l.duration, value: section.duration });
      return facts;
    }
    case 'culprits':
      return [{ field: 'author', label: section.label, value: section.names.join(l.list) }];
    case 'params':
      return [
        { field: 'params', label: section.label, value: section.params.map((p) => `${p.key}=${p.value}`).join(l.list) },
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// Small pieces

function link(text: string, url: string | null): Span {
  return url === null ? { text } : { text, url };
}

function authorOf(event: CiEvent): string | null {
  const name = personName(event.commit.author) ?? personName(event.actor);
  return name === null ? null : cut(oneLine(name), NAME_BYTES);
}

function personName(person: Person | null): string | null {
  if (person === null) return null;
  return nonEmpty(person.name) ?? nonEmpty(person.login);
}

/** Same person when any identity both sides know matches; different when nothing matches. */
function samePerson(a: Person, b: Person | null): boolean {
  if (b === null) return true;
  const keys = ['login', 'email', 'name'] as const;
  return keys.some((k) => {
    const x = nonEmpty(a[k]);
    const y = nonEmpty(b[k]);
    return x !== null && y !== null && x.toLowerCase() === y.toLowerCase();
  });
}

/** One line within `bytes`, or null when empty. */
function optional(value: string | null | undefined, bytes: number): string | null {
  const text = nonEmpty(value);
  return text === null ? null : cut(oneLine(text), bytes);
}

/**
 * The user's template within a budget: their own text is kept, the inserted values share what is
 * left fairly (the largest equal cap that fits), so one huge `${commit.message}` cannot take the
 * room of a short `${commit.author.name}` after it.
 */
function capParts(parts: TemplatePart[], bytes: number): TemplatePart[] {
  const own = parts.filter((p) => !p.value).reduce((n, p) => n + utf8Bytes(p.text), 0);
  const sizes = parts.filter((p) => p.value).map((p) => utf8Bytes(p.text));
  const cap = fairCap(sizes, Math.max(0, bytes - own));
  return parts.map((part) =>
    part.value && cap !== Number.POSITIVE_INFINITY ? { ...part, text: cut(part.text, cap) } : part,
  );
}

/** The largest c with Σ min(size, c) ≤ budget ("water filling"); Infinity when everything fits. */
function fairCap(sizes: number[], budget: number): number {
  const sorted = [...sizes].sort((a, b) => a - b);
  let left = budget;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    const size = sorted[i] as number;
    if (size > share) return share;
    left -= size;
  }
  return Number.POSITIVE_INFINITY;
}

function firstLine(message: string | null): string | null {
  if (message === null) return null;
  const line = message.split(/\r?\n/).find((l) => l.trim() !== '');
  return line === undefined ? null : line;
}
