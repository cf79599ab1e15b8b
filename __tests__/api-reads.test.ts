/**
 * readTogether (src/event/api-reads.ts): reads start at once, one deadline bounds them all, and a
 * failed or late read is a null and one report, never a rejection.
 */
import { once, readTogether } from '../src/event/api-reads.js';

type Failure = { name: string; error: unknown; timedOut: boolean };

function collect() {
  const failures: Failure[] = [];
  return {
    failures,
    onFailure: (name: string, error: unknown, timedOut: boolean) => failures.push({ name, error, timedOut }),
  };
}

const never = () => new Promise<never>(() => {});

describe('readTogether', () => {
  it('starts every read before any of them answers and returns each result under its name', async () => {
    const started: string[] = [];
    const release: Array<() => void> = [];
    const read = (name: string, value: number) => () =>
      new Promise<number>((resolve) => {
        started.push(name);
        release.push(() => resolve(value));
      });
    const { failures, onFailure } = collect();
    const results = readTogether(
      { a: read('a', 1), b: read('b', 2), c: read('c', 3) },
      { deadlineMs: 5000, onFailure },
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b', 'c']);
    for (const go of release) go();
    await expect(results).resolves.toEqual({ a: 1, b: 2, c: 3 });
    expect(failures).toEqual([]);
  });

  it('makes no read for an entry that is undefined and gives it null', async () => {
    let calls = 0;
    const { onFailure } = collect();
    const results = await readTogether(
      { wanted: () => Promise.resolve(++calls), unwanted: undefined },
      { deadlineMs: 5000, onFailure },
    );
    expect(results).toEqual({ wanted: 1, unwanted: null });
    expect(calls).toBe(1);
  });

  it('turns a failed read into null and a report, and keeps the others', async () => {
    const { failures, onFailure } = collect();
    const boom = new Error('HTTP 500');
    const results = await readTogether(
      {
        ok: () => Promise.resolve('fine'),
        bad: () => Promise.reject(boom),
        throws: () => {
          throw boom;
        },
      },
      { deadlineMs: 5000, onFailure },
    );
    expect(results).toEqual({ ok: 'fine', bad: null, throws: null });
    expect(failures.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'bad', error: boom, timedOut: false },
      { name: 'throws', error: boom, timedOut: false },
    ]);
  });

  it('returns at the deadline with what answered; the rest are reported as timed out', async () => {
    const { failures, onFailure } = collect();
    let lateAnswer: (value: string) => void = () => {};
    const results = await readTogether(
      {
        fast: () => Promise.resolve('here'),
        hung: never,
        late: () => new Promise<string>((resolve) => (lateAnswer = resolve)),
      },
      { deadlineMs: 50, onFailure },
    );
    lateAnswer('too late');
    expect(results).toEqual({ fast: 'here', hung: null, late: null });
    expect(failures).toEqual([
      { name: 'hung', error: null, timedOut: true },
      { name: 'late', error: null, timedOut: true },
    ]);
  });

  it('returns at once when there is nothing to read', async () => {
    const { onFailure } = collect();
    await expect(readTogether({}, { deadlineMs: 60_000, onFailure })).resolves.toEqual({});
  });
});

describe('once', () => {
  it('shares one read between the entries that need it', async () => {
    let calls = 0;
    const run = once(() => Promise.resolve(++calls));
    const { onFailure } = collect();
    const results = await readTogether(
      { run, previous: async () => (await run()) * 10 },
      { deadlineMs: 5000, onFailure },
    );
    expect(results).toEqual({ run: 1, previous: 10 });
    expect(calls).toBe(1);
  });
});
