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
