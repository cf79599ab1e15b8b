import { discord, discordOptions } from '../src/channels/discord.js';
import { decodeMessageRef, encodeMessageRef } from '../src/channels/message-ref.js';
import { startDiscordServer, type DiscordServer } from './support/discord-server.js';
import { sampleEvent } from './support/fixtures.js';
import { chatChannelHarness, optionIssues, COMMIT, FAILED, JOB1, JOB2, RUN } from './support/chat-channel.js';

const RED = 0xcf222e;
const GREEN = 0x1a7f37;

/** The default body: what broke first, each failed job linked; then the commit, the trigger line, params. */
const BODY_EN = [
  '**2 of 3 jobs failed**',
  `- [test](${JOB1})`,
  `- [lint](${JOB2})`,
  `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
  'push · 1m 33s',
  'Params: env=prod',
].join('\n');

const NOBODY = { parse: [] };

let server: DiscordServer;
const chat = chatChannelHarness(discord, startDiscordServer);
const send = chat.send;
async function start() {
  server = await chat.start();
}

describe('discord options', () => {
  it('takes the webhook URL and refuses the /slack and /github endpoints, naming url', () => {
    expect(discordOptions.parse({ url: 'https://discord.com/api/webhooks/1/abc?thread_id=9' })).toEqual({
      url: 'https://discord.com/api/webhooks/1/abc?thread_id=9',
    });
    const issues = (raw: Record<string, string>) => optionIssues(discordOptions, raw);
    expect(issues({})).toEqual([
      'url: missing; give the webhook URL (Channel settings → Integrations → Webhooks → Copy URL)',
    ]);
    expect(issues({ url: 'https://discord.com/api/webhooks/1/secret-token/slack' })).toEqual([
      'url: use the plain webhook URL, without /slack or /github at the end',
    ]);
    expect(issues({ url: 'discord.com/api/webhooks/1/secret-token' })).toEqual([
      'url: expected the webhook URL, https://discord.com/api/webhooks/<id>/<token>',
    ]);
  });
});

describe('discord', () => {
  it('posts the whole default failure message with wait=true: a red embed, failed jobs first, nobody pinged', async () => {
    await start();
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 200 });
    expect(server.requests[0]!.query.get('wait')).toBe('true');
    expect(server.requests[0]!.json).toEqual({
      embeds: [{ title: FAILED, url: RUN, description: BODY_EN, color: RED }],
      allowed_mentions: NOBODY,
    });
    expect(server.messages[0]!.pinged).toEqual({ users: [], roles: [], everyone: false });
    expect(decodeMessageRef(result.message_ref!, 'discord', ['m'])).toEqual({ m: server.messages[0]!.id });
    expect(result.message_ref).not.toContain(server.webhookToken);
    expect(Buffer.from(result.message_ref!.split(':')[1]!, 'base64url').toString()).not.toContain(server.webhookId);
  });

  it('posts a green success embed in Chinese', async () => {
    await start();
    const event = sampleEvent({ status: 'success', transition: 'unchanged', jobs: [] });
    await send({ url: server.url }, { event, target: { locale: 'zh' } });
    expect(server.requests[0]!.json).toEqual({
      embeds: [
        {
          title: '✅ acme/api · main · CI #128 成功',
          url: RUN,
          description: [
            `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
            '推送 · 耗时 1 分 33 秒',
            '参数：env=prod',
          ].join('\n'),
          color: GREEN,
        },
      ],
      allowed_mentions: NOBODY,
    });
  });

  it.each([
    [
      'a deleted webhook',
      (url: string) => url.replace(/webhooks\/\d+/, 'webhooks/1111111111111111111'),
      404,
      'Discord error 10015: Unknown Webhook (HTTP 404) — the webhook was deleted or url is wrong: copy the webhook URL again',
    ],
    [
      'a wrong token',
      (url: string) => `${url.slice(0, -8)}XXXXXXXX`,
      401,
      'Discord error 50027: Invalid Webhook Token (HTTP 401) — the webhook token in url is wrong: copy the whole webhook URL again',
    ],
  ])('fails %s once with the error named and a hint, never printing the URL', async (_what, wrong, status, error) => {
    await start();
    const url = wrong(server.url);
    const { result, log, sleeps } = await send({ url });
    expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
      ok: false,
      attempts: 1,
      status,
      error,
    });
    expect(sleeps).toEqual([]);
    expect(log.text()).not.toContain(url.split('/').pop()!);
  });

  it('honours 429 retry_after (float seconds) from the body and posts exactly once', async () => {
    await start();
    server.rateLimitNext(2, 1.25);
    const { result, sleeps } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([1250, 1250]);
    expect(server.requests.map((r) => r.answer.status)).toEqual([429, 429, 200]);
    expect(server.requests[0]!.answer.headers['X-RateLimit-Remaining']).toBe('0');
    expect(server.messages).toHaveLength(1);
  });

  it('reports a lasting rate limit with its scope and wait', async () => {
    await start();
    server.rateLimitNext(5, 0.5);
    const { result } = await send({ url: server.url }, { retries: 1 });
    expect(result).toMatchObject({ ok: false, attempts: 2, status_code: 429 });
    expect(result.error).toBe('Discord rate limit (HTTP 429, user, retry after 0.5 s) (gave up after 2 attempts)');
    expect(server.messages).toEqual([]);
  });

  it('fits a huge template value into the embed limits (description 4096, 6000 in all) with the marker', async () => {
    await start();
    const message = `${'x'.repeat(3000)}\n${'字'.repeat(5000)}`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send({ url: server.url }, { event, target: { template: '${commit.message}' } });
    expect(result.ok).toBe(true);
    const embed = server.messages[0]!.embeds[0] as { title: string; description: string };
    expect(embed.title).toBe(FAILED);
    expect(embed.description.length).toBe(4096);
    expect(embed.description).toMatch(/^x{3000}\n字+…\(truncated\)$/);
    expect(log.text()).toContain("message truncated to fit Discord's limits");
  });

  it('cuts a long title to 256 characters', async () => {
    await start();
    await send({ url: server.url }, { target: { title: `${'t'.repeat(300)} \${commit.title}` } });
    const embed = server.messages[0]!.embeds[0] as { title: string };
    expect(embed.title).toMatch(/^t{244}…\(truncated\)$/);
    expect(embed.title.length).toBe(256);
  });

  it('keeps the run number and the outcome when a long branch and workflow name overflow the 256-character title', async () => {
    await start();
    const base = sampleEvent();
    const titles: string[] = [];
    for (const [ref, name] of [
      // Every "@" gains a word joiner: 160 bytes of branch become 320 characters.
      ['@'.repeat(200), 'CI'],
      [`feature/${'x'.repeat(200)}`, 'W'.repeat(200)],
    ]) {
      const event = sampleEvent({ ref: { ...base.ref, name: ref! }, pipeline: { ...base.pipeline, name: name! } });
      const { result } = await send({ url: server.url }, { event });
      expect(result.ok).toBe(true);
      titles.push((server.messages.at(-1)!.embeds[0] as { title: string }).title);
    }
    expect(titles).toEqual([
      `❌ acme/api · ${'@\u2060'.repeat(97)}… · CI #128 failed (was passing)`,
      `❌ acme/api · feature/${'x'.repeat(40)}… · ${'W'.repeat(157)}… #128 failed (was passing)`,
    ]);
    for (const title of titles) expect(title.length).toBeLessThanOrEqual(256);
  });

  it('keeps @everyone, <@id>, roles and markdown in commit text inert', async () => {
    await start();
    const hostile =
      '@everyone @here <@123456789012345678> <@&223456789012345678> **bold** [x](https://evil.example) ||s||';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { fields: ['commit'], title: '${commit.title}' } });
    expect(server.requests[0]!.json).toEqual({
      embeds: [
        {
          title:
            '@\u2060everyone @\u2060here ‹@\u2060123456789012345678> ‹@\u2060&223456789012345678> ∗∗bold∗∗ ［x］(https://evil.example) |\u2060|s|\u2060|',
          description: `[9f8e7d6](${COMMIT}) @\u2060everyone @\u2060here ‹@\u2060123456789012345678\\> ‹@\u2060&223456789012345678\\> \\*\\*bold\\*\\* \\[x\\](https://evil.example) \\|\\|s\\|\\|`,
          color: RED,
        },
      ],
      allowed_mentions: NOBODY,
    });
    expect(server.messages[0]!.pinged).toEqual({ users: [], roles: [], everyone: false });
  });

  it('pings exactly the users, roles and @everyone asked for', async () => {
    await start();
    const { log } = await send(
      { url: server.url },
      {
        target: {
          fields: ['link'],
          at_user_ids: ['123456789012345678', '&223456789012345678', 'mona'],
          at_all: true,
        },
      },
    );
    expect(server.requests[0]!.json).toEqual({
      content: '<@123456789012345678> <@&223456789012345678> @everyone',
      embeds: [{ title: FAILED, url: RUN, color: RED }],
      allowed_mentions: { parse: ['everyone'], users: ['123456789012345678'], roles: ['223456789012345678'] },
    });
    expect(server.messages[0]!.pinged).toEqual({
      users: ['123456789012345678'],
      roles: ['223456789012345678'],
      everyone: true,
    });
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'at_user_ids: "mona" not a Discord user ID (or &role ID); Discord only notifies by ID',
    });
  });

  it('edits the message of an earlier step with PATCH on the same webhook: one message, changed', async () => {
    await start();
    const running = await send(
      { url: server.url },
      { event: sampleEvent({ status: 'running', transition: null }), target: { at_user_ids: ['123456789012345678'] } },
    );
    expect(server.messages[0]!.content).toBe('<@123456789012345678>');
    const done = await send({ url: server.url }, { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 1, message_ref: running.result.message_ref });
    const patch = server.requests[1]!;
    expect(patch.method).toBe('PATCH');
    expect(patch.path).toBe(
      `/api/webhooks/${server.webhookId}/${server.webhookToken}/messages/${server.messages[0]!.id}`,
    );
    expect(patch.query.get('wait')).toBeNull();
    expect(patch.json).toEqual({
      content: '',
      embeds: [{ title: FAILED, url: RUN, description: BODY_EN, color: RED }],
      allowed_mentions: NOBODY,
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ content: '', edits: 1 });
  });

  it('keeps a thread_id of the URL when posting and editing', async () => {
    await start();
    const url = `${server.url}?thread_id=987654321098765432`;
    const running = await send({ url });
    await send({ url }, { update: running.result.message_ref! });
    expect(server.requests.map((r) => Object.fromEntries(r.query))).toEqual([
      { thread_id: '987654321098765432', wait: 'true' },
      { thread_id: '987654321098765432' },
    ]);
  });

  it('posts a new message with a warning when the message to edit was deleted', async () => {
    await start();
    const running = await send({ url: server.url }, { event: sampleEvent({ status: 'running', transition: null }) });
    server.deleteMessage(server.messages[0]!.id);
    const done = await send({ url: server.url }, { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 2 });
    expect(done.log.lines).toContainEqual({
      level: 'warn',
      message: 'the Discord message to update no longer exists (10008 Unknown Message); posting a new one',
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ edits: 0 });
    expect(done.result.message_ref).not.toBe(running.result.message_ref);
  });

  it("posts a new message with a warning when the message to edit is not this webhook's to edit (50005)", async () => {
    await start();
    const running = await send({ url: server.url }, { event: sampleEvent({ status: 'running', transition: null }) });
    server.makeForeign(server.messages[0]!.id);
    const done = await send({ url: server.url }, { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 2 });
    expect(done.log.lines).toContainEqual({
      level: 'warn',
      message:
        'the Discord message to update cannot be edited through this webhook (50005 Cannot edit a message authored by another user); posting a new one',
    });
    expect(server.messages.map((m) => m.edits)).toEqual([0, 0]);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'POST']);
  });

  it('ignores a ref of another channel with a warning and posts', async () => {
    await start();
    const { result, log } = await send({ url: server.url }, { update: 'slack:eyJjIjoiQzEiLCJ0cyI6IjEuMiJ9' });
    expect(result.ok).toBe(true);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'update: not a Discord message_ref; posting a new message',
    });
    expect(server.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it.each(['..', '../..', '1/../..', '12?x=1', ''])(
    'never puts a message id %j that is not a snowflake into the edit URL: it posts with a warning',
    async (m) => {
      await start();
      const ref = encodeMessageRef('discord', { m });
      const { result, log } = await send({ url: server.url }, { update: ref });
      expect(result.ok).toBe(true);
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'update: not a Discord message_ref; posting a new message',
      });
      expect(server.requests.map((r) => [r.method, r.path])).toEqual([
        ['POST', `/api/webhooks/${server.webhookId}/${server.webhookToken}`],
      ]);
    },
  );
});
