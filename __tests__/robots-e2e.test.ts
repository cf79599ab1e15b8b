/**
 * The three chat robots end to end: the built bundle (dist/index.js) run like a GitHub Action
 * step, one `channels` list, loopback stand-ins that verify signatures and keywords.
 */
import { nodeBinaries, runAction } from './support/bundle.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { startLarkServer } from './support/lark-server.js';
import { startWeComServer } from './support/wecom-server.js';

const DT_SECRET = 'SECexample0123456789';
const LARK_SECRET = 'lark-signing-secret';
const DELAY_MS = 400;

/** `::add-mask::<secret>` is how a secret is hidden on GitHub; every other line must not show one. */
function withoutMaskCommands(log: string): string {
  return log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

describe.each(nodeBinaries())('dingtalk, wecom and lark through the bundle ($label)', ({ path: node }) => {
  it('delivers three robots of one channels list concurrently and reports each', async () => {
    const dt = await startDingTalkServer({ secret: DT_SECRET, keyword: 'CI', delayMs: DELAY_MS });
    const wc = await startWeComServer({ delayMs: DELAY_MS });
    const lk = await startLarkServer({ secret: LARK_SECRET, keyword: 'CI', delayMs: DELAY_MS });
    try {
      const channels = [
        {
          type: 'dingtalk',
          name: 'ops-dingtalk',
          url: 'env:DT_URL',
          secret: 'env:DT_SECRET',
          keyword: 'CI',
          at_mobiles: '13800000000',
        },
        { type: 'wecom', name: 'ops-wecom', url: 'env:WC_URL', at_user_ids: 'zhangsan' },
        {
          type: 'lark',
          name: 'ops-lark',
          url: 'env:LK_URL',
          secret: 'env:LK_SECRET',
          keyword: 'CI',
          at_user_ids: 'ou_abc123',
        },
      ];
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure' },
        env: { DT_URL: dt.url, DT_SECRET, WC_URL: wc.url, LK_URL: lk.url, LK_SECRET: LARK_SECRET },
      });
      const printed = withoutMaskCommands(run.stdout + run.stderr);
      for (const secret of [DT_SECRET, dt.token, wc.key, lk.hookId, LARK_SECRET]) expect(printed).not.toContain(secret);
      expect(run.code).toBe(0);
      const results = JSON.parse(run.outputs.results ?? '[]') as {
        name: string;
        channel: string;
        ok: boolean;
        attempts: number;
      }[];
      expect(results.map(({ name, channel, ok, attempts }) => ({ name, channel, ok, attempts }))).toEqual([
        { name: 'ops-dingtalk', channel: 'dingtalk', ok: true, attempts: 1 },
        { name: 'ops-wecom', channel: 'wecom', ok: true, attempts: 1 },
        { name: 'ops-lark', channel: 'lark', ok: true, attempts: 1 },
      ]);
      expect(run.outputs.delivered).toBe('3');
      expect(run.outputs.failed).toBe('0');

      // DingTalk: actionCard became markdown because a mobile is mentioned.
      expect(dt.received).toHaveLength(1);
      expect(dt.received[0]).toMatchObject({
        msgtype: 'markdown',
        at: { atMobiles: ['13800000000'], atUserIds: [], isAtAll: false },
      });
      expect((dt.received[0] as { markdown: { text: string } }).markdown.text).toMatch(/\n\n@13800000000$/);
      expect(wc.received).toHaveLength(1);
      expect((wc.received[0] as { markdown: { content: string } }).markdown.content).toMatch(/\n<@zhangsan>$/);
      expect(lk.received).toHaveLength(1);
      expect(lk.received[0]).toMatchObject({ msg_type: 'interactive', timestamp: expect.stringMatching(/^\d{10}$/) });

      // Concurrent: every request arrived before any slow stand-in answered.
      const requests = [dt, wc, lk].map((s) => s.requests[0]!);
      expect(Math.max(...requests.map((r) => r.arrivedAt))).toBeLessThan(
        Math.min(...requests.map((r) => r.answeredAt)),
      );

      for (const name of ['ops-dingtalk', 'ops-wecom', 'ops-lark']) expect(run.summary).toContain(name);
    } finally {
      await Promise.all([dt.close(), wc.close(), lk.close()]);
    }
  });

  it('mentions without noise: no warning for a default type it switches, and two messages sent on purpose read as such', async () => {
    const dt = await startDingTalkServer();
    const wc = await startWeComServer();
    try {
      const channels = [
        // The README's first example: the default actionCard cannot mention, markdown is chosen up front.
        { type: 'dingtalk', name: 'dt', url: 'env:DT_URL', at_mobiles: '13800000000', mention_on: 'failure' },
        // A type the user chose that cannot mention: the mobiles follow in a second message, on purpose.
        { type: 'wecom', name: 'wc', url: 'env:WC_URL', msg_type: 'template_card', at_mobiles: '13800001111' },
      ];
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure' },
        env: { DT_URL: dt.url, WC_URL: wc.url },
      });
      expect(run.code).toBe(0);
      const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
      expect(warnings).toEqual([
        '::warning::wc: msg_type template_card cannot carry every requested mention; they follow in a second message (text), or use msg_type text or markdown',
      ]);
      expect(JSON.parse(run.outputs.results ?? '[]')).toMatchObject([
        { name: 'dt', ok: true, attempts: 1 },
        { name: 'wc', ok: true, attempts: 1, messages: 2 },
      ]);
      expect((dt.received[0] as { msgtype: string }).msgtype).toBe('markdown');
      expect(wc.received.map((m) => (m as { msgtype: string }).msgtype)).toEqual(['template_card', 'text']);
      expect(run.stdout).toMatch(/✅ wc \(wecom\): delivered \(2 messages\) \[\d+ ms\]/);
      expect(run.stdout).not.toMatch(/wc \(wecom\).*after 2 attempts/);
      expect(run.summary).toMatch(/\| wc \| wecom \| ✅ delivered \(2 messages\) \| 1 \|/);
    } finally {
      await Promise.all([dt.close(), wc.close()]);
    }
  });

  it('fails a wrong DingTalk secret once, with the hint, while the other robots are delivered', async () => {
    const dt = await startDingTalkServer({ secret: DT_SECRET });
    const wc = await startWeComServer();
    try {
      const channels = [
        { type: 'dingtalk', name: 'dt', url: 'env:DT_URL', secret: 'env:WRONG' },
        { type: 'wecom', name: 'wc', url: 'env:WC_URL' },
      ];
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure', fail_on_error: 'true' },
        env: { DT_URL: dt.url, WRONG: 'SECnot-the-right-one', WC_URL: wc.url },
      });
      expect(run.code).not.toBe(0);
      const results = JSON.parse(run.outputs.results ?? '[]') as {
        name: string;
        ok: boolean;
        attempts: number;
        error: string | null;
      }[];
      expect(results.map(({ name, ok, attempts }) => ({ name, ok, attempts }))).toEqual([
        { name: 'dt', ok: false, attempts: 1 },
        { name: 'wc', ok: true, attempts: 1 },
      ]);
      expect(results[0]!.error).toMatch(/310000.*check secret/);
      expect(withoutMaskCommands(run.stdout + run.stderr)).not.toContain('SECnot-the-right-one');
      expect(dt.requests).toHaveLength(1);
    } finally {
      await Promise.all([dt.close(), wc.close()]);
    }
  });
});
