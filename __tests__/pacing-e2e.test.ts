/**
 * Issue 13 #9 through the bundle: 25 targets on one DingTalk robot whose stand-in enforces the
 * documented 20 messages per minute (a 21st within a minute gets errcode 130101, as the real one
 * answers). Before pacing, 5 of them failed; now all are delivered, none is refused, the waiting
 * is in the log, and the paced targets are marked in `results` and the job summary.
 */
import { nodeBinaries, runAction } from './support/bundle.js';
import { startDingTalkServer } from './support/dingtalk-server.js';

const TARGETS = 25;

interface Result {
  name: string;
  ok: boolean;
  attempts: number;
  paced_ms?: number;
}

it('queues 25 targets on one DingTalk robot to its 20 per minute and delivers them all (Node 20 and 24 at once)', async () => {
  const runs = nodeBinaries().map(async ({ label, path: node }) => {
    const robot = await startDingTalkServer({ ratePerMinute: 20 });
    try {
      const channels = Array.from({ length: TARGETS }, (_, i) => ({
        type: 'dingtalk',
        name: `t${i + 1}`,
        url: 'env:DT_URL',
      }));
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure' },
        env: { DT_URL: robot.url },
        timeoutMs: 150_000,
      });
      const results = JSON.parse(run.outputs.results ?? '[]') as Result[];
      const paced = results.filter((r) => r.paced_ms !== undefined);
      return {
        label,
        code: run.code,
        delivered: run.outputs.delivered,
        failed: run.outputs.failed,
        accepted: robot.received.length,
        refused: robot.requests.filter((r) => (r.answer.json as { errcode: number }).errcode !== 0).length,
        paced: paced.length,
        pacedAboutAMinute: paced.every((r) => (r.paced_ms ?? 0) >= 55_000 && (r.paced_ms ?? 0) <= 65_000),
        waitLines: run.stdout
          .split('\n')
          .filter((l) =>
            /waiting 60(\.\d)? s: sending when the robot's rate limit allows \(DingTalk: 20 messages per minute per robot/.test(
              l,
            ),
          ).length,
        summaryPaced: run.summary
          .split('\n')
          .filter((l) => l.includes('(paced 6') && l.includes("for the robot's rate limit)")).length,
      };
    } finally {
      await robot.close();
    }
  });
  const seen = await Promise.all(runs);
  expect(seen).toEqual(
    nodeBinaries().map(({ label }) => ({
      label,
      code: 0,
      delivered: String(TARGETS),
      failed: '0',
      accepted: TARGETS,
      refused: 0,
      paced: TARGETS - 20,
      pacedAboutAMinute: true,
      waitLines: TARGETS - 20,
      summaryPaced: TARGETS - 20,
    })),
  );
}, 180_000);
