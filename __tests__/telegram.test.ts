import { decodeMessageRef } from '../src/channels/message-ref.js';
import { telegram, telegramOptions } from '../src/channels/telegram.js';
import { sampleEvent } from './support/fixtures.js';
import { chatChannelHarness, optionIssues, COMMIT, JOB1, JOB2, RUN } from './support/chat-channel.js';
import { startTelegramServer, type TelegramServer } from './support/telegram-server.js';

const CHAT = '-1001234567890';

/**
 * The title, a blank line (the bold title and the bold "2 of 3 jobs failed" would read as one
 * block), what broke first (each failed job linked), the commit, the trigger line, params, the run link.
 */
const FAILURE_EN = [
  '<b>❌ acme/api · main · CI #128 failed (was passing)</b>',
  '',
  '<b>2 of 3 jobs failed</b>',
  `• <a href="${JOB1}">test</a>`,
  `• <a href="${JOB2}">lint</a>`,
  `<a href="${COMMIT}">9f8e7d6</a> Fix payment path<i> · Mona Lisa</i>`,
  '<i>push · 1m 33s</i>',
  '<i>Params: </i>env=prod',
  `<a href="${RUN}">View run</a>`,
].join('\n');

let server: TelegramServer;
const chat = chatChannelHarness(telegram, startTelegramServer);
const send = chat.send;
async function start(options?: Parameters<typeof startTelegramServer>[0]) {
  server = await chat.start(options);
}

const inputs = (extra: Record<string, string> = {}) => ({
  token: server.token,
  chat_id: CHAT,
  api_url: server.apiUrl,
  ...extra,
});

describe('telegram options', () => {
  it('takes token, chat_id (number or @channel), message_thread_id and api_url, naming the input that is wrong', () => {
    expect(telegramOptions.parse({ token: '123:AAbc-_', chat_id: '-1001', message_thread_id: '42' })).toEqual({
      token: '123:AAbc-_',
      chatId: -1001,
      messageThreadId: 42,
      apiUrl: 'https://api.telegram.org',
    });
    expect(
      telegramOptions.parse({ token: '123:AAbc', chat_id: '@ci_news', api_url: 'https://tg.example.com/' }),
    ).toMatchObject({ chatId: '@ci_news', apiUrl: 'https://tg.example.com' });
    const issues = (raw: Record<string, string>) => optionIssues(telegramOptions, raw);
    expect(issues({})).toEqual([
      'token: missing; give the bot token from @BotFather (best as a secret: env:TELEGRAM_BOT_TOKEN)',
      'chat_id: missing; give the chat id (a number; groups and channels are negative, e.g. -1001234567890) or @channelusername',
    ]);
    expect(
      issues({ token: 'secret-looking-thing', chat_id: 'general', message_thread_id: 'x', api_url: 'tg' }),
    ).toEqual([
      'token: expected a bot token like 123456789:AAE…, as @BotFather gives it',
      'chat_id: expected a numeric chat id (e.g. -1001234567890) or @channelusername',
      'message_thread_id: expected the numeric id of the forum topic',
      'api_url: expected the Bot API base URL, e.g. https://api.telegram.org',
    ]);
    expect(JSON.stringify(issues({ token: 'secret-looking-thing', chat_id: '1' }))).not.toContain('secret-looking');
  });
});

describe('telegram', () => {
  it('sends the whole default failure message as HTML with sendMessage, without link previews', async () => {
    await start();
    const { result } = await send(inputs());
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 200 });
    const request = server.requests[0]!;
    expect(request.path).toBe(`/bot${server.token}/sendMessage`);
    expect(request.json).toEqual({
      chat_id: -1001234567890,
      text: FAILURE_EN,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    expect(server.messages[0]!.text.split('\n')[0]).toBe('❌ acme/api · main · CI #128 failed (was passing)');
    expect(decodeMessageRef(result.message_ref!, 'telegram', ['c', 'm'])).toEqual({ c: -1001234567890, m: 100 });
    expect(result.message_ref).not.toContain(server.token.split(':')[1]!);
  });

  it('sends the success message in Chinese into a forum topic', async () => {
    await start();
    const event = sampleEvent({ status: 'success', transition: 'unchanged', jobs: [] });
    await send(inputs({ message_thread_id: '42' }), { event, target: { locale: 'zh' } });
    expect(server.requests[0]!.json).toEqual({
      chat_id: -1001234567890,
      message_thread_id: 42,
      text: [
        '<b>✅ acme/api · main · CI #128 成功</b>',
        '',
        // Upright: no italics anywhere in a Chinese message (CJK fonts have no italic).
        `<a href="${COMMIT}">9f8e7d6</a> Fix payment path · Mona Lisa`,
        '推送 · 耗时 1 分 33 秒',
        '参数：env=prod',
        `<a href="${RUN}">查看详情</a>`,
      ].join('\n'),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    expect(server.messages[0]).toMatchObject({ thread: 42 });
  });

  it.each([
    [
      'a chat the bot cannot see',
      {},
      { chat_id: '-1009999999999' },
      400,
      'Telegram error 400: Bad Request: chat not found — chat_id: the bot cannot see this chat: add the bot to the group or channel (a private chat needs /start first), and check the id (groups are negative, -100…)',
    ],
    [
      'a removed bot',
      { chats: { [CHAT]: { member: false } } },
      {},
      403,
      'Telegram error 403: Forbidden: bot was kicked from the supergroup chat — the bot is not in this chat any more (or was blocked): add it again, or send it /start',
    ],
    [
      'a wrong token',
      {},
      { token: '1:AAwrong' },
      401,
      'Telegram error 401: Unauthorized — token: the bot token is wrong or revoked (get it from @BotFather)',
    ],
    [
      'a missing topic',
      {},
      { message_thread_id: '7' },
      400,
      'Telegram error 400: Bad Request: message thread not found — message_thread_id: no such topic in this chat',
    ],
    [
      'a group that became a supergroup',
      { chats: { '-4001': { migratedTo: -1004001 } } },
      { chat_id: '-4001' },
      400,
      'Telegram error 400: Bad Request: group chat was upgraded to a supergroup chat — the group became a supergroup: set chat_id to -1004001',
    ],
  ])('fails %s once with the error named and a hint', async (_what, serverOptions, raw, status, error) => {
    await start(serverOptions);
    const { result, sleeps, log } = await send(inputs(raw));
    expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
      ok: false,
      attempts: 1,
      status,
      error,
    });
    expect(sleeps).toEqual([]);
    expect(server.messages).toEqual([]);
    expect(log.text()).not.toContain(server.token);
  });

  it('honours flood control (429, parameters.retry_after) and sends exactly once', async () => {
    await start();
    server.rateLimitNext(2, 4);
    const { result, sleeps, log } = await send(inputs());
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([4000, 4000]);
    expect(server.messages).toHaveLength(1);
    // The retry lines name the URL, with the token redacted.
    expect(log.text()).not.toContain(server.token);
  });

  it('fits a huge template value into 4096 characters after entity parsing, with the marker', async () => {
    await start();
    const message = `${'<&>'.repeat(500)}\n${'字'.repeat(3000)}`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send(inputs(), { event, target: { template: '${commit.message}' } });
    expect(result.ok).toBe(true);
    const stored = server.messages[0]!;
    expect(stored.text.length).toBe(4096);
    expect(stored.text).toMatch(/^❌ .*\n\n(<&>){500}\n字+…\(truncated\)\nView run$/);
    expect(stored.html).toMatch(/^<b>❌ .*<\/b>\n\n(&lt;&amp;&gt;){500}\n字+…\(truncated\)\n<a href=/);
    expect(log.text()).toContain("message truncated to fit Telegram's 4096 characters");
  });

  it('keeps @usernames, tags and entities in commit text inert', async () => {
    await start();
    const hostile = '@durov <a href="tg://user?id=1">x</a> <b>bold</b> &amp; ok';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send(inputs(), { event, target: { fields: ['commit'], title: '${commit.title}' } });
    const escaped =
      '@\u2060durov &lt;a href=&quot;tg://user?id=1&quot;&gt;x&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; &amp;amp; ok';
    expect((server.requests[0]!.json as { text: string }).text).toBe(
      `<b>${escaped}</b>\n\n<a href="${COMMIT}">9f8e7d6</a> ${escaped}`,
    );
    expect(server.messages[0]!.mentions).toEqual([]);
  });

  it('keeps Chinese, Japanese and Korean text upright in an English message, and the rest of the grey text in italics', async () => {
    await start();
    const event = sampleEvent({
      status: 'success',
      transition: 'unchanged',
      jobs: [],
      commit: { ...sampleEvent().commit, author: { name: '王小明', login: null, email: null } },
    });
    await send(inputs(), { event, target: { fields: ['commit', 'author', 'trigger', 'link'] } });
    expect((server.requests[0]!.json as { text: string }).text).toBe(
      [
        '<b>✅ acme/api · main · CI #128 succeeded</b>',
        '',
        `<a href="${COMMIT}">9f8e7d6</a> Fix payment path · 王小明`,
        '<i>push by Mona Lisa</i>',
        `<a href="${RUN}">View run</a>`,
      ].join('\n'),
    );
  });

  it('sends no blank lines for a template that renders blank: the title, then the link', async () => {
    await start();
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message: '   ' } });
    await send(inputs(), { event, target: { template: '${commit.message}' } });
    expect((server.requests[0]!.json as { text: string }).text).toBe(
      ['<b>❌ acme/api · main · CI #128 failed (was passing)</b>', `<a href="${RUN}">View run</a>`].join('\n'),
    );
  });

  it('mentions users by id (tg://user link) and by @username, and says at_all cannot work', async () => {
    await start();
    const { log } = await send(inputs(), {
      target: { fields: ['link'], at_user_ids: ['123456789', '@mona_lisa', 'not a user'], at_all: true },
    });
    expect((server.requests[0]!.json as { text: string }).text).toBe(
      [
        '<b>❌ acme/api · main · CI #128 failed (was passing)</b>',
        `<a href="${RUN}">View run</a>`,
        '<a href="tg://user?id=123456789">123456789</a> @mona_lisa',
      ].join('\n'),
    );
    expect(server.messages[0]!.mentions).toEqual(['123456789', '@mona_lisa']);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: 'at_user_ids: "not a user" not a Telegram user id or @username' },
      { level: 'warn', message: 'at_all: Telegram has no mention of everyone in a chat; ignored' },
    ]);
  });

  it('edits the message of an earlier step with editMessageText: one message, changed', async () => {
    await start();
    const running = await send(inputs(), { event: sampleEvent({ status: 'running', transition: null }) });
    expect(server.messages[0]!.text.split('\n')[0]).toBe('🔄 acme/api · main · CI #128 running');
    const done = await send(inputs(), { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 1, message_ref: running.result.message_ref });
    expect(server.requests[1]!.path).toBe(`/bot${server.token}/editMessageText`);
    expect(server.requests[1]!.json).toEqual({
      chat_id: -1001234567890,
      message_id: 100,
      text: FAILURE_EN,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ html: FAILURE_EN, edits: 1 });
  });

  it('counts an edit to the same text as done ("message is not modified")', async () => {
    await start();
    const first = await send(inputs());
    const again = await send(inputs(), { update: first.result.message_ref! });
    expect(again.result).toMatchObject({ ok: true, attempts: 1, message_ref: first.result.message_ref });
    expect(server.messages).toHaveLength(1);
  });

  it('sends a new message with a warning when the message to edit is gone', async () => {
    await start();
    const running = await send(inputs(), { event: sampleEvent({ status: 'running', transition: null }) });
    server.deleteMessage(100);
    const done = await send(inputs(), { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 2 });
    expect(done.log.lines).toContainEqual({
      level: 'warn',
      message:
        'the Telegram message to update cannot be edited (Bad Request: message to edit not found); posting a new one',
    });
    expect(server.messages.map((m) => [m.message_id, m.edits])).toEqual([[101, 0]]);
  });

  it('never prints the bot token, which is part of every request URL (dry run)', async () => {
    await start();
    const { log } = await send(inputs(), { dryRun: true });
    expect(log.text()).toContain(`[dry run] http: POST ${server.apiUrl}/bot***/sendMessage`);
    expect(log.text()).not.toContain(server.token);
    expect(log.text()).not.toContain(server.token.split(':')[1]!);
  });

  it('never prints the bot token when the API cannot be reached', async () => {
    await start();
    const apiUrl = server.apiUrl;
    await server.close();
    const { result, log } = await send({ token: server.token, chat_id: CHAT, api_url: apiUrl }, { retries: 1 });
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(result.error).toBe('connection refused (ECONNREFUSED) (gave up after 2 attempts)');
    expect(log.text()).not.toContain(server.token);
  });
});
