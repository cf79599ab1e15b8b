/**
 * Start-up loads only what the run uses (issue 14): the built bundle as a child process, run in a
 * git checkout (so the git facts are wanted) with a preload that writes `process.moduleLoadList`
 * at exit. Compared with what the same Node loads for an empty ES module, a one-webhook run must
 * not load child_process (git is not spawned: the facts come from the files), perf_hooks, readline,
 * fs/promises, `module`, os, crypto — nor node:http for a dry run, nor node:https for an http://
 * target. Timings are the bench's business (npm run bench); this guards the behaviour behind them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, nodeBinaries } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const root = mkdtempSync(join(tmpdir(), 'ci-notify-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const preload = join(root, 'module-list.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => require('fs').writeFileSync(process.env.MODULE_LIST_OUT, process.moduleLoadList.join('\\n')));\n`,
);
const emptyModule = join(root, 'empty.mjs');
writeFileSync(emptyModule, 'export {};\n');

/** The child's environment: nothing of this machine's but PATH. */
const childEnv = (out: string, more: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: root,
  MODULE_LIST_OUT: out,
  ...more,
});

/** `node -r preload <argv>` in `cwd`, asynchronously (the receiver here must answer meanwhile). */
function runListed(
  node: string,
  argv: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const out = join(root, `list-${Math.random().toString(36).slice(2)}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-r', preload, ...argv], {
      cwd,
      env: childEnv(out, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const modules = readFileSync(out, 'utf8')
        .split('\n')
        .filter((m) => m.startsWith('NativeModule '))
        .map((m) => m.slice('NativeModule '.length));
      resolve({ code, stdout, modules });
    });
  });
}

/** The builtins a bundle run loaded beyond those the same Node loads for an empty ES module. */
async function bundleRun(node: string, args: string[], cwd: string, env: Record<string, string>) {
  const baseline = new Set((await runListed(node, [emptyModule], cwd)).modules);
  const run = await runListed(node, [BUNDLE, ...args], cwd, env);
  return { ...run, extra: run.modules.filter((m) => !baseline.has(m)) };
}

/** Loaded for nothing a one-webhook run uses. */
const NEVER = [
  'child_process',
  'dgram',
  'perf_hooks',
  'internal/perf/performance',
  'internal/readline/interface',
  'internal/repl/history',
  'fs/promises',
  'module',
  'os',
  'crypto',
  'tls',
  'https',
];

function checkout(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(root, 'repo-'));
  const env = { PATH: process.env.PATH ?? '', HOME: root, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git('init', '-q', '-b', 'main');
  git(
    '-c',
    'user.name=Mona Lisa',
    '-c',
    'user.email=mona@example.com',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'Ship it',
  );
  git('remote', 'add', 'origin', 'https://github.com/acme/api.git');
  mkdirSync(join(dir, 'sub'));
  return { dir: join(dir, 'sub'), sha: git('rev-parse', 'HEAD') };
}

describe.each(nodeBinaries())('start-up of a one-webhook run ($label)', ({ path: node }) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('a dry run in a git checkout reads the git facts without git and loads no network module', async () => {
    const repo = checkout();
    const run = await bundleRun(node, ['--channel', 'webhook', '--status', 'success', '--dry-run'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
    });
    expect(run.code).toBe(0);
    // The dry run shows the request body: the facts came from the repository's files.
    expect(run.stdout).toContain(`"sha": "${repo.sha}"`);
    expect(run.stdout).toContain('"full_name": "acme/api"');
    expect(run.extra).toEqual(expect.arrayContaining(['zlib'])); // the loose commit object was read
    expect(run.extra.filter((m) => NEVER.includes(m) || m === 'http')).toEqual([]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('one delivery over http:// loads node:http alone of the network modules', async () => {
    const repo = checkout();
    const run = await bundleRun(node, ['--channel', 'webhook', '--status', 'failure'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
    });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.json() as { commit: { sha: string; message: string }; ref: { name: string } };
    expect([body.commit.sha, body.commit.message, body.ref.name]).toEqual([repo.sha, 'Ship it', 'main']);
    expect(run.extra).toContain('http');
    expect(run.extra.filter((m) => NEVER.includes(m))).toEqual([]);
  });
});
