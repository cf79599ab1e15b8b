import { readWeComAnswer, TEMPLATE_CARD_LIMITS, wecom, wecomOptions } from '../src/channels/wecom.js';
import { truncateChars, utf8Bytes } from '../src/render/text.js';
import { sampleEvent } from './support/fixtures.js';
import { robotContext, type RobotContextOptions } from './support/robot-context.js';
import {
  COMMIT_URL as COMMIT,
  failureWithJobs,
  jobUrl,
  longMatrix,
  RUN_URL as RUN,
  trickyCommit,
} from './support/sample-events.js';
import { startWeComServer, type WeComServer } from './support/wecom-server.js';

const TITLE = '❌ acme/api · main · CI #128 failed (was passing)';

/** MESSAGES.md "WeCom": the outcome coloured in the bold title, the body quoted, the run link. */
const MARKDOWN = [
  '**❌ acme/api · main · CI #128 <font color="warning">failed (was passing)</font>**',
  '>**2 of 5 jobs failed**',
  `>[test (ubuntu, 20)](${jobUrl(2)})<font color="comment"> — Run tests</font>`,
  `>[lint](${jobUrl(3)})<font color="comment"> — Run eslint</font>`,
  `>[9f8e7d6](${COMMIT}) Fix payment path<font color="comment"> · Mona Lisa</font>`,
  '><font color="comment">push by octocat · 1m 33s</font>',
  `[View run](${RUN})`,
].join('\n');

const BODY_TEXT = [
  '2 of 5 jobs failed',
  `• test (ubuntu, 20) — Run tests → ${jobUrl(2)}`,
  `• lint — Run eslint → ${jobUrl(3)}`,
  `9f8e7d6 Fix payment path · Mona Lisa → ${COMMIT}`,
  'push by octocat · 1m 33s',
].join('\n');

const TEXT = `${TITLE}\n${BODY_TEXT}\nView run: ${RUN}`;

let server: WeComServer;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  server = await startWeComServer();
  closers.push(server.close);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function send(options: Omit<RobotContextOptions, 'raw'> = {}, raw: Record<string, string> = { url: server.url }) {
  const run = robotContext(wecom, { event: failureWithJobs(), ...options, raw });
  closers.push(run.close);
  const result = await wecom.send(run.ctx);
  return { result: Array.isArray(result) ? result[0]! : result, log: run.log, sleeps: run.sleeps };
}

const warnings = (log: { lines: { level: string; message: string }[] }) =>
  log.lines.filter((l) => l.level === 'warn').map((l) => l.message);

describe('wecom messages', () => {
  it('delivers the default markdown: the outcome coloured, what failed first, each job linked with its step', async () => {
    const { result } = await send();
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
    expect(server.received).toEqual([{ msgtype: 'markdown', markdown: { content: MARKDOWN } }]);
  });

  it.each(['news', 'template_card'])(
    'sends %s as markdown when the message has no run link to open, and says why',
    async (msgType) => {
      const { result, log } = await send({ target: { msg_type: msgType, fields: ['commit'] } });
      expect([result.ok, server.received, warnings(log)]).toEqual([
        true,
        [
          {
            msgtype: 'markdown',
            markdown: { content: `${MARKDOWN.split('\n')[0]}\n>[9f8e7d6](${COMMIT}) Fix payment path` },
          },
        ],
        [`${msgType} needs the run link, which this message has none of; sending markdown`],
      ]);
    },
  );

  it('cuts a long branch out of the news title (128 bytes), never the repository, the run or the outcome', async () => {
    const event = failureWithJobs({ ref: { ...sampleEvent().ref, name: `feature/${'very-long-branch-'.repeat(6)}` } });
    await send({ event, target: { msg_type: 'news' } });
    const { title } = (server.received[0] as { news: { articles: { title: string }[] } }).news.articles[0]!;
    expect([title, utf8Bytes(title) <= 128]).toEqual([
      '❌ acme/api · feature/very-long-branch-very-long-branch-very-long-branch-very-lon… · CI #128 failed (was passing)',
      true,
    ]);
  });

  it('cuts a long workflow name out of the news title when dropping the branch is not enough', async () => {
    const base = sampleEvent();
    const event = failureWithJobs({
      ref: { ...base.ref, name: `feature/${'x'.repeat(100)}` },
      pipeline: { ...base.pipeline, name: 'Build, test and deploy every service'.repeat(4) },
    });
    await send({ event, target: { msg_type: 'news' } });
    const { title } = (server.received[0] as { news: { articles: { title: string }[] } }).news.articles[0]!;
    expect([title, utf8Bytes(title) <= 128]).toEqual([
      '❌ acme/api · Build, test and deploy every serviceBuild, test and deploy every servi… #128 failed (was passing)',
      true,
    ]);
  });

  it('delivers text, markdown_v2, news and template_card in their exact shapes', async () => {
    for (const msg_type of ['text', 'markdown_v2', 'news', 'template_card']) await send({ target: { msg_type } });
    expect(server.received).toEqual([
      { msgtype: 'text', text: { content: TEXT } },
      {
        msgtype: 'markdown_v2',
        markdown_v2: {
          content: [
            `## ${TITLE}`,
            '',
            '**2 of 5 jobs failed**',
            `- [test (ubuntu, 20)](${jobUrl(2)}) — Run tests`,
            `- [lint](${jobUrl(3)}) — Run eslint`,
            '',
            `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
            '',
            'push by octocat · 1m 33s',
            '',
            `[View run](${RUN})`,
          ].join('\n'),
        },
      },
      {
        msgtype: 'news',
        news: {
          articles: [
            {
              title: TITLE,
              description: [
                '2 of 5 jobs failed',
                '• test (ubuntu, 20) — Run tests',
                '• lint — Run eslint',
                '9f8e7d6 Fix payment path · Mona Lisa',
                'push by octocat · 1m 33s',
              ].join('\n'),
              url: RUN,
            },
          ],
        },
      },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          source: { desc: 'acme/api', desc_color: 2 },
          main_title: { title: '❌ failed (was passing)', desc: 'CI #128 · main' },
          emphasis_content: { title: '2/5', desc: 'jobs failed' },
          sub_title_text: '9f8e7d6 Fix payment path · Mona Lisa\npush by octocat · 1m 33s',
          horizontal_content_list: [
            { keyname: 'Job', value: 'test (ubuntu, 20)', type: 1, url: jobUrl(2) },
            { keyname: 'Job', value: 'lint · Run eslint', type: 1, url: jobUrl(3) },
          ],
          jump_list: [{ type: 1, url: RUN, title: 'View run' }],
          card_action: { type: 1, url: RUN },
        },
      },
    ]);
  });

  it('writes natural Chinese with locale zh', async () => {
    await send({ target: { locale: 'zh' } });
    await send({ target: { locale: 'zh', msg_type: 'template_card' } });
    expect(server.received).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          content: [
            '**❌ acme/api · main · CI #128 <font color="warning">失败（上次成功）</font>**',
            '>**5 个任务中 2 个失败**',
            `>[test (ubuntu, 20)](${jobUrl(2)})<font color="comment"> — Run tests</font>`,
            `>[lint](${jobUrl(3)})<font color="comment"> — Run eslint</font>`,
            `>[9f8e7d6](${COMMIT}) Fix payment path<font color="comment"> · Mona Lisa</font>`,
            '><font color="comment">推送（octocat） · 耗时 1 分 33 秒</font>',
            `[查看详情](${RUN})`,
          ].join('\n'),
        },
      },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          source: { desc: 'acme/api', desc_color: 2 },
          main_title: { title: '❌ 失败（上次成功）', desc: 'CI #128 · main' },
          emphasis_content: { title: '2/5', desc: '任务失败' },
          sub_title_text: '9f8e7d6 Fix payment path · Mona Lisa\n推送（octocat） · 耗时 1 分 33 秒',
          horizontal_content_list: [
            { keyname: '任务', value: 'test (ubuntu, 20)', type: 1, url: jobUrl(2) },
            { keyname: '任务', value: 'lint · Run eslint', type: 1, url: jobUrl(3) },
          ],
          jump_list: [{ type: 1, url: RUN, title: '查看详情' }],
          card_action: { type: 1, url: RUN },
        },
      },
    ]);
  });

  it('keeps template_card to its documented lengths: 6 entries, the rest counted, short fields cut', async () => {
    const event = longMatrix();
    await send({ event, target: { msg_type: 'template_card' } });
    const card = (server.received[0] as { template_card: Record<string, unknown> }).template_card as {
      source: { desc: string; desc_color: number };
      main_title: { title: string; desc: string };
      emphasis_content: { title: string; desc: string };
      sub_title_text: string;
      horizontal_content_list: { keyname: string; value: string; url?: string }[];
      jump_list: { title: string }[];
    };
    expect(card.emphasis_content).toEqual({ title: '12/15', desc: 'jobs failed' });
    expect(card.horizontal_content_list.map((e) => [e.keyname, e.value, e.url])).toEqual([
      ['Job', 'test (ubuntu-latest, 24, …', jobUrl(13)],
      ['Job', 'test (ubuntu-latest, 25, …', jobUrl(14)],
      ['Job', 'test (windows-latest, 18,…', jobUrl(15)],
      ['Job', 'test (windows-latest, 20,…', jobUrl(16)],
      ['Job', 'test (windows-latest, 22,…', jobUrl(17)],
      ['…', 'and 7 more', RUN],
    ]);
    const L = TEMPLATE_CARD_LIMITS;
    const chars = (s: string) => [...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(s)].length;
    expect(chars(card.source.desc)).toBeLessThanOrEqual(L.source_desc);
    expect(chars(card.main_title.title)).toBeLessThanOrEqual(L.main_title);
    expect(chars(card.main_title.desc)).toBeLessThanOrEqual(L.main_title_desc);
    expect(chars(card.emphasis_content.title)).toBeLessThanOrEqual(L.emphasis_title);
    expect(chars(card.emphasis_content.desc)).toBeLessThanOrEqual(L.emphasis_desc);
    expect(chars(card.sub_title_text)).toBeLessThanOrEqual(L.sub_title_text);
    for (const entry of card.horizontal_content_list) {
      expect(chars(entry.keyname)).toBeLessThanOrEqual(L.keyname);
      expect(chars(entry.value)).toBeLessThanOrEqual(L.value);
    }
    for (const jump of card.jump_list) expect(chars(jump.title)).toBeLessThanOrEqual(L.jump_title);
    expect(truncateChars('x'.repeat(30), L.value)).toHaveLength(26);
  });

  it('colours the template_card source by the outcome', async () => {
    const e = failureWithJobs();
    const green = failureWithJobs({
      status: 'success',
      transition: 'fixed',
      jobs: e.jobs.map((j) => ({ ...j, status: 'success' as const })),
    });
    const cancelled = failureWithJobs({ status: 'cancelled', transition: null });
    for (const event of [failureWithJobs(), green, cancelled])
      await send({ event, target: { msg_type: 'template_card' } });
    expect(
      server.received.map((r) => {
        const card = (r as { template_card: { source: { desc_color: number }; main_title: { title: string } } })
          .template_card;
        return [card.source.desc_color, card.main_title.title];
      }),
    ).toEqual([
      [2, '❌ failed (was passing)'],
      [3, '✅ fixed'],
      [0, '⏹️ cancelled'],
    ]);
  });

  it('shows the tricky commit and branch in markdown with look-alikes and no backslash', async () => {
    await send({ event: trickyCommit() });
    await send({ event: trickyCommit(), target: { msg_type: 'markdown_v2' } });
    const [markdown, v2] = server.received as [{ markdown: { content: string } }, { markdown_v2: { content: string } }];
    expect(markdown.markdown.content.split('\n')[0]).toBe(
      '**❌ acme/api · feature/PAY-123_retry_logic · CI #128 <font color="warning">failed (was passing)</font>**',
    );
    expect(markdown.markdown.content).toContain(
      `>[9f8e7d6](${COMMIT}) Fix ˋnullˋ in ＊urgent＊ ［PAY-123］ #12<font color="comment"> · Mona Lisa</font>`,
    );
    expect(v2.markdown_v2.content).toContain(
      `[9f8e7d6](${COMMIT}) Fix ˋnullˋ in ＊urgent＊ ［PAY-123］ #12 · Mona Lisa`,
    );
    for (const body of server.requests.map((r) => r.body)) expect(body).not.toContain('\\\\');
  });
});

describe('wecom mentions', () => {
  const people = { at_mobiles: ['13800001111'], at_user_ids: ['zhangsan'] };

  it('uses mentioned_list and mentioned_mobile_list in text', async () => {
    await send({ target: { ...people, at_all: true, msg_type: 'text' } });
    expect(server.received).toEqual([
      {
        msgtype: 'text',
        text: { content: TEXT, mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] },
      },
    ]);
  });

  it('writes <@userid> into the default markdown, in one message', async () => {
    const { log } = await send({ target: { at_user_ids: ['zhangsan', 'lisi'] } });
    expect(server.received).toEqual([
      { msgtype: 'markdown', markdown: { content: `${MARKDOWN}\n<@zhangsan> <@lisi>` } },
    ]);
    expect(warnings(log)).toEqual([]);
  });

  it('chooses text up front for mobiles or @all when msg_type is left at its default: one message, no warning', async () => {
    const { result, log } = await send({ target: { ...people, at_all: true } });
    expect(result).toEqual(expect.objectContaining({ ok: true, attempts: 1 }));
    expect(result.messages).toBeUndefined();
    expect(server.received).toEqual([
      {
        msgtype: 'text',
        text: { content: TEXT, mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] },
      },
    ]);
    expect(warnings(log)).toEqual([]);
  });

  it('keeps an explicit markdown and sends the mobiles in a second message, reported as 2 messages, not 2 attempts', async () => {
    const { result, log } = await send({ target: { ...people, msg_type: 'markdown' } });
    expect(result).toMatchObject({ ok: true, attempts: 1, messages: 2, error: null });
    expect(server.received).toEqual([
      { msgtype: 'markdown', markdown: { content: `${MARKDOWN}\n<@zhangsan>` } },
      { msgtype: 'text', text: { content: TITLE, mentioned_mobile_list: ['13800001111'] } },
    ]);
    expect(warnings(log)).toEqual([
      'msg_type markdown cannot carry every requested mention; they follow in a second message (text), or use msg_type text or markdown',
    ]);
  });

  it.each(['markdown_v2', 'news', 'template_card'])(
    'notifies people asked for with an explicit %s through a second text message',
    async (msg_type) => {
      const { result, log } = await send({ target: { ...people, at_all: true, msg_type } });
      expect(result).toMatchObject({ ok: true, attempts: 1, messages: 2 });
      expect(server.received).toHaveLength(2);
      expect((server.received[0] as { msgtype: string }).msgtype).toBe(msg_type);
      expect(JSON.stringify(server.received[0])).not.toMatch(/zhangsan|13800001111|@all/);
      expect(server.received[1]).toEqual({
        msgtype: 'text',
        text: { content: TITLE, mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] },
      });
      expect(warnings(log)).toEqual([
        `msg_type ${msg_type} cannot carry every requested mention; they follow in a second message (text), or use msg_type text or markdown`,
      ]);
    },
  );

  it('mentions nobody when mention_on does not match', async () => {
    await send({ target: people, mention: false });
    expect(server.received).toEqual([{ msgtype: 'markdown', markdown: { content: MARKDOWN } }]);
  });

  it('lets a commit message mention nobody and leaves the markup intact', async () => {
    const hostile = '<@all> @all <at user_id="all">x</at> <font color="info">ok</font> **b** [x](y)';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ event });
    await send({ event, target: { msg_type: 'text' } });
    const wj = '\u2060';
    const [markdown, text] = server.received as [
      { markdown: { content: string } },
      { text: { content: string; mentioned_list?: unknown } },
    ];
    expect(markdown).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: MARKDOWN.replace(
          'Fix payment path',
          `‹@${wj}all＞ @${wj}all ‹at user_id="all"＞x＜/at＞ ＜font color="info"＞ok＜/font＞ ＊＊b＊＊ ［x］(y)`,
        ),
      },
    });
    expect(text.text).toEqual({
      content: TEXT.replace(
        'Fix payment path',
        `‹@${wj}all> @${wj}all ‹at user_id="all">x</at> <font color="info">ok</font> **b** [x](y)`,
      ),
    });
  });

  it('escapes the values of a user template for markdown, keeping the template’s own markup', async () => {
    const title = '[Click](http://phish.example) <font color="info">✅ All green</font> <@all>';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title } });
    await send({ event, target: { template: '<font color="warning">${commit.title}</font>' } });
    const wj = '\u2060';
    expect(server.received).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          content: [
            '**❌ acme/api · main · CI #128 <font color="warning">failed (was passing)</font>**',
            `<font color="warning">［Click］(http://phish.example) ＜font color="info"＞✅ All green＜/font＞ ‹@${wj}all＞</font>`,
            `[View run](${RUN})`,
          ].join('\n'),
        },
      },
    ]);
  });
});

describe('wecom limits and answers', () => {
  it('cuts untrusted text to 4096 bytes of markdown and 2048 of text, keeping the title and the author', async () => {
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, message: 'x@all '.repeat(10_000) } });
    const template = '${commit.message}\n— ${commit.author.name}';
    const { result } = await send({ event, target: { template } });
    await send({ event, target: { msg_type: 'text', locale: 'zh', template } });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const [markdown, text] = server.received as [{ markdown: { content: string } }, { text: { content: string } }];
    expect(utf8Bytes(markdown.markdown.content)).toBeLessThanOrEqual(4096);
    expect(utf8Bytes(markdown.markdown.content)).toBeGreaterThan(3900);
    expect(markdown.markdown.content).toMatch(
      /^\*\*❌ acme\/api · main · CI #128 <font color="warning">failed \(was passing\)<\/font>\*\*\n(x@\u2060all )+x?@?\u2060?a?l?l?…\(truncated\)\n— Mona Lisa\n\[View run\]/,
    );
    expect(utf8Bytes(text.text.content)).toBeLessThanOrEqual(2048);
    expect(text.text.content).toMatch(
      /^❌ acme\/api · main · CI #128 失败（上次成功）\n(x@\u2060all )+.*…（已截断）\n— Mona Lisa\n查看详情：/,
    );
  });

  it('retries on 45009 and delivers once', async () => {
    server.rateLimitNext(2);
    const { result, sleeps } = await send();
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toHaveLength(2);
    expect(server.received).toHaveLength(1);
  });

  it('explains 93000 as key-versus-URL confusion, without retrying or printing the key', async () => {
    const { result } = await send({}, { url: server.url.replace(server.key, 'not-the-key') });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(
      /^WeCom error 93000: invalid webhook url.* — the webhook key is invalid: url must be the whole webhook URL or only its key/,
    );
  });

  it('names msg_type when WeCom does not know the message type of a customize body', async () => {
    const { result } = await send({
      target: { msg_type: 'customize', template: '{"msgtype":"Markdown","markdown":{"content":"${commit.title}"}}' },
    });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/^WeCom error 40008: invalid message type.* — .*check msg_type/);
  });

  it('sends a customize body as rendered, its values JSON-escaped and mention-neutralised', async () => {
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, message: 'Fix "it"\n<@all> @all' } });
    await send({
      event,
      target: { msg_type: 'customize', template: '{"msgtype":"text","text":{"content":"${commit.message}"}}' },
    });
    expect(server.received).toEqual([{ msgtype: 'text', text: { content: 'Fix "it"\n‹@\u2060all> @\u2060all' } }]);
  });

  it('decides success by errcode, not by HTTP 200', () => {
    const answer = (json: unknown) => ({ status: 200, headers: {}, text: JSON.stringify(json), json });
    expect(readWeComAnswer(answer({ errcode: 0, errmsg: 'ok' }))).toEqual({ ok: true });
    expect(
      readWeComAnswer(
        answer({ errcode: 40058, errmsg: 'markdown.content exceed max length 4096. invalid Request Parameter' }),
      ),
    ).toEqual({
      ok: false,
      retry: false,
      error: 'WeCom error 40058: markdown.content exceed max length 4096. invalid Request Parameter',
      hint: 'a field is too long or invalid (markdown content ≤ 4096 bytes, text ≤ 2048): shorten the template',
    });
    expect(readWeComAnswer(answer({ errcode: 44004, errmsg: 'empty content' }), 'default')).toMatchObject({
      hint: 'WeCom refused the default message ci-notify built: please report it with the dry_run output',
    });
    expect(readWeComAnswer(answer({ errcode: 45009, errmsg: 'api freq out of limit' }))).toMatchObject({
      ok: false,
      retry: true,
    });
  });
});

describe('wecom url', () => {
  it('accepts the full webhook URL, the bare key and other hosts', () => {
    const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const official = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`;
    expect(wecomOptions.parse({ url: official })).toEqual({ url: official });
    expect(wecomOptions.parse({ url: key })).toEqual({ url: official });
    expect(wecomOptions.parse({ url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k' })).toEqual({
      url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k',
    });
  });

  it('names the input and the expected forms when url is wrong', () => {
    const result = wecomOptions.safeParse({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' });
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        path: ['url'],
        message: 'the WeCom webhook URL has no key; copy the whole URL from the robot settings',
      }),
    ]);
    expect(wecomOptions.safeParse({ url: '' }).error!.issues[0]!.message).toBe(
      'expected the WeCom webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…) or its key',
    );
  });
});
