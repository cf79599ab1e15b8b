import type { CiEvent, JobSummary } from '../src/event/types.js';
import { buildMessage, defaultTitle, headlineOf, outcomeOf } from '../src/render/message.js';
import { formatDuration, triggerWord } from '../src/render/locale.js';
import { utf8Bytes } from '../src/render/text.js';
import type { FieldName, Locale, MessageModel } from '../src/render/types.js';
import { emptyEvent, sampleEvent } from './support/fixtures.js';
import {
  cancelledRun,
  COMMIT_URL,
  failureWithJobs,
  fixedRun,
  jobUrl,
  longMatrix,
  pullRequestRun,
  RUN_URL,
  stillFailing,
} from './support/sample-events.js';

function build(
  event: CiEvent,
  {
    locale = 'en',
    fields = null,
    title = '',
    template = '',
    env = {},
  }: { locale?: Locale; fields?: FieldName[] | null; title?: string; template?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const warnings: string[] = [];
  const message = buildMessage(event, { locale, fields, title, template, env, warn: (m) => warnings.push(m) });
  return { message, warnings };
}

/** The body as plain lines: what a reader sees, in order. */
function bodyLines(message: MessageModel): string[] {
  return message.sections.flatMap((s) =>
    s.lines.map((l) => `${l.item ? '• ' : ''}${l.spans.map((x) => x.text).join('')}`),
  );
}

describe('buildMessage — the MESSAGES.md failure', () => {
  it('leads with the outcome and what failed, then the commit and the trigger (whole model, en)', () => {
    const event = failureWithJobs();
    expect(build(event)).toEqual<{ message: MessageModel; warnings: string[] }>({
      message: {
        locale: 'en',
        status: 'failure',
        outcome: 'regressed',
        status_text: 'Failed',
        outcome_text: 'failed (was passing)',
        status_emoji: '❌',
        colour: { lark: 'red', wecom: 'warning', template_card: 2, hex: '#cf222e' },
        title: '❌ acme/api · main · CI #128 failed (was passing)',
        title_prefix: '❌ acme/api · main · CI #128 ',
        headline: 'CI #128 failed (was passing)',
        repository: 'acme/api',
        repository_url: 'https://github.com/acme/api',
        ref: { text: 'main', type: 'branch', url: 'https://github.com/acme/api/tree/main' },
        body: null,
        body_parts: null,
        sections: [
          {
            kind: 'jobs',
            state: 'failed',
            count: 2,
            total: 5,
            heading: '2 of 5 jobs failed',
            jobs: [
              { name: 'test (ubuntu, 20)', url: jobUrl(2), step: 'Run tests' },
              { name: 'lint', url: jobUrl(3), step: 'Run eslint' },
            ],
            more: 0,
            more_text: null,
            facts: [],
            lines: [
              { spans: [{ text: '2 of 5 jobs failed', style: 'strong' }] },
              {
                item: true,
                spans: [
                  { text: 'test (ubuntu, 20)', url: jobUrl(2) },
                  { text: ' — Run tests', style: 'muted' },
                ],
              },
              {
                item: true,
                spans: [
                  { text: 'lint', url: jobUrl(3) },
                  { text: ' — Run eslint', style: 'muted' },
                ],
              },
            ],
          },
          {
            kind: 'commit',
            sha: '9f8e7d6',
            url: COMMIT_URL,
            title: 'Fix payment path',
            author: 'Mona Lisa',
            facts: [
              { field: 'commit', label: 'Commit', value: 'Fix payment path', url: COMMIT_URL, link_text: '9f8e7d6' },
              { field: 'author', label: 'Author', value: 'Mona Lisa' },
            ],
            lines: [
              {
                spans: [
                  { text: '9f8e7d6', url: COMMIT_URL, style: 'code' },
                  { text: ' Fix payment path' },
                  { text: ' · Mona Lisa', style: 'muted' },
                ],
              },
            ],
          },
          {
            kind: 'trigger',
            how: 'push',
            who: 'octocat',
            attempt: null,
            duration: '1m 33s',
            facts: [
              { field: 'trigger', label: 'Triggered by', value: 'push by octocat' },
              { field: 'duration', label: 'Duration', value: '1m 33s' },
            ],
            lines: [{ spans: [{ text: 'push by octocat · 1m 33s', style: 'muted' }] }],
          },
        ],
        facts: [
          { field: 'commit', label: 'Commit', value: 'Fix payment path', url: COMMIT_URL, link_text: '9f8e7d6' },
          { field: 'author', label: 'Author', value: 'Mona Lisa' },
          { field: 'trigger', label: 'Triggered by', value: 'push by octocat' },
          { field: 'duration', label: 'Duration', value: '1m 33s' },
        ],
        punctuation: { colon: ': ', list: ', ' },
        link: { label: 'View run', url: RUN_URL },
        event,
      },
      warnings: [],
    });
  });

  it('says the same in Chinese, with full-width punctuation', () => {
    const { message } = build(failureWithJobs(), { locale: 'zh' });
    expect([message.title, message.outcome_text, message.status_text, bodyLines(message), message.facts]).toEqual([
      '❌ acme/api · main · CI #128 失败（上次成功）',
      '失败（上次成功）',
      '失败',
      [
        '5 个任务中 2 个失败',
        '• test (ubuntu, 20) — Run tests',
        '• lint — Run eslint',
        '9f8e7d6 Fix payment path · Mona Lisa',
        '推送（octocat） · 耗时 1 分 33 秒',
      ],
      [
        { field: 'commit', label: '提交', value: 'Fix payment path', url: COMMIT_URL, link_text: '9f8e7d6' },
        { field: 'author', label: '作者', value: 'Mona Lisa' },
        { field: 'trigger', label: '触发', value: '推送（octocat）' },
        { field: 'duration', label: '耗时', value: '1 分 33 秒' },
      ],
    ]);
    expect(message.punctuation).toEqual({ colon: '：', list: '、' });
    expect(message.link).toEqual({ label: '查看详情', url: RUN_URL });
  });

  it('repeats nothing of the title in the body', () => {
    const { message } = build(failureWithJobs());
    const body = bodyLines(message).join('\n');
    for (const part of ['acme/api', 'main', 'CI #128', 'failed (was passing)']) expect(body).not.toContain(part);
  });
});

describe('buildMessage — outcomes and transitions in the title', () => {
  it('names the transition: fixed and still failing differ from success and failure', () => {
    const plain = failureWithJobs({ transition: null, previous_status: null });
    const green = fixedRun();
    const success = { ...green, transition: null, previous_status: null };
    const cases: [CiEvent, string, string][] = [
      [
        failureWithJobs(),
        '❌ acme/api · main · CI #128 failed (was passing)',
        '❌ acme/api · main · CI #128 失败（上次成功）',
      ],
      [stillFailing(), '❌ acme/api · main · CI #128 still failing', '❌ acme/api · main · CI #128 仍失败'],
      [plain, '❌ acme/api · main · CI #128 failed', '❌ acme/api · main · CI #128 失败'],
      [green, '✅ acme/api · main · CI #128 fixed', '✅ acme/api · main · CI #128 已修复'],
      [success, '✅ acme/api · main · CI #128 succeeded', '✅ acme/api · main · CI #128 成功'],
    ];
    expect(cases.map(([e]) => [build(e).message.title, build(e, { locale: 'zh' }).message.title])).toEqual(
      cases.map(([, en, zh]) => [en, zh]),
    );
    expect(cases.map(([e]) => build(e).message.colour.lark)).toEqual(['red', 'red', 'red', 'green', 'green']);
  });

  it('derives "passed with warnings" from a failed job that was allowed to fail, and lists it', () => {
    const e = fixedRun();
    const warned = {
      ...e,
      transition: null,
      jobs: [
        ...e.jobs,
        { ...e.jobs[0]!, name: 'audit', status: 'failure' as const, allow_failure: true, url: jobUrl(9) },
      ],
    };
    const { message } = build(warned);
    expect([
      message.outcome,
      message.title,
      message.status_emoji,
      message.colour,
      bodyLines(message).slice(0, 2),
    ]).toEqual([
      'warnings',
      '⚠️ acme/api · main · CI #128 passed with warnings',
      '⚠️',
      { lark: 'orange', wecom: 'warning', template_card: 0, hex: '#9a6700' },
      ['1 of 6 jobs failed (allowed to fail)', '• audit'],
    ]);
    expect(build(warned, { locale: 'zh' }).message.title).toBe('⚠️ acme/api · main · CI #128 成功（有警告）');
    // a fix is the bigger news
    expect(outcomeOf({ ...warned, transition: 'fixed' })).toBe('fixed');
  });

  it('writes every outcome as the end of the title in both locales', () => {
    const statuses = ['success', 'failure', 'cancelled', 'skipped', 'running', 'pending', 'unknown'] as const;
    expect(statuses.map((status) => headlineOf(sampleEvent({ status, transition: null }), 'en'))).toEqual([
      'CI #128 succeeded',
      'CI #128 failed',
      'CI #128 cancelled',
      'CI #128 skipped',
      'CI #128 running',
      'CI #128 waiting',
      'CI #128 status unknown',
    ]);
    expect(statuses.map((status) => defaultTitle(sampleEvent({ status, transition: null }), 'zh'))).toEqual([
      '✅ acme/api · main · CI #128 成功',
      '❌ acme/api · main · CI #128 失败',
      '⏹️ acme/api · main · CI #128 已取消',
      '⏭️ acme/api · main · CI #128 已跳过',
      '🔄 acme/api · main · CI #128 运行中',
      '⏳ acme/api · main · CI #128 等待中',
      '❔ acme/api · main · CI #128 状态未知',
    ]);
  });

  it('names the branch, the pull or merge request, or the tag in the title', () => {
    const e = sampleEvent();
    const mr = sampleEvent({
      ref: { name: 'fix/payment-path', type: 'merge_request', url: null },
      change_request: { ...e.change_request!, url: 'https://gitlab.com/acme/api/-/merge_requests/12' },
    });
    const tag = sampleEvent({ ref: { name: 'v1.2.0', type: 'tag', url: null }, transition: null });
    expect([
      build(pullRequestRun()).message.title,
      build(mr).message.title,
      build(tag).message.title,
      build(sampleEvent({ ref: { name: null, type: null, url: null } })).message.title,
    ]).toEqual([
      '❌ acme/api · PR #12 · CI #128 failed',
      '❌ acme/api · MR !12 · CI #128 failed (was passing)',
      '❌ acme/api · v1.2.0 · CI #128 failed',
      '❌ acme/api · CI #128 failed (was passing)',
    ]);
  });

  it('names the run by what it has, and degrades for an event with almost nothing in it', () => {
    const bare = emptyEvent();
    const numbered = emptyEvent({
      status: 'success',
      pipeline: { ...bare.pipeline, number: 7 },
      repository: { ...bare.repository, name: 'api' },
    });
    const named = emptyEvent({ status: 'cancelled', pipeline: { ...bare.pipeline, name: 'Deploy' } });
    expect([
      build(bare).message.title,
      build(bare, { locale: 'zh' }).message.title,
      build(numbered).message.title,
      build(numbered, { locale: 'zh' }).message.title,
      build(named).message.title,
      build(named, { locale: 'zh' }).message.title,
    ]).toEqual([
      '❔ Pipeline status unknown',
      '❔ 流水线状态未知',
      '✅ api · Pipeline #7 succeeded',
      '✅ api · 流水线 #7 成功',
      '⏹️ Deploy cancelled',
      '⏹️ Deploy 已取消',
    ]);
    const { message } = build(bare);
    expect([message.sections, message.facts, message.link, message.repository, message.ref]).toEqual([
      [],
      [],
      null,
      null,
      null,
    ]);
  });
});

describe('buildMessage — what failed, first', () => {
  it('lists the first 8 failed jobs, whole matrix names one per line with their steps, then "and N more"', () => {
    const { message } = build(longMatrix());
    const zh = build(longMatrix(), { locale: 'zh' }).message;
    expect(bodyLines(message).slice(0, 11)).toEqual([
      '12 of 15 jobs failed',
      '• test (ubuntu-latest, 24, --experimental-vm-modules) — Run npm test',
      '• test (ubuntu-latest, 25, --experimental-vm-modules) — Run npm test',
      '• test (windows-latest, 18, --experimental-vm-modules) — Run npm test',
      '• test (windows-latest, 20, --experimental-vm-modules) — Run npm test',
      '• test (windows-latest, 22, --experimental-vm-modules) — Run npm test',
      '• test (windows-latest, 24, --experimental-vm-modules) — Run npm test',
      '• test (windows-latest, 25, --experimental-vm-modules) — Run npm test',
      '• test (macos-latest, 18, --experimental-vm-modules) — Run npm test',
      '• and 4 more',
      '9f8e7d6 Fix payment path · Mona Lisa',
    ]);
    expect([bodyLines(zh)[0], bodyLines(zh)[9]]).toEqual(['15 个任务中 12 个失败', '• 等 4 个']);
    const section = message.sections[0]!;
    expect(
      section.kind === 'jobs' && [section.count, section.total, section.jobs.length, section.more, section.more_text],
    ).toEqual([12, 15, 8, 4, 'and 4 more']);
  });

  it('says what was cancelled, and what is running or waiting', () => {
    const e = failureWithJobs();
    const running = failureWithJobs({
      status: 'running',
      transition: null,
      jobs: e.jobs.map((j, i) => ({
        ...j,
        status: i < 2 ? ('running' as const) : ('pending' as const),
        failed_step: null,
      })),
    });
    const manual = fixedRun();
    manual.jobs.push({ ...manual.jobs[0]!, name: 'deploy (production)', status: 'pending', url: jobUrl(7) });
    expect([
      bodyLines(build(cancelledRun()).message).slice(0, 2),
      bodyLines(build(cancelledRun(), { locale: 'zh' }).message).slice(0, 2),
      bodyLines(build(running).message).slice(0, 7),
      bodyLines(build(manual).message).slice(0, 2),
      bodyLines(build(manual, { locale: 'zh' }).message).slice(0, 2),
    ]).toEqual([
      ['1 of 4 jobs cancelled', '• test (ubuntu, 20)'],
      ['4 个任务中 1 个已取消', '• test (ubuntu, 20)'],
      ['2 jobs running', '• build', '• test (ubuntu, 20)', '3 jobs waiting', '• lint', '• test (ubuntu, 22)', '• docs'],
      ['1 job waiting', '• deploy (production)'],
      ['1 个任务等待中', '• deploy (production)'],
    ]);
  });

  it('counts and names the job ci-notify runs in when that job is what failed (a step at the end of it)', () => {
    const e = failureWithJobs();
    const sameJob = failureWithJobs({
      jobs: e.jobs.map((j) => ({ ...j, status: 'success' as const, failed_step: null })),
      job: { id: '90001', name: 'test', stage: null, url: jobUrl(90001) },
    });
    expect(bodyLines(build(sameJob).message).slice(0, 2)).toEqual(['1 of 6 jobs failed', '• test']);
    // Another job failed (a notify job after `needs`): the notify job itself is not counted.
    const notifyJob = failureWithJobs({ job: { id: '1', name: 'notify', stage: null, url: null } });
    expect(bodyLines(build(notifyJob).message)[0]).toBe('2 of 5 jobs failed');
    // No jobs known at all: nothing is invented.
    expect(build(failureWithJobs({ jobs: [], job: sameJob.job })).message.sections.map((s) => s.kind)).toEqual([
      'commit',
      'trigger',
    ]);
  });
});

describe('buildMessage — the change and the people', () => {
  it('shows a pull request as title and source → target, linked', () => {
    const { message } = build(pullRequestRun());
    expect(message.sections.find((s) => s.kind === 'change_request')).toEqual({
      kind: 'change_request',
      label: 'Pull request',
      number: '#12',
      title: 'Add retries',
      url: 'https://github.com/acme/api/pull/12',
      source_branch: 'feature/x',
      target_branch: 'main',
      facts: [
        {
          field: 'ref',
          label: 'Pull request',
          value: '#12 Add retries · feature/x → main',
          url: 'https://github.com/acme/api/pull/12',
        },
      ],
      lines: [
        {
          spans: [
            { text: 'Add retries', url: 'https://github.com/acme/api/pull/12' },
            { text: ' · feature/x → main', style: 'muted' },
          ],
        },
      ],
    });
    expect(bodyLines(message)).toEqual([
      '1 of 5 jobs failed',
      '• lint — Run eslint',
      'Add retries · feature/x → main',
      '9f8e7d6 Fix payment path · Mona Lisa',
      'pull request by octocat · 1m 33s',
    ]);
    expect(message.facts[0]).toEqual({
      field: 'ref',
      label: 'Pull request',
      value: '#12 Add retries · feature/x → main',
      url: 'https://github.com/acme/api/pull/12',
    });
  });

  it('names the culprits the run selected (names only; mentions go through at_*), after the trigger line', () => {
    const event = failureWithJobs({
      people: [
        { name: 'Mona Lisa', roles: ['author', 'culprit'], reachable: ['dingtalk'] },
        { name: 'Hubot', roles: ['actor'], reachable: [] },
        { name: 'Bob', roles: ['culprit'], reachable: [] },
      ],
    });
    expect([bodyLines(build(event).message).at(-1), bodyLines(build(event, { locale: 'zh' }).message).at(-1)]).toEqual([
      'Culprits: Mona Lisa, Bob',
      '可能相关：Mona Lisa、Bob',
    ]);
  });

  it('names who started a re-run when that is not the author, and the attempt', () => {
    const e = failureWithJobs();
    const rerun = failureWithJobs({
      pipeline: { ...e.pipeline, trigger: 'workflow_dispatch', attempt: 2 },
      actor: { login: 'hubot', name: null, email: null },
    });
    const own = failureWithJobs({ actor: { login: 'monalisa', name: null, email: null } });
    expect([
      bodyLines(build(rerun).message).at(-1),
      bodyLines(build(rerun, { locale: 'zh' }).message).at(-1),
      bodyLines(build(own).message).at(-1),
    ]).toEqual([
      'manual run by hubot · attempt 2 · 1m 33s',
      '手动运行（hubot） · 第 2 次运行 · 耗时 1 分 33 秒',
      'push · 1m 33s',
    ]);
  });

  it('shows params last', () => {
    expect(bodyLines(build(failureWithJobs({ params: { env: 'prod', region: 'eu' } })).message).at(-1)).toBe(
      'Params: env=prod, region=eu',
    );
  });
});

describe('buildMessage — fields, title and template', () => {
  it('narrows the body with `fields`; the title never changes', () => {
    const event = failureWithJobs({ params: { env: 'prod' } });
    const only = (fields: FieldName[]) => build(event, { fields }).message;
    expect([
      bodyLines(only(['jobs'])),
      bodyLines(only(['commit'])),
      bodyLines(only(['author'])),
      bodyLines(only(['duration'])),
      bodyLines(only(['trigger', 'params'])),
      only(['commit']).link,
      only(['link']).link,
      only([]).title,
    ]).toEqual([
      ['2 of 5 jobs failed', '• test (ubuntu, 20) — Run tests', '• lint — Run eslint'],
      ['9f8e7d6 Fix payment path'],
      ['Mona Lisa'],
      ['1m 33s'],
      ['push by octocat', 'Params: env=prod'],
      null,
      { label: 'View run', url: RUN_URL },
      '❌ acme/api · main · CI #128 failed (was passing)',
    ]);
  });

  it('renders the user title (one line) and the user template as the body, in parts', () => {
    const { message, warnings } = build(failureWithJobs({ params: { env: 'prod' } }), {
      title: '${status_emoji} deploy ${repository.name} to ${params.env}\n${status_text}',
      template: '**${commit.title}** by ${commit.author.login:-someone}\nRun: ${pipeline.url}',
    });
    expect([message.title, message.title_prefix, message.body, message.body_parts, warnings]).toEqual([
      '❌ deploy api to prod Failed',
      null,
      `**Fix payment path** by monalisa\nRun: ${RUN_URL}`,
      [
        { text: '**', value: false },
        { text: 'Fix payment path', value: true },
        { text: '** by ', value: false },
        { text: 'monalisa', value: true },
        { text: '\nRun: ', value: false },
        { text: RUN_URL, value: true },
      ],
      [],
    ]);
  });

  it('falls back to the default title when the title template renders to nothing, and warns once', () => {
    const { message, warnings } = build(failureWithJobs(), { title: '${nope}', template: '${nope} ${nope}' });
    expect([message.title, message.body, warnings]).toEqual([
      '❌ acme/api · main · CI #128 failed (was passing)',
      ' ',
      [
        'template: ${nope} is not a field of the event (see README "Templates"); it renders empty (write ${nope:-fallback} to give a default)',
      ],
    ]);
  });
});

describe('buildMessage — untrusted text', () => {
  it('keeps it raw but on one line, and never links anything but http(s)', () => {
    const e = failureWithJobs();
    const hostile = failureWithJobs({
      pipeline: { ...e.pipeline, url: 'javascript:alert(1)', duration_ms: null },
      commit: { ...e.commit, title: null, message: '\n  <at id=all></at> **Fix**\r\n\nbody', url: 'data:text/html,x' },
      ref: { name: 'main\nmore', type: 'branch', url: 'file:///etc/passwd' },
      jobs: [{ ...e.jobs[1]!, name: 'a\nb', url: 'javascript:x', failed_step: 'x\r\ny' }],
      job: { id: '1', name: 'notify', stage: null, url: 'https://github.com/acme/api/actions/runs/4242/job/1' },
    });
    const { message } = build(hostile);
    expect([message.ref, message.sections.map((s) => s.lines), message.link]).toEqual([
      { text: 'main more', type: 'branch', url: null },
      [
        [
          { spans: [{ text: '1 job failed', style: 'strong' }] },
          { item: true, spans: [{ text: 'a b' }, { text: ' — x y', style: 'muted' }] },
        ],
        [
          {
            spans: [
              { text: '9f8e7d6', style: 'code' },
              { text: ' <at id=all></at> **Fix**' },
              { text: ' · Mona Lisa', style: 'muted' },
            ],
          },
        ],
        // no duration_ms: computed from started_at and finished_at
        [{ spans: [{ text: 'push by octocat · 1m 33s', style: 'muted' }] }],
      ],
      // the run URL is not http(s): the job's URL is the next best link
      { label: 'View run', url: 'https://github.com/acme/api/actions/runs/4242/job/1' },
    ]);
  });

  it('cuts each untrusted part to its own budget, so one huge value never crowds out the others', () => {
    const e = failureWithJobs();
    const huge = failureWithJobs({
      repository: { ...e.repository, full_name: 'acme/' + 'r'.repeat(50_000) },
      ref: { name: 'main' + '_'.repeat(50_000), type: 'branch', url: null },
      commit: {
        ...e.commit,
        title: 'x@all '.repeat(10_000),
        author: { name: '@'.repeat(50_000), email: null, login: null },
      },
      jobs: [{ ...e.jobs[1]!, name: 'j'.repeat(50_000), failed_step: 's'.repeat(50_000) }],
    });
    const { message } = build(huge, { template: '${commit.message}\n${commit.title}' });
    expect(utf8Bytes(message.title)).toBeLessThan(600);
    expect(message.title).toMatch(/^❌ acme\/r+… · main_+… · CI #128 failed \(was passing\)$/);
    const commit = message.sections.find((s) => s.kind === 'commit');
    // (the author is all "@": a cut never ends on a bare "@", so it keeps one fewer)
    expect(commit?.kind === 'commit' && [utf8Bytes(commit.title!), utf8Bytes(commit.author!)]).toEqual([240, 159]);
    for (const section of message.sections)
      for (const line of section.lines)
        for (const span of line.spans) expect(utf8Bytes(span.text)).toBeLessThanOrEqual(300);
    expect(utf8Bytes(message.body ?? '')).toBeLessThanOrEqual(16_000);
  });
});

describe('formatDuration and triggerWord (locale.ts)', () => {
  it('says durations the way people do', () => {
    const ms = [850, 45_000, 93_000, 120_000, 7_500_000, 3_600_000, 59_600, null, -1];
    expect(ms.map((m) => formatDuration(m, 'en'))).toEqual([
      '850 ms',
      '45s',
      '1m 33s',
      '2m',
      '2h 5m',
      '1h',
      '1m',
      null,
      null,
    ]);
    expect(ms.map((m) => formatDuration(m, 'zh'))).toEqual([
      '850 毫秒',
      '45 秒',
      '1 分 33 秒',
      '2 分',
      '2 小时 5 分',
      '1 小时',
      '1 分',
      null,
      null,
    ]);
  });

  it('translates the CI trigger names and shows unknown ones readably', () => {
    const triggers = [
      'push',
      'pull_request',
      'merge_request_event',
      'schedule',
      'web',
      'api',
      'repository_dispatch',
      'some_new_event',
    ];
    expect(triggers.map((t) => triggerWord(t, 'en'))).toEqual([
      'push',
      'pull request',
      'merge request',
      'schedule',
      'manual run',
      'API',
      'API',
      'some new event',
    ]);
    expect(triggers.map((t) => triggerWord(t, 'zh'))).toEqual([
      '推送',
      '拉取请求',
      '合并请求',
      '定时',
      '手动运行',
      'API',
      'API',
      'some new event',
    ]);
  });
});

// Keep the helper honest: the sample jobs are what MESSAGES.md describes.
it('uses the MESSAGES.md sample (5 jobs, 2 failed with steps)', () => {
  const jobs: JobSummary[] = failureWithJobs().jobs;
  expect(jobs.map((j) => [j.name, j.status, j.failed_step])).toEqual([
    ['build', 'success', null],
    ['test (ubuntu, 20)', 'failure', 'Run tests'],
    ['lint', 'failure', 'Run eslint'],
    ['test (ubuntu, 22)', 'success', null],
    ['docs', 'success', null],
  ]);
});
