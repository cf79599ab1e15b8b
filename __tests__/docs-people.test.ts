/**
 * The README's "People" section as written: its people file is a complete, valid map, and its
 * GitHub workflow step, run through the bundle with that file in the workspace against stand-ins
 * (GitHub API, DingTalk, SMTP), mentions and mails exactly the culprits of a red run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IDENTITY_FIELDS, REACH_FIELDS, validatePeople } from '../src/people/map.js';
import { ROOT, runAction, SAMPLE_PUSH } from './support/bundle.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { startGitHubApi } from './support/github-api.js';
import { dingtalkNotified } from './support/mentions.js';
import { startSmtpServer } from './support/smtp.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = /^## People\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
const blocks = [...section.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
const peopleFile = blocks.find((b) => b.includes('.ci-notify/people.yml')) ?? '';
const workflow = blocks.find((b) => b.includes('uses: ci-notify/ci-notify@')) ?? '';

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
});
