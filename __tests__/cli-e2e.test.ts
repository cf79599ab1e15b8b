/**
 * The CLI as people use it, through the built bundle as a child process (dist/index.js under this
 * Node and Node 24): a status is required; the event facts a shell knows are flags and NOTIFY_*
 * variables, and the git repository in the working directory fills what nothing says; --output json;
 * template and channels from stdin (-) or a file (@path); failures on stderr; no GitHub job summary;
 * the variables of CodeArts, Zadig and CODING CI. The receiver is a loopback stand-in.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, nodeBinaries } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
function scratch(prefix = 'ci-notify-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `ci-notify <args>` in `cwd` with only `env` (plus PATH), `stdin` piped in when given. */
function cli(
  node: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [BUNDLE, ...args], {
      cwd: options.cwd ?? scratch(),
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A repository with one commit whose message is hostile to shells, on branch feature/login. */
function repository(): { dir: string; sha: string } {
  const dir = scratch('ci-notify-repo-');
  git(dir, 'init', '-q', '-b', 'feature/login');
  git(dir, 'config', 'user.email', 'mona@example.com');
  git(dir, 'config', 'user.name', 'Mona Lisa');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, 'README.md'), '# api\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Fix "payment" $(touch pwned) `id`\n\nThe amount was rounded twice.');
  git(dir, 'remote', 'add', 'origin', 'https://ci:s3cret@gitlab.example.com/acme/api.git');
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') };
}

describe.each(nodeBinaries())('the CLI ($label)', ({ path: node }) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });
  const hook = () => ({ NOTIFY_CHANNEL: 'webhook', NOTIFY_URL: `${receiver.origin}/hook`, NOTIFY_RETRIES: '0' });
  const event = (i = 0) => receiver.requests[i]!.json() as Record<string, Record<string, unknown> | string | null>;

  describe('status', () => {
    it('refuses to send without a status from any source: exit 2 naming --status, nothing sent', async () => {
      const run = await cli(node, [], { env: hook() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'error: status: no status given; pass --status success, failure, cancelled, … (or set NOTIFY_STATUS), e.g. --status "$BUILD_STATUS"',
      );
      expect(receiver.requests).toHaveLength(0);
      const json = await cli(node, ['--output', 'json'], { env: hook() });
      expect([json.code, json.stdout]).toEqual([2, '[]\n']);
    });

    it('takes the status Drone gives', async () => {
      const run = await cli(node, [], { env: { ...hook(), DRONE: 'true', DRONE_BUILD_STATUS: 'failure' } });
      expect(run.code).toBe(0);
      expect(event().status).toBe('failure');
    });
  });

  describe('event facts', () => {
    it('takes --repository, --ref, --sha, --commit-message and --pipeline-* flags, over NOTIFY_* variables', async () => {
      const run = await cli(
        node,
        [
          '--status',
          'failure',
          '--repository',
          'acme/api',
          '--ref',
          'release/1.2',
          '--sha',
          '0123456789abcdef0123456789abcdef01234567',
          '--commit-message',
          'Ship it\n\nFor real.',
          '--pipeline-name',
          'nightly',
          '--pipeline-number',
          '42',
        ],
        {
          env: {
            ...hook(),
            NOTIFY_REPOSITORY: 'other/repo',
            NOTIFY_PIPELINE_NUMBER: '7',
            NOTIFY_PIPELINE_URL: 'https://ci.example.com/nightly/42',
          },
        },
      );
      expect(run.code).toBe(0);
      const e = event();
      expect({ repository: e.repository, ref: e.ref, commit: e.commit, pipeline: e.pipeline }).toEqual({
        repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: null },
        ref: { name: 'release/1.2', type: null, url: null },
        commit: {
          sha: '0123456789abcdef0123456789abcdef01234567',
          short_sha: '0123456',
          title: 'Ship it',
          message: 'Ship it\n\nFor real.',
          url: null,
          before_sha: null,
          author: null,
        },
        pipeline: expect.objectContaining({ name: 'nightly', number: 42, url: 'https://ci.example.com/nightly/42' }),
      });
    });

    it('reads sha, branch, message, author and repository from the git repository here, without a shell', async () => {
      const repo = repository();
      const run = await cli(node, ['--status', 'success'], { env: hook(), cwd: repo.dir });
      expect(run.code).toBe(0);
      const e = event();
      expect({ repository: e.repository, ref: e.ref, commit: e.commit }).toEqual({
        repository: {
          name: 'api',
          full_name: 'acme/api',
          namespace: 'acme',
          url: 'https://gitlab.example.com/acme/api',
        },
        ref: { name: 'feature/login', type: 'branch', url: null },
        commit: {
          sha: repo.sha,
          short_sha: repo.sha.slice(0, 7),
          title: 'Fix "payment" $(touch pwned) `id`',
          message: 'Fix "payment" $(touch pwned) `id`\n\nThe amount was rounded twice.',
          // Commit pages are linked only on hosts whose URL scheme is known (github.com, gitlab.com, …).
          url: null,
          before_sha: null,
          author: { name: 'Mona Lisa', email: 'mona@example.com', login: null },
        },
      });
      expect(existsSync(join(repo.dir, 'pwned'))).toBe(false);
      expect(run.stdout + run.stderr).not.toContain('s3cret');
    });

    it('reports a tag when HEAD is a tagged detached commit, and lets flags win over git', async () => {
      const repo = repository();
      git(repo.dir, 'tag', 'v1.2.3');
      git(repo.dir, 'checkout', '-q', '--detach', 'v1.2.3');
      await cli(node, ['--status', 'success'], { env: hook(), cwd: repo.dir });
      expect(event().ref).toEqual({ name: 'v1.2.3', type: 'tag', url: null });
      await cli(node, ['--status', 'success', '--ref', 'main', '--repository', 'team/app'], {
        env: hook(),
        cwd: repo.dir,
      });
      expect([
        (event(1).ref as Record<string, unknown>).name,
        (event(1).repository as Record<string, unknown>).full_name,
      ]).toEqual(['main', 'team/app']);
    });

    it('leaves the facts null outside a repository, and when git is not installed', async () => {
      await cli(node, ['--status', 'success'], { env: hook() });
      expect([(event().commit as Record<string, unknown>).sha, (event().ref as Record<string, unknown>).name]).toEqual([
        null,
        null,
      ]);
      const repo = repository();
      const run = await cli(node, ['--status', 'success'], { env: { ...hook(), PATH: '/nonexistent' }, cwd: repo.dir });
      expect(run.code).toBe(0);
      expect((event(1).commit as Record<string, unknown>).sha).toBeNull();
    });
  });

  describe('output', () => {
    it('--output json prints the results array alone on stdout, the logs on stderr', async () => {
      const run = await cli(node, ['--status', 'success', '--output', 'json'], { env: hook() });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual([
        {
          name: 'webhook',
          channel: 'webhook',
          ok: true,
          skipped: false,
          dry_run: false,
          attempts: 1,
          status_code: 200,
          error: null,
          duration_ms: expect.any(Number),
        },
      ]);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('✅ webhook (webhook): delivered');
    });

    it('says a failed delivery on stderr (with the results on stdout for json) and exits 1', async () => {
      receiver.reply({ status: 500, body: 'down' });
      const text = await cli(node, ['--status', 'failure'], { env: hook() });
      expect(text.code).toBe(1);
      expect(text.stderr).toMatch(/^error: ❌ webhook \(webhook\): failed: HTTP 500/m);
      expect(text.stdout).not.toContain('❌');
      receiver.reply({ status: 500, body: 'down' });
      const json = await cli(node, ['--status', 'failure'], { env: { ...hook(), NOTIFY_OUTPUT: 'json' } });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ ok: false, status_code: 500 })]);
    });

    it('prints no GitHub job-summary table outside GitHub', async () => {
      const run = await cli(node, ['--status', 'success'], { env: hook() });
      expect(run.stdout + run.stderr).not.toMatch(/^###|\| target \| channel \|/m);
    });

    it('rejects an unknown --output format', async () => {
      const run = await cli(node, ['--status', 'success', '--output', 'yaml'], { env: hook() });
      expect([run.code, run.stderr]).toEqual([2, 'error: --output: expected text or json\n']);
    });
  });

  describe('text from stdin and files', () => {
    const template = '{"text": "${status_text}: ${commit.title}"}';

    it('reads the template from stdin with -', async () => {
      const run = await cli(
        node,
        ['--status', 'failure', '--format', 'template', '--template', '-', '--commit-message', 'Oops'],
        {
          env: hook(),
          stdin: template,
        },
      );
      expect(run.code).toBe(0);
      expect(receiver.requests[0]!.json()).toEqual({ text: 'Failed: Oops' });
    });

    it('reads channels from a file with @path, and keeps a leading @ with @@', async () => {
      const dir = scratch();
      writeFileSync(
        join(dir, 'targets.yml'),
        `- type: webhook\n  name: a\n  url: ${receiver.origin}/a\n- type: webhook\n  name: b\n  url: ${receiver.origin}/b\n  format: template\n  template: '@@team ${'${status}'}'\n`,
      );
      const run = await cli(node, ['--status', 'success', '--channels', '@targets.yml'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(receiver.requests.map((r) => r.url).sort()).toEqual(['/a', '/b']);
      // Inside a channels file, values are taken as written.
      expect(receiver.requests.find((r) => r.url === '/b')!.text).toBe('@@team success');
      const literal = await cli(
        node,
        ['--status', 'success', '--format', 'template', '--template', '@@here ${status}'],
        {
          env: hook(),
        },
      );
      expect(literal.code).toBe(0);
      expect(receiver.requests.at(-1)!.text).toBe('@here success');
    });

    it('names the input and the file it cannot read, and reads stdin for one input only', async () => {
      const missing = await cli(node, ['--status', 'success', '--template', '@nope.md'], { env: hook() });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        'error: template: cannot read @nope.md (no such file); @path reads a file, @@ keeps a literal @\n',
      );
      const both = await cli(node, ['--status', 'success', '--template', '-', '--channels', '-'], { stdin: 'x' });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('error: template and channels: only one input can read stdin (-)');
      const empty = await cli(node, ['--status', 'success', '--template', '-'], { env: hook() });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('error: template: stdin (-) was empty');
      expect(receiver.requests).toHaveLength(0);
    });

    it('says a channels value that is no list is no list, whether or not the yaml package reads it', async () => {
      // The first three are JSON too: a JSON check once took them for read and left yaml unloaded, so
      // nothing read them ("not a valid YAML or JSON list"). The last is YAML alone.
      for (const value of ['42', 'true', '"a webhook"', 'just words']) {
        const run = await cli(node, ['--status', 'success', '--channels', value]);
        expect({ value, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
          value,
          code: 2,
          stdout: '',
          stderr: 'error: channels: expected a list of targets, each {type, name?, …}\n',
        });
      }
    });
  });

  describe('secrets', () => {
    it('still takes a secret as a flag, but warns that it is visible in process lists', async () => {
      const run = await cli(node, ['--status', 'success', '--channel', 'webhook', '--url', `${receiver.origin}/hook`]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        'warning: --url on the command line is visible to other users of this machine (ps); set NOTIFY_URL instead',
      );
      expect(run.stdout + run.stderr).not.toContain(receiver.origin);
    });
  });

  describe('transitions', () => {
    it('warns once that a plain CLI run cannot know the previous run, for notify_on: fixed', async () => {
      const run = await cli(node, ['--status', 'success', '--notify-on', 'fixed'], { env: hook() });
      expect(run.code).toBe(0);
      expect(run.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([
        "warning: notify_on: fixed needs the previous run's status, which is unknown: ci-notify cannot look up earlier runs outside GitHub Actions and GitLab CI. They do not match this run.",
      ]);
      expect(receiver.requests).toHaveLength(0);
    });
  });

  describe('CI variables', () => {
    it('reads Huawei Cloud CodeArts Pipeline parameters', async () => {
      await cli(node, [], {
        env: {
          ...hook(),
          NOTIFY_STATUS: 'success',
          PIPELINE_ID: 'f9981060660249a3856f46c2c402f244',
          PIPELINE_NAME: 'api-release',
          PIPELINE_NUMBER: '168',
          PIPELINE_RUN_ID: 'c2f507f93510459190b543e47f6c9bec',
          PIPELINE_TRIGGER_TYPE: 'Manual',
          PASS_CONDITIONS_LINK:
            'https://devcloud.cn-north-4.huaweicloud.com/cicd/project/6428/pipeline/detail/f998/c2f5',
          EXECUTE_USER: '张三',
          REPO_URL: 'https://codehub.devcloud.cn-north-4.huaweicloud.com/acme/api.git',
          COMMIT_ID: 'b6192120acc67074990127864d3fecaf259b20f5',
        },
      });
      const e = event();
      expect({
        pipeline: e.pipeline,
        repository: e.repository,
        sha: (e.commit as Record<string, unknown>).sha,
        actor: e.actor,
      }).toEqual({
        pipeline: expect.objectContaining({
          id: 'c2f507f93510459190b543e47f6c9bec',
          number: 168,
          name: 'api-release',
          url: 'https://devcloud.cn-north-4.huaweicloud.com/cicd/project/6428/pipeline/detail/f998/c2f5',
          trigger: 'Manual',
        }),
        repository: {
          name: 'api',
          full_name: 'acme/api',
          namespace: 'acme',
          url: 'https://codehub.devcloud.cn-north-4.huaweicloud.com/acme/api',
        },
        sha: 'b6192120acc67074990127864d3fecaf259b20f5',
        actor: { login: null, name: '张三', email: null },
      });
    });

    it('reads Huawei Cloud CodeArts Build parameters: a tag build', async () => {
      await cli(node, [], {
        env: {
          ...hook(),
          NOTIFY_STATUS: 'success',
          BUILDNUMBER: '20200312.3',
          INCREASENUM: '57',
          COMMIT_ID: 'b6192120acc67074990127864d3fecaf259b20f5',
          GIT_TAG: 'v2.0.0',
          codeBranch: 'main',
        },
      });
      expect([event().ref, (event().pipeline as Record<string, unknown>).number]).toEqual([
        { name: 'v2.0.0', type: 'tag', url: null },
        57,
      ]);
    });

    it('reads Zadig build variables', async () => {
      await cli(node, [], {
        env: {
          ...hook(),
          NOTIFY_STATUS: 'failure',
          ZADIG: 'true',
          CI: 'true',
          TASK_ID: '31',
          SERVICE: 'payments',
          BUILD_URL: 'https://zadig.example.com/v1/projects/detail/shop/pipelines/multi/shop-dev/31',
          api_BRANCH: 'main',
          api_PR: '12',
          api_COMMIT_ID: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        },
      });
      const e = event();
      expect({ pipeline: e.pipeline, job: e.job, ref: e.ref, cr: e.change_request, repo: e.repository }).toEqual({
        pipeline: expect.objectContaining({
          id: '31',
          number: 31,
          url: 'https://zadig.example.com/v1/projects/detail/shop/pipelines/multi/shop-dev/31',
        }),
        job: {
          id: null,
          name: 'payments',
          stage: null,
          url: 'https://zadig.example.com/v1/projects/detail/shop/pipelines/multi/shop-dev/31',
        },
        ref: { name: 'main', type: 'pull_request', url: null },
        cr: { number: 12, title: null, url: null, source_branch: 'main', target_branch: null },
        repo: { name: 'api', full_name: null, namespace: null, url: null },
      });
    });

    it('reads the https repository address CODING CI gives beside its SSH one', async () => {
      await cli(node, [], {
        env: {
          ...hook(),
          NOTIFY_STATUS: 'SUCCESS',
          JENKINS_URL: 'http://jenkins.internal/',
          JOB_NAME: 'api-ci',
          BUILD_NUMBER: '9',
          GIT_URL: 'git@e.coding.net:acme/shop/api.git',
          GIT_HTTP_URL: 'https://e.coding.net/acme/shop/api.git',
          GIT_COMMIT: 'c0ffee0000000000000000000000000000000001',
          GIT_BRANCH: 'origin/main',
        },
      });
      expect(event().repository).toEqual({
        name: 'api',
        full_name: 'acme/shop/api',
        namespace: 'acme/shop',
        url: 'https://e.coding.net/acme/shop/api',
      });
    });
  });
});
