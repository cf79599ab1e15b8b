import { STATUSES, type CiEvent, type Status, type Transition } from './types.js';

/**
 * Transitions between the previous run and this one, and the `notify_on` / `mention_on` words
 * (DESIGN §3.1). Only success and failure say something about the code, so only they make
 * fixed / regressed / still_failing; the same non-decisive outcome twice (cancelled → cancelled)
 * is "unchanged"; anything else, or an unknown previous run, is no transition (null).
 */
export function transitionOf(status: Status, previous: Status | null | undefined): Transition | null {
  if (!previous || previous === 'unknown' || status === 'unknown') return null;
  if (status === 'success' && previous === 'failure') return 'fixed';
  if (status === 'failure' && previous === 'success') return 'regressed';
  if (status === 'failure' && previous === 'failure') return 'still_failing';
  if (status === previous) return 'unchanged';
  return null;
}

export const TRANSITION_WORDS = ['changed', 'fixed', 'regressed', 'still_failing'] as const;
export const TRIGGER_WORDS = ['always', ...STATUSES, ...TRANSITION_WORDS] as const;
export type TriggerWord = (typeof TRIGGER_WORDS)[number];

export function isTriggerWord(word: string): word is TriggerWord {
  return (TRIGGER_WORDS as readonly string[]).includes(word);
}

/**
 * Whether an event passes a `notify_on` / `mention_on` list: any word matching is enough.
 * An empty list means the default, `always`.
 *
 * A transition word (`changed`, `fixed`, `regressed`, `still_failing`) needs the previous run's
 * status. When that is unknown (first run on the branch, no `github_token`, API unreachable) the
 * transition is null and the word does not match: we cannot claim a build was fixed or broke
 * without knowing the run before. Users who must never miss a failure write
 * `notify_on: failure, fixed` rather than `regressed, still_failing`. `needsHistory` lets the
 * caller say so in a warning.
 */
export function matchesTrigger(words: readonly TriggerWord[], event: Pick<CiEvent, 'status' | 'transition'>): boolean {
  if (words.length === 0) return true;
  return words.some((word) => matchesWord(word, event));
}

function matchesWord(word: TriggerWord, event: Pick<CiEvent, 'status' | 'transition'>): boolean {
  switch (word) {
    case 'always':
      return true;
    case 'changed':
      return event.transition === 'fixed' || event.transition === 'regressed';
    case 'fixed':
    case 'regressed':
    case 'still_failing':
      return event.transition === word;
    default:
      return event.status === word;
  }
}

/** True when the list can only be decided with the previous run's status. */
export function needsHistory(words: readonly TriggerWord[]): boolean {
  return words.some((word) => (TRANSITION_WORDS as readonly string[]).includes(word));
}
