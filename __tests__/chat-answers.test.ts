/**
 * What a global chat platform answers reaches the log only as one line: an error code, description
 * or body with line breaks must not start a log line that looks like ours ("✓ prod: sent") or
 * like a workflow command — in the target's error and in the lines a channel logs itself (an
 * edit that falls back to a new message). Each channel is sent against a loopback endpoint.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discord } from '../src/channels/discord.js';
import { googleChat } from '../src/channels/google-chat.js';
import { mattermost } from '../src/channels/mattermost.js';
import { slack } from '../src/channels/slack.js';
import { teams } from '../src/channels/teams.js';
import { telegram } from '../src/channels/telegram.js';
import type { Channel } from '../src/channels/types.js';
import { encodeMessageRef } from '../src/channels/message-ref.js';
import { robotContext } from './support/robot-context.js';

const FORGED = 'x\n✓ prod: sent\r\n::error::forged';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A loopback endpoint that answers every request with `status` and `body` (JSON when an object). */
async function answering(status: number, body: unknown): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const json = typeof body !== 'string';
      res.writeHead(status, { 'Content-Type': json ? 'application/json' : 'text/plain' });
      res.end(json ? JSON.stringify(body) : body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function errorOf<O>(channel: Channel<O>, raw: Record<string, string>): Promise<string | null> {
  const run = robotContext(channel, { raw, retries: 0 });
  try {
    const out = await channel.send({ ...run.ctx, update: null });
    return (Array.isArray(out) ? out[0]! : out).error;
  } finally {
    await run.close();
  }
}

const HOOK = '/hooks/T0000/B0000/abcdefghijklmnopqrstuvwx';

describe('chat channels quote endpoint answers on one line', () => {
  it.each<[string, (base: string) => Promise<string | null>, number, unknown, string]>([
    [
      'slack webhook, a 2xx body that is not ok',
      (base) => errorOf(slack, { url: `${base}${HOOK}` }),
      200,
      FORGED,
      'Slack webhook answered "x ✓ prod: sent ::error::forged" instead of ok — check that url is a Slack incoming webhook',
    ],
    [
      'slack Web API, its error code',
      (base) => errorOf(slack, { token: 'xoxb-1-2-abcdef', channel_id: 'C0123', api_url: base }),
      200,
      { ok: false, error: FORGED },
      'Slack error x ✓ prod: sent ::error::forged',
    ],
    [
      'teams, a retired connector text',
      (base) => errorOf(teams, { url: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=abcdefghijkl` }),
      200,
      `error${FORGED}`,
      'Teams: errorx ✓ prod: sent ::error::forged — Office 365 connectors are retired: create a Workflows webhook (channel ⋯ → Workflows → "Post to a channel when a webhook request is received") and use its URL',
    ],
    [
      'teams, a Workflows error code and message',
      (base) => errorOf(teams, { url: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=abcdefghijkl` }),
      400,
      { error: { code: FORGED, message: FORGED } },
      'Teams Workflows error x ✓ prod: sent ::error::forged: x ✓ prod: sent ::error::forged (HTTP 400)',
    ],
    [
      'discord, its message',
      (base) => errorOf(discord, { url: `${base}/api/webhooks/123456789012345678/tokentokentoken` }),
      400,
      { code: 50006, message: FORGED },
      'Discord error 50006: x ✓ prod: sent ::error::forged (HTTP 400)',
    ],
    [
      'telegram, its description',
      (base) => errorOf(telegram, { token: '123456:ABCdefGHIjkl', chat_id: '-100123', api_url: base }),
      400,
      { ok: false, error_code: 400, description: FORGED },
      'Telegram error 400: x ✓ prod: sent ::error::forged',
    ],
    [
      'google chat, its status and message',
      (base) => errorOf(googleChat, { url: `${base}/v1/spaces/AAA/messages?key=k&token=t` }),
      400,
      { error: { code: 400, status: FORGED, message: FORGED } },
      'Google Chat error x ✓ prod: sent ::error::forged: x ✓ prod: sent ::error::forged (HTTP 400)',
    ],
    [
      'mattermost, its id and message',
      (base) => errorOf(mattermost, { url: `${base}/hooks/abcdefghijklmnopqrstuvwxyz` }),
      400,
      { id: FORGED, message: FORGED },
      'Mattermost error x ✓ prod: sent ::error::forged: x ✓ prod: sent ::error::forged (HTTP 400)',
    ],
    [
      'mattermost, a 2xx body that is not ok',
      (base) => errorOf(mattermost, { url: `${base}/hooks/abcdefghijklmnopqrstuvwxyz` }),
      200,
      FORGED,
      'Mattermost answered "x ✓ prod: sent ::error::forged" instead of ok — check that url is a Mattermost incoming webhook',
    ],
  ])('%s', async (_name, send, status, body, error) => {
    const base = await answering(status, body);
    expect(await send(base)).toBe(error);
  });

  it('telegram: a "message to edit not found" description is logged on one line when it falls back', async () => {
    const base = await answering(400, {
      ok: false,
      error_code: 400,
      description: `Bad Request: message to edit not found${FORGED}`,
    });
    const run = robotContext(telegram, {
      raw: { token: '123456:ABCdefGHIjkl', chat_id: '-100123', api_url: base },
      retries: 0,
    });
    try {
      await telegram.send({ ...run.ctx, update: encodeMessageRef('telegram', { c: -100123, m: 7 }) });
      expect(run.log.lines.filter((l) => l.level === 'warn')).toEqual([
        {
          level: 'warn',
          message:
            'the Telegram message to update cannot be edited (Bad Request: message to edit not foundx ✓ prod: sent ::error::forged); posting a new one',
        },
      ]);
    } finally {
      await run.close();
    }
  });

  it('telegram: the secret half of the bot token is redacted when an endpoint quotes it alone', async () => {
    const secret = 'AAEhBOweik6ad9r_QXxdvhD9JiJkZCZsPk';
    const base = await answering(401, { ok: false, error_code: 401, description: `Unauthorized: ${secret}` });
    expect(await errorOf(telegram, { token: `123456:${secret}`, chat_id: '-100123', api_url: base })).toBe(
      'Telegram error 401: Unauthorized: *** — token: the bot token is wrong or revoked (get it from @BotFather)',
    );
  });
});
