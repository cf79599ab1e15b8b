import type { CiEvent } from '../src/event/types.js';
import { buildMessage, headlineOf } from '../src/render/message.js';
import { formatDuration, triggerWord } from '../src/render/locale.js';
import type { FieldName, Locale, MessageModel } from '../src/render/types.js';
import { sampleEvent, emptyEvent } from './support/fixtures.js';

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

const RUN = 'https://github.com/acme/api/actions/runs/4242';
const COMMIT = 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

/** A run the CI told us almost nothing about. */
function bareEvent(overrides: Partial<CiEvent> = {}): CiEvent {
  const { id, timestamp, provider } = sampleEvent();
  return emptyEvent({ id, timestamp, provider, ...overrides });
}

describe('buildMessage — the default message', () => {
  it('builds the MESSAGES.md failure message in English', () => {
    const event = sampleEvent();
    expect(build(event)).toEqual<{ message: MessageModel; warnings: string[] }>({
      message: {
        locale: 'en',
        status: 'failure',
        status_text: 'Failed',
        status_emoji: '❌',
        colour: { lark: 'red', wecom: 'warning', hex: '#cf222e' },
        title: '❌ acme/api · CI #128 failed',
        headline: 'CI #128 failed',
        repository: 'acme/api',
        body: null,
        facts: [
          { field: 'repository', label: 'Repository', value: 'acme/api', url: 'https://github.com/acme/api' },
          { field: 'pipeline', label: 'Pipeline', value: 'CI #128', url: RUN },
          { field: 'ref', label: 'Branch', value: 'main', url: 'https://github.com/acme/api/tree/main' },
          { field: 'commit', label: 'Commit', value: 'Fix payment path', url: COMMIT, link_text: '9f8e7d6' },
          { field: 'author', label: 'Author', value: 'Mona Lisa' },
          { field: 'trigger', label: 'Triggered by', value: 'push' },
          { field: 'duration', label: 'Duration', value: '1m 33s' },
          { field: 'jobs', label: 'Failed jobs', value: 'test, lint' },
          { field: 'params', label: 'Params', value: 'env=prod' },
        ],
        link: { label: 'View run', url: RUN },
        event,
      },
      warnings: [],
    });
  });

  it('builds the same message in Chinese', () => {
    const event = sampleEvent();
    expect(build(event, { locale: 'zh' }).message).toEqual<MessageModel>({
      locale: 'zh',
      status: 'failure',
      status_text: '失败',
      status_emoji: '❌',
      colour: { lark: 'red', wecom: 'warning', hex: '#cf222e' },
      title: '❌ acme/api · CI #128 失败',
      headline: 'CI #128 失败',
      repository: 'acme/api',
      body: null,
      facts: [
        { field: 'repository', label: '仓库', value: 'acme/api', url: 'https://github.com/acme/api' },
        { field: 'pipeline', label: '流水线', value: 'CI #128', url: RUN },
        { field: 'ref', label: '分支', value: 'main', url: 'https://github.com/acme/api/tree/main' },
        { field: 'commit', label: '提交', value: 'Fix payment path', url: COMMIT, link_text: '9f8e7d6' },
        { field: 'author', label: '作者', value: 'Mona Lisa' },
        { field: 'trigger', label: '触发', value: '推送' },
        { field: 'duration', label: '耗时', value: '1 分 33 秒' },
        { field: 'jobs', label: '失败任务', value: 'test、lint' },
        { field: 'params', label: '参数', value: 'env=prod' },
      ],
      link: { label: '查看详情', url: RUN },
      event,
    });
  });

  it('shows only the facts `fields` names, in the fixed order, and the link only when `link` is named', () => {
    const event = sampleEvent();
    const withLink = build(event, { fields: ['duration', 'commit', 'ref', 'link'] }).message;
    expect([withLink.facts, withLink.link]).toEqual([
      [
        { field: 'ref', label: 'Branch', value: 'main', url: 'https://github.com/acme/api/tree/main' },
        { field: 'commit', label: 'Commit', value: 'Fix payment path', url: COMMIT, link_text: '9f8e7d6' },
        { field: 'duration', label: 'Duration', value: '1m 33s' },
      ],
      { label: 'View run', url: RUN },
    ]);
    const withoutLink = build(event, { fields: ['author'] }).message;
    expect([withoutLink.facts, withoutLink.link]).toEqual([
      [{ field: 'author', label: 'Author', value: 'Mona Lisa' }],
      null,
    ]);
    expect(build(event, { fields: [] }).message.facts).toEqual([]);
    // title, headline and colour never depend on fields
    expect(build(event, { fields: [] }).message.title).toBe('❌ acme/api · CI #128 failed');
  });

  it('renders the user title (text mode, one line) and the user template as the body', () => {
    const { message, warnings } = build(sampleEvent(), {
      title: '${status_emoji} deploy ${repository.name} to ${params.env}\n${status_text}',
      template: '**${commit.title}** by ${commit.author.login}\nRun: ${pipeline.url}\n${env.EXTRA:-}',
      env: { EXTRA: 'on-call: ops' },
    });
    expect([message.title, message.headline, message.body, warnings]).toEqual([
      '❌ deploy api to prod Failed',
      'CI #128 failed',
      `**Fix payment path** by monalisa\nRun: ${RUN}\non-call: ops`,
      [],
    ]);
  });

  it('falls back to the default title when the title template renders to nothing, and warns once', () => {
    const { message, warnings } = build(sampleEvent(), { title: '${nope}', template: '${nope} ${nope}' });
    expect([message.title, message.body, warnings]).toEqual([
      '❌ acme/api · CI #128 failed',
      ' ',
      [
        'template: ${nope} is not a field of the event (see README "Templates"); it renders empty (write ${nope:-fallback} to give a default)',
      ],
    ]);
  });

  it('degrades gracefully for an event with almost nothing in it', () => {
    const event = bareEvent();
    expect(build(event).message).toEqual<MessageModel>({
      locale: 'en',
      status: 'unknown',
      status_text: 'Unknown',
      status_emoji: '❔',
      colour: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
      title: '❔ Pipeline status unknown',
      headline: 'Pipeline status unknown',
      repository: null,
      body: null,
      facts: [],
      link: null,
      event,
    });
    expect([build(event, { locale: 'zh' }).message.title, build(event, { locale: 'zh' }).message.headline]).toEqual([
      '❔ 流水线状态未知',
      '流水线状态未知',
    ]);
  });

  it('names the run by what it has: number without name, name without number, repository name without full name', () => {
    const base = bareEvent({ status: 'success' });
    const numbered = bareEvent({
      status: 'success',
      pipeline: { ...base.pipeline, number: 7 },
      repository: { ...base.repository, name: 'api' },
    });
    const named = bareEvent({ status: 'cancelled', pipeline: { ...base.pipeline, name: 'Deploy' } });
    expect([
      build(numbered).message.title,
      build(numbered, { locale: 'zh' }).message.title,
      build(named).message.title,
      build(named, { locale: 'zh' }).message.title,
      build(numbered).message.facts,
    ]).toEqual([
      '✅ api · Pipeline #7 succeeded',
      '✅ api · 流水线 #7 成功',
      '⏹️ Deploy cancelled',
      '⏹️ Deploy 已取消',
      [
        { field: 'repository', label: 'Repository', value: 'api', url: null },
        { field: 'pipeline', label: 'Pipeline', value: 'Pipeline #7', url: null },
      ],
    ]);
  });

  it('labels the ref by its type and shows a pull or merge request by number and title', () => {
    const e = sampleEvent();
    const pr = sampleEvent({ ref: { name: 'refs/pull/12/merge', type: 'pull_request', url: null } });
    const mr = sampleEvent({
      ref: { name: 'fix/payment-path', type: 'merge_request', url: null },
      change_request: { ...e.change_request!, url: 'https://gitlab.com/acme/api/-/merge_requests/12' },
    });
    const tag = sampleEvent({ ref: { name: 'v1.2.0', type: 'tag', url: 'https://github.com/acme/api/tree/v1.2.0' } });
    const untyped = sampleEvent({ ref: { name: 'main', type: null, url: null } });
    const ref = (event: CiEvent, locale: Locale = 'en') => build(event, { locale, fields: ['ref'] }).message.facts;
    expect([ref(pr), ref(mr, 'zh'), ref(tag, 'zh'), ref(untyped)]).toEqual([
      [
        {
          field: 'ref',
          label: 'Pull request',
          value: '#12 Fix payment path',
          url: 'https://github.com/acme/api/pull/12',
        },
      ],
      [
        {
          field: 'ref',
          label: '合并请求',
          value: '!12 Fix payment path',
          url: 'https://gitlab.com/acme/api/-/merge_requests/12',
        },
      ],
      [{ field: 'ref', label: '标签', value: 'v1.2.0', url: 'https://github.com/acme/api/tree/v1.2.0' }],
      [{ field: 'ref', label: 'Ref', value: 'main', url: null }],
    ]);
  });

  it('names who started the run when it is not the commit author, and uses the actor when the author is unknown', () => {
    const e = sampleEvent();
    const rerun = sampleEvent({
      pipeline: { ...e.pipeline, trigger: 'workflow_dispatch', attempt: 2 },
      actor: { login: 'hubot', name: null, email: null },
    });
    const noAuthor = sampleEvent({
      commit: { ...e.commit, author: null },
      actor: { login: 'hubot', name: 'Hubot', email: null },
    });
    const facts = (event: CiEvent, locale: Locale = 'en') =>
      build(event, { locale, fields: ['pipeline', 'author', 'trigger'] }).message.facts;
    expect([facts(rerun), facts(rerun, 'zh'), facts(noAuthor)]).toEqual([
      [
        { field: 'pipeline', label: 'Pipeline', value: 'CI #128 (attempt 2)', url: RUN },
        { field: 'author', label: 'Author', value: 'Mona Lisa' },
        { field: 'trigger', label: 'Triggered by', value: 'manual run · hubot' },
      ],
      [
        { field: 'pipeline', label: '流水线', value: 'CI #128（第 2 次运行）', url: RUN },
        { field: 'author', label: '作者', value: 'Mona Lisa' },
        { field: 'trigger', label: '触发', value: '手动运行 · hubot' },
      ],
      [
        { field: 'pipeline', label: 'Pipeline', value: 'CI #128', url: RUN },
        { field: 'author', label: 'Author', value: 'Hubot' },
        { field: 'trigger', label: 'Triggered by', value: 'push' },
      ],
    ]);
  });

  it('lists at most ten failed jobs and counts the rest; shows no jobs fact when none failed', () => {
    const many = sampleEvent({
      jobs: Array.from({ length: 12 }, (_, i) => ({
        name: `j${i + 1}`,
        status: 'failure' as const,
        url: null,
        duration_ms: null,
        stage: null,
        allow_failure: false,
        failed_step: null,
      })),
    });
    const green = sampleEvent({
      status: 'success',
      jobs: sampleEvent().jobs.map((j) => ({ ...j, status: 'success' as const })),
    });
    expect([
      build(many, { fields: ['jobs'] }).message.facts,
      build(many, { locale: 'zh', fields: ['jobs'] }).message.facts,
      build(green, { fields: ['jobs'] }).message.facts,
    ]).toEqual([
      [{ field: 'jobs', label: 'Failed jobs', value: 'j1, j2, j3, j4, j5, j6, j7, j8, j9, j10 and 2 more' }],
      [{ field: 'jobs', label: '失败任务', value: 'j1、j2、j3、j4、j5、j6、j7、j8、j9、j10 及另外 2 个' }],
      [],
    ]);
  });

  it('keeps untrusted text raw but on one line, and never links anything but http(s)', () => {
    const e = sampleEvent();
    const hostile = sampleEvent({
      pipeline: { ...e.pipeline, url: 'javascript:alert(1)', duration_ms: null },
      commit: {
        ...e.commit,
        title: null,
        message: '\n  <at id=all></at> **Fix**\r\n\nbody',
        url: 'data:text/html,x',
        short_sha: null,
      },
      ref: { name: 'main\nmore', type: 'branch', url: 'file:///etc/passwd' },
      params: { env: 'prod\nstaging', 'dry-run': 'true' },
    });
    const { message } = build(hostile, { fields: ['pipeline', 'ref', 'commit', 'duration', 'params', 'link'] });
    expect([message.facts, message.link]).toEqual([
      [
        { field: 'pipeline', label: 'Pipeline', value: 'CI #128', url: null },
        { field: 'ref', label: 'Branch', value: 'main more', url: null },
        { field: 'commit', label: 'Commit', value: '<at id=all></at> **Fix**', url: null, link_text: '9f8e7d6' },
        // no duration_ms: computed from started_at and finished_at
        { field: 'duration', label: 'Duration', value: '1m 33s' },
        { field: 'params', label: 'Params', value: 'env=prod staging, dry-run=true' },
      ],
      // the run URL is not http(s): the job URL is the next best link
      { label: 'View run', url: 'https://github.com/acme/api/actions/runs/4242/job/90001' },
    ]);
  });
});

describe('headlineOf', () => {
  it('writes every status as the end of a sentence in both locales', () => {
    const statuses = ['success', 'failure', 'cancelled', 'skipped', 'running', 'pending', 'unknown'] as const;
    expect(statuses.map((status) => headlineOf(sampleEvent({ status }), 'en'))).toEqual([
      'CI #128 succeeded',
      'CI #128 failed',
      'CI #128 cancelled',
      'CI #128 skipped',
      'CI #128 running',
      'CI #128 waiting',
      'CI #128 status unknown',
    ]);
    expect(statuses.map((status) => headlineOf(sampleEvent({ status }), 'zh'))).toEqual([
      'CI #128 成功',
      'CI #128 失败',
      'CI #128 已取消',
      'CI #128 已跳过',
      'CI #128 运行中',
      'CI #128 等待中',
      'CI #128 状态未知',
    ]);
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
