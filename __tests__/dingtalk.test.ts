import { dingtalk, dingtalkOptions, readDingTalkAnswer } from '../src/channels/dingtalk.js';
import { dingtalkSign } from '../src/delivery/signing.js';
import { utf8Bytes } from '../src/render/text.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import { sampleEvent } from './support/fixtures.js';
import { robotContext, type RobotContextOptions } from './support/robot-context.js';
import {
  COMMIT_URL as COMMIT,
  failureWithJobs,
  jobUrl,
  RUN_URL as RUN,
  trickyCommit,
} from './support/sample-events.js';

const NOW = 1_796_000_000_000;
const SECRET = 'SECexample0123456789';
const TITLE = '❌ acme/api · main · CI #128 failed (was passing)';

/** The default markdown body of the MESSAGES.md failure, without a trailing link or mentions. */
const MARKDOWN = [
  '### ❌ CI #128 failed (was passing)',
  '**acme/api** · main',
  '',
  '**2 of 5 jobs failed**',
  `- [test (ubuntu, 20)](${jobUrl(2)}) — Run tests`,
  `- [lint](${jobUrl(3)}) — Run eslint`,
  '',
  `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
  '',
  'push by octocat · 1m 33s',
].join('\n');

/** The same as plain text lines (text, link). */
const TEXT = [
  '2 of 5 jobs failed',
  `• test (ubuntu, 20) — Run tests → ${jobUrl(2)}`,
  `• lint — Run eslint → ${jobUrl(3)}`,
  `9f8e7d6 Fix payment path · Mona Lisa → ${COMMIT}`,
  'push by octocat · 1m 33s',
].join('\n');

let server: DingTalkServer;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function send(raw: Record<string, string>, options: Omit<RobotContextOptions, 'raw'> = {}) {
  const run = robotContext(dingtalk, { now: () => new Date(NOW), event: failureWithJobs(), ...options, raw });
  closers.push(run.close);
  const result = await dingtalk.send(run.ctx);
  return { result: Array.isArray(result) ? result[0]! : result, log: run.log, sleeps: run.sleeps };
}

const warnings = (log: { lines: { level: string; message: string }[] }) =>
  log.lines.filter((l) => l.level === 'warn').map((l) => l.message);

describe('dingtalk with signing and a keyword', () => {
  beforeEach(async () => {
    server = await startDingTalkServer({ secret: SECRET, keyword: 'CI', now: () => NOW });
    closers.push(server.close);
  });

  it('delivers the default actionCard: what failed first, signed in the query, the keyword in title and text', async () => {
    const { result } = await send({ url: server.url, secret: SECRET }, { target: { keyword: 'CI' } });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
    expect(server.received).toEqual([
      {
        msgtype: 'actionCard',
        actionCard: { title: TITLE, text: MARKDOWN, singleTitle: 'View run', singleURL: RUN, btnOrientation: '0' },
      },
    ]);
    const { sign } = dingtalkSign(SECRET, NOW);
    expect(server.requests[0]!.query).toEqual({ access_token: server.token, timestamp: String(NOW), sign });
  });

  it('adds a keyword the default message lacks to the title and the text', async () => {
    await server.close();
    server = await startDingTalkServer({ secret: SECRET, keyword: 'deploy-bot', now: () => NOW });
    closers.push(server.close);
    const { result } = await send(
      { url: server.url, secret: SECRET },
      { target: { keyword: 'deploy-bot', msg_type: 'markdown' } },
    );
    expect(result.ok).toBe(true);
    expect(server.received).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          title: `deploy-bot ${TITLE}`,
          text: `${MARKDOWN.replace('### ', '### deploy-bot ')}\n\n[View run](${RUN})`,
        },
      },
    ]);
  });

  it('fails once, without retrying, with a hint when the secret is wrong', async () => {
    const { result, sleeps } = await send({ url: server.url, secret: 'SECwrong' }, { target: { keyword: 'CI' } });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(1);
    expect(sleeps).toEqual([]);
    expect(result.error).toMatch(
      /^DingTalk error 310000: sign not match.* — signature rejected: check secret .* clock/,
    );
    expect(result.error).not.toContain('SECwrong');
    expect(server.received).toEqual([]);
  });

  it('names the clock when the runner is more than an hour off', async () => {
    const { result } = await send(
      { url: server.url, secret: SECRET },
      { now: () => new Date(NOW - 2 * 3600_000), target: { keyword: 'CI' } },
    );
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(1);
    expect(result.error).toMatch(/310000: invalid timestamp .*clock/);
  });

  it('names the keyword when the robot wants one the message lacks', async () => {
    await server.close();
    server = await startDingTalkServer({ keyword: 'deploy-bot' });
    closers.push(server.close);
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/310000: keywords not in content — .*set keyword/);
  });

  it('retries a rate-limited send with backoff, signs each attempt afresh, and delivers once', async () => {
    server.rateLimitNext(2);
    let clock = NOW;
    const { result, sleeps } = await send(
      { url: server.url, secret: SECRET },
      { now: () => new Date((clock += 1000)), target: { keyword: 'CI' } },
    );
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toHaveLength(2);
    expect(server.received).toHaveLength(1);
    const stamps = server.requests.map((r) => r.query.timestamp);
    expect(new Set(stamps).size).toBe(3);
    expect(server.requests.map((r) => (r.answer.json as { errcode: number }).errcode)).toEqual([130101, 130101, 0]);
  });
});

describe('dingtalk answers', () => {
  beforeEach(async () => {
    server = await startDingTalkServer({ rateLimitCode: 410100 });
    closers.push(server.close);
  });

  it('treats the newer rate-limit code 410100 as retryable too', async () => {
    server.rateLimitNext(1);
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(server.received).toHaveLength(1);
  });

  it('explains an unknown access token as key-versus-URL confusion and does not retry', async () => {
    const { result } = await send({ url: server.url.replace(server.token, 'nosuchtoken') });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/300001: token is not exist — .*whole webhook URL or only its access_token/);
  });

  it('never takes HTTP 200 for success: the errcode decides', () => {
    const answer = (json: unknown) => ({ status: 200, headers: {}, text: JSON.stringify(json), json });
    expect(readDingTalkAnswer(answer({ errcode: 0, errmsg: 'ok' }))).toEqual({ ok: true });
    expect(readDingTalkAnswer(answer({ errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' }))).toEqual({
      ok: false,
      retry: false,
      error: 'DingTalk error 460101: message too long, exceed 20000 bytes',
      hint: 'the message is over 20000 bytes: shorten the template',
    });
    expect(readDingTalkAnswer(answer({ errcode: 310000, errmsg: 'ip 1.2.3.4 not in whitelist' }))).toMatchObject({
      ok: false,
      retry: false,
      hint: "the runner's IP address is not in the robot's IP allowlist",
    });
    expect(readDingTalkAnswer(answer({ errcode: 400105, errmsg: '不支持的消息类型' }))).toMatchObject({
      hint: expect.stringContaining('msg_type'),
    });
    // A default message is ci-notify's own: a size or shape error never blames a template the user has not got.
    expect(readDingTalkAnswer(answer({ errcode: 40035, errmsg: '缺少参数 json' }), 'default')).toEqual({
      ok: false,
      retry: false,
      error: 'DingTalk error 40035: 缺少参数 json',
      hint: 'DingTalk refused the default message ci-notify built: please report it with the dry_run output',
    });
    expect(readDingTalkAnswer({ status: 200, headers: {}, text: 'hello', json: undefined })).toMatchObject({
      ok: false,
      retry: false,
    });
  });
});

describe('dingtalk mentions', () => {
  beforeEach(async () => {
    server = await startDingTalkServer();
    closers.push(server.close);
  });
  const people = { at_mobiles: ['13800000000'], at_user_ids: ['manager7675'] };
  const at = { atMobiles: ['13800000000'], atUserIds: ['manager7675'], isAtAll: false };
  const markdownWithMentions = {
    msgtype: 'markdown',
    markdown: { title: TITLE, text: `${MARKDOWN}\n\n[View run](${RUN})\n\n@13800000000 @manager7675` },
    at,
  };

  it('puts the @mobile and @userId in the text content as well as in at', async () => {
    await send({ url: server.url }, { target: { ...people, msg_type: 'text' } });
    expect(server.received).toEqual([
      {
        msgtype: 'text',
        text: { content: `${TITLE}\n${TEXT}\nView run: ${RUN}\n@13800000000 @manager7675` },
        at,
      },
    ]);
  });

  it('puts the @mobile in the markdown text as well as in at.atMobiles', async () => {
    await send({ url: server.url }, { target: { ...people, msg_type: 'markdown' } });
    expect(server.received).toEqual([markdownWithMentions]);
  });

  it('chooses markdown up front for mentions when msg_type is left at its default, without a warning', async () => {
    const { log, result } = await send({ url: server.url }, { target: people });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    expect(server.received).toEqual([markdownWithMentions]);
    expect(warnings(log)).toEqual([]);
  });

  it.each(['actionCard', 'link', 'feedCard'])(
    'sends an explicit %s as markdown when people must be mentioned, and warns',
    async (msgType) => {
      const { log } = await send({ url: server.url }, { target: { ...people, msg_type: msgType } });
      expect(server.received).toEqual([markdownWithMentions]);
      expect(warnings(log)).toEqual([
        `${msgType} cannot @-mention people on DingTalk; sending markdown so the mentions notify`,
      ]);
    },
  );

  it('mentions everyone with isAtAll only when at_all is asked for', async () => {
    await send({ url: server.url }, { target: { at_all: true, msg_type: 'text' } });
    expect(server.received).toEqual([
      {
        msgtype: 'text',
        text: { content: `${TITLE}\n${TEXT}\nView run: ${RUN}\n@all` },
        at: { atMobiles: [], atUserIds: [], isAtAll: true },
      },
    ]);
  });

  it('leaves mentions out, and the actionCard as it is, when mention_on does not match', async () => {
    const { log } = await send({ url: server.url }, { target: people, mention: false });
    expect(server.received).toEqual([
      {
        msgtype: 'actionCard',
        actionCard: { title: TITLE, text: MARKDOWN, singleTitle: 'View run', singleURL: RUN, btnOrientation: '0' },
      },
    ]);
    expect(warnings(log)).toEqual([]);
  });

  it('lets a commit message mention nobody and change no markup, whatever syntax it carries', async () => {
    const hostile = '@all <@all> <at user_id="all">所有人</at> <at id=all></at> @13800000000 **bold** [x](http://evil)';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { msg_type: 'text' } });
    await send({ url: server.url }, { event, target: { msg_type: 'markdown' } });
    const [text, markdown] = server.received as [
      { text: { content: string }; at?: unknown },
      { markdown: { text: string }; at?: unknown },
    ];
    const wj = '\u2060';
    expect(text).toEqual({
      msgtype: 'text',
      text: {
        content: `${TITLE}\n${TEXT.replace(
          'Fix payment path',
          `@${wj}all ‹@${wj}all> ‹at user_id="all">所有人</at> ‹at id=all></at> @${wj}13800000000 **bold** [x](http://evil)`,
        )}\nView run: ${RUN}`,
      },
    });
    expect(markdown.at).toBeUndefined();
    expect(markdown.markdown.text).toContain(
      `[9f8e7d6](${COMMIT}) @${wj}all ‹@${wj}all＞ ‹at user_id="all"＞所有人＜/at＞ ‹at id=all＞＜/at＞ @${wj}13800000000 ＊＊bold＊＊ ［x］(http://evil) · Mona Lisa`,
    );
    for (const body of server.requests.map((r) => r.body)) expect(body).not.toMatch(/@all|<@|<at |\\\\/);
  });
});

describe('dingtalk limits, types and locale', () => {
  beforeEach(async () => {
    server = await startDingTalkServer({ keyword: 'CI' });
    closers.push(server.close);
  });

  it('shows the tricky commit and branch with look-alikes and no backslash', async () => {
    await send({ url: server.url }, { event: trickyCommit(), target: { keyword: 'CI' } });
    const { actionCard } = server.received[0] as { actionCard: { title: string; text: string } };
    expect(actionCard.title).toBe('❌ acme/api · feature/PAY-123_retry_logic · CI #128 failed (was passing)');
    expect(actionCard.text).toContain('**acme/api** · feature/PAY-123_retry_logic\n');
    expect(actionCard.text).toContain(`[9f8e7d6](${COMMIT}) Fix ˋnullˋ in ＊urgent＊ ［PAY-123］ #12 · Mona Lisa`);
    expect(server.requests[0]!.body).not.toContain('\\\\');
  });

  it('cuts untrusted text, never the title, the repository, the branch or the author, to fit 20000 bytes', async () => {
    // 16 000 bytes of "@" become 64 000 once every @ is defused: the value is cut, the rest stays.
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, message: '@'.repeat(30_000) } });
    const template = '${commit.message}\n— ${commit.author.name}';
    const { result, log } = await send(
      { url: server.url },
      { event, target: { keyword: 'CI', locale: 'zh', template } },
    );
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const body = server.requests[0]!.body;
    expect(utf8Bytes(body)).toBeLessThanOrEqual(20_000);
    expect(utf8Bytes(body)).toBeGreaterThan(19_000);
    const card = (server.received[0] as { actionCard: { title: string; text: string } }).actionCard;
    expect(card.title).toBe('❌ acme/api · main · CI #128 失败（上次成功）');
    expect(card.text).toMatch(
      /^### ❌ CI #128 失败（上次成功）\n\*\*acme\/api\*\* · main\n\n(@\u2060)+…（已截断）\n— Mona Lisa$/,
    );
    expect(log.text()).toContain('truncated');
  });

  it('writes natural Chinese with locale zh', async () => {
    await send({ url: server.url }, { target: { locale: 'zh', msg_type: 'text' } });
    expect(server.received).toEqual([
      {
        msgtype: 'text',
        text: {
          content: [
            '❌ acme/api · main · CI #128 失败（上次成功）',
            '5 个任务中 2 个失败',
            `• test (ubuntu, 20) — Run tests → ${jobUrl(2)}`,
            `• lint — Run eslint → ${jobUrl(3)}`,
            `9f8e7d6 Fix payment path · Mona Lisa → ${COMMIT}`,
            '推送（octocat） · 耗时 1 分 33 秒',
            `查看详情：${RUN}`,
          ].join('\n'),
        },
      },
    ]);
  });

  it('sends link and feedCard with DingTalk’s own field casing', async () => {
    await send({ url: server.url }, { target: { msg_type: 'link' } });
    await send({ url: server.url }, { target: { msg_type: 'feedCard' } });
    expect(server.received).toEqual([
      { msgtype: 'link', link: { title: TITLE, text: TEXT, messageUrl: RUN } },
      { msgtype: 'feedCard', feedCard: { links: [{ title: TITLE, messageURL: RUN }] } },
    ]);
  });

  it.each(['actionCard', 'link', 'feedCard'])(
    'sends %s as markdown when the message has no run link to open, and says why',
    async (msgType) => {
      const { result, log } = await send({ url: server.url }, { target: { msg_type: msgType, fields: ['commit'] } });
      expect([result.ok, server.received, warnings(log)]).toEqual([
        true,
        [
          {
            msgtype: 'markdown',
            markdown: {
              title: TITLE,
              text: `### ❌ CI #128 failed (was passing)\n**acme/api** · main\n\n[9f8e7d6](${COMMIT}) Fix payment path`,
            },
          },
        ],
        [`${msgType} needs the run link, which this message has none of; sending markdown`],
      ]);
    },
  );

  it('narrows the body with fields', async () => {
    await send({ url: server.url }, { target: { msg_type: 'text', fields: ['commit', 'link'] } });
    expect(server.received).toEqual([
      { msgtype: 'text', text: { content: `${TITLE}\n9f8e7d6 Fix payment path → ${COMMIT}\nView run: ${RUN}` } },
    ]);
  });

  it('escapes the values of a user template for markdown, keeping the template’s own markup', async () => {
    const title = '[Click](http://phish.example) <font color="info">✅ All green</font> @all';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title } });
    await send({ url: server.url }, { event, target: { msg_type: 'markdown', template: '**${commit.title}**' } });
    const wj = '\u2060';
    expect(server.received).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          title: TITLE,
          text: `### ❌ CI #128 failed (was passing)\n**acme/api** · main\n\n**［Click］(http://phish.example) ＜font color="info"＞✅ All green＜/font＞ @${wj}all**\n\n[View run](${RUN})`,
        },
      },
    ]);
  });

  it('sends the rendered customize template as the body, JSON-escaped and mention-neutralised', async () => {
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title: 'say "hi" @all\nnext line' } });
    const template = '{"msgtype":"text","text":{"content":"CI ${commit.title} on ${ref.name}"}}';
    const { result } = await send({ url: server.url }, { event, target: { msg_type: 'customize', template } });
    expect(result.ok).toBe(true);
    expect(server.received).toEqual([
      { msgtype: 'text', text: { content: 'CI say "hi" @\u2060all\nnext line on main' } },
    ]);
  });

  it('reports a customize template that is not JSON without sending', async () => {
    const { result } = await send(
      { url: server.url },
      { target: { msg_type: 'customize', template: '{"msgtype": "text", ${ref.name}' } },
    );
    expect(result).toMatchObject({ ok: false, attempts: 0 });
    expect(result.error).toMatch(/^template: the rendered customize body is not valid JSON/);
    expect(server.requests).toEqual([]);
  });
});

describe('dingtalk url', () => {
  it('accepts the full webhook URL, the bare access_token, and other hosts', () => {
    const token = 'a'.repeat(64);
    const official = `https://oapi.dingtalk.com/robot/send?access_token=${token}`;
    expect(dingtalkOptions.parse({ url: official })).toEqual({ url: official, secret: '' });
    expect(dingtalkOptions.parse({ url: ` ${token} `, secret: ' SECx ' })).toEqual({ url: official, secret: 'SECx' });
    expect(dingtalkOptions.parse({ url: 'http://127.0.0.1:8080/robot/send?access_token=t' }).url).toBe(
      'http://127.0.0.1:8080/robot/send?access_token=t',
    );
  });

  it('names the input and the fix, never the value, when url is wrong', () => {
    const bad = dingtalkOptions.safeParse({ url: 'not a token!' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues).toEqual([
      expect.objectContaining({
        path: ['url'],
        message:
          'expected the DingTalk webhook URL (https://oapi.dingtalk.com/robot/send?access_token=…) or its access_token',
      }),
    ]);
    const noToken = dingtalkOptions.safeParse({ url: 'https://oapi.dingtalk.com/robot/send?foo=secretvalue' });
    expect(noToken.error!.issues[0]!.message).toBe(
      'the DingTalk webhook URL has no access_token; copy the whole URL from the robot settings',
    );
    expect(JSON.stringify(noToken.error!.issues)).not.toContain('secretvalue');
  });

  it('lists the url and the secret as secrets', () => {
    expect(dingtalk.secrets({ url: 'https://x/robot/send?access_token=t', secret: 'SECx' })).toEqual([
      'https://x/robot/send?access_token=t',
      'SECx',
    ]);
  });
});
