/**
 * A loopback stand-in of the Feishu/Lark custom bot webhook (API_FACTS §C): POST
 * /open-apis/bot/v2/hook/<id>, signature (seconds; key = `ts\nsecret`, empty message) and keyword
 * checks, 20 KB body limit, rate limit 11232 — answering {code, msg, data} like the real one.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { startRobotServer, textValues, type PlatformAnswer, type RecordedRequest } from './robot-server.js';

export interface LarkServerOptions {
  /** Answer after this many ms, like a slow platform. */
  delayMs?: number;
  hookId?: string;
  /** Signature secret; when set, body.timestamp + body.sign are required and verified. */
  secret?: string;
  /** Custom keyword (19024 when no text value contains it). */
  keyword?: string;
  /** The stand-in's clock (ms); one hour of skew is allowed (§C.5). */
  now?: () => number;
}

export interface LarkServer {
  /** The full webhook URL. */
  url: string;
  hookId: string;
  secret?: string;
  /** Accepted bodies as sent (signature fields included). */
  received: unknown[];
  requests: RecordedRequest[];
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

export const LARK_MAX_BODY = 20_000;
const SKEW_S = 3600;
const HOOK_PREFIX = '/open-apis/bot/v2/hook/';

const answer = (code: number, msg: string, status = 200): PlatformAnswer => ({ status, json: { code, data: {}, msg } });

export async function startLarkServer(options: LarkServerOptions = {}): Promise<LarkServer> {
  const hookId = options.hookId ?? randomUUID();
  const core = await startRobotServer(
    (req) => {
      const refuse = (code: number, msg: string, status = 200) => ({
        answer: answer(code, msg, status),
        accepted: false,
      });
      if (!req.path.startsWith(HOOK_PREFIX) || req.path.slice(HOOK_PREFIX.length) !== hookId) {
        return refuse(19001, 'param invalid: incoming webhook access token invalid');
      }
      if (Buffer.byteLength(req.body, 'utf8') > LARK_MAX_BODY) return refuse(9499, 'Bad Request', 400);
      const json = req.json as Record<string, unknown> | undefined;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return refuse(9499, 'Bad Request', 400);
      if (req.rateLimited) return refuse(11232, 'frequency limited');
      if (options.secret) {
        const timestamp = json.timestamp;
        const sign = json.sign;
        const expected =
          typeof timestamp === 'string'
            ? createHmac('sha256', `${timestamp}\n${options.secret}`).update('').digest('base64')
            : '';
        const fresh =
          typeof timestamp === 'string' &&
          /^\d{10}$/.test(timestamp) &&
          Math.abs(req.nowMs / 1000 - Number(timestamp)) <= SKEW_S;
        if (!fresh || typeof sign !== 'string' || !sameText(sign, expected)) {
          return refuse(19021, 'sign match fail or timestamp is not within one hour from current time');
        }
      }
      const shape = checkShape(json);
      if (shape) return refuse(9499, `Bad Request: ${shape}`, 400);
      if (options.keyword) {
        const message = json.msg_type === 'interactive' ? json.card : json.content;
        if (!textValues(message).some((t) => t.includes(options.keyword as string)))
          return refuse(19024, 'Key Words Not Found');
      }
      return {
        answer: { json: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } },
        accepted: true,
      };
    },
    { ...(options.now ? { now: options.now } : {}), delayMs: options.delayMs ?? 0 },
  );
  return {
    url: `${core.origin}${HOOK_PREFIX}${hookId}`,
    hookId,
    ...(options.secret ? { secret: options.secret } : {}),
    received: core.received,
    requests: core.requests,
    rateLimitNext: core.rateLimitNext,
    close: core.close,
  };
}

/** The custom bot's shapes (§C.2): a card is a top-level `card` OBJECT; text/post have `content` objects. */
function checkShape(json: Record<string, unknown>): string | null {
  const content = json.content as Record<string, unknown> | undefined;
  switch (json.msg_type) {
    case 'text':
      return typeof content?.text === 'string' && content.text !== '' ? null : 'content.text';
    case 'post': {
      const post = content?.post as Record<string, { title?: unknown; content?: unknown }> | undefined;
      const locales = post ? Object.keys(post) : [];
      if (locales.length === 0 || locales.some((l) => l !== 'zh_cn' && l !== 'en_us')) return 'content.post';
      for (const l of locales) {
        const paragraphs = post?.[l]?.content;
        if (!Array.isArray(paragraphs) || paragraphs.some((p) => !Array.isArray(p))) return 'content.post.content';
        for (const node of paragraphs.flat() as Record<string, unknown>[]) {
          if (node.tag === 'a' && !/^https?:\/\//.test(String(node.href))) return 'invalid href';
          if (!['text', 'a', 'at', 'img'].includes(String(node.tag))) return `unknown tag ${String(node.tag)}`;
        }
      }
      return null;
    }
    case 'interactive': {
      const card = json.card as Record<string, unknown> | undefined;
      if (typeof card !== 'object' || card === null) return 'card';
      return Array.isArray(card.elements) || typeof card.body === 'object' ? null : 'card.elements';
    }
    case 'image':
    case 'share_chat':
      return content ? null : 'content';
    default:
      return 'msg_type';
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
