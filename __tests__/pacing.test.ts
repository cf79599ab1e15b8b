/**
 * Pacing per robot (issue 13 #9): requests to one robot are queued to the platform's documented
 * rate within a run — queued, not failed — and only what cannot be sent within the bound fails.
 * The clock is the one fake here: the HTTP client sleeps on it, the requests are real.
 */
import { createHttpClient } from '../src/delivery/http.js';
import { Pacer, PACING_CAP_MS, ROBOT_RATES } from '../src/delivery/pacing.js';
import { Redactor } from '../src/delivery/redact.js';
import type { HttpRequestSpec } from '../src/delivery/types.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { recordingLogger } from './support/recording-logger.js';

/** A clock that moves only when the test moves it. */
function fakeClock() {
  const clock = { ms: 0, now: () => clock.ms };
  return clock;
}

describe('Pacer', () => {
  it('lets 20 messages a minute through to one DingTalk robot and queues the rest a minute later', () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock.now);
    const waits = Array.from({ length: 50 }, () => pacer.reserve({ platform: 'dingtalk', robot: 'r1' }));
    expect(waits.map((t) => (t.ok ? t.waitMs : -1))).toEqual([
      ...Array<number>(20).fill(0),
      ...Array<number>(20).fill(60_500),
      ...Array<number>(10).fill(121_000),
    ]);
  });

  it('paces each robot on its own and WeCom like DingTalk', () => {
    const pacer = new Pacer(() => 0);
    for (let i = 0; i < 20; i++) pacer.reserve({ platform: 'wecom', robot: 'a' });
    expect(pacer.reserve({ platform: 'wecom', robot: 'b' })).toMatchObject({ ok: true, waitMs: 0 });
    expect(pacer.reserve({ platform: 'dingtalk', robot: 'a' })).toMatchObject({ ok: true, waitMs: 0 });
    expect(pacer.reserve({ platform: 'wecom', robot: 'a' })).toMatchObject({ ok: true, waitMs: 60_500 });
  });

  it('keeps Lark to 5 a second as well as 100 a minute', () => {
    const pacer = new Pacer(() => 0);
    const waits = Array.from({ length: 12 }, () => {
      const turn = pacer.reserve({ platform: 'lark', robot: 'hook' });
      return turn.ok ? turn.waitMs : -1;
    });
    expect(waits).toEqual([0, 0, 0, 0, 0, 1500, 1500, 1500, 1500, 1500, 3000, 3000]);
    expect(ROBOT_RATES.lark.windows).toEqual([
      { count: 100, ms: 60_000 },
      { count: 5, ms: 1000 },
    ]);
  });

  it('refuses a message that would wait longer than the cap, and keeps its slot free', () => {
    const pacer = new Pacer(() => 0);
    const turns = Array.from({ length: 121 }, () => pacer.reserve({ platform: 'dingtalk', robot: 'r' }));
    // Slots at 0, 60.5, 121, 181.5, 242 s hold 100 messages; the next would wait 302.5 s > 300 s.
    expect(turns.filter((t) => t.ok)).toHaveLength(100);
    expect(turns[100]).toEqual({
      ok: false,
      error:
        "not sent: the robot's rate limit (DingTalk: 20 messages per minute per robot) would hold this message 6 min, longer than the 5 min a run waits",
    });
    expect(PACING_CAP_MS).toBe(300_000);
  });

  it('frees slots as the window moves on', () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock.now);
    for (let i = 0; i < 20; i++) pacer.reserve({ platform: 'dingtalk', robot: 'r' });
    clock.ms = 61_000;
    expect(pacer.reserve({ platform: 'dingtalk', robot: 'r' })).toMatchObject({ ok: true, waitMs: 0 });
  });
});

describe('createHttpClient: pacing', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver({ handler: () => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } }) });
  });
  afterEach(() => receiver.close());

  function client() {
    const clock = { ms: 0 };
    const waits: number[] = [];
    const log = recordingLogger();
    const http = createHttpClient({
      timeoutMs: 2000,
      retries: 0,
      log,
      redactor: new Redactor(),
      dryRun: false,
      env: {},
      now: () => clock.ms,
      // Time passes for each sleeper on its own, as it would: a sleep ends at its start plus its length.
      sleep: (ms) => {
        waits.push(ms);
        const until = clock.ms + ms;
        return new Promise<void>((resolve) =>
          setImmediate(() => {
            clock.ms = Math.max(clock.ms, until);
            resolve();
          }),
        );
      },
    });
    return { http, log, waits };
  }

  const robot = (url: string): HttpRequestSpec => ({
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json' },
    body: '{"msgtype":"text"}',
    pace: { platform: 'dingtalk', robot: url },
  });

  it('delivers 25 messages to one robot: 20 at once, 5 after waiting for the rate, with the wait in the log', async () => {
    const { http, log, waits } = client();
    const url = `${receiver.origin}/robot/send?access_token=t`;
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, (_, i) => http.deliver(robot(url), undefined, { label: `dingtalk t${i}` })),
    );
    await http.close();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(receiver.requests).toHaveLength(25);
    expect(outcomes.map((o) => o.paced_ms ?? 0)).toEqual([
      ...Array<number>(20).fill(0),
      ...Array<number>(5).fill(60_500),
    ]);
    expect(waits).toEqual(Array<number>(5).fill(60_500));
    expect(log.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(
      Array.from(
        { length: 5 },
        (_, i) =>
          `dingtalk t${20 + i}: waiting 60.5 s: sending when the robot's rate limit allows (DingTalk: 20 messages per minute per robot; ${i + 1} queued for this robot)`,
      ),
    );
  });

  it('does not pace requests that name no robot', async () => {
    const { http, waits } = client();
    const plain = { method: 'POST' as const, url: `${receiver.origin}/hook`, headers: {}, body: '{}' };
    await Promise.all(Array.from({ length: 30 }, () => http.deliver(plain)));
    await http.close();
    expect(waits).toEqual([]);
    expect(receiver.requests).toHaveLength(30);
  });

  it('fails only the messages that cannot be sent within the cap, without sending them', async () => {
    const { http } = client();
    const url = `${receiver.origin}/robot/send?access_token=t`;
    const outcomes = await Promise.all(Array.from({ length: 103 }, () => http.deliver(robot(url))));
    await http.close();
    expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
    expect(outcomes.slice(100)).toEqual(
      Array<unknown>(3).fill(
        expect.objectContaining({
          ok: false,
          attempts: 0,
          status_code: null,
          error: expect.stringMatching(
            /^not sent: the robot's rate limit \(DingTalk: 20 messages per minute per robot\)/,
          ),
        }),
      ),
    );
    expect(receiver.requests).toHaveLength(100);
  });
});
