/**
 * The GitHub API reads of a run, through the bundle run as an Actions step against a stand-in of
 * the REST API: only the reads some target will use are made, all at once, and the whole set is
 * bounded by the `timeout` input — an API that never answers cannot hold a notification longer.
 */
import { nodeBinaries, runAction } from './support/bundle.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import { standInRun, startGitHubApi, type GitHubApiStandIn } from './support/github-api.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const TOKEN = 'ghs_apiReadsTestToken0123456789abcd';
const REPO = 'acme/api';
const RUN_PATH = `/repos/${REPO}/actions/runs/4242`;
const JOBS_PATH = `/repos/${REPO}/actions/runs/4242/attempts/1/jobs?per_page=100`;
const RUNS_PATH = `/repos/${REPO}/actions/workflows/ci.yml/runs?branch=main&status=completed&per_page=20`;

let api: GitHubApiStandIn;
let receiver: Receiver;
let arrivals: number[];
beforeEach(async () => {
  api = await startGitHubApi({ repository: REPO, token: TOKEN });
  arrivals = [];
  receiver = await startReceiver({
    handler: () => {
      arrivals.push(Date.now());
      return { status: 200, body: 'ok' };
    },
  });
  api.runs = [
    standInRun(4242, 128, null, '2026-12-01T10:00:00Z'),
    standInRun(4241, 127, 'success', '2026-12-01T09:00:00Z'),
  ];
  api.jobs.set('4242/1', [
    {
      id: 1,
      name: 'unit tests',
      status: 'completed',
      conclusion: 'failure',
      started_at: '2026-12-01T10:00:00Z',
      completed_at: '2026-12-01T10:01:33Z',
      html_url: 'https://github.com/acme/api/actions/runs/4242/job/1',
      runner_name: 'r1',
    },
  ]);
});
afterEach(async () => {
  await Promise.all([api.close(), receiver.close()]);
});

const paths = () => api.requests.map((r) => r.path).sort();

describe.each(nodeBinaries())('GitHub API reads through the bundle ($label)', ({ path: node }) => {
  function notify(inputs: Record<string, string>) {
    return runAction({
      node,
      inputs: { status: 'failure', github_token: TOKEN, ...inputs },
      env: { GITHUB_API_URL: api.url },
    });
  }

  describe('a default chat message (its title says whether the run broke the build)', () => {
    let dingtalk: DingTalkServer;
    beforeEach(async () => {
      dingtalk = await startDingTalkServer({});
    });
    afterEach(async () => {
      await dingtalk.close();
    });

    it('reads the run, its jobs and the earlier runs, all at once', async () => {
      // Each answer takes 300 ms: reads made one after another would never be open together.
      api.latencyMs = 300;
      const result = await notify({ channel: 'dingtalk', url: dingtalk.url });
      expect(result.code).toBe(0);
      expect(paths()).toEqual([RUN_PATH, JOBS_PATH, RUNS_PATH].sort());
      expect(api.maxInFlight).toBe(3);
      expect(dingtalk.received).toHaveLength(1);
      // What the reads brought is in the message: the failed job and the earlier run's outcome.
      const event = JSON.parse(result.outputs.event!) as Record<string, unknown>;
      expect({ previous_status: event.previous_status, transition: event.transition }).toEqual({
        previous_status: 'success',
        transition: 'regressed',
      });
      expect(JSON.stringify(dingtalk.received[0])).toContain('unit tests');
    });

    it('reads only the earlier runs when fields and a title leave out jobs, duration and commit', async () => {
      const result = await notify({
        channel: 'dingtalk',
        url: dingtalk.url,
        fields: 'repository, ref, link',
        title: '${repository.full_name} ${transition:-}',
      });
      expect(result.code).toBe(0);
      expect(paths()).toEqual([RUNS_PATH]);
    });
  });

  it('reads the run and its jobs for a plain webhook, whose event body carries them, but not the earlier runs', async () => {
    api.latencyMs = 300;
    const result = await notify({ channel: 'webhook', url: `${receiver.origin}/hook` });
    expect(result.code).toBe(0);
    expect(paths()).toEqual([RUN_PATH, JOBS_PATH].sort());
    expect(api.maxInFlight).toBe(2);
    const event = receiver.requests[0]!.json() as Record<string, unknown>;
    expect(event).toMatchObject({
      previous_status: null,
      transition: null,
      jobs: [expect.objectContaining({ name: 'unit tests', status: 'failure' })],
      pipeline: expect.objectContaining({ started_at: '2026-12-01T10:00:00Z' }),
    });
  });

  it('reads the earlier runs for a webhook when notify_on has a transition word', async () => {
    const result = await notify({ channel: 'webhook', url: `${receiver.origin}/hook`, notify_on: 'regressed' });
    expect(result.code).toBe(0);
    expect(paths()).toEqual([RUN_PATH, JOBS_PATH, RUNS_PATH].sort());
    expect(receiver.requests).toHaveLength(1);
  });

  it.each([
    [
      'a template body without API facts',
      { format: 'template', template: '{"status":"${status}","sha":"${commit.sha}"}' },
    ],
    ['a GET webhook', { method: 'GET' }],
    ['a dry run', { dry_run: 'true' }],
  ])('makes no API request for %s', async (_what, inputs) => {
    const result = await notify({ channel: 'webhook', url: `${receiver.origin}/hook`, ...inputs });
    expect(result.code).toBe(0);
    expect(api.requests).toEqual([]);
  });

  it('makes no API request when notify_on rules the status out for every target', async () => {
    const result = await notify({
      channels: JSON.stringify([
        { type: 'webhook', name: 'on-success', url: `${receiver.origin}/a`, notify_on: 'success' },
        { type: 'webhook', name: 'on-cancel', url: `${receiver.origin}/b`, notify_on: 'cancelled' },
      ]),
    });
    expect(result.code).toBe(0);
    expect(api.requests).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });

  it('reads what a template names: ${failed_jobs} reads the jobs, ${duration} the run', async () => {
    const result = await notify({
      channel: 'webhook',
      url: `${receiver.origin}/hook`,
      format: 'template',
      template: '{"text":"${failed_jobs} since ${pipeline.started_at}, ${duration}"}',
    });
    expect(result.code).toBe(0);
    expect(paths()).toEqual([RUN_PATH, JOBS_PATH].sort());
    expect(receiver.requests[0]!.json()).toEqual({
      text: expect.stringMatching(/^unit tests since 2026-12-01T10:00:00Z, \d+/),
    });
  });

  it('delivers within the timeout input when the API never answers, with one warning', async () => {
    api.silent.push('/repos');
    const result = await notify({ channel: 'webhook', url: `${receiver.origin}/hook`, timeout: '1' });
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
    expect(warnings).toEqual([
      "::warning::github api: could not read the workflow run and the run's jobs: no answer within 1 s (the timeout input, at most 3 s for these reads); the notification goes without it",
    ]);
    // Bounded by the 1 s timeout, not by a read's own (earlier 5 s) or the 3 s cap: the delivery
    // follows the first API request by at most about 1 s (the margin is for a loaded machine).
    const firstRead = Math.min(...api.requests.map((r) => r.at));
    expect(arrivals[0]! - firstRead).toBeLessThan(2500);
    const event = JSON.parse(result.outputs.event!) as Record<string, unknown>;
    expect(event.jobs).toEqual([]);
  });
});
