/**
 * A loopback stand-in for the Feishu/Lark open platform endpoints a self-built app uses
 * (API_FACTS §D), answering the way the real API does: errors are HTTP 400 with a `code`, success
 * is `code: 0`.
 *   POST /open-apis/auth/v3/tenant_access_token/internal       app_id + app_secret → token
 *   POST /open-apis/im/v1/messages?receive_id_type=…            Bearer token; `content` must be a
 *                                                               JSON STRING; `uuid` required and
 *                                                               deduplicated
 *   POST /open-apis/contact/v3/users/batch_get_id               emails → open_ids
 *   PATCH /open-apis/im/v1/messages/:message_id                 a new card for a shared card
 *                                                               (`config.update_multi` before and
 *                                                               after); a recalled one is 230011
 * Rate limits are scriptable: the next N message calls answer 230020 or 99991400.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LarkAppServerOptions {
  /** app_id → app_secret. */
  apps?: Record<string, string>;
  /** People in the app's availability scope: e-mail → open_id. Others get 230013. */
  users?: Record<string, string>;
  /** Chats the bot is in (chat_id). Others get 230002. */
  chats?: string[];
  /** Fault: message errors quote the caller's token in `msg` (as some gateways and proxies do). */
  echoTokenInErrors?: boolean;
  /** `expire` of issued tokens in seconds (Lark: 7200). */
  expireSeconds?: number;
}

export interface LarkAppMessage {
  receive_id_type: string;
  receive_id: string;
  msg_type: string;
  /** `content` parsed from its JSON string. */
  content: unknown;
  uuid: string;
  message_id: string;
  /** How many times PATCH replaced the card. */
  edits?: number;
}

export interface LarkAppStandIn {
  /** Base URL for `domain`: http://127.0.0.1:port */
  url: string;
  port: number;
  /** Messages delivered (a repeated uuid is not delivered twice). */
  received: LarkAppMessage[];
  /** Every request as it arrived: path, headers, raw body. */
  requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
  tokenCalls(): number;
  /** Every tenant_access_token issued, in order. */
  issuedTokens(): string[];
  /** The next `times` message calls answer `code` (230020 per-user limit, 99991400 API limit). */
  rateLimit(code: 230020 | 99991400, times: number): void;
  /** Makes every token issued so far invalid (99991663 on the next use). */
  revokeTokens(): void;
  /** Recalls a message, as its sender would in the client: a PATCH of it answers 230011. */
  recall(messageId: string): void;
  close(): Promise<void>;
}

const VALID_TYPES = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'];
const MSG_TYPES = [
  'text',
  'post',
  'image',
  'file',
  'audio',
  'media',
  'sticker',
  'interactive',
  'share_chat',
  'share_user',
  'system',
];

export async function startLarkAppServer(opts: LarkAppServerOptions = {}): Promise<LarkAppStandIn> {
  const apps = opts.apps ?? { cli_test_app: 'app-secret-0123456789' };
  const users = opts.users ?? {};
  const openIds = new Set(Object.values(users));
  const chats = new Set(opts.chats ?? []);
  const tokens = new Set<string>();
  const issued: string[] = [];
  const recalled = new Set<string>();
  const byUuid = new Map<string, LarkAppMessage>();
  const received: LarkAppMessage[] = [];
  const requests: LarkAppStandIn['requests'] = [];
  let tokenCalls = 0;
  let rate: { code: number; times: number } = { code: 0, times: 0 };

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const fail = (res: ServerResponse, code: number, msg: string): void =>
      answer(res, 400, {
        code,
        msg: opts.echoTokenInErrors ? `${msg} (authorization: ${req.headers.authorization ?? 'none'})` : msg,
        error: { log_id: randomUUID() },
      });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stand-in');
      requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers, body: raw });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail(res, 9499, 'Bad Request');
      }
      if (req.method !== 'POST' && req.method !== 'PATCH') return answer(res, 404, { code: 404, msg: 'not found' });

      if (url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
        tokenCalls++;
        const appId = body.app_id;
        if (typeof appId !== 'string' || !(appId in apps)) return fail(res, 10003, 'invalid param');
        if (body.app_secret !== apps[appId]) return fail(res, 10014, 'app secret invalid');
        const token = `t-${randomUUID().replace(/-/g, '')}`;
        tokens.add(token);
        issued.push(token);
        return answer(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire: opts.expireSeconds ?? 7200 });
      }

      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth || !tokens.has(auth[1] as string))
        return fail(
          res,
          99991663,
          'Invalid access token for authorization. Please make a request with token attached.',
        );

      const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const id = decodeURIComponent(patch[1]!);
        if (recalled.has(id)) return fail(res, 230011, 'The message is recalled.');
        const found = received.find((m) => m.message_id === id);
        if (!found) return fail(res, 230001, 'invalid param, ext=message_id not found');
        if (typeof body.content !== 'string') return fail(res, 230001, 'invalid param, ext=content must be a string');
        let content: unknown;
        try {
          content = JSON.parse(body.content);
        } catch {
          return fail(res, 230001, 'invalid param, ext=content is not valid JSON');
        }
        // Only a shared card can be updated, and it must stay one (update_multi before and after).
        const shared = (c: unknown) =>
          typeof c === 'object' &&
          c !== null &&
          (c as { config?: { update_multi?: unknown } }).config?.update_multi === true;
        if (found.msg_type !== 'interactive' || !shared(found.content) || !shared(content))
          return fail(res, 230099, 'Failed to update card content: the card must declare config.update_multi: true');
        found.content = content;
        found.edits = (found.edits ?? 0) + 1;
        return answer(res, 200, { code: 0, msg: 'success', data: {} });
      }

      if (url.pathname === '/open-apis/im/v1/messages') {
        const type = url.searchParams.get('receive_id_type') ?? '';
        if (!VALID_TYPES.includes(type)) return fail(res, 230001, 'invalid param, ext=invalid receive_id_type');
        if (typeof body.receive_id !== 'string' || body.receive_id === '')
          return fail(res, 230001, 'invalid param, ext=receive_id is required');
        if (typeof body.msg_type !== 'string' || !MSG_TYPES.includes(body.msg_type))
          return fail(res, 230001, 'invalid param, ext=invalid msg_type');
        // The real API wants `content` as a JSON-serialised string, not an object.
        if (typeof body.content !== 'string') return fail(res, 230001, 'invalid param, ext=content must be a string');
        let content: unknown;
        try {
          content = JSON.parse(body.content);
        } catch {
          return fail(res, 230001, 'invalid param, ext=content is not valid JSON');
        }
        // API_FACTS §D.2: text ≤ 150 KB, card and post ≤ 30 KB (the request body; decimal, as we send).
        const limit = body.msg_type === 'text' ? 150_000 : 30_000;
        if (Buffer.byteLength(raw, 'utf8') > limit)
          return fail(res, 230025, 'The message content exceeds the length limit.');
        if (typeof body.uuid !== 'string' || body.uuid === '' || body.uuid.length > 50) {
          return fail(res, 230001, 'invalid param, ext=uuid is required by this stand-in (at most 50 characters)');
        }
        const seen = byUuid.get(body.uuid);
        if (seen) return answer(res, 200, { code: 0, msg: 'success', data: messageData(seen) });
        if (rate.times > 0) {
          rate.times--;
          return fail(
            res,
            rate.code,
            rate.code === 230020 ? 'This operation triggers the frequency limit.' : 'request trigger frequency limit',
          );
        }
        const known =
          type === 'email'
            ? body.receive_id in users
            : type === 'open_id'
              ? openIds.has(body.receive_id)
              : type === 'chat_id'
                ? chats.has(body.receive_id)
                : false;
        if (!known) {
          if (type === 'chat_id') return fail(res, 230002, 'The bot is not in the chat.');
          return fail(res, 230013, 'Bot has NO availability to this user.');
        }
        const message: LarkAppMessage = {
          receive_id_type: type,
          receive_id: body.receive_id,
          msg_type: body.msg_type,
          content,
          uuid: body.uuid,
          message_id: `om_${randomUUID().replace(/-/g, '')}`,
        };
        byUuid.set(body.uuid, message);
        received.push(message);
        return answer(res, 200, { code: 0, msg: 'success', data: messageData(message) });
      }

      if (url.pathname === '/open-apis/contact/v3/users/batch_get_id') {
        const emails = Array.isArray(body.emails) ? (body.emails as string[]) : [];
        if (emails.length > 50) return fail(res, 99992402, 'field validation failed: emails at most 50');
        return answer(res, 200, {
          code: 0,
          msg: 'success',
          data: { user_list: emails.map((e) => (e in users ? { user_id: users[e], email: e } : { email: e })) },
        });
      }
      return answer(res, 404, { code: 404, msg: 'not found' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    requests,
    tokenCalls: () => tokenCalls,
    issuedTokens: () => [...issued],
    rateLimit: (code, times) => {
      rate = { code, times };
    },
    revokeTokens: () => tokens.clear(),
    recall: (messageId) => {
      recalled.add(messageId);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function messageData(m: LarkAppMessage): Record<string, unknown> {
  return {
    message_id: m.message_id,
    msg_type: m.msg_type,
    chat_id: `oc_${m.uuid.slice(0, 16)}`,
    sender: { id: 'cli_test_app', id_type: 'app_id', sender_type: 'app' },
    body: { content: JSON.stringify(m.content) },
  };
}
