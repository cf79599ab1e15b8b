/**
 * The README's "People" section as written: its people file is a complete, valid map, and its
 * GitHub workflow step, run through the bundle with that file in the workspace against stand-ins
 * (GitHub API, DingTalk, SMTP), mentions and mails exactly the culprits of a red run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { IDENTITY_FIELDS, REACH_FIELDS, validatePeople } from '../src/people/map.js';
import { ROOT, runAction, SAMPLE_PUSH } from './support/bundle.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { startGitHubApi } from './support/github-api.js';
import { makeProject, removeProjects, requireGitLabCiLocal } from './support/gitlab-ci-local.js';
import { standInPipeline, standInProject, startGitLabApi } from './support/gitlab-api.js';
import { dingtalkNotified, notifiedByAll, wecomNotified } from './support/mentions.js';
import { startSmtpServer } from './support/smtp.js';
import { startWeComServer } from './support/wecom-server.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = /^## People\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
const blocks = [...section.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
const peopleFile = blocks.find((b) => b.includes('.ci-notify/people.yml')) ?? '';
const workflow = blocks.find((b) => b.includes('uses: ci-notify/ci-notify@')) ?? '';
const gitlabCi = blocks.find((b) => b.includes('component:')) ?? '';

interface Step {
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

describe('README: People', () => {
  it('has a people file, a GitHub workflow and a GitLab include', () => {
    expect(section).not.toBe('');
    expect([peopleFile, workflow].map((b) => b.length > 0)).toEqual([true, true]);
    expect(blocks.some((b) => b.includes('component:') && b.includes('mention_people'))).toBe(true);
  });

  it('shows a complete people file: every field, and no problem in it', () => {
    const doc = parseYaml(peopleFile) as Array<Record<string, unknown>>;
    const used = new Set(doc.flatMap((entry) => Object.keys(entry)));
    expect([...IDENTITY_FIELDS, ...REACH_FIELDS].filter((f) => !used.has(f))).toEqual([]);
    expect(validatePeople(doc, 'README').errors).toEqual([]);
  });

  it('mentions and mails the culprits with the GitHub workflow as written', async () => {
    const token = 'ghs_docsPeopleToken0123456789';
    const api = await startGitHubApi({ repository: 'acme/api', token });
    const dt = await startDingTalkServer({ keyword: 'CI' });
    const smtp = await startSmtpServer();
    try {
      const green = 'b'.repeat(40);
      api.runs = [
        { id: 4242, run_number: 128, status: 'in_progress', conclusion: null, head_sha: SAMPLE_PUSH.after },
        { id: 4241, run_number: 127, status: 'completed', conclusion: 'success', head_sha: green },
      ].map((r) => ({
        ...r,
        name: 'CI',
        workflow_id: 7,
        head_branch: 'main',
        head_repository: 'acme/api',
        run_started_at: `2026-12-01T0${r.run_number - 120}:00:00Z`,
        created_at: `2026-12-01T0${r.run_number - 120}:00:00Z`,
      })) as typeof api.runs;
      api.jobs.set('4242/1', []);
      api.commits = [
        { sha: green, message: 'green', author: { name: 'Mona Lisa', email: 'mona@example.com' }, login: 'monalisa' },
        { sha: 'c'.repeat(40), message: 'one', author: { name: 'Bob', email: 'bob@corp.example' }, login: null },
        { sha: SAMPLE_PUSH.after, message: 'two', author: { name: 'M', email: 'mona@example.com' }, login: null },
      ];

      const doc = parseYaml(workflow) as { jobs: Record<string, { steps: Step[] }> };
      const step = Object.values(doc.jobs)
        .flatMap((job) => job.steps)
        .find((st) => st.uses?.startsWith('ci-notify/ci-notify@'))!;
      const secrets: Record<string, string> = {
        DINGTALK_URL: dt.url,
        SMTP_URL: `smtp://${smtp.host}:${smtp.port}`,
      };
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([name, value]) => [
          name,
          value.replace(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g, (_, secret: string) => secrets[secret] ?? ''),
        ]),
      );
      const run = await runAction({
        // `status` defaults to ${{ job.status }}; `github_token` to ${{ github.token }}.
        inputs: { ...step.with, status: 'failure', github_token: token },
        env: { ...env, GITHUB_API_URL: api.url, NODE_EXTRA_CA_CERTS: smtp.caFile },
        files: { '.ci-notify/people.yml': peopleFile },
      });
      expect(run.code).toBe(0);
      expect(dt.received).toHaveLength(1);
      expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: ['13800000002', '13800000001'] });
      expect(smtp.received.map((m) => m.envelope.to)).toEqual([
        ['dev-leads@example.com', 'bob@corp.example', 'mona.lisa@corp.example'],
      ]);
      expect(run.stdout).toContain('dingtalk: mentions 2 people (Bob Chen, Mona Lisa)');
      for (const value of ['13800000001', '13800000002', 'mona-dt', 'ou_7d8a6e6df7621556ce0d21922b676706'])
        expect([run.stdout, run.stderr, run.summary, ...Object.values(run.outputs)].join('\n')).not.toContain(value);
    } finally {
      await Promise.all([api.close(), dt.close(), smtp.close()]);
    }
  });

  it('mentions the culprits with the GitLab include as written (under gitlab-ci-local)', async () => {
    requireGitLabCiLocal();
    const include = (parseYaml(gitlabCi) as { include: Array<{ component: string; inputs: Record<string, unknown> }> })
      .include[0]!;
    // The same inputs, with the component taken from this checkout and the bundle from dist/.
    const pipeline = stringifyYaml({
      include: [
        {
          component: '$CI_SERVER_FQDN/acme/api/notify@$CI_COMMIT_SHA',
          inputs: { ...include.inputs, bundle: 'ci-notify/index.js', retries: 0 },
        },
      ],
      test: { stage: 'test', script: ['echo "a test fails"; exit 1'] },
    });
    const token = 'glpat-docsPeople0123456789';
    const [api, wc] = await Promise.all([startGitLabApi(), startWeComServer()]);
    const gcl = makeProject(pipeline, { '.ci-notify/people.yml': peopleFile }, 'Break the payment path');
    try {
      api.apiTokens.push({ value: token, scopes: ['read_api'], projects: [1217] });
      const green = 'a'.repeat(40);
      const commit = (id: string, name: string, email: string) => ({
        id,
        title: 'change',
        message: 'change',
        author_name: name,
        author_email: email,
        committer_name: name,
        committer_email: email,
      });
      const p = standInProject({
        history: [
          commit(green, 'Mona Lisa', 'mona@example.com'),
          commit('c'.repeat(40), 'Bob Chen', 'bob@corp.example'),
          commit(gcl.headSha, 'Mona Lisa', 'mona.lisa@corp.example'),
        ],
      });
      p.pipelines = [standInPipeline({ id: 999, status: 'success', sha: green })];
      p.jobs.set(1000, []);
      api.projects.push(p);

      const { output } = await gcl.run({
        CI_API_V4_URL: api.url,
        CI_PIPELINE_ID: '1000',
        NOTIFY_URL: wc.url,
        NOTIFY_GITLAB_TOKEN: token,
      });
      if (wc.received.length !== 1)
        throw new Error(`expected one WeCom message; gitlab-ci-local said:\n${output.slice(-4000)}`);
      expect(notifiedByAll(wc.received, wecomNotified)).toEqual({ all: false, ids: ['bobchen', 'MonaLisa'] });
      expect(output).toContain('wecom: mentions 2 people (Bob Chen, Mona Lisa)');
      for (const value of ['13800000001', 'bobchen', 'MonaLisa']) expect(output).not.toContain(value);
    } finally {
      removeProjects();
      await Promise.all([api.close(), wc.close()]);
    }
  }, 120_000);
});
