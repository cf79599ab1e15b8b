/**
 * A loopback stand-in of DingTalk's custom robot webhook (API_FACTS §A): POST
 * /robot/send?access_token=…[&timestamp=…&sign=…], answers HTTP 200 with {errcode, errmsg} like
 * the real one — for bad tokens, signatures, keywords, sizes, message types and rate limits.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken, startRobotServer, textValues, type PlatformAnswer } from './robot-server.js';

export interface DingTalkServerOptions {
  /** Answer after this many ms, like a slow platform. */
  delayMs?: number;
  /** access_token the robot accepts (random by default). */
  token?: string;
  /** "SEC…" signing secret; when set, timestamp + sign are required and verified. */
  secret?: string;
  /** Custom keyword: a message without it in a text value is refused with 310000. */
  keyword?: string;
  /** The stand-in's clock (ms); the skew allowed is one hour (§A.5). */
  now?: () => number;
  /** Which rate-limit code to answer (130101 older backends, 410100 newer, §A.7). */
  rateLimitCode?: 130101 | 410100;
  /** Enforce "20 messages per minute per robot" (§A.8) on arrival times; off by default. */
  ratePerMinute?: number;
}

export interface DingTalkServer {
  /** The full webhook URL, with access_token. */
  url: string;
  token: string;
  secret?: string;
  received: unknown[];
  requests: import('./robot-server.js').RecordedRequest[];
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

export const DINGTALK_MAX_BODY = 20_000;
const SKEW_MS = 60 * 60 * 1000;
const MSG_TYPES = new Set(['text', 'markdown', 'link', 'actionCard', 'feedCard']);

const answer = (errcode: number, errmsg: string): PlatformAnswer => ({ json: { errcode, errmsg } });

export async function startDingTalkServer(options: DingTalkServerOptions = {}): Promise<DingTalkServer> {
  const token = options.token ?? randomToken();
  const core = await startRobotServer(
    (req) => {
      const refuse = (errcode: number, errmsg: string) => ({ answer: answer(errcode, errmsg), accepted: false });
      if (req.method !== 'POST') return refuse(43002, '需要POST请求');
      if (req.path !== '/robot/send') return refuse(404, 'not found');
      const given = req.query.get('access_token');
      if (!given) return refuse(40035, '缺少参数 access_token');
      if (given !== token) return refuse(300001, 'token is not exist');
      if (req.rateLimited) {
        return options.rateLimitCode === 410100
          ? refuse(410100, 'description:发送速度太快而限流;solution:请降低发送速度;')
          : refuse(130101, 'send too fast, exceed 20 times per minute');
      }
      if (options.secret) {
        const timestamp = req.query.get('timestamp') ?? '';
        const sign = req.query.get('sign') ?? '';
        if (!/^\d{13}$/.test(timestamp) || Math.abs(req.nowMs - Number(timestamp)) > SKEW_MS) {
          return refuse(310000, `invalid timestamp ${timestamp}`);
        }
        const expected = createHmac('sha256', options.secret)
          .update(`${timestamp}\n${options.secret}`)
          .digest('base64');
        if (!sameText(sign, expected))
          return refuse(310000, 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
      }
      if (Buffer.byteLength(req.body, 'utf8') > DINGTALK_MAX_BODY) {
        return refuse(460101, 'description: body 大小不合法;solution:请保持大小在 20000bytes 以内;');
      }
      const json = req.json as Record<string, unknown> | undefined;
      if (typeof json !== 'object' || json === null) return refuse(40035, '缺少参数 json');
      const msgtype = json.msgtype;
      if (typeof msgtype !== 'string' || !MSG_TYPES.has(msgtype)) return refuse(400105, '不支持的消息类型');
      const shapeProblem = checkShape(msgtype, json[msgtype]);
      if (shapeProblem) return refuse(40035, `缺少参数 ${shapeProblem}`);
      if (options.keyword && !textValues(json[msgtype]).some((text) => text.includes(options.keyword as string))) {
        return refuse(310000, 'keywords not in content');
      }
      return { answer: answer(0, 'ok'), accepted: true };
    },
    {
      ...(options.now ? { now: options.now } : {}),
      delayMs: options.delayMs ?? 0,
      ...(options.ratePerMinute !== undefined ? { ratePerMinute: options.ratePerMinute } : {}),
    },
  );
  return {
    url: `${core.origin}/robot/send?access_token=${token}`,
    token,
    ...(options.secret ? { secret: options.secret } : {}),
    received: core.received,
    requests: core.requests,
    rateLimitNext: core.rateLimitNext,
    close: core.close,
  };
}

/** The fields each type must have (§A.2), with DingTalk's exact casing. */
function checkShape(msgtype: string, content: unknown): string | null {
  if (typeof content !== 'object' || content === null) return msgtype;
  const c = content as Record<string, unknown>;
  const need = (...keys: string[]) => keys.find((k) => typeof c[k] !== 'string' || c[k] === '') ?? null;
  switch (msgtype) {
    case 'text':
      return need('content');
    case 'markdown':
      return need('title', 'text');
    case 'link':
      return need('title', 'text', 'messageUrl');
    case 'actionCard':
      return need('title', 'text') ?? (Array.isArray(c.btns) ? null : need('singleTitle', 'singleURL'));
    case 'feedCard':
      return Array.isArray(c.links) && c.links.length > 0 ? null : 'links';
    default:
      return null;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
