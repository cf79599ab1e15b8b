/**
 * The README's section on `format: flow` and `format: zadig`, as written: its status table is the
 * code's, its field tables name every field sent, the GitHub workflow runs through the bundle with
 * its `with:` inputs and sends exactly the Flow JSON shown, and the GitLab pipeline runs through
 * the bundle as the component's job (its inputs as NOTIFY_* variables, `workflow: name` as the
 * pipeline name, the jobs it names from a GitLab API stand-in) and sends exactly the Zadig JSON and
 * headers shown. (gitlab-ci-local creates that pipeline in docs-examples.test.ts, like every
 * component snippet of the README.)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FLOW_STATUS } from '../src/channels/flow.js';
import { ZADIG_STATUS } from '../src/channels/zadig.js';
import { STATUSES } from '../src/event/types.js';
import { ROOT, runAction, runCli } from './support/bundle.js';
import { startDeployToDevApi, type GitLabApiStandIn } from './support/gitlab-api.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const HEADING = '### Receivers built for Alibaba Cloud Flow or Zadig (`format: flow`, `format: zadig`)';

function section(): string {
  const start = readme.indexOf(HEADING);
  if (start < 0) throw new Error(`README.md has no "${HEADING}"`);
  const end = readme.indexOf('\n## ', start);
  return readme.slice(start, end < 0 ? undefined : end);
}

function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** The rows of the `nth` markdown table whose header row starts with `first`. */
function table(text: string, first: string, nth = 0): string[][] {
  const lines = text.split('\n');
  const head = lines.map((l, i) => (l.startsWith(`| ${first} `) ? i : -1)).filter((i) => i >= 0)[nth] ?? -1;
  if (head < 0) throw new Error(`no table ${nth + 1} starting with "${first}"`);
  const rows: string[][] = [];
  for (let i = head + 2; i < lines.length && lines[i]!.startsWith('|'); i++)
    rows.push(
      lines[i]!.split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1').replace(/^""$/, '');

/** Every key path of a JSON value, array items as `[]` (e.g. `workflow.stages[].jobs[].name`). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(v, path)];
  });
}

/** Whether a table row names the field at `path`: `name` or `parent.name` in backticks. */
function named(row: string, path: string): boolean {
  const name = path.split('.').pop()!.replace('[]', '');
  return new RegExp(`[\`.]${name}\``).test(row);
}

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('the README on format flow and zadig', () => {
  const text = section();

  it('has the status table of the code', () => {
    const rows = table(text, 'ci-notify status').map((cells) => cells.map(unquote));
    expect(rows).toEqual(
      STATUSES.map((status) => [status, FLOW_STATUS[status].code, FLOW_STATUS[status].name, ZADIG_STATUS[status]]),
    );
  });

  it('shows two examples, each a workflow and the JSON it sends', () => {
    expect(blocks(text, 'yaml')).toHaveLength(2);
    expect(blocks(text, 'json')).toHaveLength(2);
  });

  it('runs the GitHub workflow and sends exactly the Flow JSON shown', async () => {
    const workflow = parse(blocks(text, 'yaml')[0]!) as {
      jobs: Record<string, { needs?: string[]; steps: { uses?: string; with?: Record<string, string> }[] }>;
    };
    const report = Object.values(workflow.jobs).find((job) => job.steps.some((s) => s.uses?.includes('ci-notify')))!;
    const step = report.steps.find((s) => s.uses?.includes('ci-notify'))!;
    // "When `test` fails": every other needed job passed.
    const needs = Object.fromEntries(
      (report.needs ?? []).map((name) => [name, { result: name === 'test' ? 'failure' : 'success', outputs: {} }]),
    );
    const inputs = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([name, value]) => [
        name,
        String(value)
          .replace('${{ secrets.FLOW_RECEIVER_URL }}', `${receiver.origin}/flow`)
          .replace('${{ toJSON(needs) }}', JSON.stringify(needs)),
      ]),
    );
    expect(Object.values(inputs).join('\n')).not.toContain('${{');
    // `status` is the action's default, `job.status`: the report job itself is green.
    const run = await runAction({ inputs: { status: 'success', ...inputs } });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]!.json();
    expect(body).toEqual(JSON.parse(blocks(text, 'json')[0]!));
    // The field table names every field sent.
    const fields = table(text, 'field', 0).map((cells) => cells.join(' ').replaceAll('[]', ''));
    for (const path of keyPaths(body).filter((p) => p.includes('.')))
      expect([path, fields.some((f) => named(f, path))]).toEqual([path, true]);
  }, 30_000);

  describe('the GitLab pipeline', () => {
    let api: GitLabApiStandIn;
    const JOB_TOKEN = 'glcbt-64_docsSeedJobToken0123456789';
    const SECRET = 'docs-zadig-secret-token';
    beforeEach(async () => {
      api = await startDeployToDevApi(JOB_TOKEN);
    });
    afterEach(async () => {
      await api.close();
    });

    it('sends exactly the Zadig JSON shown, with the headers the table names', async () => {
      const pipeline = parse(blocks(text, 'yaml')[1]!) as {
        workflow: { name: string };
        include: { component: string; inputs: Record<string, string> }[];
      };
      const variables = Object.fromEntries(
        Object.entries(pipeline.include[0]!.inputs).map(([name, value]) => [`NOTIFY_${name.toUpperCase()}`, value]),
      );
      const url = `${receiver.origin}/zadig`;
      const before = Math.floor(Date.now() / 1000);
      const result = await runCli([], {
        GITLAB_CI: 'true',
        CI: 'true',
        CI_API_V4_URL: api.url,
        CI_SERVER_URL: 'https://gitlab.example.com',
        CI_PROJECT_ID: '1217',
        CI_PROJECT_NAME: 'api',
        CI_PROJECT_PATH: 'acme/api',
        CI_PROJECT_NAMESPACE: 'acme',
        CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
        CI_PIPELINE_ID: '1000',
        CI_PIPELINE_IID: '100',
        CI_PIPELINE_NAME: pipeline.workflow.name,
        CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
        CI_PIPELINE_SOURCE: 'push',
        CI_COMMIT_SHA: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
        CI_COMMIT_REF_NAME: 'main',
        CI_COMMIT_BRANCH: 'main',
        GITLAB_USER_LOGIN: 'zhangsan',
        GITLAB_USER_NAME: 'Zhang San',
        GITLAB_USER_EMAIL: 'zhangsan@example.com',
        CI_JOB_ID: '5',
        CI_JOB_NAME: 'ci-notify-success',
        CI_JOB_STAGE: '.post',
        CI_JOB_TOKEN: JOB_TOKEN,
        CI_NOTIFY_JOB_NAME: 'ci-notify',
        NOTIFY_STATUS: 'success',
        // The masked CI/CD variables the README asks for.
        NOTIFY_URL: url,
        NOTIFY_SECRET: SECRET,
        ...variables,
      });
      const after = Math.floor(Date.now() / 1000);
      expect(result.code).toBe(0);
      expect(receiver.requests).toHaveLength(1);
      const request = receiver.requests[0]!;
      const body = request.json() as { workflow: { end_time: number } };
      // end_time is the moment of the report: the README shows one such moment.
      expect(body.workflow.end_time).toBeGreaterThanOrEqual(before);
      expect(body.workflow.end_time).toBeLessThanOrEqual(after);
      const shown = JSON.parse(blocks(text, 'json')[1]!) as { workflow: { end_time: number } };
      expect(body).toEqual({ ...shown, workflow: { ...shown.workflow, end_time: body.workflow.end_time } });

      const headers = table(text, 'header');
      expect(headers.map((row) => row[0])).toEqual([
        '`X-Zadig-Event`',
        '`X-Zadig-Event-Uuid`',
        '`X-Zadig-Instance`',
        '`X-Zadig-Webhook-Uuid`',
        '`X-Zadig-Token`',
      ]);
      const namespace = /namespace `([0-9a-f-]{36})`/.exec(headers[3]![1]!)![1]!;
      const hash = createHash('sha1')
        .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
        .update(`${url}\nwebhook`)
        .digest();
      hash[6] = (hash[6]! & 0x0f) | 0x50;
      hash[8] = (hash[8]! & 0x3f) | 0x80;
      const h = hash.subarray(0, 16).toString('hex');
      expect(request.headers).toMatchObject({
        'x-zadig-event': 'workflow',
        'x-zadig-event-uuid': request.headers['x-ci-notify-delivery'],
        'x-zadig-instance': 'https://gitlab.example.com',
        'x-zadig-webhook-uuid': `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
        'x-zadig-token': SECRET,
      });
      expect(request.headers['x-zadig-event-uuid']).toMatch(/^[0-9a-f-]{36}$/);

      const fields = table(text, 'field', 1).map((cells) => cells.join(' ').replaceAll('[]', ''));
      for (const path of keyPaths(body).filter((p) => p.includes('.')))
        expect([path, fields.some((f) => named(f, path))]).toEqual([path, true]);
    }, 30_000);
  });
});
