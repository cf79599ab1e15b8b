/**
 * The default title — `❌ acme/api · main · CI #128 failed (was passing)` — and the parts of it the
 * message model shows on their own (the outcome, the headline, the ref). A module of its own so the
 * job summary can have its heading without the whole message renderer: a GitHub Actions run whose
 * targets send the event (webhook, jenkins) loads this and the locale (a 7 KB chunk), not
 * render/message.ts and render/template.ts (issue 14: −2% of such a run's instructions, Node 24).
 */
import type { CiEvent } from '../event/types.js';
import { labels, outcomePhrase, outcomeSign } from './locale.js';
import { oneLine, safeUrl, truncateUtf8 } from './text.js';
import type { Locale, MessageModel, Outcome } from './types.js';

/**
 * Budgets per part, in UTF-8 bytes (issue: one 50 KB author or commit line must never push the
 * title or the other facts out of a 4 KB message). Names are repository, branch, job, step,
 * author and pipeline names.
 */
export const NAME_BYTES = 160;
const CUT = '…';

/**
 * What the message says happened. Only success and failure carry a transition (the run before
 * decides "fixed" and "still failing"); a success with a failed job that was allowed to fail
 * passed with warnings (GitLab `allow_failure`), unless it is also a fix — that news wins.
 */
export function outcomeOf(event: Pick<CiEvent, 'status' | 'transition' | 'jobs'>): Outcome {
  if (event.status === 'success') {
    if (event.transition === 'fixed') return 'fixed';
    return event.jobs.some((job) => job.allow_failure && job.status === 'failure') ? 'warnings' : 'success';
  }
  if (event.status === 'failure') {
    if (event.transition === 'regressed') return 'regressed';
    if (event.transition === 'still_failing') return 'still_failing';
    return 'failure';
  }
  return event.status;
}

/** `❌ acme/api · main · CI #128 failed (was passing)`: sign, repository, ref, run and outcome. */
export function defaultTitle(event: CiEvent, locale: Locale): string {
  const parts = [repositoryName(event), refOf(event)?.text ?? null, headlineOf(event, locale)];
  return `${outcomeSign(outcomeOf(event))} ${parts.filter((p): p is string => p !== null).join(' · ')}`;
}

/** "CI #128 failed (was passing)" / "CI #128 失败（上次成功）"; "Pipeline #128 failed" without a name. */
export function headlineOf(event: CiEvent, locale: Locale): string {
  const name = nonEmpty(event.pipeline.name);
  const number = event.pipeline.number;
  const run = [
    name === null ? labels(locale).pipeline_fallback : cut(oneLine(name), NAME_BYTES),
    number === null ? null : `#${number}`,
  ]
    .filter((part) => part !== null)
    .join(' ');
  return joinWords(run, outcomePhrase(outcomeOf(event), locale));
}

export function repositoryName(event: CiEvent): string | null {
  const name = nonEmpty(event.repository.full_name) ?? nonEmpty(event.repository.name);
  return name === null ? null : cut(oneLine(name), NAME_BYTES);
}

/** The ref as the title names it: "main", "v1.2.0", "PR #12" (GitHub), "MR !12" (GitLab). */
export function refOf(event: CiEvent): MessageModel['ref'] {
  const type = event.ref.type;
  const cr = event.change_request;
  if ((type === 'pull_request' || type === 'merge_request') && cr !== null && cr.number !== null) {
    return {
      text: type === 'merge_request' ? `MR !${cr.number}` : `PR #${cr.number}`,
      type,
      url: safeUrl(cr.url) ?? safeUrl(event.ref.url),
    };
  }
  const name = nonEmpty(event.ref.name);
  if (name === null) return null;
  return { text: cut(oneLine(name), NAME_BYTES), type, url: safeUrl(event.ref.url) };
}

export function nonEmpty(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return oneLine(value) === '' ? null : value;
}

export function cut(text: string, bytes: number): string {
  return truncateUtf8(text, bytes, CUT);
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
