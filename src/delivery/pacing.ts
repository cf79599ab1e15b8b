/**
 * Pacing per robot within a run (issue 13 #9): chat robots accept a fixed number of messages per
 * minute per robot and reject the rest (DingTalk even blocks the robot for 10 minutes). Many
 * targets on one robot are queued here and sent as the platform's documented rate allows,
 * instead of being sent at once and failing.
 */

export interface RateWindow {
  count: number;
  ms: number;
}

export interface RobotRate {
  /** "DingTalk: 20 messages per minute per robot" — for the log. */
  what: string;
  windows: RateWindow[];
}

/** The platforms' documented rates (API_FACTS §A.8, §B.5, §C.7). */
export const ROBOT_RATES = {
  // https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
  // "每个机器人每分钟最多发送20条。如果超过20条，会限流10分钟。"
  dingtalk: { what: 'DingTalk: 20 messages per minute per robot', windows: [{ count: 20, ms: 60_000 }] },
  // https://developer.work.weixin.qq.com/document/path/91770 (消息发送频率限制)
  // "每个机器人发送的消息不能超过20条/分钟。"
  wecom: { what: 'WeCom: 20 messages per minute per robot', windows: [{ count: 20, ms: 60_000 }] },
  // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (频率控制)
  // "自定义机器人的频率控制和普通应用不同，为单租户单机器人 100 次/分钟，5 次/秒。"
  lark: {
    what: 'Lark/Feishu: 100 messages per minute and 5 per second per robot',
    windows: [
      { count: 100, ms: 60_000 },
      { count: 5, ms: 1000 },
    ],
  },
} satisfies Record<string, RobotRate>;

export type RobotPlatform = keyof typeof ROBOT_RATES;

/** What a request declares to be paced: the platform, and the robot (its URL, without the per-attempt signature). */
export interface PaceSpec {
  platform: RobotPlatform;
  robot: string;
}

/**
 * The platforms count requests on arrival; a request that left a little late, or arrived a
 * little early next to a slow one, must still fall outside the window.
 */
const MARGIN_MS = 500;

/**
 * The longest a message waits for its robot's turn. 5 minutes covers 100 messages to one DingTalk
 * or WeCom robot in a run; a message that would wait longer fails at once ("not sent") rather
 * than holding the job. Together with `timeout` × (1 + `retries`) it bounds the run.
 */
export const PACING_CAP_MS = 5 * 60_000;

export type Turn = { ok: true; waitMs: number; position: number; queued: number } | { ok: false; error: string };

/** Slots per robot, reserved in the order requests ask, so concurrent targets queue fairly. */
export class Pacer {
  private readonly slots = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly capMs = PACING_CAP_MS,
  ) {}

  /** Reserves the earliest moment this robot may be sent to, or refuses when it is past the cap. */
  reserve(pace: PaceSpec): Turn {
    const rate: RobotRate = ROBOT_RATES[pace.platform];
    const key = `${pace.platform}\n${pace.robot}`;
    const now = this.now();
    const longest = Math.max(...rate.windows.map((w) => w.ms));
    const times = (this.slots.get(key) ?? []).filter((t) => t > now - longest - MARGIN_MS);
    let at = Math.max(now, times.at(-1) ?? now);
    for (const window of rate.windows) {
      const nth = times[times.length - window.count];
      if (nth !== undefined) at = Math.max(at, nth + window.ms + MARGIN_MS);
    }
    const waitMs = Math.round(at - now);
    if (waitMs > this.capMs) {
      this.slots.set(key, times);
      return {
        ok: false,
        error: `not sent: the robot's rate limit (${rate.what}) would hold this message ${Math.ceil(waitMs / 60_000)} min, longer than the ${this.capMs / 60_000} min a run waits`,
      };
    }
    times.push(at);
    this.slots.set(key, times);
    const queued = times.filter((t) => t > now).length;
    return { ok: true, waitMs, position: queued, queued };
  }

  static describe(pace: PaceSpec): string {
    return ROBOT_RATES[pace.platform].what;
  }
}
