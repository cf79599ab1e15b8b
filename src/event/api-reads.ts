/**
 * A run's CI API reads, issued together and bounded together: every read starts at once, and
 * whatever has not answered when the deadline passes is given up (null, one warning each), so an
 * API that never answers delays the notification by the deadline and no more — however many reads
 * there are. Reads are best effort: a failed one is a warning and a null, never a failed run.
 *
 * To add a read, add an entry to the object given to `readTogether`; it runs concurrently with the
 * others and its result comes back under the same key. A read that needs another's answer first
 * awaits that read's shared promise (see `once`) instead of being chained after the whole set.
 */

/** Named reads; an entry that is `undefined` is not needed by this run and is not made. */
export type Reads = Record<string, (() => Promise<unknown>) | undefined>;
export type ReadResults<R extends Reads> = {
  [K in keyof R]: (R[K] extends () => Promise<infer T> ? T : never) | null;
};

export interface ReadTogetherOptions {
  /** The deadline for the whole set, in ms from the call. */
  deadlineMs: number;
  /** A read failed (its error) or did not answer before the deadline (`timedOut`). */
  onFailure(name: string, error: unknown, timedOut: boolean): void;
}

export async function readTogether<R extends Reads>(reads: R, options: ReadTogetherOptions): Promise<ReadResults<R>> {
  const results: Record<string, unknown> = Object.fromEntries(Object.keys(reads).map((name) => [name, null]));
  const names = Object.keys(reads).filter((name) => reads[name] !== undefined);
  if (names.length === 0) return results as ReadResults<R>;

  const pending = new Set(names);
  const settled = names.map((name) =>
    Promise.resolve()
      .then(() => reads[name]!())
      .then(
        (value) => {
          if (pending.delete(name)) results[name] = value ?? null;
        },
        (error: unknown) => {
          if (pending.delete(name)) options.onFailure(name, error, false);
        },
      ),
  );

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, options.deadlineMs));
  });
  try {
    await Promise.race([Promise.all(settled), deadline]);
  } finally {
    clearTimeout(timer);
  }
  // Anything still pending is given up; a late answer no longer changes the results.
  for (const name of [...pending]) {
    pending.delete(name);
    options.onFailure(name, null, true);
  }
  return results as ReadResults<R>;
}

/** A read shared by several entries: the first call starts it, later calls get the same promise. */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
}
