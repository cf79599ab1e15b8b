/**
 * lark_app's live message: cards are sent as shared cards (`config.update_multi: true`), the
 * target's `message_ref` holds every receiver's message id, and an `update` PATCHes each card in
 * place (open.larkoffice.com …/im-v1/message/patch); a recalled card is replaced by a new one with a
 * warning, and a post or text message (which cannot be edited this way) is sent anew.
 */
import { forgetLarkAppTokens, larkApp } from '../src/channels/lark-app.js';
import { decodeMessageRef } from '../src/channels/message-ref.js';
import type { ChannelResult } from '../src/channels/types.js';
import { sampleEvent } from './support/fixtures.js';
import { startLarkAppServer, type LarkAppStandIn } from './support/lark-app-server.js';
import { robotContext, type RobotContextOptions } from './support/robot-context.js';

let lark: LarkAppStandIn;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  forgetLarkAppTokens();
  lark = await startLarkAppServer({
    apps: { cli_ci: 'app-secret-0123456789' },
    users: { 'ann@example.com': 'ou_ann', 'bob@example.com': 'ou_bob' },
  });
  closers.push(lark.close);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const raw = (extra: Record<string, string> = {}) => ({
  app_id: 'cli_ci',
  app_secret: 'app-secret-0123456789',
  receive_ids: 'ann@example.com, bob@example.com',
  domain: lark.url,
  ...extra,
});

async function send(
  inputs: Record<string, string>,
  options: Omit<RobotContextOptions, 'raw'> & { update?: string | null } = {},
): Promise<{ results: ChannelResult[]; log: ReturnType<typeof robotContext>['log'] }> {
  const run = robotContext(larkApp, { ...options, raw: inputs });
  closers.push(run.close);
  const results = (await larkApp.send({ ...run.ctx, update: options.update ?? null })) as ChannelResult[];
  return { results, log: run.log };
}

const running = () => sampleEvent({ status: 'running', transition: null });
/** A later run: its own event id, so Lark's uuid dedup (one hour) does not swallow a new message. */
const later = () => sampleEvent({ id: '9d2e4f60-3b5c-4e7d-8a9b-1c2d3e4f5a6b' });
const headerOf = (content: unknown) => (content as { header: { title: { content: string } } }).header.title.content;

describe('lark_app live message', () => {
  it('sends shared cards and one message_ref for the target with every receiver’s message id', async () => {
    const { results } = await send(raw(), { event: running() });
    expect(results.map((r) => [r.receiver, r.ok])).toEqual([
      ['ann@example.com', true],
      ['bob@example.com', true],
    ]);
    const ref = results[0]!.message_ref!;
    expect(results[1]!.message_ref).toBe(ref);
    expect(decodeMessageRef(ref, 'lark_app', [])).toEqual({
      'email:ann@example.com': lark.received[0]!.message_id,
      'email:bob@example.com': lark.received[1]!.message_id,
    });
    expect(ref).not.toContain('app-secret');
    for (const m of lark.received)
      expect((m.content as { config: unknown }).config).toEqual({ wide_screen_mode: true, update_multi: true });
  });

  it('edits each card in place with PATCH on update: the stand-in shows the same two cards, changed', async () => {
    const first = await send(raw(), { event: running() });
    expect(lark.received.map((m) => headerOf(m.content))).toEqual([
      '🔄 acme/api · main · CI #128 running',
      '🔄 acme/api · main · CI #128 running',
    ]);
    const { results } = await send(raw(), { event: later(), update: first.results[0]!.message_ref! });
    expect(results.map((r) => [r.receiver, r.ok, r.attempts])).toEqual([
      ['ann@example.com', true, 1],
      ['bob@example.com', true, 1],
    ]);
    const patches = lark.requests.filter((r) => r.path.startsWith('/open-apis/im/v1/messages/om_'));
    expect(patches.map((r) => r.path).sort()).toEqual(
      lark.received.map((m) => `/open-apis/im/v1/messages/${m.message_id}`).sort(),
    );
    expect(JSON.parse(patches[0]!.body)).toEqual({
      content: JSON.stringify(lark.received.find((m) => patches[0]!.path.endsWith(m.message_id))!.content),
    });
    expect(lark.received).toHaveLength(2);
    expect(lark.received.map((m) => [headerOf(m.content), m.edits])).toEqual([
      ['❌ acme/api · main · CI #128 failed (was passing)', 1],
      ['❌ acme/api · main · CI #128 failed (was passing)', 1],
    ]);
    expect(results[0]!.message_ref).toBe(first.results[0]!.message_ref);
  });

  it('sends a new card with a warning for a receiver whose card was recalled, and edits the other', async () => {
    const first = await send(raw(), { event: running() });
    lark.recall(lark.received[0]!.message_id);
    const { results, log } = await send(raw(), { event: later(), update: first.results[0]!.message_ref! });
    expect(results.map((r) => [r.receiver, r.ok, r.attempts])).toEqual([
      ['ann@example.com', true, 2],
      ['bob@example.com', true, 1],
    ]);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        message:
          'the Lark card for ann@example.com cannot be edited (code 230011: The message is recalled.); sending a new one',
      },
    ]);
    expect(lark.received.map((m) => [m.receive_id, m.edits ?? 0])).toEqual([
      ['ann@example.com', 0],
      ['bob@example.com', 1],
      ['ann@example.com', 0],
    ]);
    // The next update edits the new card.
    expect(decodeMessageRef(results[0]!.message_ref!, 'lark_app', [])).toEqual({
      'email:ann@example.com': lark.received[2]!.message_id,
      'email:bob@example.com': lark.received[1]!.message_id,
    });
  });

  it('sends post messages anew, saying once that only interactive cards can be edited', async () => {
    const first = await send(raw(), { event: running() });
    const { results, log } = await send(raw(), {
      event: later(),
      update: first.results[0]!.message_ref!,
      target: { msg_type: 'post' },
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(lark.received.map((m) => m.msg_type)).toEqual(['interactive', 'interactive', 'post', 'post']);
    expect(log.lines.filter((l) => l.message.includes('interactive cards only'))).toEqual([
      { level: 'info', message: 'lark_app can edit interactive cards only, not post messages; sending new messages' },
    ]);
  });
});
