import { readWeComAnswer, wecom, wecomOptions } from '../src/channels/wecom.js';
import { utf8Bytes } from '../src/render/text.js';
import { sampleEvent } from './support/fixtures.js';
import { robotContext, type RobotContextOptions } from './support/robot-context.js';
import { startWeComServer, type WeComServer } from './support/wecom-server.js';

const RUN = 'https://github.com/acme/api/actions/runs/4242';
const COMMIT = 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const TITLE = '❌ acme/api · CI #128 failed';

const MARKDOWN = [
  `**<font color="warning">${TITLE}</font>**`,
  '>Repository: [acme/api](https://github.com/acme/api)',
  `>Pipeline: [CI #128](${RUN})`,
  '>Branch: [main](https://github.com/acme/api/tree/main)',
  `>Commit: [9f8e7d6](${COMMIT}) Fix payment path`,
  '>Author: <font color="comment">Mona Lisa</font>',
  '>Triggered by: <font color="comment">push</font>',
  '>Duration: <font color="comment">1m 33s</font>',
  '>Failed jobs: <font color="comment">test, lint</font>',
  '>Params: <font color="comment">env=prod</font>',
  `[View run](${RUN})`,
].join('\n');

const TEXT = [
  TITLE,
  'Repository: acme/api',
  'Pipeline: CI #128',
  'Branch: main',
  'Commit: 9f8e7d6 Fix payment path',
  'Author: Mona Lisa',
  'Triggered by: push',
  'Duration: 1m 33s',
  'Failed jobs: test, lint',
  'Params: env=prod',
  `View run: ${RUN}`,
].join('\n');

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
  const run = robotContext(wecom, { ...options, raw });
  closers.push(run.close);
  const result = await wecom.send(run.ctx);
  return { result: Array.isArray(result) ? result[0]! : result, log: run.log, sleeps: run.sleeps };
}

const warnings = (log: { lines: { level: string; message: string }[] }) =>
  log.lines.filter((l) => l.level === 'warn').map((l) => l.message);

describe('wecom messages', () => {
  it('delivers the default markdown with the status coloured', async () => {
    const { result } = await send();
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
    expect(server.received).toEqual([{ msgtype: 'markdown', markdown: { content: MARKDOWN } }]);
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
            '| | |',
            '| :-- | :-- |',
            '| Repository | [acme/api](https://github.com/acme/api) |',
            `| Pipeline | [CI #128](${RUN}) |`,
            '| Branch | [main](https://github.com/acme/api/tree/main) |',
            `| Commit | [9f8e7d6](${COMMIT}) Fix payment path |`,
            '| Author | Mona Lisa |',
            '| Triggered by | push |',
            '| Duration | 1m 33s |',
            '| Failed jobs | test, lint |',
            '| Params | env=prod |',
            '',
            `[View run](${RUN})`,
          ].join('\n'),
        },
      },
      {
        msgtype: 'news',
        news: { articles: [{ title: TITLE, description: TEXT.split('\n').slice(1, -1).join('\n'), url: RUN }] },
      },
      {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          source: { desc: 'ci-notify', desc_color: 0 },
          main_title: { title: TITLE },
          horizontal_content_list: [
            { keyname: 'Repository', value: 'acme/api', type: 1, url: 'https://github.com/acme/api' },
            { keyname: 'Pipeline', value: 'CI #128', type: 1, url: RUN },
            { keyname: 'Branch', value: 'main', type: 1, url: 'https://github.com/acme/api/tree/main' },
            { keyname: 'Commit', value: '9f8e7d6 Fix payment path', type: 1, url: COMMIT },
            { keyname: 'Author', value: 'Mona Lisa' },
            { keyname: 'Triggered by', value: 'push' },
          ],
          jump_list: [{ type: 1, url: RUN, title: 'View run' }],
          card_action: { type: 1, url: RUN },
        },
      },
    ]);
  });

  it('writes natural Chinese with locale zh', async () => {
    await send({ target: { locale: 'zh', fields: ['ref', 'author', 'duration', 'jobs', 'link'] } });
    expect(server.received).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          content: [
            '**<font color="warning">❌ acme/api · CI #128 失败</font>**',
            '>分支: [main](https://github.com/acme/api/tree/main)',
            '>作者: <font color="comment">Mona Lisa</font>',
            '>耗时: <font color="comment">1 分 33 秒</font>',
            '>失败任务: <font color="comment">test、lint</font>',
            `[查看详情](${RUN})`,
          ].join('\n'),
        },
      },
    ]);
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

  it('writes <@userid> into markdown, with no second message when only user ids are mentioned', async () => {
    const { log } = await send({ target: { at_user_ids: ['zhangsan', 'lisi'] } });
    expect(server.received).toEqual([
      { msgtype: 'markdown', markdown: { content: `${MARKDOWN}\n<@zhangsan> <@lisi>` } },
    ]);
    expect(warnings(log)).toEqual([]);
  });

  it('notifies mobiles from markdown with a follow-up text, since only text can mention by mobile', async () => {
    const { result, log } = await send({ target: people });
    expect(result).toMatchObject({ ok: true, attempts: 2, error: null });
    expect(server.received).toEqual([
      { msgtype: 'markdown', markdown: { content: `${MARKDOWN}\n<@zhangsan>` } },
      { msgtype: 'text', text: { content: TITLE, mentioned_mobile_list: ['13800001111'] } },
    ]);
    expect(warnings(log)).toEqual([
      'markdown cannot carry every requested mention; they follow in a separate text message',
    ]);
  });

  it.each(['markdown_v2', 'news', 'template_card'])(
    'notifies people asked for with %s through a follow-up text',
    async (msg_type) => {
      const { result, log } = await send({ target: { ...people, at_all: true, msg_type } });
      expect(result).toMatchObject({ ok: true, attempts: 2 });
      expect(server.received).toHaveLength(2);
      expect((server.received[0] as { msgtype: string }).msgtype).toBe(msg_type);
      expect(JSON.stringify(server.received[0])).not.toMatch(/zhangsan|13800001111|@all/);
      expect(server.received[1]).toEqual({
        msgtype: 'text',
        text: { content: TITLE, mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] },
      });
      expect(warnings(log)).toEqual([
        `${msg_type} cannot carry every requested mention; they follow in a separate text message`,
      ]);
    },
  );

  it('mentions nobody when mention_on does not match', async () => {
    await send({ target: people, mention: false });
    expect(server.received).toEqual([{ msgtype: 'markdown', markdown: { content: MARKDOWN } }]);
  });

  it('lets a commit message mention nobody and leaves the markup intact', async () => {
    const hostile = '<@all> @all <at user_id="all">x</at> <font color="info">ok</font> **b** [x](y)';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
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
          `‹@${wj}all＞ @${wj}all ‹at user\\_id="all"＞x＜/at＞ ＜font color="info"＞ok＜/font＞ \\*\\*b\\*\\* \\[x\\](y)`,
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
});

describe('wecom limits and answers', () => {
  it('delivers a 30 KB message truncated to 4096 bytes of markdown and 2048 of text, with a marker', async () => {
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: '修'.repeat(10_000) } }); // 30 000 bytes
    const { result } = await send({ event });
    await send({ event, target: { msg_type: 'text', locale: 'zh' } });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const [markdown, text] = server.received as [{ markdown: { content: string } }, { text: { content: string } }];
    expect(utf8Bytes(markdown.markdown.content)).toBeLessThanOrEqual(4096);
    expect(utf8Bytes(markdown.markdown.content)).toBeGreaterThan(3900);
    expect(markdown.markdown.content).toMatch(/修…\(truncated\)\n>Author: /);
    expect(utf8Bytes(text.text.content)).toBeLessThanOrEqual(2048);
    expect(text.text.content).toMatch(/修…（已截断）\n作者: Mona Lisa/);
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

  it('sends a customize body as rendered', async () => {
    await send({
      target: { msg_type: 'customize', template: '{"msgtype":"text","text":{"content":"${commit.message}"}}' },
    });
    expect(server.received).toEqual([
      { msgtype: 'text', text: { content: 'Fix payment path\n\nThe checkout called the old endpoint.' } },
    ]);
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
