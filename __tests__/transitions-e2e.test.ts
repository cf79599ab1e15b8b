/**
 * `notify_on: fixed` end to end: the bundle as a GitHub Actions step with `github_token`, asking a
 * stand-in of the GitHub REST API for the previous run of the workflow and the jobs of this one.
 */
import { runAction } from './support/bundle.js';
import { standInRun, startGitHubApi, type GitHubApiStandIn } from './support/github-api.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const TOKEN = 'ghs_transitionTestToken0123456789';

let api: GitHubApiStandIn;
let receiver: Receiver;
beforeEach(async () => {
  api = await startGitHubApi({ repository: 'acme/api', token: TOKEN });
  receiver = await startReceiver();
  api.runs = [
    standInRun(4242, 128, null, '2026-12-01T10:00:00Z'),
    standInRun(4241, 127, 'failure', '2026-12-01T09:00:00Z'),
  ];
  api.jobs.set('4242/1', [
    {
      id: 1,
      name: 'test',
      status: 'completed',
      conclusion: 'success',
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

function notify(notifyOn: string) {
  return runAction({
    inputs: {
      channel: 'webhook',
      url: `${receiver.origin}/hook`,
      status: 'success',
      notify_on: notifyOn,
      github_token: TOKEN,
    },
    env: { GITHUB_API_URL: api.url },
  });
}

describe('notify_on transitions through the GitHub API', () => {
  it('notifies "fixed" when the previous run failed, with the jobs of this run in the event', async () => {
    const result = await notify('fixed');
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const event = receiver.requests[0]!.json() as Record<string, unknown>;
    expect({ status: event.status, previous_status: event.previous_status, transition: event.transition }).toEqual({
      status: 'success',
      previous_status: 'failure',
      transition: 'fixed',
    });
    expect(event.jobs).toEqual([
      {
        name: 'test',
        status: 'success',
        url: 'https://github.com/acme/api/actions/runs/4242/job/1',
        duration_ms: 93000,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
    ]);
    // Every API call carried the token; none of the output does.
    expect(api.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const printed =
      result.stdout.replace(/^::add-mask::.*$/gm, '') + result.stderr + result.summary + result.outputs.event!;
    expect(printed).not.toContain(TOKEN);
  });

  it('stays quiet for "regressed" when the build was fixed, and reports the target as skipped', async () => {
    const result = await notify('regressed');
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(JSON.parse(result.outputs.results!)).toEqual([
      expect.objectContaining({ name: 'webhook', ok: true, skipped: true, attempts: 0 }),
    ]);
    expect(result.outputs.delivered).toBe('0');
  });
});
