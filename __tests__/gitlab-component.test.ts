/**
 * The GitLab CI/CD component (templates/notify.yml) run for real by gitlab-ci-local with its shell
 * executor: a throw-away git project (gitlab.example.com/acme/api) includes the component from itself
 * at its own commit, as `component: $CI_SERVER_FQDN/acme/api/notify@$CI_COMMIT_SHA`; the receiver of
 * the notification and the GitLab API (CI_API_V4_URL) are loopback stand-ins. What the receiver gets is
 * asserted, and what GitLab decides when it creates the pipeline (options, regexes, rules).
 *
 * Needs: dist/ built (`npm run build`), rsync (gitlab-ci-local copies the workspace with it) and
 * Node ≥ 22 for gitlab-ci-local (scripts/node24.mjs installs one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { parseAllDocuments } from 'yaml';
import { CHANNEL_TYPES, loadChannels } from '../src/channels/index.js';
import { RECEIVE_ID_TYPES } from '../src/channels/lark-app.js';
import { FORMATS, SIGNATURES, webhookOptions } from '../src/channels/webhook.js';
import { matchesTrigger, transitionOf, TRIGGER_WORDS } from '../src/event/transition.js';
import { STATUSES } from '../src/event/types.js';
import { INPUTS } from '../src/inputs.js';
import { FIELD_NAMES } from '../src/render/types.js';
import {
  BUNDLE_DIR,
  COMPONENT,
  git,
  makeProject,
  PACKAGE_VERSION,
  projects,
  removeProjects,
  requireGitLabCiLocal,
  ROOT,
  type PipelineRun,
} from './support/gitlab-ci-local.js';
import {
  standInJob,
  standInPipeline,
  standInProject,
  startGitLabApi,
  type GitLabApiStandIn,
  type StandInGitLabJob,
} from './support/gitlab-api.js';
import { layOutImage } from './support/image-layout.js';
import { startProxy } from './support/proxy.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startWeComServer } from './support/wecom-server.js';

/** A token in the webhook URL: it must never show up in the job log. */
const URL_TOKEN = 'glpat-notify-7f3a9c2e51d8';
const JOB_TOKEN = 'glcbt-64_componentJobToken0123456789';
const READ_API = 'glpat-componentReadApi0123456789';

/** `include` of the component with these inputs, and the project's own jobs. */
function pipeline(inputs: Record<string, string | number | boolean>, jobs: string, include = COMPONENT): string {
  const lines = Object.entries(inputs).map(([name, value]) =>
    typeof value === 'string' && value.includes('\n')
      ? `      ${name}: |\n${value
          .split('\n')
          .map((l) => `        ${l}`)
          .join('\n')}`
      : `      ${name}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
  return ['include:', `  - ${include}`, ...(lines.length ? ['    inputs:', ...lines] : []), '', jobs].join('\n');
}

const PASSING_JOBS = `
build:
  stage: build
  script:
    - echo "building"

lint:
  stage: test
  allow_failure: true
  script:
    - echo "style nits"; exit 1

test:
  stage: test
  script:
    - echo "tests pass"
`;

/**
 * The failing job is in the last stage on purpose: gitlab-ci-local (4.x) waits for jobs of later
 * stages that GitLab would skip after a failure, and then never starts an on_failure job behind them
 * (GitLab itself counts skipped jobs as done).
 */
const FAILING_JOBS = `
build:
  stage: build
  script:
    - echo "building"

test:
  stage: test
  script:
    - echo "a test fails"; exit 1
`;

/** Fails with the pipeline log when the receiver did not get exactly `count` deliveries. */
function expectDeliveries(run: PipelineRun, receiver: Receiver, count = 1): void {
  if (receiver.requests.length !== count) {
    throw new Error(
      `expected ${count} deliveries, got ${receiver.requests.length}; gitlab-ci-local said:\n${run.output.slice(-5000)}`,
    );
  }
}

/** The result line gitlab-ci-local prints for a job: PASS, WARN <exit code> or FAIL <exit code>. */
function jobResult(run: PipelineRun, job: string): string {
  const m = new RegExp(`^${job}\\s+finished in [^\\n]*?(?:\\s+(WARN|FAIL)\\s+(\\d+))?\\s*$`, 'm').exec(run.output);
  if (!m) return run.output.includes(`${job} `) ? 'not finished' : 'not created';
  return m[1] ? `${m[1]} ${m[2]}` : 'PASS';
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

interface BundleHost {
  /** https://127.0.0.1:<port>/dist/index.js */
  url: string;
  port: number;
  /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS in the job. */
  caFile: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, and a PEM file of it for NODE_EXTRA_CA_CERTS. */
async function loopbackCertificate(): Promise<{ key: string; cert: string; caFile: string }> {
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
  return { key: pems.private, cert: pems.cert, caFile };
}

/** Serves a bundle directory over https on loopback, as GitLab's package registry would. */
async function hostBundle(dir: string): Promise<BundleHost> {
  const { key, cert, caFile } = await loopbackCertificate();
  const requests: BundleHost['requests'] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
    requests.push({ path, headers: req.headers });
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
    port,
    caFile,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dirname(caFile), { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('GitLab CI/CD component under gitlab-ci-local', () => {
  let receiver: Receiver;
  let imageBin: string;

  beforeAll(() => {
    requireGitLabCiLocal();
    const layout = layOutImage(mkdtempSync(join(tmpdir(), 'ci-notify-image-')));
    projects.push(layout.root);
    imageBin = join(layout.root, 'opt', 'ci-notify', 'bin');
  });
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });
  afterAll(() => removeProjects());

  describe('where the bundle comes from', () => {
    it('runs the ci-notify of the image by default (nothing downloaded) and notifies "success" exactly once', async () => {
      const project = makeProject(
        pipeline(
          { channel: 'webhook', params: 'env=staging\nteam=payments', retries: 0 },
          `${PASSING_JOBS}\nci-notify-success:\n  after_script:\n    - echo "image=$CI_NOTIFY_IMAGE"\n`,
        ),
      );
      const run = await project.run(
        // The include sets params, and an input given in the include wins over the variable.
        { NOTIFY_URL: `${receiver.origin}/hooks/ci?token=${URL_TOKEN}`, NOTIFY_PARAMS: 'source=variable' },
        // A shell runner whose machine has the image's files: ci-notify on the PATH.
        { path: [imageBin] },
      );

      expectDeliveries(run, receiver);
      expect(jobResult(run, 'ci-notify-success')).toBe('PASS');
      expect(jobResult(run, 'ci-notify-failure')).toBe('not created');
      const [delivery] = receiver.requests;
      expect(delivery!.method).toBe('POST');
      expect(delivery!.query).toEqual({ token: URL_TOKEN });
      expect(delivery!.headers['content-type']).toMatch(/^application\/json/);
      expect(delivery!.headers['x-ci-notify-event']).toBe('pipeline');
      expect(delivery!.headers['user-agent']).toBe(`ci-notify/${PACKAGE_VERSION}`);
      expect(delivery!.json()).toEqual(
        expectedEvent('success', 'ci-notify-success', project.headSha, { env: 'staging', team: 'payments' }),
      );
      expect(delivery!.headers['x-ci-notify-delivery']).toBe((delivery!.json() as { id: string }).id);
      // gitlab-ci-local gives a component included by SHA that SHA as its version.
      expect(run.output).toContain(`image=registry.gitlab.com/ci-notify/ci-notify:${project.headSha}\n`);
      expect(run.output).not.toContain(URL_TOKEN);
    }, 120_000);

    it('says in one line, and fails the job, when the image has no ci-notify', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', image: 'node:24-alpine' }, PASSING_JOBS));
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` });
      expect(jobResult(run, 'ci-notify-success')).toBe('FAIL 2');
      expect(run.output).toContain(
        "> bundle: this job's image has no ci-notify (the default bundle is the copy in the ci-notify image); leave the image input empty, or set bundle to npm, an https:// URL or a path in the workspace",
      );
      expect(receiver.requests).toHaveLength(0);
    }, 120_000);

    it('runs the image of the version this file was released with when the include names no release, and a given image as given', async () => {
      // What GitLab does for an include by SHA or branch: component.version is empty.
      const unversioned = readFileSync(join(ROOT, 'templates', 'notify.yml'), 'utf8')
        .replace(/^ {2}component: \[version\]\n/m, '')
        .replaceAll('$[[ component.version ]]', '');
      const show = '\nci-notify-success:\n  after_script:\n    - echo "image=$CI_NOTIFY_IMAGE"\n';
      const project = makeProject(
        pipeline(
          { channel: 'webhook', dry_run: true },
          `${PASSING_JOBS}${show}`,
          'component: $CI_SERVER_FQDN/acme/api/unversioned@$CI_COMMIT_SHA',
        ),
        { 'templates/unversioned.yml': unversioned },
      );
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` }, { path: [imageBin] });
      expect(run.output).toContain(`image=registry.gitlab.com/ci-notify/ci-notify:${PACKAGE_VERSION}\n`);

      project.update(
        pipeline(
          { channel: 'webhook', dry_run: true, image: 'harbor.example.cn/mirror/ci-notify:1.0.0' },
          `${PASSING_JOBS}${show}`,
        ),
      );
      const mirrored = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` }, { path: [imageBin] });
      expect(mirrored.output).toContain('image=harbor.example.cn/mirror/ci-notify:1.0.0\n');
    }, 120_000);

    it('notifies "failure" exactly once from the dist/ folder in the workspace, and a NOTIFY_* variable fills an input the include left empty', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', bundle: 'ci-notify/', retries: 0 }, FAILING_JOBS));
      const run = await project.run({
        NOTIFY_URL: `${receiver.origin}/hooks/ci?token=${URL_TOKEN}`,
        NOTIFY_PARAMS: 'source=variable',
      });

      expectDeliveries(run, receiver);
      expect(jobResult(run, 'test')).toBe('FAIL 1');
      expect(jobResult(run, 'ci-notify-failure')).toBe('PASS');
      expect(jobResult(run, 'ci-notify-success')).toBe('not created');
      expect(receiver.requests[0]!.json()).toEqual(
        expectedEvent('failure', 'ci-notify-failure', project.headSha, { source: 'variable' }),
      );
      expect(run.output).not.toContain(URL_TOKEN);
    }, 120_000);

    it('runs a copied dist/index.js in a repository whose package.json says CommonJS', async () => {
      const project = makeProject(
        pipeline({ channel: 'webhook', bundle: 'vendor/ci-notify/index.js', retries: 0 }, PASSING_JOBS),
        {
          'package.json': '{"name": "app", "type": "commonjs"}\n',
        },
      );
      cpSync(BUNDLE_DIR, join(project.dir, 'vendor', 'ci-notify'), { recursive: true });
      git(project.dir, 'add', '-A');
      git(project.dir, 'commit', '-q', '-m', 'Vendor ci-notify');
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` });
      expectDeliveries(run, receiver);
      expect(jobResult(run, 'ci-notify-success')).toBe('PASS');
    }, 120_000);

    it('says in one line which chunk is missing beside a copied index.js, runs nothing, prints none of the bundle, and fails the job', async () => {
      // The first chunk index.js lists (its checksums line) is the first one looked for.
      const listed = /^\/\/ ci-notify-chunks (\d+):/m.exec(readFileSync(join(BUNDLE_DIR, 'index.js'), 'utf8'));
      const chunk = `${listed![1]}.index.js`;
      const project = makeProject(pipeline({ channel: 'webhook', bundle: 'vendor/ci-notify/index.js' }, PASSING_JOBS), {
        'package.json': '{"name": "app", "type": "commonjs"}\n',
        'vendor/ci-notify/index.js': readFileSync(join(BUNDLE_DIR, 'index.js'), 'utf8'),
      });
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` });
      expect(jobResult(run, 'ci-notify-success')).toBe('FAIL 2');
      const said = run.output.split('\n').filter((line) => line.startsWith('ci-notify-success > '));
      expect(said).toEqual([
        `ci-notify-success > bundle: ${chunk} is missing beside vendor/ci-notify/index.js: copy the whole dist/ folder of one ci-notify build (index.js and every N.index.js)`,
      ]);
      expect(run.output).not.toContain('__nccwpck_require__');
      expect(receiver.requests).toHaveLength(0);
    }, 120_000);

    it('refuses a file that is not a ci-notify bundle without running it', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', bundle: 'tools/notify.js' }, PASSING_JOBS), {
        'tools/notify.js': 'console.log("I would do anything");\n',
      });
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` });
      expect(jobResult(run, 'ci-notify-success')).toBe('FAIL 2');
      expect(run.output).toContain(
        'ci-notify-success > bundle: tools/notify.js is not a ci-notify bundle (the dist/index.js of a build); nothing was run',
      );
      expect(run.output).not.toContain('> I would do anything');
    }, 120_000);

    describe('from an https:// URL', () => {
      let host: BundleHost;
      beforeEach(async () => {
        host = await hostBundle(BUNDLE_DIR);
      });
      afterEach(async () => {
        await host.close();
      });
      const chunks = () => readdirSync(BUNDLE_DIR).filter((f) => /^\d+\.index\.js$/.test(f));
      const urlPipeline = (inputs: Record<string, string>) =>
        pipeline(
          { bundle: host.url, channel: 'webhook', retries: 0, ...inputs },
          'test:\n  stage: test\n  script:\n    - echo "tests pass"\n',
        );

      it('downloads index.js and every chunk through HTTPS_PROXY, checks bundle_sha256, and sends the job token to its GitLab only', async () => {
        const proxy = await startProxy();
        try {
          const project = makeProject(urlPipeline({ bundle_sha256: sha256(join(BUNDLE_DIR, 'index.js')) }));
          const run = await project.run({
            NOTIFY_URL: `${receiver.origin}/hook`,
            NODE_EXTRA_CA_CERTS: host.caFile,
            HTTPS_PROXY: proxy.url,
            // The receiver and gitlab-ci-local's GitLab are not behind it: only the bundle goes through the proxy.
            NO_PROXY: `127.0.0.1:${receiver.port},gitlab.example.com`,
            CI_SERVER_HOST: '127.0.0.1',
            CI_SERVER_PORT: String(host.port),
            CI_JOB_TOKEN: JOB_TOKEN,
          });
          expectDeliveries(run, receiver);
          expect(host.requests.map((r) => r.path).sort()).toEqual(
            ['/dist/index.js', ...chunks().map((c) => `/dist/${c}`)].sort(),
          );
          expect(host.requests.every((r) => r.headers['job-token'] === JOB_TOKEN)).toBe(true);
          expect(proxy.seen.map((s) => `${s.method} ${s.target}`)).toEqual(
            host.requests.map(() => `CONNECT 127.0.0.1:${host.port}`),
          );
          expect(run.output).not.toContain(JOB_TOKEN);
        } finally {
          await proxy.close();
        }
      }, 120_000);

      it('goes around the proxy for a NO_PROXY host and sends no job token to a host that is not its GitLab', async () => {
        const proxy = await startProxy();
        try {
          const project = makeProject(urlPipeline({}));
          const run = await project.run({
            NOTIFY_URL: `${receiver.origin}/hook`,
            NODE_EXTRA_CA_CERTS: host.caFile,
            HTTPS_PROXY: proxy.url,
            NO_PROXY: '127.0.0.1,gitlab.example.com',
            CI_JOB_TOKEN: JOB_TOKEN,
          });
          expectDeliveries(run, receiver);
          expect(proxy.seen).toEqual([]);
          expect(host.requests.some((r) => 'job-token' in r.headers)).toBe(false);
        } finally {
          await proxy.close();
        }
      }, 120_000);

      it('fails the job with one line, running nothing, when bundle_sha256 does not match', async () => {
        const actual = sha256(join(BUNDLE_DIR, 'index.js'));
        const project = makeProject(urlPipeline({ bundle_sha256: 'ab'.repeat(32) }));
        const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook`, NODE_EXTRA_CA_CERTS: host.caFile });
        expect(jobResult(run, 'ci-notify-success')).toBe('FAIL 2');
        expect(run.output).toContain(
          `ci-notify-success > bundle: bundle_sha256 does not match: 127.0.0.1:${host.port}/dist/index.js has sha256 ${actual}, not ${'ab'.repeat(32)}; nothing was run (another ci-notify version needs its own checksum)`,
        );
        expect(receiver.requests).toHaveLength(0);
      }, 120_000);
    });
  });

  describe('pipeline facts from the GitLab API', () => {
    let api: GitLabApiStandIn;
    beforeEach(async () => {
      api = await startGitLabApi();
      api.projects.push(standInProject());
      api.jobTokens.set(JOB_TOKEN, 1217);
      api.apiTokens.push({ value: READ_API, scopes: ['read_api'], projects: [1217] });
    });
    afterEach(async () => {
      await api.close();
    });
    const apiVariables = (token = true): Record<string, string> => ({
      CI_API_V4_URL: api.url,
      CI_JOB_TOKEN: JOB_TOKEN,
      ...(token ? { NOTIFY_GITLAB_TOKEN: READ_API } : {}),
    });
    /** gitlab-ci-local numbers the pipelines of a project 1000, 1001, … (CI_PIPELINE_ID). */
    const jobsOf = (pipelineId: number, jobs: StandInGitLabJob[]) => api.projects[0]!.jobs.set(pipelineId, jobs);

    it('names the failed job with its link', async () => {
      jobsOf(1000, [
        standInJob({ id: 11, name: 'build', stage: 'build', status: 'success' }),
        standInJob({ id: 12, name: 'test', stage: 'test', status: 'failed' }),
        standInJob({ id: 13, name: 'ci-notify-failure', stage: '.post', status: 'running' }),
      ]);
      const project = makeProject(pipeline({ channel: 'webhook', retries: 0 }, FAILING_JOBS));
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook`, ...apiVariables() }, { path: [imageBin] });
      expectDeliveries(run, receiver);
      const event = receiver.requests[0]!.json() as { pipeline: { id: string }; jobs: unknown[] };
      expect(event.pipeline.id).toBe('1000');
      expect(event.jobs).toEqual([
        expect.objectContaining({ name: 'build', status: 'success' }),
        {
          name: 'test',
          status: 'failure',
          url: 'https://gitlab.example.com/acme/api/-/jobs/12',
          duration_ms: 12500,
          stage: 'test',
          allow_failure: false,
          failed_step: null,
        },
      ]);
      expect(run.output).not.toContain(READ_API);
    }, 120_000);

    it('reports a pipeline that passed with an allowed failure as success, naming that job', async () => {
      jobsOf(1000, [
        standInJob({ id: 21, name: 'build', stage: 'build', status: 'success' }),
        standInJob({ id: 22, name: 'lint', stage: 'test', status: 'failed', allow_failure: true }),
        standInJob({ id: 23, name: 'test', stage: 'test', status: 'success' }),
        standInJob({ id: 24, name: 'ci-notify-success', stage: '.post', status: 'running' }),
      ]);
      // The event to a webhook, and the message to a WeCom robot.
      const wecom = await startWeComServer();
      const channels = '- type: webhook\n  url: env:HOOK_URL\n- type: wecom\n  url: env:WECOM_URL';
      const project = makeProject(pipeline({ channels, retries: 0 }, PASSING_JOBS));
      const run = await project
        .run({ HOOK_URL: `${receiver.origin}/hook`, WECOM_URL: wecom.url, ...apiVariables() }, { path: [imageBin] })
        .finally(() => wecom.close());
      expectDeliveries(run, receiver);
      const markdown = (wecom.received as { markdown?: { content: string } }[]).map((m) => m.markdown?.content ?? '');
      expect(markdown).toHaveLength(1);
      expect(markdown[0]).toContain('passed with warnings');
      expect(markdown[0]).toContain('[lint](https://gitlab.example.com/acme/api/-/jobs/22)');
      const event = receiver.requests[0]!.json() as { status: string; jobs: { name: string }[] };
      expect(event.status).toBe('success');
      expect(event.jobs.filter((j) => j.name === 'lint')).toEqual([
        {
          name: 'lint',
          status: 'failure',
          url: 'https://gitlab.example.com/acme/api/-/jobs/22',
          duration_ms: 12500,
          stage: 'test',
          allow_failure: true,
          failed_step: null,
        },
      ]);
    }, 120_000);

    it('notifies "fixed" on failure → success, and not on success → success', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', notify_on: 'fixed', retries: 0 }, FAILING_JOBS));
      const variables = { NOTIFY_URL: `${receiver.origin}/hook`, ...apiVariables() };
      // Pipeline 1000 fails: `fixed` cannot match a failure, so no failure job is even created.
      const failed = await project.run(variables, { path: [imageBin] });
      expect(jobResult(failed, 'test')).toBe('FAIL 1');
      expect(jobResult(failed, 'ci-notify-failure')).toBe('not created');
      api.projects[0]!.pipelines.push(standInPipeline({ id: 1000, status: 'failed', sha: project.headSha }));

      project.update(pipeline({ channel: 'webhook', notify_on: 'fixed', retries: 0 }, PASSING_JOBS));
      jobsOf(1001, [standInJob({ id: 31, name: 'test', stage: 'test', status: 'success' })]);
      const fixed = await project.run(variables, { path: [imageBin] });
      expectDeliveries(fixed, receiver);
      expect(receiver.requests[0]!.json()).toEqual(
        expect.objectContaining({ status: 'success', previous_status: 'failure', transition: 'fixed' }),
      );
      api.projects[0]!.pipelines.push(standInPipeline({ id: 1001, status: 'success', sha: project.headSha }));

      jobsOf(1002, [standInJob({ id: 41, name: 'test', stage: 'test', status: 'success' })]);
      const stillGreen = await project.run(variables, { path: [imageBin] });
      expect(jobResult(stillGreen, 'ci-notify-success')).toBe('PASS');
      expect(stillGreen.output).toContain('webhook: not notified (notify_on: fixed; status success, unchanged)');
      expectDeliveries(stillGreen, receiver, 1);
    }, 180_000);

    it('warns exactly once, naming gitlab_token, when two targets wait for "fixed" and no token can read the pipelines', async () => {
      jobsOf(1000, [standInJob({ id: 51, name: 'test', stage: 'test', status: 'success' })]);
      const channels =
        '- type: webhook\n  name: ops\n  url: env:OPS_HOOK\n  notify_on: fixed\n- type: webhook\n  name: team\n  url: env:TEAM_HOOK\n  notify_on: fixed';
      const project = makeProject(pipeline({ channels, retries: 0 }, PASSING_JOBS));
      const run = await project.run(
        { OPS_HOOK: `${receiver.origin}/ops`, TEAM_HOOK: `${receiver.origin}/team`, ...apiVariables(false) },
        { path: [imageBin] },
      );
      const warnings = run.output.split('\n').filter((line) => line.includes('warning:'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        "notify_on: fixed needs the previous run's status, which is unknown: gitlab_token is not set (a token with read_api, as the masked CI/CD variable NOTIFY_GITLAB_TOKEN; CI_JOB_TOKEN may not list pipelines). They do not match this run.",
      );
      expect(receiver.requests).toHaveLength(0);
    }, 120_000);
  });

  describe('what GitLab decides when it creates the pipeline', () => {
    it('rejects a mistyped channel before any job runs', async () => {
      const project = makeProject(pipeline({ channel: 'dingtallk' }, PASSING_JOBS));
      const run = await project.run({});
      expect(run.output).toContain(
        'This GitLab CI configuration is invalid: `templates/notify.yml`: `channel` input: `dingtallk` cannot be used because it is not in the list of allowed options.',
      );
      expect(run.output).not.toMatch(/starting shell/);
    }, 120_000);

    it('rejects a mistyped notify_on word before any job runs', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', notify_on: 'failure, fixd' }, PASSING_JOBS));
      const run = await project.run({});
      expect(run.output).toMatch(/`notify_on` input: `failure, fixd` does not match required regex/);
      expect(run.output).not.toMatch(/starting shell/);
    }, 120_000);

    it('creates no notify job on a green pipeline with notify_on: failure, given in the include or as NOTIFY_NOTIFY_ON', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', notify_on: 'failure' }, PASSING_JOBS));
      const run = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` }, { path: [imageBin] });
      expect(jobResult(run, 'test')).toBe('PASS');
      expect(jobResult(run, 'ci-notify-success')).toBe('not created');
      expect(jobResult(run, 'ci-notify-failure')).toBe('not created');

      project.update(pipeline({ channel: 'webhook' }, PASSING_JOBS));
      const byVariable = await project.run(
        { NOTIFY_URL: `${receiver.origin}/hook`, NOTIFY_NOTIFY_ON: 'failure' },
        { path: [imageBin] },
      );
      expect(jobResult(byVariable, 'ci-notify-success')).toBe('not created');
      expect(receiver.requests).toHaveLength(0);
    }, 120_000);

    it('fails the job on a configuration error (exit 2) and on a missing node (127), and lets a failed delivery pass as a warning (exit 1)', async () => {
      const project = makeProject(pipeline({ channel: 'webhook', retries: 0 }, PASSING_JOBS));
      const bad = await project.run({}, { path: [imageBin] });
      expect(jobResult(bad, 'ci-notify-success')).toBe('FAIL 2');

      receiver.reply({ status: 500, body: 'down' });
      const undelivered = await project.run({ NOTIFY_URL: `${receiver.origin}/hook` }, { path: [imageBin] });
      expect(jobResult(undelivered, 'ci-notify-success')).toBe('WARN 1');

      // A shell runner without node: only bash on the job's PATH.
      const onlyBash = mkdtempSync(join(tmpdir(), 'ci-notify-nonode-'));
      projects.push(onlyBash);
      spawnSync('ln', [
        '-s',
        spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim(),
        join(onlyBash, 'bash'),
      ]);
      const noNode = await project.run({ NOTIFY_URL: `${receiver.origin}/hook`, PATH: onlyBash });
      expect(jobResult(noNode, 'ci-notify-success')).toBe('FAIL 127');
      expect(noNode.output).toContain(
        "ci-notify-success > ci-notify: this job's image has no node on the PATH; leave the image input empty (the ci-notify image) or use an image with Node 20 or later",
      );
    }, 180_000);
  });
});

describe('templates/notify.yml', () => {
  const component = readFileSync(join(ROOT, 'templates', 'notify.yml'), 'utf8');
  const [header, body] = parseAllDocuments(component);
  type Spec = { type?: string; default?: unknown; options?: unknown[]; regex?: string };
  const spec = (header!.toJS() as { spec: { component: string[]; inputs: Record<string, Spec> } }).spec;
  const declared = spec.inputs;
  const jobs = body!.toJS() as Record<string, Record<string, unknown>>;
  const hidden = jobs['.$[[ inputs.job_name ]]']!;
  /** Inputs of the component itself, not of ci-notify. */
  const OWN = ['stage', 'image', 'bundle', 'bundle_sha256', 'job_name'];
  /** The `for spec in …; do` list of the script: NAME or NAME=default. */
  const loop = (/for spec in ([\s\S]*?); do/.exec(component)?.[1] ?? '')
    .split(/[\s\\]+/)
    .filter(Boolean)
    .map((item) => item.split('='));
  const regex = (name: string) => new RegExp(declared[name]!.regex!);

  it('runs the published package at the version of this package when bundle is npm', () => {
    expect(component).toContain(`npx --yes ci-notify@${PACKAGE_VERSION}`);
  });

  it('asks GitLab for its own version, and falls back to the image of this package version', () => {
    expect(spec.component).toEqual(['version']);
    expect(hidden.variables).toEqual(
      expect.objectContaining({
        CI_NOTIFY_RELEASE_IMAGE: 'registry.gitlab.com/ci-notify/ci-notify:$[[ component.version ]]',
      }),
    );
    const pinned = [...component.matchAll(/ci-notify:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
    expect(pinned).toEqual([PACKAGE_VERSION, PACKAGE_VERSION, PACKAGE_VERSION]);
    expect(
      component.split(`CI_NOTIFY_IMAGE: 'registry.gitlab.com/ci-notify/ci-notify:${PACKAGE_VERSION}'`),
    ).toHaveLength(3);
  });

  it('downloads nothing of the earlier jobs, and fails the job only on a configuration error or a missing node', () => {
    expect(hidden.dependencies).toEqual([]);
    expect(hidden.allow_failure).toEqual({ exit_codes: [1] });
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
      const input = declared[name!.toLowerCase()]!;
      // A typed input always has a value: the loop must know its default to leave it out.
      expect({ name, loopDefault: loopDefault ?? '' }).toEqual({
        name,
        loopDefault: input.type ? String(input.default) : '',
      });
      // Either a job variable (`NAME: $[[ … ]]` or `NAME:\n  value: $[[ … ]]`) or a script assignment.
      expect(component).toMatch(
        new RegExp(
          `CI_NOTIFY_INPUT_${name}(?::\\s*(?:\\n\\s+value:\\s*)?|=")\\$\\[\\[ inputs\\.${name!.toLowerCase()} \\]\\]`,
        ),
      );
    }
  });

  it('offers exactly the choices ci-notify accepts, so GitLab rejects a typo when it creates the pipeline', async () => {
    const msgTypes = [
      ...new Set(
        Object.values(await loadChannels(CHANNEL_TYPES)).flatMap((c) => [
          ...(c as { msgTypes: readonly string[] }).msgTypes,
        ]),
      ),
    ];
    expect(declared.channel!.options).toEqual(['', ...CHANNEL_TYPES]);
    expect([...declared.msg_type!.options!].sort()).toEqual(['', ...msgTypes].sort());
    expect(declared.format!.options).toEqual(['', ...FORMATS]);
    expect(declared.signature!.options).toEqual(['', ...SIGNATURES]);
    expect(declared.receive_id_type!.options).toEqual(['', ...RECEIVE_ID_TYPES]);
    expect(declared.locale!.options).toEqual(['', 'en', 'zh']);
    expect(declared.smtp_secure!.options).toEqual(['', 'true', 'false']);
    for (const method of declared.method!.options!.filter(Boolean)) {
      expect(webhookOptions.safeParse({ url: 'https://example.com/h', method }).success).toBe(true);
    }
    for (const name of Object.keys(declared)) {
      // Every option list holds the default, which GitLab requires.
      if (declared[name]!.options) expect(declared[name]!.options).toContain(declared[name]!.default);
    }
  });

  it('accepts every notify_on / mention_on word and list, and no other word', () => {
    for (const name of ['notify_on', 'mention_on']) {
      for (const word of TRIGGER_WORDS) expect(regex(name).test(word)).toBe(true);
      expect(regex(name).test('')).toBe(true);
      expect(regex(name).test('failure, fixed\nstill-failing;changed')).toBe(true);
      expect(regex(name).test('failed')).toBe(false);
      expect(regex(name).test('failure, fixd')).toBe(false);
    }
    for (const field of FIELD_NAMES) expect(regex('fields').test(field)).toBe(true);
    expect(regex('fields').test('repository, jobs link')).toBe(true);
    expect(regex('fields').test('repo')).toBe(false);
    expect(regex('bundle_sha256').test('')).toBe(true);
    expect(regex('bundle_sha256').test('ab'.repeat(32))).toBe(true);
    expect(regex('bundle_sha256').test('ab'.repeat(31))).toBe(false);
  });

  it('leaves out exactly the job that no notify_on word of the list can match', () => {
    // Every transition a success (failure) can have, whatever the previous run was.
    const canMatch = (status: 'success' | 'failure') =>
      TRIGGER_WORDS.filter((word) =>
        [...STATUSES, null].some((previous) =>
          matchesTrigger([word], { status, transition: transitionOf(status, previous) }),
        ),
      );
    for (const [job, status] of [
      ['$[[ inputs.job_name ]]-success', 'success'],
      ['$[[ inputs.job_name ]]-failure', 'failure'],
    ] as const) {
      const rules = jobs[job]!.rules as { if?: string; when?: string }[];
      const never = rules.filter((r) => r.when === 'never').map((r) => r.if!);
      expect(never).toHaveLength(2);
      for (const condition of never) {
        const words = /\(\(([^)]*)\)\[/.exec(condition)![1]!.replace('still[_-]failing', 'still_failing').split('|');
        expect(words.sort()).toEqual(TRIGGER_WORDS.filter((w) => !canMatch(status).includes(w)).sort());
      }
    }
  });

  it('never shows the credentials or the query of a bundle URL, also when the download hangs past its deadline', async () => {
    // The fetcher of an https:// bundle, as the job runs it: `node -e '<script>' source dir sha256`.
    const script = /node -e '(\s+const fs = [\s\S]*?)' "\$CI_NOTIFY_BUNDLE"/.exec(component)![1]!;
    // A host that takes the connection and never answers (not even the TLS handshake).
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const work = mkdtempSync(join(tmpdir(), 'ci-notify-fetch-'));
    // The 120 s deadline of the whole download, cut short so the test does not wait for it.
    const preload = join(work, 'short-deadline.cjs');
    writeFileSync(
      preload,
      'const wait = setTimeout;\nglobalThis.setTimeout = (fn, ms, ...a) => wait(fn, ms === 120000 ? 300 : ms, ...a);\n',
    );
    const secrets = ['glpat-bundleUserinfo0123456789', 'glpat-bundleQuery0123456789'];
    const path = '/api/v4/projects/7/packages/generic/ci-notify/1.0.0/index.js';
    const sources = [
      `https://oauth2:${secrets[0]}@127.0.0.1:${port}${path}?private_token=${secrets[1]}`,
      `https://${secrets[0]}@127.0.0.1:${port}${path}#${secrets[1]}`,
    ];
    try {
      for (const source of sources) {
        const child = spawn(process.execPath, ['--require', preload, '-e', script, source, join(work, 'bundle'), ''], {
          env: { PATH: process.env.PATH, TMPDIR: work },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise((resolve) => child.on('close', resolve));
        expect({ code, stderr }).toEqual({
          code: 2,
          stderr: `bundle: 127.0.0.1:${port}${path} was not ready within 120 s\n`,
        });
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('puts a bundle from the workspace beside the package.json of its own module type, and it runs', () => {
    const script = /node -e '(\s+const fs = [\s\S]*?)' "\$CI_NOTIFY_BUNDLE"/.exec(component)![1]!;
    const work = mkdtempSync(join(tmpdir(), 'ci-notify-bundle-type-'));
    try {
      // The workspace's own package.json says the opposite of each bundle: it must not matter.
      const copy = (source: string, projectType: string) => {
        const project = mkdtempSync(join(work, 'project-'));
        writeFileSync(join(project, 'package.json'), JSON.stringify({ type: projectType }));
        const dir = join(project, 'out');
        const fetched = spawnSync(process.execPath, ['-e', script, source, dir, ''], {
          cwd: project,
          env: { PATH: process.env.PATH, TMPDIR: work },
          encoding: 'utf8',
        });
        expect(fetched.stderr).toBe('');
        expect(fetched.status).toBe(0);
        return dir;
      };
      // This build: CommonJS, with its chunks.
      const ours = copy(join(ROOT, 'dist'), 'module');
      expect(JSON.parse(readFileSync(join(ours, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
      const run = spawnSync(
        process.execPath,
        [
          join(ours, 'index.js'),
          '--channel',
          'webhook',
          '--status',
          'success',
          '--url',
          'https://example.com/hook',
          '--dry-run',
        ],
        {
          cwd: work,
          env: { PATH: process.env.PATH, HOME: work },
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('✅ webhook (webhook): dry run (nothing sent)');
      // A 1.0 build was an ES module (import.meta): it gets "module", and runs as one.
      const esm = join(work, 'esm');
      cpSync(join(ROOT, 'dist'), esm, { recursive: true });
      writeFileSync(
        join(esm, 'index.js'),
        '#!/usr/bin/env node\nconst __nccwpck_require__ = {};\nconsole.log("ci-notify", typeof import.meta.url);\n',
      );
      const theirs = copy(esm, 'commonjs');
      expect(JSON.parse(readFileSync(join(theirs, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
      const old = spawnSync(process.execPath, [join(theirs, 'index.js')], { encoding: 'utf8' });
      expect([old.status, old.stdout]).toEqual([0, 'ci-notify string\n']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('names the host that redirected a bundle download, to plain http:// or to a missing file', async () => {
    const script = /node -e '(\s+const fs = [\s\S]*?)' "\$CI_NOTIFY_BUNDLE"/.exec(component)![1]!;
    const { key, cert, caFile } = await loopbackCertificate();
    const server = createServer({ key, cert }, (req, res) => {
      const to = req.url === '/plain/index.js' ? 'http://plain.example:8080/index.js' : '/gone/index.js';
      res.writeHead(req.url === '/gone/index.js' ? 404 : 302, { location: to }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const work = mkdtempSync(join(tmpdir(), 'ci-notify-fetch-'));
    try {
      const fetch = async (path: string) => {
        const child = spawn(process.execPath, ['-e', script, `https://${host}${path}`, join(work, 'bundle'), ''], {
          env: { PATH: process.env.PATH, TMPDIR: work, NODE_EXTRA_CA_CERTS: caFile },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise((resolve) => child.on('close', resolve));
        return { code, stderr };
      };
      expect([await fetch('/plain/index.js'), await fetch('/moved/index.js')]).toEqual([
        {
          code: 2,
          stderr: `bundle: could not download ${host}/plain/index.js: ${host} redirected it to a plain http:// address (plain.example:8080); use an https:// URL\n`,
        },
        {
          code: 2,
          stderr: `bundle: could not download ${host}/moved/index.js: HTTP 404 from ${host}, where ${host} redirected it\n`,
        },
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
      rmSync(dirname(caFile), { recursive: true, force: true });
    }
  });

  it('is built into notify-pinned.yml for GitLab before 18.7', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-templates.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    const pinned = readFileSync(join(ROOT, 'templates', 'notify-pinned.yml'), 'utf8');
    expect(pinned).not.toContain('component.');
    expect((parseAllDocuments(pinned)[0]!.toJS() as { spec: Record<string, unknown> }).spec).toEqual({
      inputs: declared,
    });
  });
});
