/**
 * The log of the built bundle when its stdout is a real pipe (a FIFO here, like the runner's)
 * whose reader is slow: nothing is lost at exit. The log sinks (src/output.ts) write the first
 * 16 KiB directly and queue the rest on a stream once the pipe is full; a run that ends before
 * the queue has drained must wait for it (within a bound), or the lines that matter most — the
 * final report of an interrupted run and each target's result — never reach the log.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, githubEnv, nodeBinaries } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/** Enough targets that the masks and results outgrow a 64 KiB pipe buffer several times. */
const TARGETS = 300;

const waitFor = async (what: () => boolean, ms = 30_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A FIFO opened read-write (opening does not wait for a reader) that nobody reads yet. */
function unreadPipe(): { dir: string; fifo: string; pipe: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-pipe-'));
  const fifo = join(dir, 'stdout.fifo');
  execFileSync('mkfifo', [fifo]);
  return { dir, fifo, pipe: openSync(fifo, 'r+') };
}

/** The bundle as a GitHub Actions step with TARGETS webhook targets at `origin`, stdout to `pipe`. */
function startStep(node: string, dir: string, pipe: number, origin: string, inputs: Record<string, string>) {
  const channels = Array.from({ length: TARGETS }, (_, i) => ({
    type: 'webhook',
    name: `t${i}`,
    url: `${origin}/hook/token-${i}-${'k'.repeat(24)}`,
  }));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...githubEnv(dir, 'push', {}),
    INPUT_STATUS: 'failure',
    INPUT_CHANNELS: JSON.stringify(channels),
    INPUT_RETRIES: '0',
    ...inputs,
  };
  const child = spawn(node, [BUNDLE], { env, stdio: ['ignore', pipe, 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const stop = () => {
    clearTimeout(killer);
    child.kill('SIGKILL');
  };
  return { child, exited, stop };
}

describe.each(nodeBinaries())('the log through a slowly read pipe ($label)', ({ path: node }) => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await startReceiver({ handler: () => ({ hang: true }) });
  });
  afterEach(async () => {
    await hook.close();
  });

  it('keeps every line of an interrupted run: the report and each target, written after the reader catches up', async () => {
    const { dir, fifo, pipe } = unreadPipe();
    const { child, exited, stop } = startStep(node, dir, pipe, hook.origin, { INPUT_TIMEOUT: '600' });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      // Every target is in flight (the stand-in never answers) and the pipe is full.
      await waitFor(() => hook.requests.length === TARGETS);
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The reader comes back: everything written to the pipe, then its end once the child is gone.
      let log = '';
      const read = new Promise<void>((resolve, reject) => {
        const stream = createReadStream(fifo, { encoding: 'utf8' });
        stream.on('open', () => closeSync(pipe));
        stream.on('data', (d) => (log += String(d)));
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      expect(await exited).toBe(143);
      await read;
      expect(stderr).toBe('');
      const lines = log.split('\n');
      expect(lines).toContain(
        `::error::interrupted by SIGTERM: 0 delivered, ${TARGETS} in flight (may or may not arrive), 0 not sent`,
      );
      for (let i = 0; i < TARGETS; i++)
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^::error::❌ t${i} \\(webhook\\): failed: interrupted by SIGTERM while sending; it may or may not have been delivered`,
            ),
          ),
        );
    } finally {
      stop();
    }
  });

  it('sends nothing it reported "not sent" while it waits for the reader', async () => {
    // The API reads never answer (they give up after `timeout`, 1 s); SIGTERM comes while they are
    // pending, so no target has started. The reader never comes back within the wait for it.
    const api = await startReceiver({ handler: () => ({ hang: true }) });
    const { dir, pipe } = unreadPipe();
    const { child, exited, stop } = startStep(node, dir, pipe, hook.origin, {
      GITHUB_API_URL: api.origin,
      INPUT_GITHUB_TOKEN: 'ghs_pipeTestToken0123456789abcdefABCD',
      INPUT_TIMEOUT: '1',
    });
    try {
      await waitFor(() => api.requests.length > 0);
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      // Past the reads' deadline: had the run gone on, every target would have been sent by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(hook.requests).toHaveLength(0);
    } finally {
      stop();
      closeSync(pipe);
      await api.close();
    }
  });
});
