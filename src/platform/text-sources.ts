/**
 * CLI text inputs that may come from elsewhere than the command line: `-` reads stdin and `@path`
 * a file (`@@…` is a literal leading `@`). For `template` and `channels`, whose text is long and
 * multi-line; other inputs are taken as given.
 */
import { closeSync, constants, createReadStream, openSync, readSync, statSync } from 'node:fs';

export const FROM_SOURCE_INPUTS = ['template', 'channels'] as const;

/**
 * How long `-` or `@path` waits for its text to end: a CI that leaves stdin open, or an `@path` that
 * is a FIFO or `/dev/stdin` whose writer never finishes (`--channels @<(generate)`), must not hang
 * the notification.
 */
export const STDIN_TIMEOUT_MS = 30_000;

/**
 * The most text one source may give: far more than any template or list of targets, and a source
 * that never stops giving (`yes |`, `@/dev/zero`) is refused here instead of filling the memory.
 */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export interface TextSources {
  readFile(path: string, timeoutMs: number): Promise<string>;
  readStdin(timeoutMs: number): Promise<string>;
}

/** Errors of a source that does not end in time or gives too much (the message is the whole reason). */
class SourceLimit extends Error {}

export const processSources: TextSources = {
  readFile: (path, timeoutMs) => {
    // A regular file of 1 byte to MAX_SOURCE_BYTES is read at once (no stream machinery to load:
    // the common `--channels @targets.json` costs no start-up). stat, not open, decides: opening a
    // FIFO blocks until a writer comes. A "regular" file of size 0 may never end (/proc/kmsg, a
    // trace pipe) and anything else — a FIFO, /dev/stdin, /dev/zero — goes through a stream,
    // bounded in time and size: fs.readFile is bounded in neither.
    try {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isFile() && stat.size > 0 && stat.size <= MAX_SOURCE_BYTES) return Promise.resolve(readAtMost(path));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const stream = createReadStream(path);
    return readBounded(stream, timeoutMs, () => stream.destroy());
  },
  readStdin: (timeoutMs) => readBounded(process.stdin, timeoutMs, () => process.stdin.pause()),
};

/** A regular file's text, refused past MAX_SOURCE_BYTES even when it grew after it was measured. */
function readAtMost(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.allocUnsafe(MAX_SOURCE_BYTES + 1);
    let size = 0;
    for (let n; size < buffer.length && (n = readSync(fd, buffer, size, buffer.length - size, null)) > 0;) size += n;
    if (size > MAX_SOURCE_BYTES) throw new SourceLimit(`more than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`);
    return buffer.toString('utf8', 0, size);
  } finally {
    closeSync(fd);
  }
}

/** The text of `stream` once it ends, within `timeoutMs` and MAX_SOURCE_BYTES; `stop` lets go of it otherwise. */
function readBounded(stream: NodeJS.ReadableStream, timeoutMs: number, stop: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error) => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stop();
      reject(error);
    };
    const timer = setTimeout(() => fail(new SourceLimit(`did not end within ${timeoutMs / 1000} s`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SOURCE_BYTES) return fail(new SourceLimit(`more than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`));
      chunks.push(chunk);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    stream.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves `-` and `@path` values in place; every problem is one line naming the input. */
export async function resolveTextSources(
  inputs: Record<string, string>,
  sources: TextSources,
): Promise<{ inputs: Record<string, string>; errors: string[] }> {
  const resolved = { ...inputs };
  const errors: string[] = [];
  const fromStdin = FROM_SOURCE_INPUTS.filter((name) => resolved[name]?.trim() === '-');
  if (fromStdin.length > 1) {
    errors.push(`${fromStdin.join(' and ')}: only one input can read stdin (-); give the other as @path`);
    return { inputs: resolved, errors };
  }
  for (const name of FROM_SOURCE_INPUTS) {
    const value = resolved[name];
    if (value === undefined) continue;
    const trimmed = value.trim();
    if (trimmed === '-') {
      try {
        resolved[name] = await sources.readStdin(STDIN_TIMEOUT_MS);
      } catch (error) {
        errors.push(`${name}: could not read stdin (-): ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (resolved[name]!.trim() === '') errors.push(`${name}: stdin (-) was empty; pipe the text in, or give @path`);
    } else if (trimmed.startsWith('@@')) {
      resolved[name] = value.replace('@@', '@');
    } else if (trimmed.startsWith('@')) {
      const path = trimmed.slice(1);
      try {
        resolved[name] = await sources.readFile(path, STDIN_TIMEOUT_MS);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const why =
          error instanceof SourceLimit
            ? error.message
            : code === 'ENOENT'
              ? 'no such file'
              : code === 'EISDIR'
                ? 'a directory'
                : (code ?? 'unreadable');
        errors.push(`${name}: cannot read @${path} (${why}); @path reads a file, @@ keeps a literal @`);
      }
    }
  }
  return { inputs: resolved, errors };
}
