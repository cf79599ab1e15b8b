/**
 * Fitting a robot message into a platform's byte limit (DESIGN §4: enforced before sending, in
 * the platform's unit, on a character boundary, with a visible marker — USER_VOICES #5).
 *
 * Channels build their payload through a `Clip` applied to every untrusted piece (job and author
 * names, commit titles, template values) — never to the title, which the message model builds
 * from parts already cut to their own budgets. `fitWithinBytes` builds once; when the measured
 * size is over the limit it finds the largest per-piece cap that fits, so short pieces (an author,
 * a branch) survive whole and only the long ones are cut, each with a visible marker.
 */
import type { Locale } from '../render/types.js';
import { truncateUtf8, utf8Bytes } from '../render/text.js';

/** Returns `text` cut to the current cap (unchanged when it fits). */
export type Clip = (text: string) => string;

/** Identity clip, for building without a limit. */
export const NO_CLIP: Clip = (text) => text;

const MARKERS: Record<Locale, string> = { en: '…(truncated)', zh: '…（已截断）' };

export function truncationMarker(locale: Locale): string {
  return MARKERS[locale];
}

export interface Fitted<T> {
  value: T;
  /** True when some piece was cut. */
  truncated: boolean;
  /** The final measured size. */
  bytes: number;
}

export function fitWithinBytes<T>(
  build: (clip: Clip) => T,
  measure: (built: T) => number,
  limit: number,
  marker: string,
): Fitted<T> {
  const attempt = (cap: number): Fitted<T> & { longest: number } => {
    let longest = 0;
    let cut = false;
    const clip: Clip = (text) => {
      const bytes = utf8Bytes(text);
      longest = Math.max(longest, bytes);
      if (bytes <= cap) return text;
      cut = true;
      return truncateUtf8(text, cap, marker);
    };
    const value = build(clip);
    return { value, truncated: cut, bytes: measure(value), longest };
  };
  const whole = attempt(Number.POSITIVE_INFINITY);
  if (whole.bytes <= limit || whole.longest === 0) return strip(whole);
  // The largest cap that fits, by bisection: escaping can make a piece several times longer than
  // its raw text (every "@" gains a word joiner), so the overshoot alone does not say how much to
  // cut; ~15 builds of a small payload cost far less than one request.
  let low = 0;
  let high = whole.longest;
  let best = attempt(0);
  if (best.bytes > limit) return strip(best); // the fixed parts alone are over: the platform says so
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const tried = attempt(mid);
    if (tried.bytes <= limit) {
      low = mid;
      best = tried;
    } else {
      high = mid;
    }
  }
  return strip(best);
}

function strip<T>(fitted: Fitted<T> & { longest: number }): Fitted<T> {
  return { value: fitted.value, truncated: fitted.truncated, bytes: fitted.bytes };
}

/** Size of a JSON request body as sent (UTF-8 bytes). */
export function jsonBytes(body: unknown): number {
  return utf8Bytes(JSON.stringify(body));
}

/**
 * Platforms that count characters, not bytes (Slack, Discord, Telegram, Mattermost), are measured
 * in UTF-16 code units: that is what JavaScript's `length` counts, it is what Telegram's entity
 * offsets count, and it is never less than the code points Discord and Mattermost count — so a
 * payload within the limit in UTF-16 units is within it however the platform counts.
 */
export function utf16Length(text: string): number {
  return text.length;
}

/** `text` cut to at most `max` UTF-16 units on a grapheme boundary, `marker` included when cut. */
export function truncateUtf16(text: string, max: number, marker: string): string {
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 0;
  if (text.length <= limit) return text;
  if (marker.length >= limit) return prefixWithinUnits(marker, limit);
  return prefixWithinUnits(text, limit - marker.length) + marker;
}

const graphemeSegmenter: Intl.Segmenter | null =
  typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter('und', { granularity: 'grapheme' })
    : null;

/** Longer than any grapheme cluster a real text has (a ZWJ family is ~25 units): the window segmented. */
const CLUSTER_WINDOW = 256;

/**
 * The longest prefix within `budget` UTF-16 units that ends on a grapheme boundary. Only a window
 * before the cut is segmented (Intl.Segmenter costs ~15 µs a grapheme: segmenting a whole 15,000
 * character value at every fitting round took seconds).
 */
function prefixWithinUnits(text: string, budget: number): string {
  if (budget >= text.length) return text;
  let start = Math.max(0, budget - CLUSTER_WINDOW);
  // Never start inside a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(text[start] ?? '')) start--;
  let end = start;
  const window = text.slice(start, Math.min(text.length, budget + CLUSTER_WINDOW));
  const pieces: Iterable<{ segment: string }> | Iterable<string> = graphemeSegmenter
    ? graphemeSegmenter.segment(window)
    : Array.from(window);
  for (const piece of pieces) {
    const length = typeof piece === 'string' ? piece.length : piece.segment.length;
    if (end + length > budget) break;
    end += length;
  }
  return text.slice(0, end);
}

/**
 * Like fitWithinBytes, for payloads with several limits at once (Discord: content 2000, embed
 * description 4096, all embed text 6000) counted in UTF-16 units: `overshoot` returns by how much
 * the built payload exceeds its tightest limit (≤ 0 when everything fits), and the largest
 * per-piece cap that fits is found by bisection, as fitWithinBytes does.
 */
export function fitWithinUnits<T>(
  build: (clip: Clip) => T,
  overshoot: (built: T) => number,
  marker: string,
): FittedUnits<T> {
  const attempt = (cap: number): FittedUnits<T> & { longest: number } => {
    let longest = 0;
    let cut = false;
    const clip: Clip = (text) => {
      longest = Math.max(longest, text.length);
      if (text.length <= cap) return text;
      cut = true;
      return truncateUtf16(text, cap, marker);
    };
    const value = build(clip);
    return { value, truncated: cut, overshoot: overshoot(value), longest };
  };
  const done = ({ value, truncated, overshoot: over }: FittedUnits<T>): FittedUnits<T> => ({
    value,
    truncated,
    overshoot: over,
  });
  const whole = attempt(Number.POSITIVE_INFINITY);
  if (whole.overshoot <= 0 || whole.longest === 0) return done(whole);
  let low = 0;
  let high = whole.longest;
  let best = attempt(0);
  if (best.overshoot > 0) return done(best); // the fixed parts alone are over: the platform says so
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const tried = attempt(mid);
    if (tried.overshoot <= 0) {
      low = mid;
      best = tried;
    } else {
      high = mid;
    }
  }
  return done(best);
}

export interface FittedUnits<T> {
  value: T;
  truncated: boolean;
  /** By how much the final payload is still over its tightest limit (≤ 0: it fits). */
  overshoot: number;
}
