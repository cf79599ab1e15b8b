/**
 * Which API-only event facts (src/event/facts.ts) a message reads, so that a run reads only those.
 * Over-counting costs a read; under-counting leaves a message without what it shows, so when in
 * doubt a fact is counted.
 */
import type { ApiFact } from '../event/facts.js';
import type { FieldName } from './types.js';

/**
 * Placeholders that read an API-only fact, by their path (`${jobs.0.name}`, `${commit.author.name}`).
 * `${pipeline}` and `${commit}` render the whole object, so they count too.
 */
const PLACEHOLDER_FACTS: [RegExp, ApiFact][] = [
  [/^(previous_status|transition)(\.|$)/, 'history'],
  [/^(duration|pipeline|pipeline\.started_at|pipeline\.duration_ms|pipeline\.finished_at)$/, 'timing'],
  [/^(jobs|failed_jobs|job)(\.|$)/, 'jobs'],
  [/^(commit$|commit\.(title|message|author)(\.|$))/, 'commit'],
];

/** `${path}` and `${path:-fallback}`; a `$${` escape is no placeholder. */
const PLACEHOLDER = /(\$?)\$\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)/g;

/** The API-only facts a template's placeholders read. */
export function templateFacts(template: string): Set<ApiFact> {
  const facts = new Set<ApiFact>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match[1] === '$') continue;
    const path = match[2]!;
    for (const [pattern, fact] of PLACEHOLDER_FACTS) if (pattern.test(path)) facts.add(fact);
  }
  return facts;
}

/** The facts each `fields` entry shows in a default message body. */
const FIELD_FACTS: Partial<Record<FieldName, ApiFact[]>> = {
  duration: ['timing'],
  jobs: ['jobs'],
  commit: ['commit'],
  author: ['commit'],
};

export interface MessageSettings {
  title: string;
  template: string;
  msg_type: string;
  fields: readonly FieldName[] | null;
}

/**
 * The facts of a target's message (the default model every chat channel and e-mail lays out).
 * The default title says whether the run fixed or broke the build ("failed (was passing)",
 * MESSAGES.md) and whether it passed with warnings, so a target with the default title reads the
 * earlier runs and the jobs; a user's title reads
 * what its placeholders name. The body shows the `fields` (default: all) unless a `template`
 * replaces it. Webhook-style channels that send the event itself declare their own (`Channel.facts`).
 */
export function messageFacts(target: MessageSettings): Set<ApiFact> {
  // `customize`: the rendered template is the whole request body (DESIGN §4).
  if (target.msg_type.toLowerCase() === 'customize') return templateFacts(target.template);
  // The default title names the outcome: "failed (was passing)" needs the earlier runs, "passed with
  // warnings" the jobs (a failed job that was allowed to fail).
  const facts = target.title.trim() === '' ? new Set<ApiFact>(['history', 'jobs']) : templateFacts(target.title);
  if (target.template.trim() !== '') {
    for (const fact of templateFacts(target.template)) facts.add(fact);
  }
  const fields = target.fields ?? (Object.keys(FIELD_FACTS) as FieldName[]);
  for (const field of fields) for (const fact of FIELD_FACTS[field] ?? []) facts.add(fact);
  return facts;
}
