/**
 * The README's GitLab, Jenkins and shell examples, run as they are written:
 * - every GitLab snippet that includes the component is given to gitlab-ci-local, which creates the
 *   pipeline as GitLab would (input types, options, regexes, rules), with the include pointed at this
 *   repository's component; the first one also runs, and DingTalk gets its message;
 * - the GitLab jobs of "In your own jobs" run with the image's files on the PATH;
 * - the Jenkins `post` step and the shell scripts run under /bin/sh, with `npx` standing for the
 *   published package (a shim that checks the version and runs dist/index.js) and `make` for a
 *   build that fails.
 * The receivers are the loopback stand-ins of DingTalk, WeCom and a webhook.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { BUNDLE } from './support/bundle.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import {
  COMPONENT,
  makeProject,
  PACKAGE_VERSION,
  projects,
  removeProjects,
  requireGitLabCiLocal,
  ROOT,
  type PipelineRun,
} from './support/gitlab-ci-local.js';
import { layOutImage } from './support/image-layout.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startWeComServer, type WeComServer } from './support/wecom-server.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** The README's YAML examples that include the component, with the include pointed at this repository. */
function componentSnippets(): { text: string; local: string }[] {
  return blocks('yaml')
    .filter((text) => /^\s*- component: \S+\/notify(-pinned)?@/m.test(text))
    .map((text) => ({
      text,
      local: text.replace(/component: \S+\/(notify(?:-pinned)?)@\S+/g, (_m, name: string) =>
        COMPONENT.replace('/notify@', `/${name}@`),
      ),
    }));
}

const SECRET = 'SECdocs0123456789abcdefdocs0123456789abcdefdocs0123456789abcdef';

let dingtalk: DingTalkServer;
let wecom: WeComServer;
let hook: Receiver;
let bin: string;
let imageBin: string;

beforeAll(async () => {
  requireGitLabCiLocal();
  const layout = layOutImage(mkdtempSync(join(tmpdir(), 'ci-notify-image-')));
  projects.push(layout.root);
  imageBin = join(layout.root, 'opt', 'ci-notify', 'bin');
  // `npx --yes ci-notify@<version>` (and `npx ci-notify`) stand for the published package: this bundle.
  bin = mkdtempSync(join(tmpdir(), 'ci-notify-shims-'));
  projects.push(bin);
  writeFileSync(
    join(bin, 'npx'),
    [
      '#!/bin/sh',
      '[ "$1" = "--yes" ] && shift',
      `case "$1" in ci-notify|ci-notify@${PACKAGE_VERSION}) shift ;; *) echo "npx shim: unexpected package $1" >&2; exit 99 ;; esac`,
      `exec "${process.execPath}" "${BUNDLE}" "$@"`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(bin, 'make'), '#!/bin/sh\necho "make: the tests fail" >&2\nexit 2\n');
  for (const shim of ['npx', 'make']) chmodSync(join(bin, shim), 0o755);
});
beforeEach(async () => {
  [dingtalk, wecom, hook] = await Promise.all([
    startDingTalkServer({ secret: SECRET, keyword: 'CI' }),
    startWeComServer(),
    startReceiver(),
  ]);
});
afterEach(async () => {
  await Promise.all([dingtalk.close(), wecom.close(), hook.close()]);
});
afterAll(() => removeProjects());

function expectCreated(run: PipelineRun): void {
  if (!/^\[/m.test(run.output) || /configuration is invalid|Error:/i.test(run.output)) {
    throw new Error(`gitlab-ci-local did not create the pipeline:\n${run.output.slice(-3000)}`);
  }
}

describe("the README's GitLab examples under gitlab-ci-local", () => {
  it('are pipelines GitLab creates: declared inputs, allowed values, known words', async () => {
    const snippets = componentSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(6);
    for (const { text, local } of snippets) {
      const project = makeProject(`${local}\ntest:\n  stage: test\n  script:\n    - echo "tests pass"\n`);
      const listed = await project.run({}, { args: ['--list-json'] });
      try {
        expectCreated(listed);
      } catch (error) {
        throw new Error(`README example:\n${text}\n${(error as Error).message}`);
      }
      const jobs = (JSON.parse(listed.output.slice(listed.output.indexOf('['))) as { name: string }[]).map(
        (j) => j.name,
      );
      expect(jobs.some((name) => /-(success|failure)$/.test(name))).toBe(true);
    }
  }, 300_000);

  it('sends the first example to DingTalk, signed, with the keyword, mentioning nobody on success', async () => {
    const [first] = componentSnippets();
    const project = makeProject(`${first!.local}\ntest:\n  stage: test\n  script:\n    - echo "tests pass"\n`);
    const run = await project.run(
      { NOTIFY_URL: dingtalk.url, NOTIFY_SECRET: SECRET, NOTIFY_RETRIES: '0' },
      { path: [imageBin] },
    );
    if (dingtalk.received.length !== 1) throw new Error(`DingTalk got nothing:\n${run.output.slice(-3000)}`);
    const message = dingtalk.received[0] as { msgtype: string; at?: { atMobiles?: string[] } };
    expect(message.msgtype).toBe('actionCard');
    // mention_on: failure — a passing pipeline mentions nobody.
    expect(message.at?.atMobiles ?? []).toEqual([]);
    expect(run.output).not.toContain(SECRET);
  }, 120_000);

  it('runs the jobs of "In your own jobs" with the image: after_script, parallel:matrix and the dotenv report', async () => {
    const [deploy, matrix, dotenv] = blocks('yaml').filter((text) => /^[\w-]+:\n {2}stage: /m.test(text));
    expect([deploy, matrix, dotenv].map((t) => Object.keys(parse(t!) as object)[0])).toEqual([
      'deploy',
      'notify-failure',
      'notify',
    ]);

    const project = makeProject(`${deploy}\n${dotenv}`);
    const run = await project.run(
      { NOTIFY_URL: dingtalk.url, NOTIFY_SECRET: SECRET, NOTIFY_KEYWORD: 'CI', NOTIFY_RETRIES: '0' },
      { path: [imageBin] },
    );
    // deploy's after_script sends to DingTalk (NOTIFY_URL); notify sends to NOTIFY_URL as a webhook.
    expect(dingtalk.received).toHaveLength(1);
    expect(run.output).toMatch(/PASS\s+deploy/);
    expect(run.output).toMatch(/PASS\s+notify/);

    const failing = makeProject(`${matrix}\nbuild:\n  stage: build\n  script:\n    - exit 1\n`);
    const matrixRun = await failing.run(
      {
        DINGTALK_URL: dingtalk.url,
        DINGTALK_SECRET: SECRET,
        WECOM_KEY: wecom.url,
        NOTIFY_KEYWORD: 'CI',
        NOTIFY_RETRIES: '0',
      },
      { path: [imageBin] },
    );
    if (dingtalk.received.length !== 2 || wecom.received.length !== 1) {
      throw new Error(`the matrix did not notify both:\n${matrixRun.output.slice(-4000)}`);
    }
  }, 180_000);
});

/** Runs `script` with /bin/sh in a scratch directory, the shims first on the PATH. */
function sh(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-sh-'));
  projects.push(dir);
  mkdirSync(join(dir, 'home'));
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: dir,
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: join(dir, 'home'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the README's Jenkins and shell examples", () => {
  it("runs the Jenkins post step with the pipeline's environment: DingTalk, signed, mentioning on failure", async () => {
    const [groovy] = blocks('groovy');
    // environment { NAME = 'value' | credentials('id') }: the credentials are what Jenkins would inject.
    const credentials: Record<string, string> = { 'dingtalk-webhook': dingtalk.url, 'dingtalk-secret': SECRET };
    const env: Record<string, string> = {};
    for (const m of groovy!.matchAll(/^\s*(\w+)\s*=\s*(?:'([^']*)'|credentials\('([^']+)'\))\s*$/gm)) {
      env[m[1]!] = m[2] ?? credentials[m[3]!]!;
    }
    expect(Object.keys(env)).toEqual(['NOTIFY_CHANNEL', 'NOTIFY_URL', 'NOTIFY_SECRET']);
    // withEnv(["NOTIFY_STATUS=${currentBuild.currentResult}"]) after a failed stage.
    expect(groovy).toContain('withEnv(["NOTIFY_STATUS=${currentBuild.currentResult}"])');
    const step = /post \{[\s\S]*?sh '([^']+)'/.exec(groovy!)![1]!;
    const run = await sh(step, {
      ...env,
      NOTIFY_STATUS: 'FAILURE',
      NOTIFY_KEYWORD: 'CI',
      JENKINS_URL: 'http://jenkins.internal/',
    });
    expect(run.code).toBe(0);
    expect(dingtalk.received).toHaveLength(1);
    const message = dingtalk.received[0] as { at?: { atMobiles?: string[] } };
    expect(message.at?.atMobiles).toEqual(['13800000000']);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('runs the plain-shell script: make fails, WeCom is told, and the exit code is printed', async () => {
    const script = blocks('sh').find((text) => text.startsWith('#!/bin/sh'))!;
    const run = await sh(script, { WECOM_KEY: wecom.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ci-notify exit code: 0\n');
    expect(wecom.received).toHaveLength(1);
    expect(JSON.stringify(wecom.received[0])).toContain('host=');
  });

  it('runs the three lines of "Any other CI"', async () => {
    const lines = blocks('sh').find((text) => text.includes('npx ci-notify --help'))!;
    const run = await sh(`set -e\n${lines}`, {
      HOOK_URL: `${hook.origin}/hook`,
      DINGTALK_URL: dingtalk.url,
      NOTIFY_SECRET: SECRET,
      NOTIFY_KEYWORD: 'CI',
      BUILD_STATUS: 'SUCCESS',
    });
    expect(run.code).toBe(0);
    expect(hook.requests).toHaveLength(1);
    expect(dingtalk.received).toHaveLength(1);
    expect(run.stdout).toContain('Usage: NOTIFY_URL=<webhook> ci-notify --channel <type> --status <status>');
  });
});
