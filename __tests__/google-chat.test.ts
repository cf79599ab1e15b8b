import { googleChat, googleChatOptions, GOOGLE_CHAT_BODY_LIMIT } from '../src/channels/google-chat.js';
import { sampleEvent } from './support/fixtures.js';
import { startGoogleChatServer, type GoogleChatServer } from './support/google-chat-server.js';
import { chatChannelHarness, optionIssues, COMMIT, FAILED, JOB1, JOB2, RUN } from './support/chat-channel.js';

const GREY = '<font color="#6e7781">';

/** What broke first (each failed job linked), then the commit, the trigger line, params. */
const BODY_EN = [
  '<b>2 of 3 jobs failed</b>',
  `• <a href="${JOB1}">test</a>`,
  `• <a href="${JOB2}">lint</a>`,
  `<a href="${COMMIT}">9f8e7d6</a> Fix payment path${GREY} · Mona Lisa</font>`,
  `${GREY}push · 1m 33s</font>`,
  `${GREY}Params: </font>env=prod`,
].join('<br>');

/** The sample event with a commit message of spaces only. */
function blankCommit() {
  return sampleEvent({ commit: { ...sampleEvent().commit, message: '   ' } });
}

function card(widgets: unknown[]) {
  return [{ cardId: 'ci-notify', card: { sections: [{ widgets }] } }];
}
const button = (label: string) => ({ buttonList: { buttons: [{ text: label, onClick: { openLink: { url: RUN } } }] } });

let server: GoogleChatServer;
const chat = chatChannelHarness(googleChat, startGoogleChatServer);
const send = chat.send;
async function start() {
  server = await chat.start();
}

describe('google_chat options', () => {
  it('takes the webhook url and an optional thread_key, naming url when it is missing or wrong', () => {
    expect(
      googleChatOptions.parse({
        url: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t',
        thread_key: ' ${pipeline.id} ',
      }),
    ).toEqual({
      url: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t',
      threadKey: '${pipeline.id}',
    });
    const issues = (raw: Record<string, string>) => optionIssues(googleChatOptions, raw);
    expect(issues({})).toEqual([
      'url: missing; give the webhook URL of the space (space → Apps & integrations → Webhooks)',
    ]);
    expect(issues({ url: 'chat.googleapis.com/v1/spaces/A/messages?token=secret' })).toEqual([
      'url: expected the webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…',
    ]);
  });
});

describe('google_chat', () => {
  it('posts the whole default failure message: the title as text, the facts and a button in cardsV2', async () => {
    await start();
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 200 });
    expect(result.message_ref).toBeUndefined();
    expect(server.requests[0]!.json).toEqual({
      text: `*${FAILED}*`,
      cardsV2: card([{ textParagraph: { text: BODY_EN } }, button('View run')]),
    });
    expect(server.requests[0]!.query.get('messageReplyOption')).toBeNull();
  });

  it('posts the success message in Chinese', async () => {
    await start();
    const event = sampleEvent({ status: 'success', transition: 'unchanged', jobs: [] });
    await send({ url: server.url }, { event, target: { locale: 'zh' } });
    expect(server.requests[0]!.json).toEqual({
      text: '*✅ acme/api · main · CI #128 成功*',
      cardsV2: card([
        {
          textParagraph: {
            text: [
              `<a href="${COMMIT}">9f8e7d6</a> Fix payment path${GREY} · Mona Lisa</font>`,
              `${GREY}推送 · 耗时 1 分 33 秒</font>`,
              `${GREY}参数：</font>env=prod`,
            ].join('<br>'),
          },
        },
        button('查看详情'),
      ]),
    });
  });

  it('posts into one thread per thread_key (a template), in the body, with REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', async () => {
    await start();
    await send({ url: server.url, thread_key: 'run-${pipeline.id}' });
    await send({ url: server.url, thread_key: 'run-${pipeline.id}' }, { event: sampleEvent({ status: 'success' }) });
    expect(
      server.requests.map((r) => [r.query.get('messageReplyOption'), (r.json as { thread?: unknown }).thread]),
    ).toEqual([
      ['REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', { threadKey: 'run-4242' }],
      ['REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', { threadKey: 'run-4242' }],
    ]);
    expect(server.messages[0]!.thread).toBe(server.messages[1]!.thread);
    // The key and token stay in the query as given.
    expect(server.requests[0]!.query.get('token')).toBe(server.token);
  });

  it.each([
    [
      'a wrong key',
      (url: string) => url.replace(/key=[^&]+/, 'key=AIzaWRONG'),
      400,
      'Google Chat error INVALID_ARGUMENT: API key not valid. Please pass a valid API key. (HTTP 400) — the key= of url is wrong: copy the whole webhook URL again',
    ],
    [
      'a wrong token',
      (url: string) => url.replace(/token=[^&]+/, 'token=WRONG'),
      403,
      'Google Chat error PERMISSION_DENIED: The API is called without a valid token. Instructions on how to use incoming webhooks can be found at https://developers.google.com/chat/how-tos/webhooks (HTTP 403) — the token= of url is wrong, or the webhook was deleted: copy the webhook URL again',
    ],
  ])('fails %s once with the error named and a hint, never printing the URL', async (_what, wrong, status, error) => {
    await start();
    const url = wrong(server.url);
    const { result, sleeps, log } = await send({ url });
    expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
      ok: false,
      attempts: 1,
      status,
      error,
    });
    expect(sleeps).toEqual([]);
    expect(log.text()).not.toContain(server.token);
  });

  it('backs off on 429 RESOURCE_EXHAUSTED and posts exactly once', async () => {
    await start();
    server.rateLimitNext(2);
    const { result, sleeps } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([750, 1500]); // exponential backoff with jitter (random 0.5 here): no Retry-After given
    expect(server.messages).toHaveLength(1);
  });

  it('keeps the message within 32,000 bytes with the marker', async () => {
    await start();
    // 15,000 `<` become 60,000 bytes of `&lt;`: over the limit only after escaping.
    const message = `intro\n${'<'.repeat(15_000)}`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send({ url: server.url }, { event, target: { template: '${commit.message}' } });
    expect(result.ok).toBe(true);
    const bytes = Buffer.byteLength(server.requests[0]!.body);
    expect(bytes).toBeLessThanOrEqual(GOOGLE_CHAT_BODY_LIMIT);
    expect(bytes).toBeGreaterThan(GOOGLE_CHAT_BODY_LIMIT - 100);
    const widgets = (
      server.requests[0]!.json as {
        cardsV2: { card: { sections: { widgets: { textParagraph?: { text: string } }[] }[] } }[];
      }
    ).cardsV2[0]!.card.sections[0]!.widgets;
    expect(widgets[0]!.textParagraph!.text).toMatch(/^intro<br>(&lt;)+…\(truncated\)$/);
    expect(log.text()).toContain("message truncated to fit Google Chat's 32,000 bytes");
  });

  it('keeps <users/all>, <users/…>, links, markup and HTML in commit text inert', async () => {
    await start();
    const hostile = '<users/all> <users/123456789> <https://evil.example|click> *bold* <b>x</b> @all';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { fields: ['commit'], title: '${commit.title}' } });
    expect(server.requests[0]!.json).toEqual({
      text: '*＜users/all> ＜users/123456789> ＜https://evil.example|click> ∗bold∗ ＜b>x＜/b> @\u2060all*',
      cardsV2: card([
        {
          textParagraph: {
            text: `<a href="${COMMIT}">9f8e7d6</a> &lt;users/all&gt; &lt;users/123456789&gt; &lt;https://evil.example|click&gt; *bold* &lt;b&gt;x&lt;/b&gt; @\u2060all`,
          },
        },
      ]),
    });
    expect(server.messages[0]!.mentions).toEqual([]);
  });

  it('sends the title alone, with no empty card, when fields leave no body and no link', async () => {
    await start();
    const { result } = await send({ url: server.url }, { target: { fields: ['repository'] } });
    // The stand-in refuses an empty card section (400 INVALID_ARGUMENT), as Google Chat does.
    expect(result).toMatchObject({ ok: true, error: null });
    expect(server.requests[0]!.json).toEqual({ text: `*${FAILED}*` });
  });

  it('leaves out a template body that renders blank instead of drawing an empty paragraph', async () => {
    await start();
    await send(
      { url: server.url },
      { target: { fields: ['link'], template: '${commit.message}' }, event: blankCommit() },
    );
    expect(server.requests[0]!.json).toEqual({ text: `*${FAILED}*`, cardsV2: card([button('View run')]) });
  });

  it('mentions users and everyone in text with <users/…> and <users/all>', async () => {
    await start();
    const { log } = await send(
      { url: server.url },
      { target: { fields: ['link'], at_user_ids: ['users/123456789', 'ann@example.com', 'not a user'], at_all: true } },
    );
    expect((server.requests[0]!.json as { text: string }).text).toBe(
      `*${FAILED}*\n<users/123456789> <users/ann@example.com> <users/all>`,
    );
    expect(server.messages[0]!.mentions).toEqual(['123456789', 'ann@example.com', 'all']);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'at_user_ids: "not a user" not a Google Chat user (users/<id> or an e-mail address)',
    });
  });
});
