/**
 * CLI text inputs that may come from elsewhere than the command line: `-` reads stdin and `@path`
 * a file (`@@…` is a literal leading `@`). For `template` and `channels`, whose text is long and
 * multi-line; other inputs are taken as given.
 */
import { readFile } from 'node:fs';

export const FROM_SOURCE_INPUTS = ['template', 'channels'] as const;

/** How long `-` waits for stdin to end: a CI that leaves stdin open must not hang the notification. */
export const STDIN_TIMEOUT_MS = 30_000;

export interface TextSources {
  readFile(path: string): Promise<string>;
  readStdin(timeoutMs: number): Promise<string>;
}

export const processSources: TextSources = {
  // node:fs's callback form: node:fs/promises loads readline, the REPL history and fs watchers with it.
  readFile: (path) =>
    new Promise((resolve, reject) => readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text)))),
  readStdin: (timeoutMs) =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        process.stdin.pause();
        reject(new Error(`stdin did not end within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
      process.stdin.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      process.stdin.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    }),
};

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
        resolved[name] = await sources.readFile(path);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? 'unreadable');
        errors.push(`${name}: cannot read @${path} (${why}); @path reads a file, @@ keeps a literal @`);
      }
    }
  }
  return { inputs: resolved, errors };
}
