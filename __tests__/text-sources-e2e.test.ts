/**
 * `-` (stdin) and `@path` as the CLI reads them, through the built bundle: a source that never ends
 * or never stops giving (`yes |`, /dev/zero, a FIFO whose writer hangs) is a configuration error
 * naming the input, within a bound — never a run that waits forever or fills the memory.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processSources, MAX_SOURCE_BYTES } from '../src/platform/text-sources.js';
import { BUNDLE, nodeBinaries } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI with `--channel webhook` to `url`; `feed` writes to its stdin for as long as it runs. */
function cli(node: string, args: string[], url: string, feed?: (stdin: NodeJS.WritableStream) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [BUNDLE, '--status', 'failure', '--channel', 'webhook', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), NOTIFY_URL: url },
      stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (feed) {
      child.stdin!.on('error', () => {});
      feed(child.stdin!);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(nodeBinaries())('text sources that never end, through the bundle ($label)', ({ path: node }) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('refuses an @path that never stops giving (/dev/zero) with an error naming the input', async () => {
    const run = await cli(node, ['--format', 'template', '--template', '@/dev/zero'], receiver.origin);
    expect([run.code, run.stderr]).toEqual([
      2,
      'error: template: cannot read @/dev/zero (more than 1 MiB); @path reads a file, @@ keeps a literal @\n',
    ]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a stdin (-) that never stops giving (`yes |`) with an error naming the input', async () => {
    const line = Buffer.from('y\n'.repeat(32 * 1024));
    const run = await cli(node, ['--format', 'template', '--template', '-'], receiver.origin, (stdin) => {
      const write = (): void => {
        while (stdin.write(line));
        stdin.once('drain', write);
      };
      write();
    });
    expect([run.code, run.stderr]).toEqual([2, 'error: template: could not read stdin (-): more than 1 MiB\n']);
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('reports %s that comes while it waits for stdin (-): exit %i, nothing sent', async (signal, code) => {
    const child = spawn(node, [BUNDLE, '--status', 'failure', '--channels', '-', '--output', 'json'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), NOTIFY_DEBUG: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // stdin stays open and silent. The signal is sent once the run says it reads stdin (a debug
    // line, printed after it listens for signals): sent earlier, the signal would just kill it.
    const waiting = 'debug: channels: reading stdin (-), for at most 30 s\n';
    await new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes(waiting)) resolve();
      }),
    );
    child.kill(signal);
    const exit = await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000, 'hung'))]);
    child.kill('SIGKILL');
    expect([exit, stdout, stderr]).toEqual([
      code,
      '[]\n',
      `${waiting}error: interrupted by ${signal} while reading the channels or template input; nothing was sent\n`,
    ]);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('processSources.readFile', () => {
  it('gives up on a FIFO whose writer never finishes, after the bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-notify-fifo-'));
    const fifo = join(dir, 'template.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer that holds the FIFO open and never writes nor closes it.
    const writer = openSync(fifo, 'r+');
    try {
      await expect(processSources.readFile(fifo, 300)).rejects.toThrow('did not end within 0.3 s');
    } finally {
      closeSync(writer);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a file up to the size bound, and refuses one larger', async () => {
    expect(MAX_SOURCE_BYTES).toBe(1024 * 1024);
    const dir = mkdtempSync(join(tmpdir(), 'ci-notify-big-'));
    try {
      const fits = join(dir, 'fits.md');
      const big = join(dir, 'big.md');
      writeFileSync(fits, 'é'.repeat(MAX_SOURCE_BYTES / 2));
      writeFileSync(big, 'x'.repeat(MAX_SOURCE_BYTES + 1));
      await expect(processSources.readFile(fits, 5000)).resolves.toBe('é'.repeat(MAX_SOURCE_BYTES / 2));
      await expect(processSources.readFile(big, 5000)).rejects.toThrow('more than 1 MiB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a "regular" file that says it is empty to its end, through the bounded stream (/proc files)', async () => {
    // /proc/self/status has st_size 0 yet holds text; /proc/kmsg, also size 0, never ends: size 0
    // is no promise of a quick read, so such a file gets the stream and its time bound.
    const text = await processSources.readFile('/proc/self/status', 5000);
    expect(text).toMatch(/^Name:\t.+\n[\s\S]*\nPid:\t\d+\n/);
  });
});
