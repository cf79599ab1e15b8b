/**
 * The GitLab CI/CD component (templates/notify.yml) run for real by gitlab-ci-local with its shell
 * executor: a throw-away git project includes the component locally, its bundle is a copy of the
 * built dist/, and NOTIFY_URL points at a loopback webhook receiver. One include must give exactly
 * one notification with the pipeline's outcome.
 *
 * Needs: dist/ built (`npm run build`), rsync (gitlab-ci-local copies the workspace with it) and
 * Node ≥ 22 for gitlab-ci-local (scripts/node24.mjs installs one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { parseAllDocuments } from 'yaml';
import { INPUTS } from '../src/inputs.js';
import { NODE24 } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const ROOT = process.cwd();
/**
 * gitlab-ci-local needs Node >= 22: this Node if it is, else the Actions runtime that
 * scripts/node24.mjs (npm pretest) installs or CI_NOTIFY_NODE24 names. The jobs run on it too.
 */
const GCL_NODE = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : NODE24;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
/** The bundle under test; CI_NOTIFY_TEST_BUNDLE_DIR lets a developer try a bundle built elsewhere. */
const BUNDLE_DIR = process.env.CI_NOTIFY_TEST_BUNDLE_DIR ?? join(ROOT, 'dist');
const FIXTURES = join(ROOT, '__tests__', 'support', 'gitlab-fixtures');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A token in the webhook URL: it must never show up in the job log. */
const URL_TOKEN = 'glpat-notify-7f3a9c2e51d8';

interface PipelineRun {
  code: number | null;
  output: string;
  headSha: string;
}

function requirePrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(join(BUNDLE_DIR, 'index.js'))) missing.push(`${join(BUNDLE_DIR, 'index.js')} (run npm run build)`);
  if (!existsSync(GCL_NODE)) missing.push(`Node >= 22 at ${GCL_NODE} (npm run pretest, or set CI_NOTIFY_NODE24)`);
  if (spawnSync('rsync', ['--version']).status !== 0) missing.push('rsync (apt-get install -y rsync)');
  if (missing.length) throw new Error(`gitlab-ci-local component test needs: ${missing.join('; ')}`);
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A project gitlab-ci-local accepts: a git repository with a commit, an `origin` remote (which
 * gives CI_PROJECT_PATH acme/api and CI_SERVER_URL https://gitlab.example.com), the component at
 * templates/notify.yml and the bundle at ci-notify/.
 */
function makeProject(
  pipelineFixture: string,
  replacements: Record<string, string> = {},
): { dir: string; headSha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-gitlab-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'mona@example.com');
  git(dir, 'config', 'user.name', 'Mona Lisa');
  git(dir, 'config', 'commit.gpgsign', 'false');
  cpSync(join(ROOT, 'templates', 'notify.yml'), join(dir, 'templates', 'notify.yml'), { recursive: true });
  cpSync(BUNDLE_DIR, join(dir, 'ci-notify'), { recursive: true });
  let pipeline = readFileSync(join(FIXTURES, pipelineFixture), 'utf8');
  for (const [from, to] of Object.entries(replacements)) pipeline = pipeline.split(from).join(to);
  writeFileSync(join(dir, '.gitlab-ci.yml'), pipeline);
  writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Fix payment path');
  git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:acme/api.git');
  return { dir, headSha: git(dir, 'rev-parse', 'HEAD') };
}

async function runPipeline(
  pipelineFixture: string,
  variables: Record<string, string>,
  replacements: Record<string, string> = {},
): Promise<PipelineRun & { dir: string }> {
  const { dir, headSha } = makeProject(pipelineFixture, replacements);
  mkdirSync(join(dir, '.gcl-tmp'));
  const args = [
    GITLAB_CI_LOCAL,
    // The component names a Node image; here node comes from the PATH, as on a shell runner.
    '--force-shell-executor',
    '--home',
    join(dir, '.gcl-home'),
    // gitlab-ci-local says GITLAB_CI=false; a GitLab runner says true, and that picks the platform.
    '--variable',
    'GITLAB_CI=true',
    '--ignore-predefined-vars',
    'GITLAB_CI',
  ];
  for (const [name, value] of Object.entries(variables)) args.push('--variable', `${name}=${value}`);
  // A clean environment: nothing of the outer CI (GITHUB_ACTIONS, NOTIFY_*) may leak into the jobs.
  const env = {
    PATH: `${dirname(GCL_NODE)}:${process.env.PATH ?? ''}`,
    HOME: join(dir, '.gcl-home'),
    // The component downloads an https:// bundle under TMPDIR: keep it inside the throw-away project.
    TMPDIR: join(dir, '.gcl-tmp'),
    LANG: 'C.UTF-8',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(GCL_NODE, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, headSha, dir }));
  });
}

interface BundleHost {
  /** https://127.0.0.1:<port>/dist/index.js */
  url: string;
  /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS in the job. */
  caFile: string;
  /** Paths requested, in order. */
  requested: string[];
  close(): Promise<void>;
}

/** Serves the bundle directory over https on loopback, as a GitLab or GitHub raw URL would. */
async function hostBundle(dir: string): Promise<BundleHost> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const caFile = join(mkdtempSync(join(tmpdir(), 'ci-notify-ca-')), 'ca.pem');
  writeFileSync(caFile, pems.cert);
  const requested: string[] = [];
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
    requested.push(path);
    const name = path.replace(/^\/dist\//, '');
    const file = join(dir, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/dist/index.js`,
    caFile,
    requested,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          rmSync(dirname(caFile), { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}

/** Fails with the pipeline log when the receiver did not get exactly one delivery. */
function expectOneDelivery(run: PipelineRun, receiver: Receiver): void {
  if (receiver.requests.length !== 1) {
    throw new Error(
      `expected exactly one delivery, got ${receiver.requests.length}; gitlab-ci-local said:\n${run.output.slice(-4000)}`,
    );
  }
}

/** The event gitlab-ci-local's predefined variables give for this project's `main` branch. */
function expectedEvent(
  status: 'success' | 'failure',
  jobName: string,
  headSha: string,
  params: Record<string, string>,
) {
  return {
    schema: 'ci-notify.event/v1',
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    provider: 'gitlab',
    status,
    previous_status: null,
    transition: null,
    pipeline: {
      id: expect.stringMatching(/^\d+$/),
      number: expect.any(Number),
      attempt: null,
      name: null,
      url: expect.stringMatching(/^https:\/\/gitlab\.example\.com\/acme\/api\/pipelines\/\d+$/),
      trigger: 'push',
      started_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      finished_at: null,
      duration_ms: expect.any(Number),
    },
    job: {
      id: expect.stringMatching(/^\d+$/),
      name: jobName,
      stage: '.post',
      url: expect.stringMatching(/^https:\/\/gitlab\.example\.com\/acme\/api\/-\/jobs\/\d+$/),
    },
    jobs: [],
    repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: 'https://gitlab.example.com/acme/api' },
    ref: { name: 'main', type: 'branch', url: 'https://gitlab.example.com/acme/api/-/tree/main' },
    commit: {
      sha: headSha,
      short_sha: headSha.slice(0, 8),
      // gitlab-ci-local's fixed stand-ins for CI_COMMIT_TITLE / CI_COMMIT_MESSAGE.
      title: 'Commit Title',
      message: 'Commit Title\nMore commit text',
      url: `https://gitlab.example.com/acme/api/-/commit/${headSha}`,
      before_sha: null,
      // gitlab-ci-local sets no CI_COMMIT_AUTHOR.
      author: null,
    },
    change_request: null,
    // GITLAB_USER_* from the repository's git config (the login is the e-mail's local part).
    actor: { login: 'mona', name: 'Mona Lisa', email: 'mona@example.com' },
    people: [],
    params,
    server_url: 'https://gitlab.example.com',
  };
}

describe('GitLab CI/CD component under gitlab-ci-local', () => {
  let receiver: Receiver;
  const projects: string[] = [];

  beforeAll(() => requirePrerequisites());

  beforeEach(async () => {
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  afterAll(() => {
    for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  });

  it('notifies "success" exactly once when every job passes (an allowed failure counts as passing)', async () => {
    const run = await runPipeline('passing.gitlab-ci.yml', {
      NOTIFY_URL: `${receiver.origin}/hooks/ci?token=${URL_TOKEN}`,
      // The include sets params, and an input given in the include wins over the variable.
      NOTIFY_PARAMS: 'source=variable',
    });
    projects.push(run.dir);

    expectOneDelivery(run, receiver);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/PASS\s+ci-notify-success/);
    expect(run.output).not.toMatch(/ci-notify-failure\s+starting/);
    const [delivery] = receiver.requests;
    expect(delivery!.method).toBe('POST');
    expect(delivery!.query).toEqual({ token: URL_TOKEN });
    expect(delivery!.headers['content-type']).toMatch(/^application\/json/);
    expect(delivery!.headers['x-ci-notify-event']).toBe('pipeline');
    expect(delivery!.headers['user-agent']).toBe(`ci-notify/${PACKAGE_VERSION}`);
    expect(delivery!.json()).toEqual(
      expectedEvent('success', 'ci-notify-success', run.headSha, { env: 'staging', team: 'payments' }),
    );
    expect(delivery!.headers['x-ci-notify-delivery']).toBe((delivery!.json() as { id: string }).id);
    expect(run.output).not.toContain(URL_TOKEN);
  }, 120_000);

  it('notifies "failure" exactly once when a job fails, and a NOTIFY_* variable fills an input the include left empty', async () => {
    const run = await runPipeline('failing.gitlab-ci.yml', {
      NOTIFY_URL: `${receiver.origin}/hooks/ci?token=${URL_TOKEN}`,
      NOTIFY_PARAMS: 'source=variable',
    });
    projects.push(run.dir);

    expectOneDelivery(run, receiver);
    expect(run.output).toMatch(/FAIL\s+test/);
    expect(run.output).toMatch(/ci-notify-failure\s+starting/);
    expect(run.output).not.toMatch(/ci-notify-success\s+starting/);
    const [delivery] = receiver.requests;
    expect(delivery!.json()).toEqual(
      expectedEvent('failure', 'ci-notify-failure', run.headSha, { source: 'variable' }),
    );
    expect(run.output).not.toContain(URL_TOKEN);
  }, 120_000);

  it('fetches the bundle and its lazily loaded chunks from an https:// URL', async () => {
    const host = await hostBundle(BUNDLE_DIR);
    try {
      const run = await runPipeline(
        'https-bundle.gitlab-ci.yml',
        { HOOK_URL: `${receiver.origin}/hooks/ci?token=${URL_TOKEN}`, NODE_EXTRA_CA_CERTS: host.caFile },
        { __BUNDLE_URL__: host.url },
      );
      projects.push(run.dir);

      expectOneDelivery(run, receiver);
      expect((receiver.requests[0]!.json() as { status: string }).status).toBe('success');
      const chunks = readdirSync(BUNDLE_DIR).filter((f) => /^\d+\.index\.js$/.test(f));
      expect([...host.requested].sort()).toEqual(['/dist/index.js', ...chunks.map((c) => `/dist/${c}`)].sort());
    } finally {
      await host.close();
    }
  }, 120_000);
});

describe('templates/notify.yml', () => {
  const component = readFileSync(join(ROOT, 'templates', 'notify.yml'), 'utf8');

  const [header] = parseAllDocuments(component);
  const declared = (header!.toJS() as { spec: { inputs: Record<string, { type?: string; default?: unknown }> } }).spec
    .inputs;
  /** Inputs of the component itself, not of ci-notify. */
  const OWN = ['stage', 'image', 'bundle', 'job_name'];
  /** The `for spec in …; do` list of the script: NAME or NAME=default. */
  const loop = (/for spec in ([\s\S]*?); do/.exec(component)?.[1] ?? '')
    .split(/[\s\\]+/)
    .filter(Boolean)
    .map((item) => item.split('='));

  it('runs the published package at the version of this package when bundle is npm', () => {
    expect(component).toContain(`npx --yes ci-notify@${PACKAGE_VERSION}`);
  });

  it('declares every input of ci-notify that is not a secret or GitHub-only, and nothing else', () => {
    const expected = INPUTS.filter((i) => !i.secret && i.name !== 'needs').map((i) => i.name);
    expect(
      Object.keys(declared)
        .filter((n) => !OWN.includes(n))
        .sort(),
    ).toEqual([...expected].sort());
  });

  it('hands every input but status to the bundle through the NOTIFY_* loop, skipping the declared default', () => {
    const handed = Object.keys(declared).filter((n) => !OWN.includes(n) && n !== 'status');
    expect(loop.map(([name]) => name!.toLowerCase()).sort()).toEqual([...handed].sort());
    for (const [name, loopDefault] of loop) {
      const spec = declared[name!.toLowerCase()]!;
      // A typed input always has a value: the loop must know its default to leave it out.
      expect({ name, loopDefault: loopDefault ?? '' }).toEqual({
        name,
        loopDefault: spec.type ? String(spec.default) : '',
      });
      // Either a job variable (`NAME: $[[ … ]]` or `NAME:\n  value: $[[ … ]]`) or a script assignment.
      expect(component).toMatch(
        new RegExp(
          `CI_NOTIFY_INPUT_${name}(?::\\s*(?:\\n\\s+value:\\s*)?|=")\\$\\[\\[ inputs\\.${name!.toLowerCase()} \\]\\]`,
        ),
      );
    }
  });
});
