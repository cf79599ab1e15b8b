/**
 * Start-up loads only what the run uses (issue 14): the built bundle as a child process, run in a
 * git checkout (so the git facts are wanted) with a preload that writes `process.moduleLoadList`
 * at exit, its stdout and stderr going to files (as a runner's log file would). Compared with what
 * the same Node loads for an empty CommonJS file, a dry run loads nothing at all — not the ES
 * module loader (dist/ is CommonJS, scripts/minify-chunks.mjs), no zlib for the loose or packed
 * commit object (platform/inflate.ts), no stream for the log (output.ts) — and a one-webhook
 * run no more than node:http and what it needs: never child_process (git is not spawned: the facts
 * come from the files), perf_hooks, readline, fs/promises, `module`, os, crypto, node:https for an
 * http:// target, nor the stdout/stderr streams (not even at the end, when sockets close).
 * Timings are the bench's business (npm run bench); this guards the behaviour behind them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { parse as parseJs } from 'acorn';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, nodeBinaries } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const root = mkdtempSync(join(tmpdir(), 'ci-notify-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const preload = join(root, 'module-list.cjs');
writeFileSync(
  preload,
  // Builtins as Node lists them, and the bundle's chunks as they are required (Chunk <path>).
  `const chunks = [];
const Module = require('module');
const load = Module.prototype.require;
Module.prototype.require = function (id) {
  if (/\\.index\\.js$/.test(id)) chunks.push('Chunk ' + require('path').resolve(require('path').dirname(this.filename), id));
  return load.apply(this, arguments);
};
process.on('exit', () => require('fs').writeFileSync(process.env.MODULE_LIST_OUT, [...process.moduleLoadList, ...chunks].join('\\n')));\n`,
);
const emptyScript = join(root, 'empty.cjs');
writeFileSync(emptyScript, '\n');

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
): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[]; chunks: string[] }> {
  const name = Math.random().toString(36).slice(2);
  const out = join(root, `list-${name}.txt`);
  const logs = [join(root, `stdout-${name}.txt`), join(root, `stderr-${name}.txt`)] as const;
  const fds = logs.map((file) => openSync(file, 'w'));
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-r', preload, ...argv], {
      cwd,
      env: childEnv(out, env),
      stdio: ['ignore', fds[0]!, fds[1]!],
    });
    for (const fd of fds) closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const listed = readFileSync(out, 'utf8').split('\n');
      const modules = listed.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
      const chunks = listed.filter((m) => m.startsWith('Chunk ')).map((m) => m.slice('Chunk '.length));
      resolve({ code, stdout: readFileSync(logs[0], 'utf8'), stderr: readFileSync(logs[1], 'utf8'), modules, chunks });
    });
  });
}

/** The builtins a bundle run loaded beyond those the same Node loads for an empty CommonJS file. */
async function bundleRun(node: string, args: string[], cwd: string, env: Record<string, string>) {
  const baseline = new Set((await runListed(node, [emptyScript], cwd)).modules);
  const run = await runListed(node, [BUNDLE, ...args], cwd, env);
  return { ...run, extra: run.modules.filter((m) => !baseline.has(m)) };
}

/** Whether a required chunk holds the message renderer (render/message.ts exports buildMessage). */
const renders = (chunk: string) => readFileSync(chunk, 'utf8').includes('buildMessage:');
/** Whether a required chunk holds the yaml package (one of its error messages). */
const parsesYaml = (chunk: string) => readFileSync(chunk, 'utf8').includes('Nested mappings are not allowed');
/** Whether a required chunk holds the template renderer (render/template.ts exports renderTemplate). */
const holdsTemplate = (chunk: string) => readFileSync(chunk, 'utf8').includes('renderTemplate:');
/**
 * Whether a required chunk builds the event of a run outside GitHub and GitLab
 * (platform/local-event.ts: the variables of the many CIs, Drone's among them, and the git reading).
 */
const buildsLocalEvent = (chunk: string) => readFileSync(chunk, 'utf8').includes('DRONE_BUILD_NUMBER');
/**
 * Whether a required chunk holds the default title without the renderer: render/title.ts names a
 * merge request's ref "MR !12"; render/message.ts exports buildMessage.
 */
const titleOnly = (chunk: string) => {
  const text = readFileSync(chunk, 'utf8');
  return text.includes('MR !') && !text.includes('buildMessage:');
};

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
  // a stdout or stderr stream (to a file: SyncWriteStream), or zlib for the loose commit object
  'internal/fs/sync_write_stream',
  'zlib',
];

function checkout(options: { packed?: boolean } = {}): { dir: string; sha: string } {
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
  // As a clone or a fetch leaves it: the commit in a pack, no loose object.
  if (options.packed) git('gc', '-q');
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

  it('a dry run in a git checkout reads the git facts without git and loads nothing an empty module does not', async () => {
    const repo = checkout();
    const run = await bundleRun(node, ['--channel', 'webhook', '--status', 'success', '--dry-run'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
    });
    expect(run.code).toBe(0);
    // The dry run shows the request body: the facts came from the repository's files.
    expect(run.stdout).toContain(`"sha": "${repo.sha}"`);
    expect(run.stdout).toContain('"full_name": "acme/api"');
    expect(run.stdout).toContain('"message": "Ship it"'); // the loose commit object was read
    // Not even the ES module loader's parts (the bundle and its chunk are CommonJS).
    expect(run.extra).toEqual([]);
    expect(run.stderr).toBe('');
    expect(receiver.requests).toHaveLength(0);
  });

  it('a dry run in a fresh clone reads the packed commit without git, and loads nothing either', async () => {
    const repo = checkout({ packed: true });
    const run = await bundleRun(node, ['--channel', 'webhook', '--status', 'success', '--dry-run'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`"sha": "${repo.sha}"`);
    expect(run.stdout).toContain('"message": "Ship it"');
    expect(run.stdout).toContain('"name": "Mona Lisa"');
    expect(run.extra).toEqual([]); // no child_process: git was not asked
    expect(run.stderr).toBe('');
  });

  it('one delivery over http:// loads node:net alone of the network modules, not node:http', async () => {
    const repo = checkout();
    const run = await bundleRun(node, ['--channel', 'webhook', '--status', 'failure'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
    });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.json() as { commit: { sha: string; message: string }; ref: { name: string } };
    expect([body.commit.sha, body.commit.message, body.ref.name]).toEqual([repo.sha, 'Ship it', 'main']);
    expect(run.extra).toContain('net');
    expect(run.extra.filter((m) => NEVER.includes(m) || m === 'http' || m === '_http_client')).toEqual([]);
    expect(run.stdout).toMatch(/^✅ webhook \(webhook\): delivered \[\d+ ms\]\n$/);
    expect(run.stderr).toBe('');
    // The webhook's chunk and the CLI's event, and not the message renderer: the body is the event.
    expect(run.chunks).toHaveLength(2);
    expect(run.chunks.filter(buildsLocalEvent)).toHaveLength(1);
    expect(run.chunks.some(renders)).toBe(false);
  });

  /** A push on GitHub Actions, as the runner gives it: its variables, the event file, a job summary file. */
  function githubStep(repo: { sha: string }, inputs: Record<string, string>) {
    const event = join(root, 'push.json');
    writeFileSync(
      event,
      JSON.stringify({
        ref: 'refs/heads/main',
        after: repo.sha,
        repository: { full_name: 'acme/api', html_url: 'https://github.com/acme/api' },
        head_commit: { id: repo.sha, message: 'Ship it', author: { name: 'Mona Lisa', email: 'mona@example.com' } },
        sender: { login: 'monalisa' },
      }),
    );
    const summary = join(root, `summary-${Math.random().toString(36).slice(2)}.md`);
    const env: Record<string, string> = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_NUMBER: '128',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: event,
      GITHUB_SHA: repo.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_ACTOR: 'monalisa',
      GITHUB_STEP_SUMMARY: summary,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    return { env, heading: () => readFileSync(summary, 'utf8').split('\n')[0] };
  }

  it('reads a plain YAML list of targets without the yaml package, and any other YAML with it', async () => {
    const repo = checkout();
    const plain = await bundleRun(node, ['--status', 'failure'], repo.dir, {
      NOTIFY_CHANNELS: [
        '- type: webhook   # the first',
        `  url: ${receiver.origin}/hook?n=1`,
        '- type: webhook',
        '  name: second',
        `  url: '${receiver.origin}/hook?n=2'`,
        '  timeout: 5',
      ].join('\n'),
    });
    expect(plain.code).toBe(0);
    expect(receiver.requests.map((r) => r.url).sort()).toEqual(['/hook?n=1', '/hook?n=2']);
    expect(plain.stdout).toMatch(/^✅ webhook\b.*\n✅ second\b.*\n$/);
    expect(plain.chunks.filter(parsesYaml)).toEqual([]);
    // An anchor is outside the plain subset: the yaml package reads it.
    const anchored = await bundleRun(node, ['--status', 'failure', '--dry-run'], repo.dir, {
      NOTIFY_CHANNELS: `- type: webhook\n  url: &hook ${receiver.origin}/hook\n- type: webhook\n  name: again\n  url: *hook`,
    });
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/✅ webhook\b.*dry run[^]*✅ again\b.*dry run/);
    expect(anchored.chunks.filter(parsesYaml)).toHaveLength(1);
  });

  it("a GitHub Actions run never loads the CLI's event and git reading, nor the renderer for its summary", async () => {
    const repo = checkout();
    const step = githubStep(repo, { channel: 'webhook', url: `${receiver.origin}/hook`, status: 'success' });
    const run = await bundleRun(node, [], repo.dir, step.env);
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.json() as { provider: string; commit: { sha: string; message: string } };
    expect([body.provider, body.commit.sha, body.commit.message]).toEqual(['github', repo.sha, 'Ship it']);
    expect(run.chunks.length).toBeGreaterThan(1); // the GitHub platform's and the webhook's
    expect(run.chunks.filter(buildsLocalEvent)).toEqual([]);
    expect(buildsLocalEvent(BUNDLE)).toBe(false); // nor is it in the entry, parsed by every run
    expect(run.extra.filter((m) => NEVER.includes(m))).toEqual([]);
    // The summary's heading is the default title, from render/title.ts alone: the webhook sends the
    // event, so nothing lays out a message and the renderer's chunks stay unread.
    expect(step.heading()).toBe('### ✅ acme/api · main · CI #128 succeeded — notifications');
    expect(run.chunks.some(renders)).toBe(false);
    expect(run.chunks.filter(titleOnly)).toHaveLength(1);
  });

  it("a GitHub Actions run whose target lays out a message takes the summary's heading from the renderer", async () => {
    const repo = checkout();
    const step = githubStep(repo, {
      channel: 'slack',
      url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
      status: 'failure',
      dry_run: 'true',
    });
    const run = await bundleRun(node, [], repo.dir, step.env);
    expect(run.code).toBe(0);
    expect(step.heading()).toBe('### ❌ acme/api · main · CI #128 failed — notifications');
    expect(run.chunks.some(renders)).toBe(true);
    expect(run.chunks.filter(titleOnly)).toEqual([]);
  });

  it('loads the message renderer for a channel that lays out the message, and only then', async () => {
    const repo = checkout();
    const chat = await bundleRun(node, ['--channel', 'slack', '--status', 'failure', '--dry-run'], repo.dir, {
      NOTIFY_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
    });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('Pipeline failed');
    expect(chat.chunks.some(renders)).toBe(true);
    // One file holds the renderer: the message's chunk carries the template renderer too, so the
    // template's own chunk (the same code again) is never read beside it.
    expect(chat.chunks.filter(holdsTemplate)).toHaveLength(1);
    // A webhook with format: template renders the template.
    const template = await bundleRun(node, ['--channel', 'webhook', '--status', 'failure', '--dry-run'], repo.dir, {
      NOTIFY_URL: `${receiver.origin}/hook`,
      NOTIFY_FORMAT: 'template',
      NOTIFY_TEMPLATE: '{"text": "${status_text}"}',
    });
    expect(template.code).toBe(0);
    expect(template.stdout).toContain('"text": "Failed"');
    expect(template.chunks.some(renders)).toBe(true);
  });
});

describe('the bundle as V8 compiles it', () => {
  /**
   * scripts/minify-chunks.mjs writes every webpack module function as `(function(…){…})`, which V8
   * compiles with the file; an arrow function there would be pre-parsed, then parsed again when its
   * module first runs (every module of the entry and of a loaded chunk runs).
   */
  it('has every module function of every file as a parenthesized function expression', () => {
    const dist = join(BUNDLE, '..');
    const files = readdirSync(dist).filter((f) => /^(\d+\.)?index\.js$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(dist, file), 'utf8');
      const ast = parseJs(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
      const tables: {
        properties: { key: { value: unknown }; value: { type: string; start: number; end: number } }[];
      }[] = [];
      const walk = (node: unknown): void => {
        if (!node || typeof node !== 'object') return;
        const n = node as {
          type?: string;
          properties?: { key?: { type: string; value: unknown }; value?: { type?: string } }[];
        };
        if (
          n.type === 'ObjectExpression' &&
          n.properties?.length &&
          n.properties.every((p) => typeof p.key?.value === 'number' && /Function/.test(p.value?.type ?? ''))
        )
          tables.push(node as (typeof tables)[number]);
        else for (const value of Object.values(node)) if (value && typeof value === 'object') walk(value);
      };
      walk(ast);
      expect([file, tables.length]).toEqual([file, 1]);
      for (const { key, value } of tables[0]!.properties)
        expect([file, key.value, value.type, source[value.start - 1], source[value.end]]).toEqual([
          file,
          key.value,
          'FunctionExpression',
          '(',
          ')',
        ]);
    }
  });
});
