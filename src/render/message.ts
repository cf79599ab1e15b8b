/**
 * The default message model every channel renders in its own markup (DESIGN §4, MESSAGES.md):
 * title, headline, facts in a fixed order, the "View run" link. Pure: (event, options) → model.
 *
 * Fact values are UNTRUSTED repository text made one line here; channels escape them for their
 * markup. Link targets are only ever http(s) URLs (safeUrl), so channels can link them as given.
 */
import type { CiEvent, Person } from '../event/types.js';
import {
  formatDuration,
  labels,
  listSeparator,
  statusColour,
  statusPhrase,
  statusSign,
  statusWord,
  triggerWord,
} from './locale.js';
import { durationMs, renderTemplate, warnOnce } from './template.js';
import { oneLine, safeUrl } from './text.js';
import type { Fact, FieldName, Locale, MessageModel } from './types.js';

export interface BuildMessageOptions {
  locale: Locale;
  /** null = every field the event has. */
  fields: FieldName[] | null;
  /** The user's `title` template; '' = the default title. */
  title: string;
  /** The user's `template` (the body); '' = none, channels show the facts. */
  template: string;
  env: NodeJS.ProcessEnv;
  warn(msg: string): void;
}

/** At most this many failed job names are listed; the rest are counted ("and 3 more"). */
export const MAX_LISTED_JOBS = 10;

export function buildMessage(event: CiEvent, options: BuildMessageOptions): MessageModel {
  const { locale } = options;
  const warn = warnOnce((msg) => options.warn(msg));
  const ctx = { event, env: options.env, locale };
  const shown = (field: FieldName) => options.fields === null || options.fields.includes(field);

  const repository = nonEmpty(event.repository.full_name) ?? nonEmpty(event.repository.name);
  const headline = headlineOf(event, locale);
  const sign = statusSign(event.status);
  const defaultTitle = `${sign} ${repository ? `${oneLine(repository)} · ` : ''}${headline}`;
  // A title is one line on every platform; a template that renders to nothing keeps the default.
  const userTitle = options.title.trim() === '' ? '' : oneLine(renderTemplate(options.title, ctx, 'text', warn));
  const body = options.template.trim() === '' ? null : renderTemplate(options.template, ctx, 'text', warn);

  const runUrl = safeUrl(event.pipeline.url) ?? safeUrl(event.job?.url);
  return {
    locale,
    status: event.status,
    status_text: statusWord(event.status, locale),
    status_emoji: sign,
    colour: statusColour(event.status),
    title: userTitle === '' ? defaultTitle : userTitle,
    headline,
    repository: repository === null ? null : oneLine(repository),
    body,
    facts: buildFacts(event, locale).filter((fact) => shown(fact.field)),
    link: runUrl !== null && shown('link') ? { label: labels(locale).view_run, url: runUrl } : null,
    event,
  };
}

/** "CI #128 failed" / "CI #128 失败"; "Pipeline #128 failed" without a name; "CI failed" without a number. */
export function headlineOf(event: CiEvent, locale: Locale): string {
  const name = nonEmpty(event.pipeline.name);
  const number = event.pipeline.number;
  const run = [name === null ? labels(locale).pipeline_fallback : oneLine(name), number === null ? null : `#${number}`]
    .filter((part) => part !== null)
    .join(' ');
  return joinWords(run, statusPhrase(event.status, locale));
}

/** Every fact the event has, in the MESSAGES.md order. */
function buildFacts(event: CiEvent, locale: Locale): Fact[] {
  const l = labels(locale);
  const facts: Fact[] = [];
  const add = (fact: Fact) => facts.push({ ...fact, value: oneLine(fact.value) });

  const repo = nonEmpty(event.repository.full_name) ?? nonEmpty(event.repository.name);
  if (repo !== null) add({ field: 'repository', label: l.repository, value: repo, url: safeUrl(event.repository.url) });

  const pipelineName = nonEmpty(event.pipeline.name);
  if (pipelineName !== null || event.pipeline.number !== null) {
    let value = [
      pipelineName ?? l.pipeline_fallback,
      event.pipeline.number === null ? null : `#${event.pipeline.number}`,
    ]
      .filter((part) => part !== null)
      .join(' ');
    if (event.pipeline.attempt !== null && event.pipeline.attempt > 1) value += l.attempt(event.pipeline.attempt);
    add({ field: 'pipeline', label: l.pipeline, value, url: safeUrl(event.pipeline.url) });
  }

  const ref = refFact(event, locale);
  if (ref) add(ref);

  const sha = nonEmpty(event.commit.short_sha) ?? nonEmpty(event.commit.sha)?.slice(0, 7) ?? null;
  const commitTitle = nonEmpty(event.commit.title) ?? firstLine(event.commit.message);
  if (sha !== null || commitTitle !== null) {
    add({
      field: 'commit',
      label: l.commit,
      value: commitTitle ?? '',
      url: safeUrl(event.commit.url),
      link_text: sha,
    });
  }

  const author = personName(event.commit.author) ?? personName(event.actor);
  if (author !== null) add({ field: 'author', label: l.author, value: author });

  // The trigger, and who started the run when that is not the commit's author (a re-run, a
  // manual or scheduled run by someone else): "push", "manual run · hubot".
  const trigger = nonEmpty(event.pipeline.trigger);
  const actor =
    event.commit.author !== null && !samePerson(event.commit.author, event.actor) ? personName(event.actor) : null;
  const triggerParts = [trigger === null ? null : triggerWord(trigger, locale), actor].filter(
    (p): p is string => p !== null,
  );
  if (triggerParts.length > 0) add({ field: 'trigger', label: l.trigger, value: triggerParts.join(' · ') });

  const duration = formatDuration(durationMs(event), locale);
  if (duration !== null) add({ field: 'duration', label: l.duration, value: duration });

  const failed = event.jobs
    .filter((job) => job.status === 'failure')
    .map((job) => oneLine(job.name))
    .filter((n) => n !== '');
  if (failed.length > 0) {
    const listed = failed.slice(0, MAX_LISTED_JOBS).join(listSeparator(locale));
    const rest = failed.length - MAX_LISTED_JOBS;
    add({ field: 'jobs', label: l.failed_jobs, value: rest > 0 ? `${listed} ${l.and_more(rest)}` : listed });
  }

  const params = Object.entries(event.params).map(([k, v]) => `${k}=${v}`);
  if (params.length > 0) add({ field: 'params', label: l.params, value: params.join(', ') });

  return facts;
}

/**
 * The ref under its own label (Branch / Tag / Pull request / Merge request). A pull or merge
 * request shows its number and title, linked to it: "#12 Fix payment path" ("!12" on GitLab).
 */
function refFact(event: CiEvent, locale: Locale): Fact | null {
  const l = labels(locale);
  const type = event.ref.type;
  const label = type === null ? l.ref : l[type];
  const cr = event.change_request;
  if ((type === 'pull_request' || type === 'merge_request') && cr !== null && cr.number !== null) {
    const prefix = type === 'merge_request' ? '!' : '#';
    const title = nonEmpty(cr.title);
    return {
      field: 'ref',
      label,
      value: title === null ? `${prefix}${cr.number}` : `${prefix}${cr.number} ${title}`,
      url: safeUrl(cr.url) ?? safeUrl(event.ref.url),
    };
  }
  const name = nonEmpty(event.ref.name);
  if (name === null) return null;
  return { field: 'ref', label, value: name, url: safeUrl(event.ref.url) };
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

function nonEmpty(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return oneLine(value) === '' ? null : value;
}

function firstLine(message: string | null): string | null {
  if (message === null) return null;
  const line = message.split(/\r?\n/).find((l) => l.trim() !== '');
  return line === undefined ? null : line;
}

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;

/** Joins two phrases with a space, except between two CJK characters ("流水线失败", "CI #128 失败"). */
function joinWords(left: string, right: string): string {
  if (left === '') return right;
  if (right === '') return left;
  const last = left.at(-1) ?? '';
  const first = right.at(0) ?? '';
  return CJK.test(last) && CJK.test(first) ? `${left}${right}` : `${left} ${right}`;
}
