/**
 * One notifier for all workflows: on a `workflow_run` event the event and the message describe the
 * watched run — its conclusion (the action's `status` default), its workflow name and number, its
 * jobs and failed steps read with the API for that run id, its commit, branch or pull request, and
 * its transition — not the notifier's own run. Against the GitHub API stand-in.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import { createGitHubApi, type GitHubApi } from '../src/event/github-api.js';
import { githubEvent } from '../src/event/github.js';
import type { EventInput } from '../src/event/types.js';
import { buildMessage } from '../src/render/message.js';
import { schemaErrors } from './support/event-schema.js';
import { startGitHubApi, type GitHubApiStandIn, type StandInJob } from './support/github-api.js';
import { recordingLogger } from './support/recording-logger.js';

const REPO = 'acme/api';
const REPO_URL = `https://github.com/${REPO}`;
const TOKEN = 'ghs_StandInToken0123456789abcdefABCDEF';
const NOW = new Date('2026-12-01T10:05:00Z');
const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

/** The `workflow_run` payload GitHub sends when the watched "CI" run #57 completes. */
function payload(overrides: Record<string, unknown> = {}) {
  return {
    action: 'completed',
    workflow: { name: 'CI', path: '.github/workflows/ci.yml' },
    workflow_run: {
      id: 7777,
      name: 'CI',
      run_number: 57,
      run_attempt: 1,
      event: 'push',
      status: 'completed',
      conclusion: 'failure',
      head_branch: 'main',
      head_sha: SHA,
      path: '.github/workflows/ci.yml',
      html_url: `${REPO_URL}/actions/runs/7777`,
      run_started_at: '2026-12-01T09:58:00Z',
      created_at: '2026-12-01T09:57:50Z',
      updated_at: '2026-12-01T10:01:33Z',
      pull_requests: [],
      actor: { login: 'octocat' },
      triggering_actor: { login: 'octocat' },
      head_repository: { full_name: REPO },
      head_commit: {
        id: SHA,
        message: 'Fix payment path\n\nThe checkout called the old endpoint.',
        author: { name: 'Mona Lisa', email: 'mona@example.com' },
      },
      ...overrides,
    },
    repository: { name: 'api', full_name: REPO, html_url: REPO_URL, owner: { login: 'acme' } },
    sender: { login: 'octocat' },
  };
}

const job = (id: number, name: string, conclusion: string, step: string | null = null): StandInJob => ({
  id,
  name,
  status: 'completed',
  conclusion,
  started_at: '2026-12-01T09:58:10Z',
  completed_at: '2026-12-01T10:01:00Z',
  html_url: `${REPO_URL}/actions/runs/7777/job/${id}`,
  runner_name: `runner ${id}`,
  steps: [
    { name: 'Set up job', status: 'completed', conclusion: 'success', number: 1 },
    ...(step ? [{ name: step, status: 'completed', conclusion: 'failure', number: 2 }] : []),
  ],
});

let standIn: GitHubApiStandIn;
let api: GitHubApi;
let dir: string;
beforeEach(async () => {
  standIn = await startGitHubApi({ repository: REPO, token: TOKEN });
  const run = (id: number, number: number, conclusion: string, at: string) => ({
    id,
    name: 'CI',
    run_number: number,
    workflow_id: 42,
    head_branch: 'main',
    head_repository: REPO,
    status: 'completed' as const,
    conclusion,
    run_started_at: at,
    created_at: at,
  });
  standIn.runs = [
    run(7777, 57, 'failure', '2026-12-01T09:58:00Z'),
    run(7770, 56, 'success', '2026-12-01T09:00:00Z'),
    run(7760, 55, 'failure', '2026-12-01T08:00:00Z'),
  ];
  standIn.jobs.set('7777/1', [
    job(1, 'build', 'success'),
    job(2, 'test (ubuntu, 20)', 'failure', 'Run tests'),
    job(3, 'lint', 'failure', 'Run eslint'),
  ]);
  const http = createHttpClient({
    timeoutMs: 2000,
    retries: 0,
    log: recordingLogger(),
    redactor: new Redactor(),
    dryRun: false,
    env: {},
  });
  api = createGitHubApi({ http, apiUrl: standIn.url, repository: REPO, token: TOKEN });
  dir = await mkdtemp(join(tmpdir(), 'workflow-run-'));
});
afterEach(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

/** The notifier's own run: workflow "Notify", run #9, job "notify" — none of it may show. */
async function notifierEnv(body: unknown): Promise<NodeJS.ProcessEnv> {
  const path = join(dir, 'event.json');
  await writeFile(path, JSON.stringify(body));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'workflow_run',
    GITHUB_EVENT_PATH: path,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: REPO,
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '9999',
    GITHUB_RUN_NUMBER: '9',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'Notify',
    GITHUB_WORKFLOW_REF: `${REPO}/.github/workflows/notify.yml@refs/heads/main`,
    GITHUB_JOB: 'notify',
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'github-actions[bot]',
    RUNNER_NAME: 'runner 1',
  };
}

async function mapped(body: unknown, status = 'failure') {
  const input: EventInput = {
    status,
    params: {},
    needs: '',
    github_token: TOKEN,
    http: null,
    id: '5f0c2a9e-8d4b-4c1e-9f7a-2b3c4d5e6f70',
    now: NOW,
  };
  const warnings: string[] = [];
  const event = await githubEvent(input, await notifierEnv(body), {
    readFile: (p: string) => readFile(p, 'utf8'),
    warn: (m: string) => void warnings.push(m),
    api,
  });
  expect(schemaErrors(event)).toEqual([]);
  return { event, warnings };
}

describe('a workflow_run event', () => {
  it('describes the watched run: its workflow and number, its jobs and failed steps, its commit and transition', async () => {
    const { event, warnings } = await mapped(payload());
    expect(warnings).toEqual([]);
    expect([event.status, event.previous_status, event.transition]).toEqual(['failure', 'success', 'regressed']);
    expect(event.pipeline).toEqual({
      id: '7777',
      number: 57,
      attempt: 1,
      name: 'CI',
      url: `${REPO_URL}/actions/runs/7777`,
      trigger: 'push',
      started_at: '2026-12-01T09:58:00Z',
      finished_at: '2026-12-01T10:01:33Z',
      duration_ms: 213_000,
    });
    expect(event.job).toBeNull();
    expect(event.jobs.map((j) => [j.name, j.status, j.url, j.failed_step])).toEqual([
      ['build', 'success', `${REPO_URL}/actions/runs/7777/job/1`, null],
      ['test (ubuntu, 20)', 'failure', `${REPO_URL}/actions/runs/7777/job/2`, 'Run tests'],
      ['lint', 'failure', `${REPO_URL}/actions/runs/7777/job/3`, 'Run eslint'],
    ]);
    expect(event.ref).toEqual({ name: 'main', type: 'branch', url: `${REPO_URL}/tree/main` });
    expect(event.commit).toMatchObject({
      sha: SHA,
      title: 'Fix payment path',
      author: { name: 'Mona Lisa', email: 'mona@example.com' },
    });
    expect(event.actor).toEqual({ login: 'octocat', name: null, email: null });
    // Read for the watched run's id, never the notifier's own.
    const paths = standIn.requests.map((r) => r.path);
    expect(paths.some((p) => p.includes('/actions/runs/7777/attempts/1/jobs'))).toBe(true);
    expect(paths.some((p) => p.includes('9999'))).toBe(false);
    expect(paths.some((p) => p.includes('/actions/workflows/ci.yml/runs'))).toBe(true);
  });

  it('makes a failure message naming the watched workflow, number and failed jobs', async () => {
    const { event } = await mapped(payload());
    const message = buildMessage(event, {
      locale: 'en',
      fields: null,
      title: '',
      template: '',
      env: {},
      warn: () => {},
    });
    expect(message.title).toBe('❌ acme/api · main · CI #57 failed (was passing)');
    expect(message.sections.flatMap((s) => s.lines.map((l) => l.spans.map((x) => x.text).join('')))).toEqual([
      '2 of 3 jobs failed',
      'test (ubuntu, 20) — Run tests',
      'lint — Run eslint',
      '9f8e7d6 Fix payment path · Mona Lisa',
      'push by octocat · 3m 33s',
    ]);
    expect(message.link).toEqual({ label: 'View run', url: `${REPO_URL}/actions/runs/7777` });
  });

  it('names the pull request of a watched pull_request run', async () => {
    const { event } = await mapped(
      payload({
        event: 'pull_request',
        head_branch: 'feature/x',
        pull_requests: [{ number: 12, head: { ref: 'feature/x' }, base: { ref: 'main' } }],
      }),
    );
    expect([event.ref, event.change_request]).toEqual([
      { name: 'feature/x', type: 'pull_request', url: `${REPO_URL}/pull/12` },
      { number: 12, title: null, url: `${REPO_URL}/pull/12`, source_branch: 'feature/x', target_branch: 'main' },
    ]);
    const message = buildMessage(event, {
      locale: 'en',
      fields: null,
      title: '',
      template: '',
      env: {},
      warn: () => {},
    });
    expect(message.title).toBe('❌ acme/api · PR #12 · CI #57 failed');
  });

  it('reads a watched success as fixed when the run before it failed', async () => {
    standIn.runs[1]!.conclusion = 'failure';
    const { event } = await mapped(payload({ conclusion: 'success' }), 'success');
    expect([event.status, event.transition]).toEqual(['success', 'fixed']);
  });
});
