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
import { truncateUtf16, truncateUtf8, utf8Bytes } from '../render/text.js';

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
  const fitted = fitPieces(
    build,
    (built) => measure(built) - limit,
    utf8Bytes,
    (text, cap) => truncateUtf8(text, cap, marker),
  );
  return { value: fitted.value, truncated: fitted.truncated, bytes: fitted.overshoot + limit };
}

/** Size of a JSON request body as sent (UTF-8 bytes). */
export function jsonBytes(body: unknown): number {
  return utf8Bytes(JSON.stringify(body));
}

/**
 * Like fitWithinBytes, for payloads with several limits at once (Discord: content 2000, embed
 * description 4096, all embed text 6000) counted in UTF-16 units: `overshoot` returns by how much
 * the built payload exceeds its tightest limit (≤ 0 when everything fits).
 */
export function fitWithinUnits<T>(
  build: (clip: Clip) => T,
  overshoot: (built: T) => number,
  marker: string,
): FittedUnits<T> {
  return fitPieces(
    build,
    overshoot,
    (text) => text.length,
    (text, cap) => truncateUtf16(text, cap, marker),
  );
}

export interface FittedUnits<T> {
  value: T;
  truncated: boolean;
  /** By how much the final payload is still over its tightest limit (≤ 0: it fits). */
  overshoot: number;
}

/**
 * Builds once; when the built payload is over (`overshoot` > 0) finds the largest per-piece cap,
 * in the unit `size` counts, that fits, every piece over it cut by `cut`.
 */
function fitPieces<T>(
  build: (clip: Clip) => T,
  overshoot: (built: T) => number,
  size: (text: string) => number,
  cut: (text: string, cap: number) => string,
): FittedUnits<T> {
  const attempt = (cap: number): FittedUnits<T> & { longest: number } => {
    let longest = 0;
    let truncated = false;
    const clip: Clip = (text) => {
      const n = size(text);
      longest = Math.max(longest, n);
      if (n <= cap) return text;
      truncated = true;
      return cut(text, cap);
    };
    const value = build(clip);
    return { value, truncated, overshoot: overshoot(value), longest };
  };
  const done = ({ value, truncated, overshoot: over }: FittedUnits<T>): FittedUnits<T> => ({
    value,
    truncated,
    overshoot: over,
  });
  const whole = attempt(Number.POSITIVE_INFINITY);
  if (whole.overshoot <= 0 || whole.longest === 0) return done(whole);
  // The largest cap that fits, by bisection: escaping can make a piece several times longer than
  // its raw text (every "@" gains a word joiner), so the overshoot alone does not say how much to
  // cut; ~15 builds of a small payload cost far less than one request.
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
