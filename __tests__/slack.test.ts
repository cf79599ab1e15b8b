import { slack, slackOptions, SLACK_SECTION_TEXT_MAX } from '../src/channels/slack.js';
import { decodeMessageRef } from '../src/channels/message-ref.js';
import { sampleEvent } from './support/fixtures.js';
import { chatChannelHarness, optionIssues, COMMIT, FAILED, JOB1, JOB2, RUN } from './support/chat-channel.js';
import { startSlackServer, type SlackServer, type SlackServerOptions } from './support/slack-server.js';

/** The default body: what broke first, each failed job linked; then the commit, the trigger line, params. */
const BODY_EN = [
  '*2 of 3 jobs failed*',
  `• <${JOB1}|test>`,
  `• <${JOB2}|lint>`,
  `<${COMMIT}|9f8e7d6> Fix payment path · Mona Lisa`,
  'push · 1m 33s',
  'Params: env=prod',
].join('\n');

function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
function button(label: string, style?: 'danger') {
  return {
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: label }, url: RUN, ...(style ? { style } : {}) }],
  };
}

let server: SlackServer;
const chat = chatChannelHarness(slack, startSlackServer);
const send = chat.send;
async function start(options?: SlackServerOptions) {
  server = await chat.start(options);
}

const api = () => ({ token: server.token, channel_id: 'C0CINOTIFY', api_url: server.apiUrl });

describe('slack options', () => {
  it('takes an incoming webhook url, or token + channel_id, and names the input that is wrong', () => {
    expect(slackOptions.parse({ url: 'https://hooks.slack.com/services/T1/B1/abc' })).toEqual({
      mode: 'webhook',
      url: 'https://hooks.slack.com/services/T1/B1/abc',
    });
    expect(slackOptions.parse({ token: 'xoxb-1-2-abc', channel_id: 'C1' })).toEqual({
      mode: 'api',
      token: 'xoxb-1-2-abc',
      channelId: 'C1',
      apiUrl: 'https://slack.com/api',
    });
    const issues = (raw: Record<string, string>) => optionIssues(slackOptions, raw);
    expect(issues({})).toEqual([
      'url: missing; give the incoming webhook URL (https://hooks.slack.com/services/…), or token + channel_id for the Web API',
    ]);
    expect(issues({ token: 'xoxb-1-2-secretvalue' })).toEqual([
      'channel_id: missing; give the channel ID (C…, in the channel details) the bot posts to',
    ]);
    expect(issues({ token: 'not-a-token-secretvalue', channel_id: 'C1' })).toEqual([
      'token: expected a Slack bot token (xoxb-…, OAuth & Permissions page of the app)',
    ]);
    expect(issues({ token: 'xoxb-1', channel_id: 'C1', url: 'https://hooks.slack.com/x' })).toEqual([
      'url: give either url (an incoming webhook) or token + channel_id (the Web API), not both',
    ]);
    expect(issues({ token: 'xoxb-1', channel_id: 'C1', api_url: 'slack.com' })).toEqual([
      'api_url: expected a base URL such as https://slack.com/api',
    ]);
    expect(issues({ url: 'hooks.slack.com/services/x' })).toEqual([
      'url: expected the incoming webhook URL (https://hooks.slack.com/services/…)',
    ]);
    expect(JSON.stringify(issues({ token: 'not-a-token-secretvalue', channel_id: 'C1' }))).not.toContain('secretvalue');
  });
});

describe('slack incoming webhook', () => {
  it('posts the whole default failure message: title, failed jobs first, a red View run button', async () => {
    await start();
    const { result } = await send({ url: server.webhookUrl });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 200 });
    expect(result.message_ref).toBeUndefined();
    expect(server.webhookMessages).toEqual([
      {
        text: FAILED,
        blocks: [section(`*${FAILED}*`), section(BODY_EN), button('View run', 'danger')],
      },
    ]);
  });

  it('posts the success message in Chinese', async () => {
    await start();
    const event = sampleEvent({ status: 'success', previous_status: 'success', transition: 'unchanged', jobs: [] });
    const { result } = await send({ url: server.webhookUrl }, { event, target: { locale: 'zh' } });
    expect(result.ok).toBe(true);
    expect(server.webhookMessages).toEqual([
      {
        text: '✅ acme/api · main · CI #128 成功',
        blocks: [
          section('*✅ acme/api · main · CI #128 成功*'),
          section(
            [`<${COMMIT}|9f8e7d6> Fix payment path · Mona Lisa`, '推送 · 耗时 1 分 33 秒', '参数：env=prod'].join('\n'),
          ),
          button('查看详情'),
        ],
      },
    ]);
  });

  it("fails a revoked webhook once, naming Slack's error with a hint, and never prints the URL", async () => {
    await start();
    const wrong = `${server.webhookUrl.slice(0, -6)}zzzzzz`;
    const { result, log } = await send({ url: wrong });
    expect(result).toMatchObject({ ok: false, attempts: 1, status_code: 403 });
    expect(result.error).toBe(
      'Slack webhook error invalid_token (HTTP 403) — the webhook URL is wrong or revoked: copy it again from the app settings',
    );
    expect(log.text()).not.toContain(wrong);
  });

  it('says once that a webhook cannot edit, and posts a new message', async () => {
    await start();
    const { result, log } = await send({ url: server.webhookUrl }, { update: 'slack:eyJjIjoiQzEiLCJ0cyI6IjEuMiJ9' });
    expect(result.ok).toBe(true);
    expect(server.webhookMessages).toHaveLength(1);
    expect(log.lines.filter((l) => l.message.includes('cannot edit'))).toEqual([
      {
        level: 'info',
        message: 'a Slack incoming webhook cannot edit a message; posting a new one (token + channel_id can edit)',
      },
    ]);
  });
});

describe('slack Web API (token + channel_id)', () => {
  it('posts with chat.postMessage and returns a secret-free message_ref of the channel and ts', async () => {
    await start();
    const { result } = await send(api());
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const request = server.requests[0]!;
    expect(request.path).toBe('/api/chat.postMessage');
    expect(request.headers.authorization).toBe(`Bearer ${server.token}`);
    expect(request.json).toEqual({
      channel: 'C0CINOTIFY',
      text: FAILED,
      blocks: [section(`*${FAILED}*`), section(BODY_EN), button('View run', 'danger')],
      unfurl_links: false,
      unfurl_media: false,
    });
    const ts = server.messages[0]!.ts;
    expect(decodeMessageRef(result.message_ref!, 'slack', ['c', 'ts'])).toEqual({ c: 'C0CINOTIFY', ts });
    expect(result.message_ref).not.toContain(server.token);
    expect(Buffer.from(result.message_ref!.split(':')[1]!, 'base64url').toString()).not.toMatch(/xox/);
  });

  it.each([
    [
      'the bot is not in the channel',
      { channels: { C0CINOTIFY: false } },
      {},
      'Slack error not_in_channel — the bot is not in the channel: invite it (/invite @your-app) or give the app chat:write.public',
    ],
    [
      'an unknown channel',
      {},
      { channel_id: 'C0UNKNOWN' },
      'Slack error channel_not_found — channel_id must be the channel ID (C…, at the bottom of the channel details), and a private channel must have the bot in it',
    ],
    [
      'a wrong token',
      {},
      { token: 'xoxb-0-0-not-the-token' },
      'Slack error invalid_auth — token is not valid: use the Bot User OAuth Token of the installed app (it starts with xoxb)',
    ],
  ])(
    'fails %s once with Slack\'s error and a hint (HTTP 200, "ok": false)',
    async (_what, serverOptions, raw, error) => {
      await start(serverOptions);
      const { result, sleeps, log } = await send({ ...api(), ...raw });
      expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
        ok: false,
        attempts: 1,
        status: 200,
        error,
      });
      expect(sleeps).toEqual([]);
      expect(server.messages).toEqual([]);
      expect(log.text()).not.toContain('xoxb-0-0-not-the-token');
    },
  );

  it('honours 429 Retry-After and posts exactly once', async () => {
    await start({ retryAfterSeconds: 2 });
    server.rateLimitNext(2);
    const { result, sleeps } = await send(api());
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([2000, 2000]);
    expect(server.requests.map((r) => r.answer.status)).toEqual([429, 429, 200]);
    expect(server.messages).toHaveLength(1);
  });

  it('gives up after the retries when the rate limit lasts, with the error named', async () => {
    await start();
    server.rateLimitNext(10);
    const { result } = await send(api(), { retries: 1 });
    expect(result).toMatchObject({ ok: false, attempts: 2, status_code: 429 });
    expect(result.error).toBe(
      'Slack error ratelimited (gave up after 2 attempts) — Slack rate limit (about 1 message per second per channel)',
    );
    expect(server.messages).toEqual([]);
  });

  it('cuts a huge template value so every section stays within 3000 characters, with the marker', async () => {
    await start();
    const message = `Release notes\n${'長い'.repeat(2500)}🎉\nlast line`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send(api(), { event, target: { template: 'Changes:\n${commit.message}' } });
    expect(result.ok).toBe(true);
    const sections = server.messages[0]!.blocks as { text?: { text: string } }[];
    expect(sections.map((b) => b.text?.text.length ?? 0).every((n) => n <= SLACK_SECTION_TEXT_MAX)).toBe(true);
    const body = sections[1]!.text!.text;
    expect(body.length).toBeGreaterThan(2900);
    expect(body).toMatch(/^Changes:\nRelease notes\n(長い)+長?…\(truncated\)$/);
    expect(body.length).toBe(SLACK_SECTION_TEXT_MAX);
    expect(log.text()).toContain("message truncated to fit Slack's limits");
  });

  it('keeps mentions and markup in commit text and branch names inert', async () => {
    await start();
    const hostile =
      '<!channel> <!here> <@U0BOSS> <!subteam^S0ALL> @everyone *bold* _it_ <https://evil.example|click> & more';
    const event = sampleEvent({
      commit: { ...sampleEvent().commit, title: hostile },
      ref: { name: '<!here>*x*', type: 'branch', url: null },
    });
    await send(api(), { event, target: { fields: ['commit'] } });
    const expected =
      '&lt;!channel&gt; &lt;!here&gt; ‹@\u2060U0BOSS&gt; &lt;!subteam^S0ALL&gt; @\u2060everyone ∗bold∗ ＿it＿ &lt;https://evil.example|click&gt; &amp; more';
    const title = '❌ acme/api · &lt;!here&gt;∗x∗ · CI #128 failed (was passing)';
    expect(server.messages[0]).toMatchObject({
      text: title,
      blocks: [section(`*${title}*`), section(`<${COMMIT}|9f8e7d6> ${expected}`)],
    });
    expect(JSON.stringify(server.requests[0]!.json)).not.toMatch(/<!channel>|<!here>|<@U0BOSS>|<!subteam/);
  });

  it("keeps mentions in the user's own template inert, its mrkdwn and links live", async () => {
    await start();
    const template =
      '*Deploy* <!here> <!channel> <@U0BOSS> <#C0OPS> @everyone <https://ops.example|runbook>: ${commit.title}';
    await send(api(), { target: { template } });
    expect(server.requests[0]!.json).toEqual({
      channel: 'C0CINOTIFY',
      text: FAILED,
      blocks: [
        section(`*${FAILED}*`),
        section(
          '*Deploy* &lt;!here> &lt;!channel> ‹@\u2060U0BOSS> &lt;#C0OPS> @\u2060everyone <https://ops.example|runbook>: Fix payment path',
        ),
        button('View run', 'danger'),
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('mentions the users and user groups asked for, and the channel with at_all, in the blocks and the notification text', async () => {
    await start();
    const { log } = await send(api(), {
      target: { fields: ['link'], at_user_ids: ['U012AB3CD', 'S0123ABC', '@mona'], at_all: true },
    });
    expect(server.messages[0]).toMatchObject({
      text: `${FAILED} <@U012AB3CD> <!subteam^S0123ABC> <!channel>`,
      blocks: [
        section(`*${FAILED}*`),
        button('View run', 'danger'),
        section('<@U012AB3CD> <!subteam^S0123ABC> <!channel>'),
      ],
    });
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'at_user_ids: "@mona" not a Slack member ID (U…) or user group ID (S…); Slack only notifies by ID',
    });
  });

  it('mentions nobody when mention_on does not match', async () => {
    await start();
    await send(api(), { mention: false, target: { fields: ['link'], at_user_ids: ['U012AB3CD'], at_all: true } });
    expect(server.messages[0]!.text).toBe(FAILED);
  });

  it('edits the message of an earlier step with chat.update: one message, changed', async () => {
    await start();
    const running = await send(api(), { event: sampleEvent({ status: 'running', transition: null }) });
    expect(server.messages[0]!.text).toBe('🔄 acme/api · main · CI #128 running');
    const done = await send(api(), { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 1, message_ref: running.result.message_ref });
    expect(server.requests.map((r) => r.path)).toEqual(['/api/chat.postMessage', '/api/chat.update']);
    expect(server.requests[1]!.json).toEqual({
      channel: 'C0CINOTIFY',
      ts: server.messages[0]!.ts,
      text: FAILED,
      blocks: [section(`*${FAILED}*`), section(BODY_EN), button('View run', 'danger')],
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ text: FAILED, edits: 1 });
  });

  it('edits only in its own channel: a ref of another channel (a bare update given to two targets) posts here', async () => {
    await start({ channels: { C0CINOTIFY: true, C0OTHERCHAN: true } });
    const running = await send(api(), { event: sampleEvent({ status: 'running', transition: null }) });
    const other = await send({ ...api(), channel_id: 'C0OTHERCHAN' }, { update: running.result.message_ref! });
    expect(other.result).toMatchObject({ ok: true, attempts: 1 });
    expect(other.result.message_ref).not.toBe(running.result.message_ref);
    expect(other.log.lines).toContainEqual({
      level: 'warn',
      message:
        "update: the message_ref is of another Slack channel than this target's channel_id; posting a new message",
    });
    expect(server.requests.map((r) => [r.path, (r.json as { channel?: string }).channel])).toEqual([
      ['/api/chat.postMessage', 'C0CINOTIFY'],
      ['/api/chat.postMessage', 'C0OTHERCHAN'],
    ]);
    expect(server.messages.map((m) => m.edits)).toEqual([0, 0]);
  });

  it('still edits when channel_id is a channel name: Slack answered with the ID the ref holds', async () => {
    await start({ channelNames: { '#ci-notify': 'C0CINOTIFY' } });
    const byName = { ...api(), channel_id: '#ci-notify' };
    const running = await send(byName, { event: sampleEvent({ status: 'running', transition: null }) });
    const done = await send(byName, { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 1, message_ref: running.result.message_ref });
    expect(server.requests.map((r) => [r.path, (r.json as { channel?: string }).channel])).toEqual([
      ['/api/chat.postMessage', '#ci-notify'],
      ['/api/chat.update', 'C0CINOTIFY'],
    ]);
    expect(server.messages.map((m) => m.edits)).toEqual([1]);
  });

  it('posts a new message with a warning when the message to edit is gone', async () => {
    await start();
    const running = await send(api(), { event: sampleEvent({ status: 'running', transition: null }) });
    server.deleteMessage(server.messages[0]!.ts);
    const done = await send(api(), { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: true, attempts: 2 });
    expect(done.log.lines).toContainEqual({
      level: 'warn',
      message: 'the Slack message to update cannot be edited (message_not_found); posting a new one',
    });
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]).toMatchObject({ text: FAILED, edits: 0 });
    expect(done.result.message_ref).not.toBe(running.result.message_ref);
  });

  it('does not post a second message when the edit fails for another reason', async () => {
    await start();
    const running = await send(api(), { event: sampleEvent({ status: 'running', transition: null }) });
    const done = await send({ ...api(), token: 'xoxb-0-0-wrong' }, { update: running.result.message_ref! });
    expect(done.result).toMatchObject({ ok: false, attempts: 1 });
    expect(done.result.error).toMatch(/^Slack error invalid_auth/);
    expect(server.messages).toHaveLength(1);
  });

  it('prints the request without the token in a dry run', async () => {
    await start();
    const { result, log } = await send(api(), { dryRun: true });
    expect(result).toMatchObject({ ok: true, dry_run: true, attempts: 0 });
    expect(log.text()).toContain(`[dry run] http: POST ${server.apiUrl}/chat.postMessage`);
    expect(log.text()).toContain('Authorization: ***');
    expect(log.text()).not.toContain(server.token);
    expect(server.requests).toEqual([]);
  });
});
