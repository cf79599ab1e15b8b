/**
 * The `lark_app` channel against a loopback stand-in of the Feishu/Lark open platform
 * (__tests__/support/lark-app-server.ts): real HTTP through the project's HTTP client.
 */
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import type { CiEvent } from '../src/event/types.js';
import { buildMessage } from '../src/render/message.js';
import { renderTemplate } from '../src/render/template.js';
import type { ChannelResult, SendContext, TargetSettings } from '../src/channels/types.js';
import { larkCard, larkText } from '../src/channels/lark-card.js';
import { forgetLarkAppTokens, larkApp, messageUuid, type LarkAppOptions } from '../src/channels/lark-app.js';
import { sampleEvent } from './support/fixtures.js';
import { startLarkAppServer, type LarkAppStandIn } from './support/lark-app-server.js';
import { recordingLogger, type RecordingLogger } from './support/recording-logger.js';

const APP_ID = 'cli_a1b2c3d4e5f6';
const APP_SECRET = 'Qm9vVmVyeVNlY3JldEFwcFNlY3JldA';
const EVENT_ID = '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f';

interface Run {
  results: ChannelResult[];
  log: RecordingLogger;
  waits: number[];
}

function parse(raw: Record<string, string>): LarkAppOptions {
  const parsed = larkApp.options.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data;
}

function issues(raw: Record<string, string>): string[] {
  const parsed = larkApp.options.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function messageFor(event: CiEvent) {
  return buildMessage(event, { locale: 'en', fields: null, title: '', template: '', env: {}, warn: () => {} });
}

async function send(
  raw: Record<string, string>,
  opts: {
    event?: CiEvent;
    msgType?: string;
    dryRun?: boolean;
    retries?: number;
    atUserIds?: string[];
    log?: RecordingLogger;
    now?: Date;
    redactor?: Redactor;
  } = {},
): Promise<Run> {
  const event = opts.event ?? sampleEvent();
  const log = opts.log ?? recordingLogger();
  const waits: number[] = [];
  const redactor = opts.redactor ?? new Redactor();
  const options = parse(raw);
  for (const s of larkApp.secrets(options)) redactor.add(s);
  const target: TargetSettings = {
    name: 'people',
    index: 0,
    channel: 'lark_app',
    notify_on: ['always'],
    mention_on: ['always'],
    title: '',
    template: '',
    msg_type: opts.msgType ?? '',
    fields: null,
    locale: 'en',
    keyword: '',
    at_mobiles: [],
    at_user_ids: opts.atUserIds ?? [],
    at_all: false,
    timeout_ms: 5000,
    retries: opts.retries ?? 2,
    raw,
  };
  const ctx: SendContext<LarkAppOptions> = {
    options,
    target,
    event,
    message: messageFor(event),
    render: (template, mode) => renderTemplate(template, { event, env: {}, locale: 'en' }, mode, () => {}),
    mention: true,
    http: createHttpClient({
      timeoutMs: 5000,
      retries: opts.retries ?? 2,
      log,
      redactor,
      dryRun: opts.dryRun ?? false,
      env: {},
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    }),
    now: () => opts.now ?? new Date('2026-12-01T10:00:00Z'),
    log,
    dryRun: opts.dryRun ?? false,
    env: {},
    registerSecret: (value) => void redactor.add(value),
  };
  const results = (await larkApp.send(ctx)) as ChannelResult[];
  return { results, log, waits };
}

/** `attempts` counts the token request too (one token, one message: 2). */
const delivered = (receiver: string, attempts = 2): ChannelResult => ({
  ok: true,
  dry_run: false,
  attempts,
  status_code: 200,
  error: null,
  answer: expect.anything(),
  duration_ms: expect.any(Number),
  receiver,
  // The cards sent, for a later `update` (lark-app-edit.test.ts).
  message_ref: expect.stringMatching(/^lark_app:[\w-]+$/) as unknown as string,
});

describe('lark_app', () => {
  let lark: LarkAppStandIn;
  beforeEach(async () => {
    forgetLarkAppTokens();
    lark = await startLarkAppServer({
      apps: { [APP_ID]: APP_SECRET },
      users: { 'ann@example.com': 'ou_ann', 'bob@example.com': 'ou_bob' },
      chats: ['oc_ops'],
    });
  });
  afterEach(() => lark.close());

  const inputs = (receiveIds: string, more: Record<string, string> = {}): Record<string, string> => ({
    app_id: APP_ID,
    app_secret: APP_SECRET,
    receive_id_type: 'email',
    receive_ids: receiveIds,
    domain: lark.url,
    ...more,
  });

  it('reaches two people by e-mail address through one app token, with the lark robot card as a JSON string', async () => {
    const { results } = await send(inputs('ann@example.com, bob@example.com'));
    expect(results).toEqual([delivered('ann@example.com'), delivered('bob@example.com')]);
    expect(lark.tokenCalls()).toBe(1);

    const card = larkCard(messageFor(sampleEvent()));
    expect(lark.received.map(({ message_id: _id, ...m }) => m)).toEqual([
      {
        receive_id_type: 'email',
        receive_id: 'ann@example.com',
        msg_type: 'interactive',
        // A shared card, so a later step can edit it.
        content: { ...card, config: { ...card.config, update_multi: true } },
        uuid: messageUuid(EVENT_ID, 'email', 'ann@example.com'),
      },
      {
        receive_id_type: 'email',
        receive_id: 'bob@example.com',
        msg_type: 'interactive',
        content: { ...card, config: { ...card.config, update_multi: true } },
        uuid: messageUuid(EVENT_ID, 'email', 'bob@example.com'),
      },
    ]);
    // The card itself: header coloured by the outcome, what failed first, the run button (MESSAGES.md "Lark").
    expect(card).toEqual({
      config: { wide_screen_mode: true },
      header: {
        template: 'red',
        title: { tag: 'plain_text', content: '❌ acme/api · main · CI #128 failed (was passing)' },
      },
      elements: [
        {
          tag: 'div',
          text: {
            tag: 'lark_md',
            content: [
              '**2 of 3 jobs failed**',
              '• [test](https://github.com/acme/api/actions/runs/4242/job/90001)',
              '• [lint](https://github.com/acme/api/actions/runs/4242/job/90002)',
              '[9f8e7d6](https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432) Fix payment path · Mona Lisa',
              'push · 1m 33s',
              'Params: env=prod',
            ].join('\n'),
          },
        },
        {
          tag: 'action',
          actions: [
            {
              tag: 'button',
              type: 'primary',
              text: { tag: 'plain_text', content: 'View run' },
              url: 'https://github.com/acme/api/actions/runs/4242',
            },
          ],
        },
      ],
    });

    const messageCall = lark.requests.find((r) => r.path.startsWith('/open-apis/im/v1/messages'))!;
    const token = JSON.parse(lark.requests[0]!.body) as Record<string, unknown>;
    expect({ path: lark.requests[0]!.path, body: token }).toEqual({
      path: '/open-apis/auth/v3/tenant_access_token/internal',
      body: { app_id: APP_ID, app_secret: APP_SECRET },
    });
    expect({
      path: messageCall.path,
      authorization: messageCall.headers.authorization,
      body: JSON.parse(messageCall.body),
    }).toEqual({
      path: '/open-apis/im/v1/messages?receive_id_type=email',
      authorization: expect.stringMatching(/^Bearer t-[0-9a-f]{32}$/),
      body: {
        receive_id: expect.stringMatching(/^(ann|bob)@example\.com$/),
        msg_type: 'interactive',
        content: JSON.stringify({ ...card, config: { ...card.config, update_multi: true } }),
        uuid: expect.stringMatching(/^[0-9a-f]{36}$/),
      },
    });
  });

  it('reuses the token for a second target of the same app in the same run', async () => {
    await send(inputs('ann@example.com'));
    await send(inputs('ou_bob', { receive_id_type: 'open_id' }));
    expect([lark.tokenCalls(), lark.received.map((m) => `${m.receive_id_type}:${m.receive_id}`)]).toEqual([
      1,
      ['email:ann@example.com', 'open_id:ou_bob'],
    ]);
  });

  it('fails an unknown receiver alone, with a hint, while the others are delivered', async () => {
    const { results } = await send(inputs('ann@example.com, stranger@example.com, bob@example.com'));
    expect(results).toEqual([
      delivered('ann@example.com'),
      {
        ok: false,
        dry_run: false,
        attempts: 2,
        status_code: 400,
        error:
          "code 230013: Bot has NO availability to this user. — the receiver is not in the app's availability scope (or has left): add them under Availability and publish a new version, or check the id",
        answer: expect.anything(),
        duration_ms: expect.any(Number),
        receiver: 'stranger@example.com',
      },
      delivered('bob@example.com'),
    ]);
    expect(lark.received.map((m) => m.receive_id)).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('fails every receiver clearly on a wrong app secret, without retrying or printing the secret', async () => {
    const wrong = 'wrong-secret-value-123';
    const { results, log } = await send(inputs('ann@example.com, bob@example.com', { app_secret: wrong }));
    const failed = (receiver: string): ChannelResult => ({
      ok: false,
      dry_run: false,
      attempts: 1,
      status_code: 400,
      error:
        'tenant_access_token: code 10014: app secret invalid — check app_id/app_secret (Credentials page of the self-built app) and domain (feishu or lark)',
      answer: null,
      duration_ms: expect.any(Number),
      receiver,
    });
    expect(results).toEqual([failed('ann@example.com'), failed('bob@example.com')]);
    expect([lark.tokenCalls(), lark.received]).toEqual([1, []]);
    expect(`${JSON.stringify(results)}\n${log.text()}`).not.toContain(wrong);
  });

  it('retries the per-receiver rate limit (230020) and sends the message once', async () => {
    lark.rateLimit(230020, 1);
    const { results, waits } = await send(inputs('ann@example.com'));
    expect(results).toEqual([delivered('ann@example.com', 3)]);
    expect([lark.received.length, waits]).toEqual([1, [750]]);
  });

  it('retries the API rate limit (99991400) too', async () => {
    lark.rateLimit(99991400, 2);
    const { results } = await send(inputs('ann@example.com'));
    expect([results[0]!.ok, results[0]!.attempts, lark.received.length]).toEqual([true, 4, 1]);
  });

  it('never sends a message twice for the same event and receiver (uuid)', async () => {
    await send(inputs('ann@example.com'));
    const again = await send(inputs('ann@example.com'));
    expect([
      again.results[0]!.ok,
      lark.received.length,
      lark.requests.filter((r) => r.path.startsWith('/open-apis/im/')).length,
    ]).toEqual([true, 1, 2]);
  });

  it('fetches a new token once when the cached one was revoked', async () => {
    await send(inputs('ann@example.com'));
    lark.revokeTokens();
    const { results } = await send(inputs('bob@example.com'));
    // The cached token (no request), the refused message, the new token, the message again.
    expect([results[0]!.ok, results[0]!.attempts, lark.tokenCalls(), lark.received.map((m) => m.receive_id)]).toEqual([
      true,
      3,
      2,
      ['ann@example.com', 'bob@example.com'],
    ]);
  });

  it('sends a new message for a new event to the same receiver (the uuid is per event)', async () => {
    await send(inputs('ann@example.com'));
    await send(inputs('ann@example.com'), { event: { ...sampleEvent(), id: 'another-run-0000' } });
    expect(lark.received.map((m) => [m.receive_id, m.uuid])).toEqual([
      ['ann@example.com', messageUuid(EVENT_ID, 'email', 'ann@example.com')],
      ['ann@example.com', messageUuid('another-run-0000', 'email', 'ann@example.com')],
    ]);
  });

  it('keeps a token until five minutes before it expires, then fetches a new one', async () => {
    const at = (minutes: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + minutes * 60_000);
    await send(inputs('ann@example.com'), { now: at(0) });
    await send(inputs('ann@example.com'), { now: at(114), event: { ...sampleEvent(), id: 'run-2' } });
    const afterReuse = lark.tokenCalls();
    await send(inputs('ann@example.com'), { now: at(116), event: { ...sampleEvent(), id: 'run-3' } });
    expect([afterReuse, lark.tokenCalls(), lark.received.length]).toEqual([1, 2, 3]);
  });

  it('reads the expiry from the answer, not a fixed two hours', async () => {
    await lark.close();
    lark = await startLarkAppServer({
      apps: { [APP_ID]: APP_SECRET },
      users: { 'ann@example.com': 'ou_ann' },
      expireSeconds: 600,
    });
    const at = (minutes: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + minutes * 60_000);
    await send(inputs('ann@example.com'), { now: at(0) });
    await send(inputs('ann@example.com'), { now: at(6), event: { ...sampleEvent(), id: 'run-2' } });
    expect(lark.tokenCalls()).toBe(2);
  });

  it('does not share a token between apps, secrets or API hosts', async () => {
    await send(inputs('ann@example.com'));
    // The same app id with a wrong secret must ask Lark (and fail), not reuse the good token.
    const wrong = await send(inputs('ann@example.com', { app_secret: 'not-the-app-secret' }), {
      event: { ...sampleEvent(), id: 'run-2' },
    });
    const other = await startLarkAppServer({ apps: { [APP_ID]: APP_SECRET }, users: { 'ann@example.com': 'ou_ann' } });
    try {
      const elsewhere = await send(inputs('ann@example.com', { domain: other.url }));
      expect([wrong.results[0]!.ok, lark.tokenCalls(), elsewhere.results[0]!.ok, other.tokenCalls()]).toEqual([
        false,
        2,
        true,
        1,
      ]);
    } finally {
      await other.close();
    }
  });

  it('masks the tenant_access_token the moment it exists: an answer that echoes it prints ***', async () => {
    await lark.close();
    lark = await startLarkAppServer({ apps: { [APP_ID]: APP_SECRET }, users: {}, echoTokenInErrors: true });
    const redactor = new Redactor();
    const { results, log } = await send(inputs('stranger@example.com'), { redactor });
    const [token] = lark.issuedTokens();
    expect(token).toMatch(/^t-[0-9a-f]{32}$/);
    expect(results.map((r) => [r.ok, r.attempts, r.error])).toEqual([
      [
        false,
        2,
        "code 230013: Bot has NO availability to this user. (authorization: Bearer ***) — the receiver is not in the app's availability scope (or has left): add them under Availability and publish a new version, or check the id",
      ],
    ]);
    expect(redactor.redact(`x ${token!} y`)).toBe('x *** y');
    expect(`${JSON.stringify(results.map(({ answer: _a, ...r }) => r))}\n${log.text()}`).not.toContain(token!.slice(2));
  });

  it('sends text on request, as the same text the lark robot sends', async () => {
    await send(inputs('ann@example.com'), { msgType: 'text' });
    expect(lark.received.map((m) => [m.msg_type, m.content])).toEqual([['text', larkText(messageFor(sampleEvent()))]]);
  });

  it('mentions at_user_ids in a group chat', async () => {
    await send(inputs('oc_ops', { receive_id_type: 'chat_id' }), { atUserIds: ['ou_ann'] });
    const content = lark.received[0]!.content as { elements: unknown[] };
    expect(content.elements.at(-1)).toEqual({ tag: 'div', text: { tag: 'lark_md', content: '<at id=ou_ann></at>' } });
  });

  it('prints each request in a dry run without fetching a token or sending', async () => {
    const { results, log } = await send(inputs('ann@example.com, bob@example.com'), { dryRun: true });
    expect(results.map((r) => [r.receiver, r.ok, r.dry_run, r.attempts])).toEqual([
      ['ann@example.com', true, true, 0],
      ['bob@example.com', true, true, 0],
    ]);
    expect([lark.requests.length, log.lines.length]).toEqual([0, 2]);
    expect(log.text()).toContain('Authorization: ***');
    expect(log.text()).not.toContain(APP_SECRET);
  });
});

describe('lark_app options', () => {
  it('defaults to e-mail receivers on Feishu', () => {
    expect(
      parse({ app_id: APP_ID, app_secret: 's', receive_ids: 'a@example.com;b@example.com\nb@example.com' }),
    ).toEqual({
      appId: APP_ID,
      appSecret: 's',
      receiveIdType: 'email',
      receiveIds: ['a@example.com', 'b@example.com'],
      baseUrl: 'https://open.feishu.cn',
      people: [],
    });
    expect([
      parse({ app_id: 'a', app_secret: 's', receive_ids: 'x@y.z', domain: 'lark' }).baseUrl,
      parse({ app_id: 'a', app_secret: 's', receive_ids: 'x@y.z', domain: 'https://gw.example.com/' }).baseUrl,
    ]).toEqual(['https://open.larksuite.com', 'https://gw.example.com']);
  });

  it('names every missing or wrong input', () => {
    expect(issues({ receive_id_type: 'mobile', domain: 'example' })).toEqual([
      'app_id: missing; give the app id of the self-built app (cli_…, on the Credentials page of the developer console)',
      'app_secret: missing; give the app secret (best as a secret: env:LARK_APP_SECRET)',
      'receive_id_type: "mobile" is not one of open_id, user_id, union_id, email, chat_id',
      'receive_ids: missing; give who receives the message (email values, comma separated)',
      'domain: expected feishu, lark or a base URL such as https://open.feishu.cn',
    ]);
    expect(issues({ app_id: 'a', app_secret: 's', receive_ids: 'ann@example.com, bob@' })).toEqual([
      'receive_ids: "bob@" is not an e-mail address (receive_id_type is email)',
    ]);
  });

  it('keeps the uuid within 50 characters and distinct per event, receiver type and receiver', () => {
    const a = messageUuid(EVENT_ID, 'email', 'ann@example.com');
    expect([
      a.length <= 50,
      a === messageUuid(EVENT_ID, 'email', 'ann@example.com'),
      a === messageUuid(EVENT_ID, 'email', 'bob@example.com'),
      a === messageUuid('another-event', 'email', 'ann@example.com'),
      a === messageUuid(EVENT_ID, 'open_id', 'ann@example.com'),
    ]).toEqual([true, true, false, false, false]);
  });
});
