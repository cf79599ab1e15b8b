import { mattermost, mattermostOptions, MATTERMOST_TEXT_MAX } from '../src/channels/mattermost.js';
import { sampleEvent } from './support/fixtures.js';
import { startMattermostServer, type MattermostServer } from './support/mattermost-server.js';
import { chatChannelHarness, optionIssues, COMMIT, FAILED, JOB1, JOB2, RUN } from './support/chat-channel.js';

/** What broke first (each failed job linked), the commit, the trigger line, params, the run link. */
const BODY_EN = [
  '**2 of 3 jobs failed**',
  `- [test](${JOB1})`,
  `- [lint](${JOB2})`,
  `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
  'push · 1m 33s',
  'Params: env=prod',
  `[View run](${RUN})`,
].join('\n');

const attachment = (title: string, text: string, color = '#cf222e') => ({
  fallback: title,
  color,
  title,
  title_link: RUN,
  text,
});

let server: MattermostServer;
const chat = chatChannelHarness(mattermost, startMattermostServer);
const send = chat.send;
async function start(options?: Parameters<typeof startMattermostServer>[0]) {
  server = await chat.start(options);
}

describe('mattermost options', () => {
  it('takes url, display_name, icon_url and channel_name, naming the input that is wrong', () => {
    expect(
      mattermostOptions.parse({
        url: 'https://chat.example.com/hooks/abc',
        display_name: 'CI',
        icon_url: 'https://example.com/ci.png',
        channel_name: '#town-square',
      }),
    ).toEqual({
      url: 'https://chat.example.com/hooks/abc',
      displayName: 'CI',
      iconUrl: 'https://example.com/ci.png',
      channelName: 'town-square',
    });
    const issues = (raw: Record<string, string>) => optionIssues(mattermostOptions, raw);
    expect(issues({})).toEqual(['url: missing; give the incoming webhook URL (Integrations → Incoming Webhooks)']);
    expect(issues({ url: 'chat/hooks/secret', icon_url: 'ci.png', channel_name: 'Town Square' })).toEqual([
      'url: expected the incoming webhook URL, https://<your server>/hooks/<id>',
      'icon_url: expected an http(s) URL of an image',
      'channel_name: expected a channel name as in its URL (e.g. town-square) or @username',
    ]);
  });
});

describe('mattermost', () => {
  it('posts the whole default failure message as one red attachment', async () => {
    await start();
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 200 });
    expect(server.requests[0]!.json).toEqual({ attachments: [attachment(FAILED, BODY_EN)] });
    expect(server.posts[0]).toMatchObject({ channel: 'ci', mentions: [] });
  });

  it('posts the success message in Chinese, as display_name with icon_url, to channel_name', async () => {
    await start();
    const event = sampleEvent({ status: 'success', transition: 'unchanged', jobs: [] });
    await send(
      {
        url: server.url,
        display_name: 'CI 机器人',
        icon_url: 'https://example.com/ci.png',
        channel_name: 'town-square',
      },
      { event, target: { locale: 'zh' } },
    );
    expect(server.requests[0]!.json).toEqual({
      username: 'CI 机器人',
      icon_url: 'https://example.com/ci.png',
      channel: 'town-square',
      attachments: [
        attachment(
          '✅ acme/api · main · CI #128 成功',
          [
            `[9f8e7d6](${COMMIT}) Fix payment path · Mona Lisa`,
            '推送 · 耗时 1 分 33 秒',
            '参数：env=prod',
            `[查看详情](${RUN})`,
          ].join('\n'),
          '#1a7f37',
        ),
      ],
    });
    expect(server.posts[0]).toMatchObject({ channel: 'town-square', username: 'CI 机器人' });
  });

  it.each([
    [
      'a deleted webhook',
      {},
      (url: string) => url.replace(/hooks\/\w+/, 'hooks/deleted0000000000000000'),
      {},
      400,
      'Mattermost error web.incoming_webhook.invalid.app_error: Invalid webhook. (HTTP 400) — the webhook was deleted or url is wrong: copy the webhook URL again',
    ],
    [
      'an unknown channel_name',
      {},
      (url: string) => url,
      { channel_name: 'no-such-channel' },
      404,
      "Mattermost error web.incoming_webhook.channel.app_error: Couldn't find the channel. (HTTP 404) — channel_name: no such channel (use its name as in its URL, e.g. town-square)",
    ],
    [
      'a webhook locked to its channel',
      { lockedChannel: true },
      (url: string) => url,
      { channel_name: 'town-square' },
      403,
      'Mattermost error web.incoming_webhook.channel_locked.app_error: This webhook is not permitted to post to the requested channel. (HTTP 403) — this webhook is locked to its own channel: remove channel_name, or unlock the webhook',
    ],
    [
      'a server with webhooks turned off',
      { disabled: true },
      (url: string) => url,
      {},
      501,
      'Mattermost error web.incoming_webhook.disabled.app_error: Incoming webhooks have been disabled by the system admin. (HTTP 501) — incoming webhooks are turned off on this server (System Console → Integrations → Integration Management)',
    ],
  ])('fails %s once with the error named and a hint', async (_what, serverOptions, wrong, raw, status, error) => {
    await start(serverOptions);
    const url = wrong(server.url);
    const { result, sleeps, log } = await send({ url, ...raw });
    // A 5xx answer is retried by the HTTP client whatever its body says (delivery/http.ts); the
    // error is the same once the retries are spent.
    const retried = status >= 500 ? ` (gave up after 4 attempts)` : '';
    expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
      ok: false,
      attempts: status >= 500 ? 4 : 1,
      status,
      error: error.replace(' — ', `${retried} — `),
    });
    expect(sleeps).toHaveLength(status >= 500 ? 3 : 0);
    expect(log.text()).not.toContain(server.hookId);
  });

  it('honours 429 Retry-After and posts exactly once', async () => {
    await start();
    server.rateLimitNext(2);
    const { result, sleeps } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([1000, 1000]);
    expect(server.posts).toHaveLength(1);
  });

  it('keeps a post within 16,383 characters with the marker', async () => {
    await start();
    // 15,000 `*` become 30,000 characters escaped (\\*): over the limit only after escaping.
    const message = `intro\n${'*'.repeat(15_000)}`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send({ url: server.url }, { event, target: { template: '${commit.message}' } });
    expect(result.ok).toBe(true);
    const sent = server.requests[0]!.json as { attachments: { fallback: string; title: string; text: string }[] };
    const a = sent.attachments[0]!;
    const size = a.fallback.length + a.title.length + a.text.length;
    expect(size).toBeLessThanOrEqual(MATTERMOST_TEXT_MAX);
    expect(size).toBeGreaterThan(MATTERMOST_TEXT_MAX - 10);
    expect(a.text).toMatch(/^intro\n(\\\*)+…\(truncated\)\n\[View run\]\(/);
    expect(server.posts).toHaveLength(1);
    expect(log.text()).toContain("message truncated to fit Mattermost's 16,383 characters");
  });

  it('keeps @channel, @all, @here, <!channel> and markdown in commit text inert', async () => {
    await start();
    const hostile = '@channel @all @here <!channel> <!here> <@U123|boss> **bold** [x](https://evil.example)';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { fields: ['commit'] } });
    const title = FAILED;
    expect(server.requests[0]!.json).toEqual({
      attachments: [
        {
          fallback: title,
          color: '#cf222e',
          title,
          text: `[9f8e7d6](${COMMIT}) @\u2060channel @\u2060all @\u2060here ＜!channel＞ ＜!here＞ ‹@\u2060U123\\|boss＞ \\*\\*bold\\*\\* \\[x\\](https://evil.example)`,
        },
      ],
    });
    expect(server.posts[0]!.mentions).toEqual([]);
    expect(JSON.stringify(server.posts[0]!.attachments)).not.toMatch(/(^|[^\u2060])@(channel|here|all)\b/);
  });

  it('keeps @channel written as a character reference inert: the server decodes &#64; before it looks for mentions', async () => {
    await start();
    const hostile = '&#64;channel &#x40;here &commat;all &#0064;mona';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { fields: ['commit'] } });
    expect(server.posts[0]!.mentions).toEqual([]);
    expect(server.requests[0]!.json).toEqual({
      attachments: [
        {
          fallback: FAILED,
          color: '#cf222e',
          title: FAILED,
          text: `[9f8e7d6](${COMMIT}) \\&#64;channel \\&#x40;here \\&commat;all \\&#0064;mona`,
        },
      ],
    });
  });

  it('keeps a link in a title without title_link inert: Mattermost renders such a title as markdown', async () => {
    await start();
    const hostile = '[Click here](https://phish.example/login) <https://phish.example/login|x> @channel';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send(
      { url: server.url },
      { event, target: { title: '${status_text}: ${commit.title}', fields: ['commit'] } },
    );
    const title = `Failed: ［Click here］(https://phish.example/login) ＜https://phish.example/login|x＞ @\u2060channel`;
    expect(server.requests[0]!.json).toEqual({
      attachments: [
        {
          fallback: title,
          color: '#cf222e',
          title,
          text: `[9f8e7d6](${COMMIT}) \\[Click here\\](https://phish.example/login) ＜https://phish.example/login\\|x＞ @\u2060channel`,
        },
      ],
    });
    expect(server.posts[0]!.mentions).toEqual([]);
  });

  it("keeps mentions in the user's own template inert, its markdown and links live", async () => {
    await start();
    const template = '**Deploy** @channel @here <!channel> <@U123> [runbook](https://ops.example): ${commit.title}';
    await send({ url: server.url }, { target: { template } });
    expect(server.requests[0]!.json).toEqual({
      attachments: [
        attachment(
          FAILED,
          `**Deploy** @\u2060channel @\u2060here ＜!channel> ‹@\u2060U123> [runbook](https://ops.example): Fix payment path\n[View run](${RUN})`,
        ),
      ],
    });
    expect(server.posts[0]!.mentions).toEqual([]);
  });

  it('fits a template with Slack-style <url|text> links, which the server turns into markdown, within 16,383 characters', async () => {
    await start();
    const message = 'x'.repeat(20_000);
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const links = Array.from({ length: 5 }, (_, i) => `<https://ops.example/${i}|runbook ${i}>`).join(' ');
    const { result } = await send({ url: server.url }, { event, target: { template: `${links} \${commit.message}` } });
    expect(result).toMatchObject({ ok: true, error: null });
    const a = (server.requests[0]!.json as { attachments: { text: string }[] }).attachments[0]!;
    expect(a.text).toMatch(
      /^\[runbook 0\]\(https:\/\/ops\.example\/0\) .* \[runbook 4\]\(https:\/\/ops\.example\/4\) x+…(\(truncated\))?\n\[View run\]/,
    );
    expect(server.posts).toHaveLength(1);
  });

  it('mentions the usernames asked for and @channel with at_all, in the post text', async () => {
    await start();
    await send({ url: server.url }, { target: { fields: ['link'], at_user_ids: ['mona', '@hubot'], at_all: true } });
    expect(server.requests[0]!.json).toEqual({
      text: '@mona @hubot @channel',
      attachments: [attachment(FAILED, `[View run](${RUN})`)],
    });
    expect(server.posts[0]!.mentions).toEqual(['mona', 'hubot', 'channel']);
  });
});
