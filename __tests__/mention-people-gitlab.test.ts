/**
 * `mention_people` on GitLab: the culprits of a red pipeline are the authors of the commits since the
 * last green pipeline of the ref (GitLab's pipelines list and repository compare, read from a
 * stand-in of the GitLab API with a read_api token), mapped through the people file in the project.
 * First the bundle as a GitLab job, then the component itself under gitlab-ci-local.
 *
 * The gitlab-ci-local part needs dist/ built, rsync and Node >= 22 (support/gitlab-ci-local.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/bundle.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import {
  standInPipeline,
  standInProject,
  startGitLabApi,
  type GitLabApiStandIn,
  type StandInCommit,
} from './support/gitlab-api.js';
import { makeProject, removeProjects, requireGitLabCiLocal } from './support/gitlab-ci-local.js';
import { dingtalkNotified, notifiedByAll, wecomNotified } from './support/mentions.js';
import { startWeComServer, type WeComServer } from './support/wecom-server.js';

const READ_API = 'glpat-peopleReadApi0123456789';
const GREEN = 'a'.repeat(40);

const PEOPLE_YML = `- name: Mona Lisa
  gitlab: mona
  emails: [mona@example.com]
  dingtalk_mobile: "13800000001"
  wecom_user_id: mona.lisa
- name: Bob Chen
  gitlab: bob
  emails: [bob@corp.example]
  dingtalk_mobile: "13800000002"
  wecom_user_id: bobchen
`;
const PRIVATE = ['13800000001', '13800000002', 'mona.lisa', 'bobchen'];

function commit(id: string, name: string, email: string, title = 'change'): StandInCommit {
  return {
    id,
    title,
    message: `${title}\n`,
    author_name: name,
    author_email: email,
    committer_name: name,
    committer_email: email,
  };
}
const sha = (n: number) => String(n).repeat(40);

let api: GitLabApiStandIn;
let dt: DingTalkServer;
let wc: WeComServer;
beforeEach(async () => {
  [api, dt, wc] = await Promise.all([startGitLabApi(), startDingTalkServer(), startWeComServer()]);
  api.apiTokens.push({ value: READ_API, scopes: ['read_api'], projects: [1217] });
});
afterEach(async () => {
  await Promise.all([api.close(), dt.close(), wc.close()]);
});

/** Pipeline 1000 on main at `head`, after a failed 999 and a green 998 at GREEN. */
function project(head: string, history: StandInCommit[]) {
  const p = standInProject({ history });
  p.pipelines = [
    standInPipeline({ id: 999, status: 'failed', sha: sha(2) }),
    standInPipeline({ id: 998, status: 'success', sha: GREEN }),
    standInPipeline({ id: 997, status: 'success', sha: sha(9) }),
  ];
  p.jobs.set(1000, []);
  api.projects.push(p);
  return head;
}

describe('mention_people: culprits on GitLab (the bundle as a job)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'people-gitlab-'));
  mkdirSync(join(dir, '.ci-notify'));
  writeFileSync(join(dir, '.ci-notify', 'people.yml'), PEOPLE_YML);
  const head = sha(5);

  function jobEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_API_V4_URL: api.url,
      CI_SERVER_URL: 'https://gitlab.example.com',
      CI_PROJECT_ID: '1217',
      CI_PROJECT_PATH: 'acme/api',
      CI_PROJECT_DIR: dir,
      CI_PIPELINE_ID: '1000',
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_SHA: head,
      CI_COMMIT_BEFORE_SHA: sha(4),
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_AUTHOR: 'Mona Lisa <mona@example.com>',
      GITLAB_USER_LOGIN: 'bob',
      GITLAB_USER_NAME: 'Bob Chen',
      GITLAB_USER_EMAIL: 'bob@corp.example',
      CI_JOB_TOKEN: 'glcbt-64_peopleJobToken',
      NOTIFY_GITLAB_TOKEN: READ_API,
      NOTIFY_RETRIES: '0',
      NOTIFY_CHANNELS: JSON.stringify([
        { type: 'dingtalk', name: 'dt', url: dt.url, msg_type: 'text' },
        { type: 'wecom', name: 'wc', url: wc.url },
      ]),
      ...extra,
    };
  }

  it('mentions the two authors of the three commits since the last green pipeline, and no one else', async () => {
    project(head, [
      commit(GREEN, 'Mona Lisa', 'mona@example.com', 'green'),
      commit(sha(3), 'Bob Chen', 'BOB@corp.example'),
      commit(sha(4), 'dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com'),
      commit(head, 'Mona', '42-mona@users.noreply.gitlab.example.com'),
    ]);
    const run = await runCli([], jobEnv({ NOTIFY_STATUS: 'failed', NOTIFY_MENTION_PEOPLE: 'culprits' }));
    expect(run.code).toBe(0);
    expect(api.requests.map((r) => `${r.credential} ${r.path}`)).toContainEqual(
      `private-token /api/v4/projects/1217/repository/compare?from=${GREEN}&to=${head}`,
    );
    expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: ['13800000002', '13800000001'] });
    expect(notifiedByAll(wc.received, wecomNotified)).toEqual({ all: false, ids: ['bobchen', 'mona.lisa'] });
    expect(run.stdout).toContain('dt: mentions 2 people (Bob Chen, Mona Lisa)');
    for (const value of PRIVATE) expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('mentions the committers of the push and the actor, on a green pipeline too', async () => {
    project(head, [
      commit(sha(3), 'Ghost', 'ghost@example.com'),
      commit(sha(4), 'Bob Chen', 'bob@corp.example'),
      commit(head, 'Mona Lisa', 'mona@example.com'),
    ]);
    const run = await runCli([], jobEnv({ NOTIFY_STATUS: 'success', NOTIFY_MENTION_PEOPLE: 'committers, actor' }));
    expect(run.code).toBe(0);
    // before..head: one commit, Mona's; the actor is Bob (GITLAB_USER_LOGIN).
    expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: ['13800000002', '13800000001'] });
    expect(run.stdout).toContain('dt: mentions 2 people (Bob Chen, Mona Lisa)');
  });

  it('falls back to the head commit author with one warning without a token to read the pipelines', async () => {
    project(head, []);
    const run = await runCli(
      [],
      jobEnv({ NOTIFY_STATUS: 'failed', NOTIFY_MENTION_PEOPLE: 'culprits', NOTIFY_GITLAB_TOKEN: '' }),
    );
    expect(run.code).toBe(0);
    const warnings = run.stdout.split('\n').filter((l) => l.includes('mention_people'));
    expect(warnings).toEqual([
      expect.stringMatching(/culprits: .*gitlab_token.*; mentioning the author of the head commit instead$/),
    ]);
    expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: ['13800000001'] });
  });
});

// ---------------------------------------------------------------------------------------------
// The component under gitlab-ci-local

const PIPELINE = `include:
  - component: $CI_SERVER_FQDN/acme/api/notify@$CI_COMMIT_SHA
    inputs:
      channel: dingtalk
      msg_type: text
      mention_people: culprits
      mention_on: failure
      bundle: ci-notify/index.js
      retries: 0

test:
  stage: test
  script:
    - echo "a test fails"; exit 1
`;

describe('mention_people: culprits with the component under gitlab-ci-local', () => {
  beforeAll(() => requireGitLabCiLocal());

  it('mentions the culprits of the failed pipeline in DingTalk, read from the GitLab API stand-in', async () => {
    const gcl = makeProject(PIPELINE, { '.ci-notify/people.yml': PEOPLE_YML }, 'Break the payment path');
    try {
      project(gcl.headSha, [
        commit(GREEN, 'Mona Lisa', 'mona@example.com', 'green'),
        commit(sha(3), 'Bob Chen', 'bob@corp.example'),
        commit(sha(4), 'Bob Chen', 'bob@corp.example'),
        commit(gcl.headSha, 'Mona Lisa', 'mona@example.com', 'Break the payment path'),
      ]);
      const { output } = await gcl.run({
        CI_API_V4_URL: api.url,
        CI_PIPELINE_ID: '1000',
        NOTIFY_URL: dt.url,
        NOTIFY_GITLAB_TOKEN: READ_API,
      });

      if (dt.received.length !== 1)
        throw new Error(`expected one DingTalk message; gitlab-ci-local said:\n${output.slice(-4000)}`);
      expect(output).toMatch(/ci-notify-failure\s+starting/);
      expect(api.requests.map((r) => r.path)).toContainEqual(
        `/api/v4/projects/1217/repository/compare?from=${GREEN}&to=${gcl.headSha}`,
      );
      expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: ['13800000002', '13800000001'] });
      expect(output).toContain('dingtalk: mentions 2 people (Bob Chen, Mona Lisa)');
      for (const value of PRIVATE) expect(output).not.toContain(value);
    } finally {
      removeProjects();
    }
  }, 120_000);
});
