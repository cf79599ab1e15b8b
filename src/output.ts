/**
 * The two sinks of the log, stdout and stderr, written with `fs.writeSync` on descriptors 1 and 2.
 *
 * Why not `process.stdout`: the first touch of it builds a stream, a `net.Socket` for a pipe (the
 * runners' case) or a `SyncWriteStream` for a file or /dev/null — 1.2 to 2.5 ms per stream on
 * Node 24, more than everything a run logs costs, for a program whose floor prints nothing
 * (issue 14; scripts/bench.mjs). A direct write costs ~0.1 ms. The streams' guarantees are kept:
 *
 * - A closed reader (a pipe whose reader went away: EPIPE; a closed descriptor: EBADF; a full disk)
 *   never crashes the run nor changes its exit code, which belongs to the deliveries: the sink's
 *   later lines are dropped, and a closed stdout is said once on stderr.
 * - No write waits without bound. A blocking pipe whose reader stalls would hold `writeSync`, so
 *   the direct path carries at most 16 KiB per descriptor (less than a pipe buffer holds: 64 KiB
 *   on Linux, 16 KiB at least on macOS); after that, on EAGAIN (a non-blocking descriptor) or on a
 *   short write, the rest goes through the stream, which queues. The switch is one-way and a direct
 *   write has completed before the next starts, so lines keep their order.
 * - Windows keeps the streams (its console and pipes have their own rules).
 * - A stream created later by anyone (Node's own warnings) gets the same 'error' guard on creation.
 */
import { writeSync } from 'node:fs';

export interface Output {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Everything written so far has reached its descriptor (no stream holds queued bytes). */
  flushed(): boolean;
  /**
   * Resolves once the bytes the streams queued have reached their descriptors, or after
   * `timeoutMs` (a reader that never reads must not hold the process).
   */
  drained(timeoutMs: number): Promise<void>;
}

type SinkName = 'stdout' | 'stderr';

/** Bytes one descriptor may take through the direct path: less than any pipe buffer holds. */
export const DIRECT_LIMIT = 16 * 1024;

interface Sink {
  fd: number;
  direct: boolean;
  bytes: number;
  closed: boolean;
}

/** The process's stdout and stderr as line sinks (each line gets its `\n`). Call once per process. */
export function processOutput(): Output {
  const direct = process.platform !== 'win32';
  const sinks: Record<SinkName, Sink> = {
    stdout: { fd: 1, direct, bytes: 0, closed: false },
    stderr: { fd: 2, direct, bytes: 0, closed: false },
  };

  const close = (name: SinkName): void => {
    const sink = sinks[name];
    if (sink.closed) return;
    sink.closed = true;
    if (name === 'stdout') write('stderr', 'warning: stdout is closed; further log lines are dropped\n');
  };
  guardStream('stdout', () => close('stdout'));
  guardStream('stderr', () => close('stderr'));

  function write(name: SinkName, text: string): void {
    const sink = sinks[name];
    if (sink.closed) return;
    let rest: Buffer | string = text;
    if (sink.direct) {
      const bytes = Buffer.from(text, 'utf8');
      if (sink.bytes + bytes.length <= DIRECT_LIMIT) {
        let written = 0;
        try {
          written = writeSync(sink.fd, bytes);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
            close(name);
            return;
          }
        }
        sink.bytes += written;
        if (written === bytes.length) return;
        rest = bytes.subarray(written);
      }
      sink.direct = false;
    }
    process[name].write(rest);
  }

  return {
    stdout: (line) => write('stdout', `${line}\n`),
    stderr: (line) => write('stderr', `${line}\n`),
    flushed: () => Object.values(sinks).every((sink) => sink.direct || sink.closed),
    drained: (timeoutMs) => {
      const queued = (['stdout', 'stderr'] as const).filter(
        (name) => !sinks[name].direct && !sinks[name].closed && process[name].writableLength > 0,
      );
      if (queued.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        let left = queued.length;
        const done = () => {
          if (--left > 0) return;
          clearTimeout(timer);
          resolve();
        };
        // 'close' too: a reader that goes away (EPIPE) ends the wait as well.
        for (const name of queued) onceEither(process[name], ['drain', 'close'], done);
      });
    },
  };
}

function onceEither(stream: NodeJS.WriteStream, events: string[], listener: () => void): void {
  const fire = () => {
    for (const event of events) stream.off(event, fire);
    listener();
  };
  for (const event of events) stream.on(event, fire);
}

/**
 * Attaches `onError` to `process[name]` when the stream comes into being, without creating it now:
 * the getter Node defines is wrapped (it is configurable); where it is not, the stream is made now.
 */
function guardStream(name: SinkName, onError: () => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const get = descriptor?.get;
  if (!get || !descriptor.configurable) {
    process[name].on('error', onError);
    return;
  }
  let stream: NodeJS.WriteStream | undefined;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable,
    get(): NodeJS.WriteStream {
      if (!stream) {
        stream = get.call(process) as NodeJS.WriteStream;
        stream.on('error', onError);
      }
      return stream;
    },
  });
}
