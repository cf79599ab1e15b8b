import { lark, larkOptions, readLarkAnswer } from '../src/channels/lark.js';
import { larkCard, larkPost, larkText } from '../src/channels/lark-card.js';
import { larkSign } from '../src/delivery/signing.js';
import { buildMessage } from '../src/render/message.js';
import { utf8Bytes } from '../src/render/text.js';
import { sampleEvent } from './support/fixtures.js';
import { startLarkServer, type LarkServer } from './support/lark-server.js';
import { robotContext, type RobotContextOptions } from './support/robot-context.js';
import {
  cancelledRun,
  COMMIT_URL as COMMIT,
  failureWithJobs,
  fixedRun,
  jobUrl,
  RUN_URL as RUN,
  trickyCommit,
} from './support/sample-events.js';

const NOW = 1_796_000_000_000;
const SECRET = 'demo';
const TITLE = '❌ acme/api · main · CI #128 failed (was passing)';

/** MESSAGES.md "Lark": what failed first, each job linked with its step, then the commit and the trigger. */
const FACTS_MD = [
  '**2 of 5 jobs failed**',
  `• [test (ubuntu, 20)](${jobUrl(2)}) — Run tests`,
  `• [lint](${jobUrl(3)}) — Run eslint`,
  `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
  'push by octocat · 1m 33s',
].join('\n');

const BUTTON = {
  tag: 'action',
  actions: [{ tag: 'button', type: 'primary', text: { tag: 'plain_text', content: 'View run' }, url: RUN }],
};

function card(elements: unknown[], title = TITLE) {
  return {
    config: { wide_screen_mode: true },
    header: { template: 'red', title: { tag: 'plain_text', content: title } },
    elements,
  };
}

let server: LarkServer;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function start(options: Parameters<typeof startLarkServer>[0] = {}) {
  server = await startLarkServer({ now: () => NOW, ...options });
  closers.push(server.close);
  return server;
}

async function send(raw: Record<string, string>, options: Omit<RobotContextOptions, 'raw'> = {}) {
  const run = robotContext(lark, { now: () => new Date(NOW), event: failureWithJobs(), ...options, raw });
  closers.push(run.close);
  const result = await lark.send(run.ctx);
  return { result: Array.isArray(result) ? result[0]! : result, log: run.log, sleeps: run.sleeps };
}

describe('lark with signing and a keyword', () => {
  it('delivers the default interactive card with timestamp and sign in the body', async () => {
    await start({ secret: SECRET, keyword: 'CI' });
    const { result } = await send({ url: server.url, secret: SECRET }, { target: { keyword: 'CI' } });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
    expect(server.received).toEqual([
      {
        ...larkSign(SECRET, NOW),
        msg_type: 'interactive',
        // The keyword is in the header, which the check may not read: a note carries it (§C.4).
        card: card([
          { tag: 'div', text: { tag: 'lark_md', content: FACTS_MD } },
          BUTTON,
          { tag: 'note', elements: [{ tag: 'plain_text', content: 'CI' }] },
        ]),
      },
    ]);
    expect((server.received[0] as { timestamp: string }).timestamp).toBe(String(NOW / 1000));
  });

  it('puts a keyword the message lacks into the header and a note', async () => {
    await start({ keyword: 'deploy-bot' });
    const { result } = await send({ url: server.url }, { target: { keyword: 'deploy-bot' } });
    expect(result.ok).toBe(true);
    expect(server.received).toEqual([
      {
        msg_type: 'interactive',
        card: card(
          [
            { tag: 'div', text: { tag: 'lark_md', content: FACTS_MD } },
            BUTTON,
            { tag: 'note', elements: [{ tag: 'plain_text', content: 'deploy-bot' }] },
          ],
          `[deploy-bot] ${TITLE}`,
        ),
      },
    ]);
  });

  it('fails once with 19021 and a hint when the secret is wrong', async () => {
    await start({ secret: SECRET });
    const { result, sleeps } = await send({ url: server.url, secret: 'wrong-secret' });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(sleeps).toEqual([]);
    expect(result.error).toBe(
      "Lark error 19021: sign match fail or timestamp is not within one hour from current time — signature rejected: check secret (the bot's signature secret) and the runner's clock (at most 1 hour off)",
    );
  });

  it('fails with 19021 when the runner clock is more than an hour off', async () => {
    await start({ secret: SECRET });
    const { result } = await send({ url: server.url, secret: SECRET }, { now: () => new Date(NOW + 3 * 3600_000) });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/^Lark error 19021/);
  });

  it('names the keyword on 19024', async () => {
    await start({ keyword: 'deploy-bot' });
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toBe(
      "Lark error 19024: Key Words Not Found — the message lacks the bot's custom keyword: set keyword to one of the bot's keywords",
    );
  });

  it('retries 11232 with a freshly signed body and delivers once', async () => {
    await start({ secret: SECRET, now: () => Date.now() });
    server.rateLimitNext(2);
    let clock = Date.now();
    const { result, sleeps } = await send(
      { url: server.url, secret: SECRET },
      { now: () => new Date((clock += 2000)) },
    );
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toHaveLength(2);
    expect(server.received).toHaveLength(1);
    expect(new Set(server.requests.map((r) => (r.json as { timestamp: string }).timestamp)).size).toBe(3);
  });
});

describe('lark mentions', () => {
  const people = { at_user_ids: ['ou_abc123'], at_all: true };

  it('mentions by open_id and @all in a card', async () => {
    await start();
    await send({ url: server.url }, { target: people });
    expect(server.received).toEqual([
      {
        msg_type: 'interactive',
        card: card([
          { tag: 'div', text: { tag: 'lark_md', content: FACTS_MD } },
          BUTTON,
          { tag: 'div', text: { tag: 'lark_md', content: '<at id=ou_abc123></at> <at id=all></at>' } },
        ]),
      },
    ]);
  });

  it('mentions by open_id and @all in text', async () => {
    await start();
    await send({ url: server.url }, { target: { ...people, msg_type: 'text', fields: ['commit', 'link'] } });
    expect(server.received).toEqual([
      {
        msg_type: 'text',
        content: {
          text: `${TITLE}\n9f8e7d6 Fix payment path → ${COMMIT}\nView run: ${RUN}\n<at user_id="ou_abc123">ou_abc123</at> <at user_id="all">all</at>`,
        },
      },
    ]);
  });

  it('mentions by open_id and @all in post, under zh_cn with locale zh', async () => {
    await start();
    await send({ url: server.url }, { target: { ...people, msg_type: 'post', locale: 'zh' } });
    expect(server.received).toEqual([
      {
        msg_type: 'post',
        content: {
          post: {
            zh_cn: {
              title: '❌ acme/api · main · CI #128 失败（上次成功）',
              content: [
                [{ tag: 'text', text: '5 个任务中 2 个失败' }],
                [
                  { tag: 'text', text: '• ' },
                  { tag: 'a', text: 'test (ubuntu, 20)', href: jobUrl(2) },
                  { tag: 'text', text: ' — Run tests' },
                ],
                [
                  { tag: 'text', text: '• ' },
                  { tag: 'a', text: 'lint', href: jobUrl(3) },
                  { tag: 'text', text: ' — Run eslint' },
                ],
                [
                  { tag: 'a', text: '9f8e7d6', href: COMMIT },
                  { tag: 'text', text: ' Fix payment path · Mona Lisa' },
                ],
                [{ tag: 'text', text: '推送（octocat） · 耗时 1 分 33 秒' }],
                [{ tag: 'a', text: '查看详情', href: RUN }],
                [
                  { tag: 'at', user_id: 'ou_abc123' },
                  { tag: 'at', user_id: 'all', user_name: '所有人' },
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('warns that a custom bot cannot mention by mobile, and mentions nobody when mention_on does not match', async () => {
    await start();
    const { log } = await send({ url: server.url }, { target: { at_mobiles: ['13800000000'] } });
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'Lark custom bots cannot mention by mobile number; use at_user_ids with open_ids, or the lark_app channel',
    ]);
    await send({ url: server.url }, { target: people, mention: false });
    expect(JSON.stringify(server.received)).not.toContain('<at');
  });

  it('lets a commit message mention nobody in text, post or card', async () => {
    await start();
    const hostile = '<at user_id="all">所有人</at> <at id=all></at> @all **b** [x](y) <font>';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title: hostile } });
    for (const msg_type of ['interactive', 'text', 'post'])
      await send({ url: server.url }, { event, target: { msg_type, fields: ['commit'] } });
    const wj = '\u2060';
    const plain = `‹at user_id="all">所有人</at> ‹at id=all></at> @${wj}all **b** [x](y) <font>`;
    expect(server.received).toEqual([
      {
        msg_type: 'interactive',
        card: card([
          {
            tag: 'div',
            text: {
              tag: 'lark_md',
              content: `[9f8e7d6](${COMMIT}) ‹at user&#95;id="all"&gt;所有人&lt;/at&gt; ‹at id=all&gt;&lt;/at&gt; @${wj}all &#42;&#42;b&#42;&#42; &#91;x&#93;(y) &lt;font&gt;`,
            },
          },
        ]),
      },
      { msg_type: 'text', content: { text: `${TITLE}\n9f8e7d6 ${plain} → ${COMMIT}` } },
      {
        msg_type: 'post',
        content: {
          post: {
            en_us: {
              title: TITLE,
              content: [
                [
                  { tag: 'a', text: '9f8e7d6', href: COMMIT },
                  { tag: 'text', text: ` ${plain}` },
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('escapes the values of a user template for the card, keeping the template’s own markup', async () => {
    await start();
    const title = '[Click](http://phish.example) <font color="green">✅ All green</font> <at id=all></at>';
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, title } });
    await send({ url: server.url }, { event, target: { template: '**${commit.title}**' } });
    expect(server.received).toEqual([
      {
        msg_type: 'interactive',
        card: card([
          {
            tag: 'div',
            text: {
              tag: 'lark_md',
              content:
                '**&#91;Click&#93;(http://phish.example) &lt;font color="green"&gt;✅ All green&lt;/font&gt; ‹at id=all&gt;&lt;/at&gt;**',
            },
          },
          BUTTON,
        ]),
      },
    ]);
  });
});

describe('lark card header', () => {
  it('colours the header by the outcome and says it in words, not only with an emoji', async () => {
    await start();
    for (const event of [failureWithJobs(), fixedRun(), cancelledRun()]) await send({ url: server.url }, { event });
    expect(
      server.received.map((r) => {
        const { header } = (r as { card: { header: { template: string; title: { content: string } } } }).card;
        return [header.template, header.title.content];
      }),
    ).toEqual([
      ['red', TITLE],
      ['green', '✅ acme/api · main · CI #128 fixed'],
      ['grey', '⏹️ acme/api · main · CI #128 cancelled'],
    ]);
  });

  it('shows the tricky commit and branch literally, with entities and no backslash', async () => {
    await start();
    await send({ url: server.url }, { event: trickyCommit() });
    const { card: sent } = server.received[0] as { card: { elements: { text?: { content: string } }[] } };
    expect(sent.elements[0]!.text!.content).toContain(
      `[9f8e7d6](${COMMIT}) Fix &#96;null&#96; in &#42;urgent&#42; &#91;PAY-123&#93; #12 · Mona Lisa`,
    );
    expect(server.requests[0]!.body).not.toContain('\\\\');
  });
});

describe('lark limits and answers', () => {
  it('cuts untrusted text to the 20 KB body limit, signature included, keeping title and author', async () => {
    await start({ secret: SECRET });
    const event = failureWithJobs({ commit: { ...sampleEvent().commit, message: '"@'.repeat(15_000) } });
    const template = '${commit.message}\n— ${commit.author.name}';
    for (const msg_type of ['interactive', 'text', 'post']) {
      const { result } = await send({ url: server.url, secret: SECRET }, { event, target: { msg_type, template } });
      expect(result).toMatchObject({ ok: true, attempts: 1 });
    }
    expect(server.received).toHaveLength(3);
    for (const request of server.requests) {
      expect(utf8Bytes(request.body)).toBeLessThanOrEqual(20_000);
      expect(utf8Bytes(request.body)).toBeGreaterThan(19_000);
      expect(request.body.includes('…(truncated)')).toBe(true);
      expect(request.body.includes('— Mona Lisa')).toBe(true);
      expect(request.body.includes(TITLE)).toBe(true);
    }
  });

  it('reads success from code, and the legacy StatusCode only when code is absent', () => {
    const answer = (json: unknown, status = 200) => ({ status, headers: {}, text: JSON.stringify(json), json });
    expect(readLarkAnswer(answer({ code: 0, msg: 'success', data: {} }))).toEqual({ ok: true });
    expect(readLarkAnswer(answer({ StatusCode: 0, StatusMessage: 'success' }))).toEqual({ ok: true });
    expect(readLarkAnswer(answer({ code: 19021, StatusCode: 0, msg: 'sign match fail' }))).toMatchObject({
      ok: false,
      retry: false,
    });
    expect(readLarkAnswer(answer({ code: 9499, msg: 'Bad Request' }, 400))).toEqual({
      ok: false,
      retry: false,
      error: 'Lark error 9499: Bad Request',
      hint: 'Lark rejected the body: malformed JSON or over 20 KB (check the customize template)',
    });
    expect(readLarkAnswer(answer({ code: 9499, msg: 'Bad Request' }, 400), 'default')).toMatchObject({
      hint: 'Lark refused the default message ci-notify built: please report it with the dry_run output',
    });
    expect(readLarkAnswer(answer({ code: 11232, msg: 'frequency limited' }))).toMatchObject({ ok: false, retry: true });
  });

  it('explains 19001 as hook id versus URL', async () => {
    await start();
    const { result } = await send({ url: server.url.replace(server.hookId, 'wrong-hook') });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(
      /^Lark error 19001: .* — the hook id is invalid: url must be the whole webhook URL or only its hook id/,
    );
  });

  it('signs a customize body too, its values JSON-escaped and mention-neutralised', async () => {
    await start({ secret: SECRET });
    const event = failureWithJobs({
      commit: { ...sampleEvent().commit, message: 'Fix "it"\n<at user_id="all">x</at>' },
    });
    const template = '{"msg_type":"text","content":{"text":"${commit.message}"}}';
    await send({ url: server.url, secret: SECRET }, { event, target: { msg_type: 'customize', template } });
    expect(server.received).toEqual([
      {
        ...larkSign(SECRET, NOW),
        msg_type: 'text',
        content: { text: 'Fix "it"\n‹at user_id="all">x</at>' },
      },
    ]);
  });
});

describe('lark url and builders', () => {
  it('accepts Feishu and Lark webhook URLs, a bare hook id on either domain, and other hosts', () => {
    const id = '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091';
    const feishu = `https://open.feishu.cn/open-apis/bot/v2/hook/${id}`;
    const larksuite = `https://open.larksuite.com/open-apis/bot/v2/hook/${id}`;
    expect(larkOptions.parse({ url: feishu })).toEqual({ url: feishu, secret: '' });
    expect(larkOptions.parse({ url: larksuite, secret: 's' })).toEqual({ url: larksuite, secret: 's' });
    expect(larkOptions.parse({ url: id })).toEqual({ url: feishu, secret: '' });
    expect(larkOptions.parse({ url: id, domain: 'lark' })).toEqual({ url: larksuite, secret: '' });
    expect(larkOptions.parse({ url: 'http://127.0.0.1:1/open-apis/bot/v2/hook/x' }).url).toBe(
      'http://127.0.0.1:1/open-apis/bot/v2/hook/x',
    );
  });

  it('names the input when url is wrong', () => {
    const result = larkOptions.safeParse({ url: 'https://open.feishu.cn/something/else' });
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        path: ['url'],
        message:
          'the Feishu/Lark URL is not a bot webhook (/open-apis/bot/v2/hook/<id>); copy it from the bot settings',
      }),
    ]);
    expect(larkOptions.safeParse({ url: 'abc', domain: 'mars' }).error!.issues[0]).toMatchObject({ path: ['domain'] });
  });

  it('builds card, post and text as pure functions of the message model', () => {
    const message = buildMessage(failureWithJobs(), {
      locale: 'en',
      fields: ['duration'],
      title: '',
      template: '',
      env: {},
      warn: () => {},
    });
    const mentions = { userIds: ['ou_1'], all: false };
    expect(larkCard(message, mentions)).toEqual(
      card([
        { tag: 'div', text: { tag: 'lark_md', content: '1m 33s' } },
        { tag: 'div', text: { tag: 'lark_md', content: '<at id=ou_1></at>' } },
      ]),
    );
    expect(larkPost(message, mentions)).toEqual({
      post: {
        en_us: {
          title: TITLE,
          content: [[{ tag: 'text', text: '1m 33s' }], [{ tag: 'at', user_id: 'ou_1' }]],
        },
      },
    });
    expect(larkText(message)).toEqual({ text: `${TITLE}\n1m 33s` });
  });
});
