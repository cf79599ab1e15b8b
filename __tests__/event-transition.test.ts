import {
  isTriggerWord,
  matchesTrigger,
  needsHistory,
  transitionOf,
  type TriggerWord,
} from '../src/event/transition.js';
import type { Status, Transition } from '../src/event/types.js';

describe('transitionOf', () => {
  it.each<[Status, Status | null, Transition | null]>([
    ['success', 'failure', 'fixed'],
    ['failure', 'success', 'regressed'],
    ['failure', 'failure', 'still_failing'],
    ['success', 'success', 'unchanged'],
    ['cancelled', 'cancelled', 'unchanged'],
    ['success', null, null],
    ['failure', null, null],
    ['failure', 'unknown', null],
    ['unknown', 'failure', null],
    ['unknown', 'unknown', null],
    ['cancelled', 'failure', null],
    ['success', 'cancelled', null],
    ['failure', 'skipped', null],
    ['running', 'success', null],
  ])('%s after %s is %s', (status, previous, transition) => {
    expect(transitionOf(status, previous)).toBe(transition);
  });
});

describe('matchesTrigger', () => {
  const event = (status: Status, transition: Transition | null) => ({ status, transition });

  it('always matches "always" and an empty list (the default)', () => {
    expect(matchesTrigger(['always'], event('success', null))).toBe(true);
    expect(matchesTrigger([], event('cancelled', null))).toBe(true);
  });

  it('matches a status word only on that status', () => {
    expect(matchesTrigger(['failure'], event('failure', null))).toBe(true);
    expect(matchesTrigger(['failure'], event('success', null))).toBe(false);
    expect(matchesTrigger(['failure'], event('cancelled', null))).toBe(false);
    expect(matchesTrigger(['cancelled'], event('cancelled', null))).toBe(true);
  });

  it('matches when any one of several words matches', () => {
    expect(matchesTrigger(['failure', 'fixed'], event('success', 'fixed'))).toBe(true);
    expect(matchesTrigger(['failure', 'fixed'], event('success', 'unchanged'))).toBe(false);
  });

  it.each<[TriggerWord, Transition, boolean]>([
    ['changed', 'fixed', true],
    ['changed', 'regressed', true],
    ['changed', 'still_failing', false],
    ['changed', 'unchanged', false],
    ['fixed', 'fixed', true],
    ['fixed', 'regressed', false],
    ['regressed', 'regressed', true],
    ['regressed', 'still_failing', false],
    ['still_failing', 'still_failing', true],
    ['still_failing', 'regressed', false],
  ])('"%s" on a %s run → %s', (word, transition, expected) => {
    const status: Status = transition === 'fixed' || transition === 'unchanged' ? 'success' : 'failure';
    expect(matchesTrigger([word], event(status, transition))).toBe(expected);
  });

  it('does not match any transition word when the previous run is unknown, even on a failure', () => {
    for (const word of ['changed', 'fixed', 'regressed', 'still_failing'] as const) {
      expect(matchesTrigger([word], event('failure', null))).toBe(false);
      expect(matchesTrigger([word], event('success', null))).toBe(false);
    }
    // The status word still works, so "failure, fixed" never misses a failure.
    expect(matchesTrigger(['failure', 'fixed'], event('failure', null))).toBe(true);
  });
});

describe('trigger words', () => {
  it('knows always, the statuses and the transitions, and nothing else', () => {
    for (const word of [
      'always',
      'success',
      'failure',
      'cancelled',
      'skipped',
      'running',
      'pending',
      'unknown',
      'changed',
      'fixed',
      'regressed',
      'still_failing',
    ]) {
      expect(isTriggerWord(word)).toBe(true);
    }
    expect(isTriggerWord('failed')).toBe(false);
    expect(isTriggerWord('unchanged')).toBe(false);
  });

  it('says when a list needs the previous run to be decided', () => {
    expect(needsHistory(['failure', 'fixed'])).toBe(true);
    expect(needsHistory(['always'])).toBe(false);
    expect(needsHistory(['failure', 'success'])).toBe(false);
  });
});
