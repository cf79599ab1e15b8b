/**
 * Fitting a robot message into a platform's byte limit (DESIGN §4: enforced before sending, in
 * the platform's unit, on a character boundary, with a visible marker — USER_VOICES #5).
 *
 * Channels build their payload through a `Clip` applied to every untrusted or user-rendered piece
 * (title, fact values, template body). `fitWithinBytes` builds once; when the measured size is over
 * the limit it lowers the per-piece cap by the overshoot and builds again. Escaping never makes a
 * piece shorter than its raw text, so each round removes at least the overshoot from the result
 * and the loop converges in one or two rounds.
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

const MAX_ROUNDS = 12;

export function fitWithinBytes<T>(
  build: (clip: Clip) => T,
  measure: (built: T) => number,
  limit: number,
  marker: string,
): Fitted<T> {
  const markerBytes = utf8Bytes(marker);
  let cap = Number.POSITIVE_INFINITY;
  let last: Fitted<T> | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let longest = 0;
    let cut = false;
    const clip: Clip = (text) => {
      const bytes = utf8Bytes(text);
      if (bytes <= cap) {
        longest = Math.max(longest, bytes);
        return text;
      }
      cut = true;
      longest = Math.max(longest, cap);
      return truncateUtf8(text, cap, marker);
    };
    const value = build(clip);
    const bytes = measure(value);
    last = { value, truncated: cut, bytes };
    if (bytes <= limit) return last;
    // Nothing left to cut: the fixed parts alone are over the limit; let the platform say so.
    if (longest === 0 || cap === 0) return last;
    cap = Math.max(0, Math.min(cap, longest) - (bytes - limit) - markerBytes);
  }
  return last as Fitted<T>;
}

/** Size of a JSON request body as sent (UTF-8 bytes). */
export function jsonBytes(body: unknown): number {
  return utf8Bytes(JSON.stringify(body));
}
