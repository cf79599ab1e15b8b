/**
 * run() in process, with an injected platform, the real HTTP client (waits recorded, not slept)
 * and loopback stand-ins: the run loop's decisions — notify_on, mention_on, fail_on_error, one
 * annotation per failed target, interruptions, broken output sinks, run-time secrets — tested
 * directly and fast. The same behaviours through the bundle are in hardening-e2e.test.ts.
 */
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import { forgetLarkAppTokens } from '../src/channels/lark-app.js';
import { EXIT_INTERRUPTED, markdownCell, run, type InterruptSignal, type TargetResult } from '../src/main.js';
import { startDingTalkServer, type DingTalkServer } from './support/dingtalk-server.js';
import { startLarkAppServer } from './support/lark-app-server.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { missingDirectory, testPlatform, type TestPlatform } from './support/test-platform.js';

interface RunOutcome {
  code: number;
  platform: TestPlatform;
  results: TargetResult[];
  redactor: Redactor;
}

async function runWith(
  inputs: Record<string, string>,
  setup: {
    platform?: TestPlatform;
    env?: NodeJS.ProcessEnv;
    onInterrupt?: (stop: (signal: InterruptSignal) => void) => () => void;
  } = {},
): Promise<RunOutcome> {
  const platform = setup.platform ?? testPlatform();
  const redactor = new Redactor();
  const code = await run({
    platform,
    inputs,
    env: setup.env ?? {},
    redactor,
    uuid: () => 'run-0001',
    now: () => new Date('2026-12-01T10:00:00Z'),
    createHttp: (options) => createHttpClient({ ...options, sleep: async () => {}, random: () => 0.5 }),
    ...(setup.onInterrupt ? { onInterrupt: setup.onInterrupt } : {}),
  });
  return { code, platform, redactor, results: JSON.parse(platform.outputs.results ?? '[]') as TargetResult[] };
}

const levels = (p: TestPlatform, level: 'info' | 'warn' | 'error') =>
  p.log.lines.filter((l) => l.level === level).map((l) => l.message);

describe('run()', () => {
  let hook: Receiver;
  let robot: DingTalkServer;
  beforeEach(async () => {
    hook = await startReceiver();
    robot = await startDingTalkServer();
  });
  afterEach(async () => {
    await hook.close();
    await robot.close();
  });

  describe('notify_on', () => {
    it('sends nothing for a status it does not name, and says so', async () => {
      const { code, results, platform } = await runWith({
        channel: 'webhook',
        url: `${hook.origin}/hook`,
        status: 'success',
        notify_on: 'failure',
      });
      expect([code, hook.requests.length, results.map((r) => [r.name, r.ok, r.skipped])]).toEqual([
        0,
        0,
        [['webhook', true, true]],
      ]);
      expect(levels(platform, 'info')).toContain(
        'webhook: not notified (notify_on: failure; status success, regressed)',
      );
    });

    it('sends for the status it names', async () => {
      const { code } = await runWith({
        channel: 'webhook',
        url: `${hook.origin}/hook`,
        status: 'failed',
        notify_on: 'failure',
      });
      expect([code, hook.requests.map((r) => (r.json() as { status: string }).status)]).toEqual([0, ['failure']]);
    });
  });

  describe('mention_on', () => {
    const atOf = (body: unknown) => (body as { at?: unknown }).at ?? null;

    it('mentions only for the statuses it names, per target', async () => {
      const channels = JSON.stringify([
        { type: 'dingtalk', name: 'on-failure', url: robot.url, mention_on: 'failure' },
        { type: 'dingtalk', name: 'always', url: robot.url },
      ]);
      const inputs = { channels, at_mobiles: '13800000000', msg_type: 'text' };
      await runWith({ ...inputs, status: 'success' });
      await runWith({ ...inputs, status: 'failure' });
      expect(robot.received.map(atOf)).toEqual([
        null,
        { atMobiles: ['13800000000'], atUserIds: [], isAtAll: false },
        { atMobiles: ['13800000000'], atUserIds: [], isAtAll: false },
        { atMobiles: ['13800000000'], atUserIds: [], isAtAll: false },
      ]);
    });

    it('is inherited by channels entries from the top level', async () => {
      const channels = JSON.stringify([{ type: 'dingtalk', url: robot.url, msg_type: 'text' }]);
      await runWith({ channels, at_mobiles: '13800000000', mention_on: 'failure', status: 'success' });
      expect(robot.received.map(atOf)).toEqual([null]);
    });
  });

  describe('fail_on_error', () => {
    it('fails the step on bad configuration by default, and keeps it green (with a warning) when false', async () => {
      const bad = { channel: 'webhook', url: 'not a url', status: 'failure' };
      const strict = await runWith(bad);
      const lenient = await runWith({ ...bad, fail_on_error: 'false' });
      expect([strict.code, lenient.code]).toEqual([2, 0]);
      expect(levels(lenient.platform, 'warn')).toContain(
        'fail_on_error is false: configuration errors do not fail this step',
      );
    });

    it('keeps the step green for run-level configuration errors too when false', async () => {
      const { code, platform } = await runWith({
        channel: 'webhook',
        url: `${hook.origin}/h`,
        status: 'failure',
        timeout: 'soon',
        fail_on_error: 'false',
      });
      expect([code, levels(platform, 'error')]).toEqual([0, ['timeout: expected seconds between 1 and 600, e.g. 10']]);
    });

    it('fails the step on a failed delivery by default, and not when false', async () => {
      hook.reply({ status: 400, body: 'no' }, { status: 400, body: 'no' });
      const inputs = { channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' };
      expect((await runWith(inputs)).code).toBe(1);
      expect((await runWith({ ...inputs, fail_on_error: 'false' })).code).toBe(0);
    });
  });

  describe('failed targets', () => {
    it('gives one error line per failed target (a GitHub annotation), and info lines for the rest', async () => {
      hook.reply({ status: 500, body: 'down' }, { status: 500, body: 'down' });
      const channels = JSON.stringify([
        { type: 'webhook', name: 'down', url: `${hook.origin}/down`, retries: 1 },
        { type: 'webhook', name: 'bad', url: 'nope' },
        { type: 'dingtalk', name: 'fine', url: robot.url },
      ]);
      const { code, platform } = await runWith({ channels, status: 'failure' });
      expect(code).toBe(2);
      expect(levels(platform, 'error').map((l) => l.replace(/\[\d+ ms\]/, '[t]'))).toEqual([
        'channels[1] "bad" url: expected an http(s) URL',
        '❌ down (webhook): failed: HTTP 500 Internal Server Error: down (gave up after 2 attempts) [t]',
      ]);
      expect(levels(platform, 'info').filter((l) => l.startsWith('✅'))).toHaveLength(1);
    });

    it('makes them warnings when the step may not fail', async () => {
      const { platform } = await runWith({
        channel: 'webhook',
        url: 'nope',
        status: 'failure',
        fail_on_error: 'false',
      });
      expect([levels(platform, 'error'), levels(platform, 'warn')]).toEqual([
        [],
        ['url: expected an http(s) URL', 'fail_on_error is false: configuration errors do not fail this step'],
      ]);
    });
  });

  describe('the job summary', () => {
    it('escapes Markdown and HTML from endpoint answers and names', async () => {
      hook.reply({ status: 400, body: '<img src=x onerror=alert(1)> **fake** [click](https://phish.example) | col' });
      const channels = JSON.stringify([{ type: 'webhook', name: '<b>ops</b>_team', url: `${hook.origin}/h` }]);
      const { platform } = await runWith({ channels, status: 'failure' });
      const row = platform.summaries[0]!.split('\n')[3]!;
      expect(row.replace(/\d+ ms/, 't')).toBe(
        '| &lt;b&gt;ops&lt;/b&gt;\\_team | webhook | ❌ HTTP 400 Bad Request: &lt;img src=x onerror=alert(1)&gt; \\*\\*fake\\*\\* \\[click\\](https&#58;//phish.example) \\| col | 1 | t |',
      );
    });

    it('markdownCell keeps a cell one line, one column, no tag and no link', () => {
      expect(markdownCell('a\r\nb | c <script> & d [x](y) www.example.com `e` ![i](j) ~~s~~ #h')).toBe(
        'a b \\| c &lt;script&gt; &amp; d \\[x\\](y) www&#46;example.com \\`e\\` !\\[i\\](j) \\~\\~s\\~\\~ #h',
      );
    });

    it('markdownCell drops control and invisible characters: no bidi override reorders the row', () => {
      expect(markdownCell('ok\u202e deliver\u200bed \u001b[31mred\u2028x\u0007')).toBe('ok delivered \\[31mred x');
    });

    it('markdownCell mentions nobody and links no address: @team and a@b.example stay text', () => {
      expect(markdownCell('ping @acme/owners or ann@example.com')).toBe(
        'ping @\u2060acme/owners or ann@\u2060example.com',
      );
    });
  });

  describe('an interruption (SIGTERM, SIGINT)', () => {
    it('reports what is delivered, in flight and not sent, writes the outputs and exits 128 + signal', async () => {
      hook.reply({ hang: true });
      let stop: (signal: InterruptSignal) => void = () => {};
      const channels = JSON.stringify([
        { type: 'webhook', name: 'stuck', url: `${hook.origin}/stuck` },
        { type: 'dingtalk', name: 'quick', url: robot.url },
      ]);
      const pending = runWith(
        { channels, status: 'failure', timeout: '600', retries: '0' },
        { onInterrupt: (s) => ((stop = s), () => {}) },
      );
      while (hook.requests.length < 1 || robot.received.length < 1) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      stop('SIGTERM');
      const { code, results, platform } = await pending;
      expect(code).toBe(EXIT_INTERRUPTED.SIGTERM);
      expect(results.map((r) => [r.name, r.ok, r.error])).toEqual([
        ['stuck', false, 'interrupted by SIGTERM while sending; it may or may not have been delivered'],
        ['quick', true, null],
      ]);
      expect(platform.outputs).toMatchObject({ delivered: '1', failed: '1', status: 'failure' });
      expect(levels(platform, 'error')).toContain(
        'interrupted by SIGTERM: 1 delivered, 1 in flight (may or may not arrive), 0 not sent',
      );
      expect(platform.summaries[0]).toContain('| stuck | webhook | ❌ interrupted by SIGTERM while sending');
      // The heading is the message's default title, as in a run that ends.
      expect(platform.summaries[0]!.split('\n')[0]).toBe(
        '### ❌ acme/api · main · CI #128 failed (was passing) — notifications',
      );
    });

    it('says nothing was sent when it comes while the CI facts are still read', async () => {
      let stop: (signal: InterruptSignal) => void = () => {};
      const platform = testPlatform({ eventGate: new Promise(() => {}) });
      const pending = runWith(
        { channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' },
        { platform, onInterrupt: (s) => ((stop = s), () => {}) },
      );
      while (!platform.eventInputs.length) await new Promise((r) => setTimeout(r, 5));
      stop('SIGINT');
      const { code, results } = await pending;
      expect([code, results.map((r) => r.error), hook.requests.length]).toEqual([
        130,
        ['interrupted by SIGINT before anything was sent'],
        0,
      ]);
      expect(levels(platform, 'error')).toEqual([
        'interrupted by SIGINT: 0 delivered, 0 in flight (may or may not arrive), 1 not sent',
        expect.stringContaining('❌ webhook (webhook): failed: interrupted'),
      ]);
    });

    it('unsubscribes when the run ends normally', async () => {
      let subscribed = 0;
      await runWith(
        { channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' },
        { onInterrupt: () => (subscribed++, () => subscribed--) },
      );
      expect(subscribed).toBe(0);
    });
  });

  describe('broken output sinks', () => {
    it('warns and keeps the delivery exit code when the outputs and summary cannot be written', async () => {
      const platform = testPlatform({ failingSinks: missingDirectory('/nowhere/out.txt') });
      const ok = await runWith({ channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' }, { platform });
      expect([ok.code, hook.requests.length, levels(platform, 'warn')]).toEqual([
        0,
        1,
        [
          'could not write the outputs: ENOENT (/nowhere/out.txt)',
          'could not write the job summary: ENOENT (/nowhere/out.txt)',
        ],
      ]);
      hook.reply({ status: 400 });
      const failedRun = await runWith(
        { channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' },
        { platform: testPlatform({ failingSinks: missingDirectory('/nowhere/out.txt') }) },
      );
      expect(failedRun.code).toBe(1);
    });
  });

  describe('secrets', () => {
    it('masks a credential a channel obtains at run time before anything can print it', async () => {
      forgetLarkAppTokens();
      const lark = await startLarkAppServer({
        apps: { cli_app: 'app-secret-value-0001' },
        users: {},
        echoTokenInErrors: true,
      });
      try {
        const { platform, results } = await runWith({
          channel: 'lark_app',
          app_id: 'cli_app',
          app_secret: 'app-secret-value-0001',
          receive_ids: 'stranger@example.com',
          domain: lark.url,
          status: 'failure',
        });
        const token = lark.issuedTokens()[0]!;
        expect(platform.masked).toContain(token);
        const printed = [platform.log.text(), JSON.stringify(platform.outputs), ...platform.summaries].join('\n');
        expect(printed).toContain('authorization: Bearer ***');
        expect(printed).not.toContain(token.slice(2, 20));
        expect(results[0]!.attempts).toBe(2);
      } finally {
        await lark.close();
      }
    });

    it('warns, without the value, when a secret is too common a word to hide, and leaves the log readable', async () => {
      const { platform } = await runWith({
        channel: 'webhook',
        url: `${hook.origin}/h`,
        secret: 'true',
        status: 'failure',
        fail_on_error: 'false',
      });
      expect(levels(platform, 'warn')).toEqual([
        'a secret input is shorter than 4 characters or a common word (true, fail, …), so it cannot be hidden in the log; use a real credential',
      ]);
      expect(platform.masked).not.toContain('true');
      expect(JSON.parse(platform.outputs.results!)).toEqual([expect.objectContaining({ ok: true })]);
      expect(levels(platform, 'info').at(-1)).toMatch(/^✅ webhook \(webhook\): delivered/);
    });

    it('logs YAML warnings through the redactor', async () => {
      const url = `${hook.origin}/hook-TOKEN-0123456789`;
      const { platform } = await runWith({
        channels: `- type: webhook\n  url: !unknown ${url}\n  secret: !vault ${url}\n`,
        status: 'failure',
      });
      expect(levels(platform, 'warn')).toEqual([
        'channels: Unresolved tag: !unknown (line 2, column 8); it is read as plain text',
        'channels: Unresolved tag: !vault (line 3, column 11); it is read as plain text',
      ]);
    });
  });
});
