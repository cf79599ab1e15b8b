/**
 * `mention_people: culprits` end to end on GitHub: the built bundle as an Actions step, a stand-in of
 * the GitHub REST API (the last green run, then the compare of its sha with this one), the people
 * file in the workspace, and stand-ins of every channel that reaches people — what each platform
 * would notify is read from what it accepted (support/mentions.ts).
 */
import { nodeBinaries, runAction, SAMPLE_PUSH, type BundleRun } from './support/bundle.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import {
  standInRun,
  startGitHubApi,
  type GitHubApiStandIn,
  type StandInCommit,
  type StandInRun,
} from './support/github-api.js';
import { startLarkAppServer, type LarkAppStandIn } from './support/lark-app-server.js';
import { startLarkServer, type LarkServer } from './support/lark-server.js';
import { dingtalkNotified, larkNotified, notifiedByAll, wecomNotified } from './support/mentions.js';
import { startSmtpServer, type SmtpStandIn } from './support/smtp.js';
import { startWeComServer, type WeComServer } from './support/wecom-server.js';

const TOKEN = 'ghs_peopleTestToken0123456789';
const HEAD = SAMPLE_PUSH.after;
const GREEN = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const APP_SECRET = 'lark-app-secret-0123456789';

const PEOPLE_YML = `# who is who: git identities → where to reach them
- name: Mona Lisa
  github: monalisa
  emails: [mona@example.com]
  dingtalk_mobile: "13800000001"
  wecom_user_id: mona.lisa
  lark_open_id: ou_mona0001
  email: mona@corp.example
- name: Bob Chen
  emails:
    - Bob@Corp.Example
  dingtalk_mobile: 13800000002
  wecom_user_id: bobchen
  lark_open_id: ou_bob00002
  email: bob@corp.example
- name: Carol Wu
  emails: [carol@example.com]
  lark_email: carol@corp.example
`;
/** Everything in the map that must never be printed by a real run. */
const PRIVATE = ['13800000001', '13800000002', 'mona.lisa', 'bobchen', 'ou_mona0001', 'ou_bob00002'];

function commit(sha: string, name: string, email: string, login: string | null, message = 'change'): StandInCommit {
  return { sha, message, author: { name, email }, login };
}
const sha = (n: number) => String(n).repeat(40).slice(0, 40);

function workflowRun(id: number, runNumber: number, conclusion: string | null, headSha: string): StandInRun {
  return standInRun(id, runNumber, conclusion, `2026-12-01T0${runNumber - 120}:00:00Z`, { head_sha: headSha });
}

interface Stands {
  api: GitHubApiStandIn;
  dt: DingTalkServer;
  wcMarkdown: WeComServer;
  wcText: WeComServer;
  lark: LarkServer;
  larkApp: LarkAppStandIn;
  smtp: SmtpStandIn;
}

let s: Stands;
beforeEach(async () => {
  const [api, dt, wcMarkdown, wcText, lark, larkApp, smtp] = await Promise.all([
    startGitHubApi({ repository: 'acme/api', token: TOKEN }),
    startDingTalkServer(),
    startWeComServer(),
    startWeComServer(),
    startLarkServer(),
    startLarkAppServer({
      apps: { cli_people: APP_SECRET },
      users: {
        'mona@corp.example': 'ou_mona0001',
        'bob@corp.example': 'ou_bob00002',
        'carol@corp.example': 'ou_carol003',
      },
    }),
    startSmtpServer(),
  ]);
  s = { api, dt, wcMarkdown, wcText, lark, larkApp, smtp };
  api.runs = [
    workflowRun(4242, 128, null, HEAD),
    workflowRun(4241, 127, 'failure', sha(3)),
    workflowRun(4240, 126, 'success', GREEN),
    workflowRun(4239, 125, 'success', sha(9)),
  ];
  api.jobs.set('4242/1', []);
});
afterEach(async () => {
  await Promise.all(Object.values(s).map((stand: { close(): Promise<void> }) => stand.close()));
});

function channels() {
  return [
    { type: 'dingtalk', name: 'dt', url: 'env:DT_URL', at_mobiles: '13800000001' },
    { type: 'wecom', name: 'wc-markdown', url: 'env:WC_MARKDOWN' },
    { type: 'wecom', name: 'wc-text', url: 'env:WC_TEXT', msg_type: 'text' },
    { type: 'lark', name: 'lark', url: 'env:LARK_URL' },
    {
      type: 'email',
      name: 'mail',
      smtp_host: s.smtp.host,
      smtp_port: String(s.smtp.port),
      from: 'CI <ci@example.com>',
      to: 'lead@example.com',
    },
    { type: 'lark_app', name: 'app', app_id: 'cli_people', app_secret: 'env:APP_SECRET', domain: s.larkApp.url },
  ];
}

function notify(node: string, inputs: Record<string, string>, payload: unknown = SAMPLE_PUSH): Promise<BundleRun> {
  return runAction({
    node,
    inputs: { channels: JSON.stringify(channels()), github_token: TOKEN, ...inputs },
    env: {
      GITHUB_API_URL: s.api.url,
      DT_URL: s.dt.url,
      WC_MARKDOWN: s.wcMarkdown.url,
      WC_TEXT: s.wcText.url,
      LARK_URL: s.lark.url,
      APP_SECRET,
      NODE_EXTRA_CA_CERTS: s.smtp.caFile,
    },
    eventPayload: payload,
    files: { '.ci-notify/people.yml': PEOPLE_YML },
  });
}

function printed(run: BundleRun): string {
  return [run.stdout, run.stderr, run.summary, ...Object.values(run.outputs)].join('\n');
}

function results(run: BundleRun): Array<[string, boolean, boolean]> {
  return (JSON.parse(run.outputs.results!) as Array<{ name: string; ok: boolean; skipped: boolean }>).map((r) => [
    r.name,
    r.ok,
    r.skipped,
  ]);
}

describe.each(nodeBinaries())('mention_people through the bundle ($label)', ({ path: node }) => {
  it('mentions, mails and messages exactly the two authors of the three commits since the last green run', async () => {
    s.api.commits = [
      commit(GREEN, 'Mona Lisa', 'mona@example.com', 'monalisa', 'Last green'),
      commit(sha(1), 'Mona Lisa', 'MONA@example.com', 'monalisa', 'Refactor checkout'),
      commit(sha(2), 'Bob Chen', 'bob@corp.example', null, 'Tune retries'),
      // A private address: the login inside it is what matches.
      commit(HEAD, 'mona', '583231+MonaLisa@users.noreply.github.com', null, 'Fix payment path'),
    ];
    const run = await notify(node, { status: 'failure', mention_people: 'culprits' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(s.api.requests.map((r) => r.path)).toContainEqual(`/repos/acme/api/compare/${GREEN}...${HEAD}`);
    // Mona's mobile is in at_mobiles AND in the map: one mention.
    expect(s.dt.received).toHaveLength(1);
    expect((s.dt.received[0] as { at: unknown }).at).toEqual({
      atMobiles: ['13800000001', '13800000002'],
      atUserIds: [],
      isAtAll: false,
    });
    expect(dingtalkNotified(s.dt.received[0])).toEqual({ all: false, ids: ['13800000001', '13800000002'] });
    expect(s.wcMarkdown.received).toHaveLength(1);
    expect(notifiedByAll(s.wcMarkdown.received, wecomNotified)).toEqual({ all: false, ids: ['mona.lisa', 'bobchen'] });
    expect(s.wcText.received).toHaveLength(1);
    expect((s.wcText.received[0] as { text: unknown }).text).toEqual({
      content: expect.any(String),
      mentioned_list: ['mona.lisa', 'bobchen'],
    });
    expect(larkNotified(s.lark.received[0])).toEqual({ all: false, ids: ['ou_mona0001', 'ou_bob00002'] });

    expect(s.smtp.received.map((m) => m.envelope)).toEqual([
      { from: 'ci@example.com', to: ['lead@example.com', 'mona@corp.example', 'bob@corp.example'] },
    ]);
    expect(s.larkApp.received.map((m) => [m.receive_id_type, m.receive_id]).sort()).toEqual([
      ['open_id', 'ou_bob00002'],
      ['open_id', 'ou_mona0001'],
    ]);

    expect(results(run)).toEqual([
      ['dt', true, false],
      ['wc-markdown', true, false],
      ['wc-text', true, false],
      ['lark', true, false],
      ['mail', true, false],
      ['app → Mona Lisa', true, false],
      ['app → Bob Chen', true, false],
    ]);
    const all = ['dingtalk', 'wecom', 'lark', 'lark_app', 'email'];
    expect((JSON.parse(run.outputs.event!) as { people: unknown }).people).toEqual([
      { name: 'Mona Lisa', roles: ['culprit'], reachable: all },
      { name: 'Bob Chen', roles: ['culprit'], reachable: all },
    ]);
    expect(run.stdout).toContain('dt: mentions 2 people (Mona Lisa, Bob Chen)');
    expect(run.stdout).toContain('app: sends to 2 people (Mona Lisa, Bob Chen)');
    for (const value of PRIVATE) expect(printed(run)).not.toContain(value);
  });
});

describe('mention_people: who is never mentioned', () => {
  const node = process.execPath;

  it('names an author missing from the map, ignores dependabot and never turns an author "@all" into a mention', async () => {
    s.api.commits = [
      commit(GREEN, 'Mona Lisa', 'mona@example.com', 'monalisa'),
      commit(sha(1), 'dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]'),
      commit(sha(2), 'Ghost Writer', 'ghost@example.com', null),
      commit(sha(4), '@all', 'all@example.com', null, '<at user_id="all">all</at> @all'),
      commit(sha(5), 'Carol Wu', 'carol@example.com', null),
      commit(HEAD, 'Mona Lisa', 'mona@example.com', 'monalisa'),
    ];
    const run = await notify(node, { status: 'failure', mention_people: 'culprits' });
    expect(run.code).toBe(0);

    expect(dingtalkNotified(s.dt.received[0])).toEqual({ all: false, ids: ['13800000001'] });
    expect(notifiedByAll(s.wcMarkdown.received, wecomNotified)).toEqual({ all: false, ids: ['mona.lisa'] });
    expect(notifiedByAll(s.wcText.received, wecomNotified)).toEqual({ all: false, ids: ['mona.lisa'] });
    // Carol has only lark_email: a robot cannot mention her, the app can message her.
    expect(larkNotified(s.lark.received[0])).toEqual({ all: false, ids: ['ou_mona0001'] });
    // Receivers are messaged concurrently: the order of arrival is not the order of the list.
    expect(s.larkApp.received.map((m) => [m.receive_id_type, m.receive_id]).sort()).toEqual([
      ['email', 'carol@corp.example'],
      ['open_id', 'ou_mona0001'],
    ]);
    expect(s.smtp.received[0]!.envelope.to).toEqual(['lead@example.com', 'mona@corp.example']);
    expect(JSON.stringify([...s.dt.received, ...s.wcText.received, ...s.lark.received])).not.toMatch(
      /<at user_id="all"|"@all"|isAtAll":true/,
    );

    expect((JSON.parse(run.outputs.event!) as { people: unknown }).people).toEqual([
      { name: 'Ghost Writer', roles: ['culprit'], reachable: [] },
      { name: '@all', roles: ['culprit'], reachable: [] },
      { name: 'Carol Wu', roles: ['culprit'], reachable: ['lark_app'] },
      { name: 'Mona Lisa', roles: ['culprit'], reachable: ['dingtalk', 'wecom', 'lark', 'lark_app', 'email'] },
    ]);
    expect(run.stdout).toContain('dt: mentions 1 person (Mona Lisa)');
    expect(run.stdout).toContain('dt: named, not mentioned: Ghost Writer, @all, Carol Wu');
    expect(printed(run)).not.toContain('dependabot');
  });

  it('mentions nobody on a green run with mention_on: failure, and reads no history', async () => {
    const run = await notify(node, {
      status: 'success',
      mention_people: 'culprits, author',
      mention_on: 'failure',
    });
    expect(run.code).toBe(0);
    expect(s.api.requests.some((r) => r.path.includes('/compare/'))).toBe(false);
    expect(s.dt.received).toHaveLength(1);
    expect(s.dt.received[0]).toMatchObject({ msgtype: 'actionCard' });
    expect(notifiedByAll(s.wcMarkdown.received, wecomNotified)).toEqual({ all: false, ids: [] });
    expect(notifiedByAll(s.wcText.received, wecomNotified)).toEqual({ all: false, ids: [] });
    expect(larkNotified(s.lark.received[0])).toEqual({ all: false, ids: [] });
    expect(s.smtp.received[0]!.envelope.to).toEqual(['lead@example.com']);
    // The app has no receivers of its own: with nobody to message it is skipped, not failed.
    expect(s.larkApp.received).toEqual([]);
    expect(results(run).at(-1)).toEqual(['app', true, true]);
  });

  it('falls back to the committers of the push with one warning when the history cannot be read', async () => {
    s.api.failures.push({ prefix: '/repos/acme/api/compare/', status: 404, message: 'Not Found' });
    const push = {
      ...SAMPLE_PUSH,
      commits: [
        {
          id: sha(2),
          message: 'Tune retries',
          author: { name: 'Bob Chen', email: 'bob@corp.example', username: 'bobc' },
        },
        { id: HEAD, message: 'Fix', author: { name: 'Ghost Writer', email: 'ghost@example.com' } },
      ],
    };
    const run = await notify(node, { status: 'failure', mention_people: 'culprits' }, push);
    expect(run.code).toBe(0);
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning::') && l.includes('mention_people'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^::warning::mention_people: culprits: github api: could not read the commits since the last successful run: HTTP 404.*; mentioning the committers of this push instead$/,
      ),
    ]);
    expect(dingtalkNotified(s.dt.received[0])).toEqual({ all: false, ids: ['13800000001', '13800000002'] });
    expect((JSON.parse(run.outputs.event!) as { people: Array<{ name: string }> }).people.map((p) => p.name)).toEqual([
      'Bob Chen',
      'Ghost Writer',
    ]);
  });

  it('mentions the committers of a pull request (the compare of its base and head) and the actor', async () => {
    const base = sha(7);
    s.api.commits = [
      commit(base, 'Someone', 'someone@example.com', null),
      commit(sha(1), 'Bob Chen', 'bob@corp.example', null),
      commit(sha(2), 'renovate[bot]', '29139614+renovate[bot]@users.noreply.github.com', 'renovate[bot]'),
      commit(HEAD, 'Bob Chen', 'bob@corp.example', null),
    ];
    const pull = {
      action: 'synchronize',
      number: 12,
      pull_request: {
        number: 12,
        title: 'Tune retries',
        html_url: 'https://github.com/acme/api/pull/12',
        head: { ref: 'tune-retries', sha: HEAD, repo: { full_name: 'acme/api' } },
        base: { ref: 'main', sha: base, repo: { full_name: 'acme/api' } },
      },
      repository: SAMPLE_PUSH.repository,
      sender: { login: 'monalisa' },
    };
    const run = await runAction({
      node,
      eventName: 'pull_request',
      eventPayload: pull,
      inputs: {
        channel: 'dingtalk',
        url: 'env:DT_URL',
        msg_type: 'text',
        status: 'success',
        mention_people: 'committers, actor',
        github_token: TOKEN,
      },
      env: { GITHUB_API_URL: s.api.url, DT_URL: s.dt.url },
      files: { '.ci-notify/people.yml': PEOPLE_YML },
    });
    expect(run.code).toBe(0);
    expect(s.api.requests.map((r) => r.path)).toContainEqual(`/repos/acme/api/compare/${base}...${HEAD}`);
    // The actor (GITHUB_ACTOR monalisa) first, then the one human committer.
    expect(dingtalkNotified(s.dt.received[0])).toEqual({ all: false, ids: ['13800000001', '13800000002'] });
    expect((JSON.parse(run.outputs.event!) as { people: unknown }).people).toEqual([
      { name: 'Mona Lisa', roles: ['actor'], reachable: ['dingtalk', 'wecom', 'lark', 'lark_app', 'email'] },
      { name: 'Bob Chen', roles: ['committer'], reachable: ['dingtalk', 'wecom', 'lark', 'lark_app', 'email'] },
    ]);
  });
});
