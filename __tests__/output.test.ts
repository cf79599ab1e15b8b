/**
 * The log's sinks (src/output.ts) in a child process of their own, on each Node, against real pipes:
 * lines written straight to the descriptor and lines the stream takes over arrive complete and in
 * order; a reader that never reads cannot hold the writer (the direct path stops at DIRECT_LIMIT);
 * a non-blocking pipe that fills (EAGAIN, short writes) hands the rest to the stream; a closed
 * reader drops the lines with one warning on stderr; and `flushed()` says whether a stream holds
 * bytes. The sinks are compiled from the source with TypeScript, as the bundle would run them.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { nodeBinaries, ROOT } from './support/bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'ci-notify-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sinks = join(dir, 'output.mjs');
writeFileSync(
  sinks,
  ts.transpileModule(readFileSync(join(ROOT, 'src', 'output.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText,
);

/** A child that writes `lines` numbered lines of `width` characters to stdout, then says so in `done`. */
function script(name: string, prelude: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `import { renameSync, writeFileSync, writeSync } from 'node:fs';
import { processOutput, DIRECT_LIMIT } from ${JSON.stringify(sinks)};
const [lines, width, done] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
${prelude}
const out = processOutput();
for (let i = 0; i < lines; i++) out.stdout(String(i).padStart(8, '0') + 'x'.repeat(width));
out.stderr('after');
// Written whole, then renamed: the test waits for the file to exist and must never read it half-written.
writeFileSync(done + '.part', JSON.stringify({ flushed: out.flushed(), limit: DIRECT_LIMIT }));
renameSync(done + '.part', done);
`,
  );
  return file;
}

interface Child {
  done: string;
  stdout: () => Promise<string>;
  stderr: () => Promise<string>;
  exit: Promise<number | null>;
  readStdout: () => void;
}

function start(node: string, file: string, lines: number, width: number): Child {
  const id = Math.random().toString(36).slice(2);
  const done = join(dir, `done-${id}`);
  // stdout is a FIFO that nobody reads until readStdout(): a pipe from spawn() would be read ahead
  // by the parent's own stream (64 KiB on Node ≥ 22, even when paused), emptying the very pipe the
  // child is to find full.
  const fifo = join(dir, `stdout-${id}.fifo`);
  execFileSync('mkfifo', [fifo]);
  const pipe = openSync(fifo, 'r+'); // read-write: opening does not wait for a reader
  const child = spawn(node, [file, String(lines), String(width), done], { stdio: ['ignore', pipe, 'pipe'] });
  const collect = (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return new Promise<string>((r) => stream.on('end', () => r(Buffer.concat(chunks).toString('utf8'))));
  };
  const stderr = collect(child.stderr!);
  let stdout: Promise<string> | undefined;
  return {
    done,
    readStdout: () => {
      const stream = createReadStream(fifo);
      // Our end of the pipe closes once the reader is open: the child's exit then ends the stream.
      stream.on('open', () => closeSync(pipe));
      stdout = collect(stream);
    },
    stdout: () => stdout!,
    stderr: () => stderr,
    exit: new Promise((r) => child.on('close', (code) => r(code))),
  };
}

async function waitFor(file: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return existsSync(file);
}

const expected = (lines: number, width: number) =>
  Array.from({ length: lines }, (_, i) => `${String(i).padStart(8, '0')}${'x'.repeat(width)}\n`).join('');

describe.each(nodeBinaries())('the log sinks ($label)', ({ path: node }) => {
  it('a few lines go straight to the descriptor, complete and in order, with nothing queued', async () => {
    const child = start(node, script('few', ''), 20, 40);
    child.readStdout();
    expect(await child.exit).toBe(0);
    expect(await child.stdout()).toBe(expected(20, 40));
    expect(await child.stderr()).toBe('after\n');
    expect(JSON.parse(readFileSync(child.done, 'utf8'))).toEqual({ flushed: true, limit: 16 * 1024 });
  });

  it('a reader that does not read cannot hold the writer; the stream takes over past the limit, in order', async () => {
    // 3000 lines of 100 bytes: 300 KB, more than any pipe buffer holds.
    const child = start(node, script('stalled', ''), 3000, 91);
    // The writer finishes its writes although nobody has read a byte of stdout yet.
    expect(await waitFor(child.done, 10_000)).toBe(true);
    expect(JSON.parse(readFileSync(child.done, 'utf8'))).toEqual({ flushed: false, limit: 16 * 1024 });
    child.readStdout();
    expect(await child.exit).toBe(0);
    expect(await child.stdout()).toBe(expected(3000, 91));
  });

  it('a non-blocking pipe that fills (EAGAIN, short writes) hands the rest to the stream, in order', async () => {
    // Another holder of the pipe made it non-blocking (the stream does, on creation) and filled it.
    const prelude = `process.stdout;
let filled = 0;
try { for (;;) filled += writeSync(1, Buffer.alloc(4096, 0x2e)); } catch (e) { if (e.code !== 'EAGAIN') throw e; }
writeSync(2, 'filled ' + (filled > 0) + '\\n');`;
    const child = start(node, script('full', prelude), 100, 91);
    expect(await waitFor(child.done, 10_000)).toBe(true);
    child.readStdout();
    expect(await child.exit).toBe(0);
    const out = await child.stdout();
    expect(out.replace(/^\.+/, '')).toBe(expected(100, 91));
    expect(await child.stderr()).toBe('filled true\nafter\n');
    expect(JSON.parse(readFileSync(child.done, 'utf8')).flushed).toBe(false);
  });

  it('a closed descriptor: the lines are dropped, one warning on stderr, no crash', async () => {
    const child = start(node, script('closed', "(await import('node:fs')).closeSync(1);"), 50, 10);
    child.readStdout();
    expect(await child.exit).toBe(0);
    expect([await child.stdout(), await child.stderr()]).toEqual([
      '',
      'warning: stdout is closed; further log lines are dropped\nafter\n',
    ]);
  });
});
