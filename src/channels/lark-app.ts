/**
 * `lark_app`: a Feishu/Lark self-built app sends the notification to people or chats
 * (API_FACTS §D; USER_VOICES #20). One tenant_access_token per app per run (§D.1), then one
 * `im/v1/messages` call per receiver (§D.2), each its own delivery with its own result.
 * The message is the same card (or post/text) as the `lark` robot, built by lark-card.ts, but sent
 * as a JSON STRING in `content` — im/v1 rejects an object there.
 * Reads top to bottom: options, limits, token, request builder, answer reader, send.
 */
import { createHash } from 'node:crypto';
import { z } from './schema.js';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { httpErrorLine } from '../delivery/http.js';
import { headUnits, oneLine } from '../render/text.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinBytes, truncationMarker, type Clip } from './byte-budget.js';
import { isEmailAddress } from './email-address.js';
import { larkCard, larkPost, larkText, type LarkMentions } from './lark-card.js';
import { mentionsPeople, type SelectedPerson } from '../people/select.js';
import { shownValue, splitList } from '../inputs.js';
import { decodeMessageRef, encodeMessageRef } from './message-ref.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export const RECEIVE_ID_TYPES = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'] as const;
export type ReceiveIdType = (typeof RECEIVE_ID_TYPES)[number];

export const LARK_APP_MSG_TYPES = ['interactive', 'post', 'text'] as const;
export type LarkAppMsgType = (typeof LARK_APP_MSG_TYPES)[number];

const DOMAINS: Record<string, string> = {
  feishu: 'https://open.feishu.cn',
  lark: 'https://open.larksuite.com',
  larksuite: 'https://open.larksuite.com',
};

export interface LarkAppOptions {
  appId: string;
  appSecret: string;
  receiveIdType: ReceiveIdType;
  receiveIds: string[];
  /** API base without a trailing slash: https://open.feishu.cn, https://open.larksuite.com or a gateway. */
  baseUrl: string;
  /** People of `mention_people` who receive the message too (see addLarkAppPeople). */
  people: LarkAppReceiver[];
}

/** One receiver of its own id type; `label` names it in results and logs (a person's name, not their id). */
export interface LarkAppReceiver {
  type: ReceiveIdType;
  id: string;
  label: string;
}

export const larkAppOptions: z.ZodType<LarkAppOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const get = (name: string): string => (raw[name] ?? '').trim();
  const problem = (input: string, message: string): void => ctx.addIssue({ code: 'custom', path: [input], message });

  const appId = get('app_id');
  if (appId === '')
    problem(
      'app_id',
      'missing; give the app id of the self-built app (cli_…, on the Credentials page of the developer console)',
    );
  const appSecret = get('app_secret');
  if (appSecret === '') problem('app_secret', 'missing; give the app secret (best as a secret: env:LARK_APP_SECRET)');

  const typeText = get('receive_id_type').toLowerCase() || 'email';
  const receiveIdType = RECEIVE_ID_TYPES.find((t) => t === typeText);
  if (!receiveIdType)
    problem('receive_id_type', `${shownValue(typeText, 30)} is not one of ${RECEIVE_ID_TYPES.join(', ')}`);

  const receiveIds = [...new Set(splitList(get('receive_ids')))];
  // With mention_people the people may be the only receivers.
  if (receiveIds.length === 0 && !mentionsPeople(raw))
    problem(
      'receive_ids',
      `missing; give who receives the message (${receiveIdType ?? 'email'} values, comma separated)`,
    );
  if (receiveIdType === 'email') {
    for (const id of receiveIds)
      if (!isEmailAddress(id))
        problem('receive_ids', `${shownValue(id, 100)} is not an e-mail address (receive_id_type is email)`);
  }

  const domainText = get('domain') || 'feishu';
  let baseUrl = DOMAINS[domainText.toLowerCase()] ?? null;
  if (!baseUrl && /^https?:\/\/[^\s?#]+$/i.test(domainText)) baseUrl = domainText.replace(/\/+$/, '');
  if (!baseUrl) problem('domain', 'expected feishu, lark or a base URL such as https://open.feishu.cn');

  if (
    !receiveIdType ||
    !baseUrl ||
    appId === '' ||
    appSecret === '' ||
    (receiveIds.length === 0 && !mentionsPeople(raw))
  )
    return z.NEVER;
  return { appId, appSecret, receiveIdType, receiveIds, baseUrl, people: [] };
});

/**
 * People are receivers of their own (a direct message): by `lark_open_id`, else directly by their
 * `lark_email` (im/v1 takes receive_id_type=email), whatever `receive_id_type` the configured
 * receivers use. Someone already among `receive_ids` gets one message.
 */
export function addLarkAppPeople(
  options: LarkAppOptions,
  selected: readonly SelectedPerson[],
): { options: LarkAppOptions; reached: SelectedPerson[]; recipients: number } {
  const seen = new Set([...options.receiveIds.map((id) => `${options.receiveIdType}:${id.toLowerCase()}`)]);
  for (const r of options.people) seen.add(`${r.type}:${r.id.toLowerCase()}`);
  const added: LarkAppReceiver[] = [];
  const reached: SelectedPerson[] = [];
  for (const person of selected) {
    const entry = person.entry;
    const receiver: LarkAppReceiver | null = entry?.lark_open_id
      ? { type: 'open_id', id: entry.lark_open_id, label: person.name }
      : entry?.lark_email
        ? { type: 'email', id: entry.lark_email, label: person.name }
        : null;
    if (!receiver) continue;
    reached.push(person);
    const keys = [
      `${receiver.type}:${receiver.id.toLowerCase()}`,
      ...(entry?.lark_email ? [`email:${entry.lark_email.toLowerCase()}`] : []),
      ...(entry?.lark_open_id ? [`open_id:${entry.lark_open_id.toLowerCase()}`] : []),
    ];
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    added.push(receiver);
  }
  const receivers = [...options.people, ...added];
  return {
    options: { ...options, people: receivers },
    reached,
    recipients: options.receiveIds.length + receivers.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Limits (§D.2): text ≤ 150 KB, card and post ≤ 30 KB, measured on the request body.

const BODY_LIMIT: Record<LarkAppMsgType, number> = { interactive: 30_000, post: 30_000, text: 150_000 };

// ---------------------------------------------------------------------------------------------
// Token (§D.1): one per app per run, shared by every target and receiver

interface TokenGrant {
  token: string;
  expiresAtMs: number;
}
type TokenResult = { ok: true; grant: TokenGrant } | { ok: false; outcome: DeliveryOutcome };
/** A token result and the token requests this call made (0 when the cached token was used). */
type TokenFetch = { result: TokenResult; attempts: number };

/** Keyed by base URL + app id + a hash of the secret (never the secret itself). */
const tokenCache = new Map<string, Promise<TokenResult>>();
/** A token is re-requested when less than this is left (Lark issues a new one in the last 30 min). */
const TOKEN_MARGIN_MS = 5 * 60_000;

/** Forgets every cached token (tests; a new run in a long-lived process gets fresh ones anyway on expiry). */
export function forgetLarkAppTokens(): void {
  tokenCache.clear();
}

function tokenKey(options: LarkAppOptions): string {
  return `${options.baseUrl}\n${options.appId}\n${createHash('sha256').update(options.appSecret).digest('hex')}`;
}

export function tokenRequest(options: LarkAppOptions): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${options.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ app_id: options.appId, app_secret: options.appSecret }),
    // Asking for a token twice only returns the token twice.
    idempotent: true,
  };
}

/** Lark's "slow down" codes: API frequency limit (99991400) and per-receiver message limit (230020). */
const RATE_CODES = new Set([99991400, 230020]);
const TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991668, 99991671]);

export function readTokenAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  const code = json ? numberField(json, 'code') : undefined;
  if (json && code === 0 && typeof json.tenant_access_token === 'string' && json.tenant_access_token !== '')
    return { ok: true };
  if (code === undefined) {
    return {
      ok: false,
      retry: false,
      error: `tenant_access_token: no Lark answer (${httpErrorLine(answer)})`,
      hint: 'check domain (feishu, lark or the base URL of the API)',
    };
  }
  return {
    ok: false,
    retry: RATE_CODES.has(code),
    error: `tenant_access_token: code ${code}${messageOf(json)}`,
    hint: RATE_CODES.has(code)
      ? 'rate limited'
      : 'check app_id/app_secret (Credentials page of the self-built app) and domain (feishu or lark)',
  };
}

async function tenantToken(ctx: SendContext<LarkAppOptions>, refresh: boolean): Promise<TokenFetch> {
  const key = tokenKey(ctx.options);
  const nowMs = ctx.now().getTime();
  const cached = refresh ? undefined : tokenCache.get(key);
  if (cached) {
    const result = await cached;
    if (!result.ok || result.grant.expiresAtMs - TOKEN_MARGIN_MS > nowMs) return { result, attempts: 0 };
  }
  let attempts = 0;
  const pending = (async (): Promise<TokenResult> => {
    const outcome = await ctx.http.deliver(tokenRequest(ctx.options), readTokenAnswer, {
      label: `lark_app ${ctx.target.name} token`,
    });
    attempts = outcome.attempts;
    const json = asObject(outcome.answer?.json);
    const token = json && typeof json.tenant_access_token === 'string' ? json.tenant_access_token : '';
    // A credential from now on: an error answer that echoes it must not put it in the log.
    if (token) ctx.registerSecret(token);
    if (!outcome.ok || !token) return { ok: false, outcome };
    const expire = numberField(json ?? {}, 'expire') ?? 7200;
    return { ok: true, grant: { token, expiresAtMs: nowMs + expire * 1000 } };
  })();
  tokenCache.set(key, pending);
  const result = await pending;
  // A failure is shared by the receivers waiting on it, but not kept for the next run.
  if (!result.ok && tokenCache.get(key) === pending) tokenCache.delete(key);
  return { result, attempts };
}

// ---------------------------------------------------------------------------------------------
// Request

/** ≤ 50 characters (§D.2), the same for a retry of the same (event, receiver): Lark sends it once. */
export function messageUuid(eventId: string, receiveIdType: ReceiveIdType, receiveId: string): string {
  return createHash('sha256').update(`${eventId}\n${receiveIdType}\n${receiveId}`).digest('hex').slice(0, 36);
}

/** The `content` object for the message type; the caller serialises it into a string. */
export function larkAppContent(
  message: MessageModel,
  type: LarkAppMsgType,
  mentions: LarkMentions,
  clip: Clip,
): unknown {
  switch (type) {
    case 'interactive': {
      // A shared card (`update_multi`), so a later step can edit it for everyone (update_multi
      // must be set before and after an edit: open.larkoffice.com …/im-v1/message/patch).
      const card = larkCard(message, mentions, { clip });
      return { ...card, config: { ...card.config, update_multi: true } };
    }
    case 'post':
      return larkPost(message, mentions, { clip });
    case 'text':
      return larkText(message, mentions, { clip });
  }
}

export interface LarkAppMessageBody {
  receive_id: string;
  msg_type: LarkAppMsgType;
  /** JSON-serialised content: im/v1 wants a string here, unlike the custom bot (§D.2). */
  content: string;
  uuid: string;
}

export function messageBody(
  receiveId: string,
  type: LarkAppMsgType,
  content: unknown,
  uuid: string,
): LarkAppMessageBody {
  return { receive_id: receiveId, msg_type: type, content: JSON.stringify(content), uuid };
}

export function messageRequest(
  options: LarkAppOptions,
  token: string,
  body: LarkAppMessageBody,
  receiveIdType: ReceiveIdType = options.receiveIdType,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${options.baseUrl}/open-apis/im/v1/messages?receive_id_type=${receiveIdType}`,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    // Lark sends one message per `uuid` within an hour (API_FACTS §D, LK-im): a resend is deduplicated.
    idempotent: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Answer (§D.2: errors come as HTTP 400 with a code, success is code 0)

const MESSAGE_HINTS: Record<number, string> = {
  230001: 'invalid parameter (see the message): check receive_id_type and receive_ids',
  230002: "the app's bot is not in this chat: add the bot to the group",
  230006: 'the app has no bot: enable the Bot capability and publish a new version',
  230013:
    "the receiver is not in the app's availability scope (or has left): add them under Availability and publish a new version, or check the id",
  230017: 'the bot is not the owner of this resource',
  230018: 'the group settings do not allow the bot to post',
  230025: 'the message is too long for Lark (30 KB card/post, 150 KB text): shorten the template',
  230027:
    'the app lacks a permission: enable im:message:send_as_bot (user_id also needs contact:user.employee_id:readonly) and publish a new version',
  230029: 'the receiver has left the organisation',
  230034: 'the receive_id does not fit receive_id_type: check both',
  230035: 'the bot may not send to this receiver (muted or blocked)',
  230038: 'cross-tenant direct messages are not allowed',
  230053: 'the receiver has turned off messages from this bot',
  232009: 'the chat has been dissolved',
};

export function readMessageAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  const code = json ? numberField(json, 'code') : undefined;
  if (code === 0) {
    const data = asObject(json?.data);
    return { ok: true, ...(typeof data?.message_id === 'string' ? { note: `message ${data.message_id}` } : {}) };
  }
  if (json === null || code === undefined) {
    return {
      ok: false,
      retry: false,
      error: `no Lark answer (${httpErrorLine(answer)})`,
      hint: 'check domain (feishu, lark or the base URL of the API)',
    };
  }
  const error = `code ${code}${messageOf(json)}`;
  if (RATE_CODES.has(code))
    return { ok: false, retry: true, error, hint: 'rate limited (5 messages per second per receiver)' };
  if (TOKEN_CODES.has(code))
    return { ok: false, retry: false, error, hint: 'the tenant_access_token was refused: check app_id/app_secret' };
  const hint = MESSAGE_HINTS[code];
  return { ok: false, retry: false, error, ...(hint ? { hint } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Send

export const larkApp: Channel<LarkAppOptions> = {
  type: 'lark_app',
  options: larkAppOptions,
  secrets: (options) => [options.appSecret],
  msgTypes: LARK_APP_MSG_TYPES,
  addPeople: addLarkAppPeople,
  edits: true,

  async send(ctx: SendContext<LarkAppOptions>): Promise<ChannelResult[]> {
    const { options, target, message } = ctx;
    const type = (LARK_APP_MSG_TYPES.find((t) => t === target.msg_type) ?? 'interactive') as LarkAppMsgType;
    // Mentions mean something in a group chat only; in a direct message the receiver is notified anyway.
    const mentions: LarkMentions =
      ctx.mention && options.receiveIdType === 'chat_id'
        ? { userIds: target.at_user_ids, all: target.at_all, names: target.at_names }
        : { userIds: [], all: false };
    const fitted = fitWithinBytes(
      (clip) => larkAppContent(message, type, mentions, clip),
      (content) => Buffer.byteLength(JSON.stringify(messageBody('x'.repeat(64), type, content, 'x'.repeat(36)))),
      BODY_LIMIT[type],
      truncationMarker(message.locale),
    );
    const receivers: LarkAppReceiver[] = [
      ...options.receiveIds.map((id) => ({ type: options.receiveIdType, id, label: id })),
      ...options.people,
    ];
    const sends = receivers.map((receiver) => ({
      receiver,
      body: messageBody(receiver.id, type, fitted.value, messageUuid(ctx.event.id, receiver.type, receiver.id)),
    }));
    const label = (receiver: LarkAppReceiver): string => `lark_app ${target.name} → ${receiver.label}`;

    if (ctx.dryRun) {
      // No token is fetched in a dry run: nothing leaves the runner.
      const results: ChannelResult[] = [];
      for (const { receiver, body } of sends) {
        const outcome = await ctx.http.deliver(
          messageRequest(options, '<tenant_access_token>', body, receiver.type),
          readMessageAnswer,
          { label: label(receiver) },
        );
        results.push({ ...outcome, receiver: receiver.label });
      }
      return results;
    }

    // Token requests count as attempts: each receiver's `attempts` includes the token requests its
    // delivery waited on (0 when the token came from the cache).
    const first = await tenantToken(ctx, false);
    if (!first.result.ok) {
      const failed = first.result.outcome;
      return sends.map(({ receiver }) => ({
        ...failed,
        attempts: first.attempts,
        answer: null,
        receiver: receiver.label,
      }));
    }
    let token = first.result.grant.token;
    const previous = editableCards(ctx, type);
    const sent = new Map<string, string>();

    const results = await Promise.all(
      sends.map(async ({ receiver, body }): Promise<ChannelResult> => {
        const key = receiverKey(receiver);
        const editId = previous?.[key];
        let edited: DeliveryOutcome | null = null;
        if (typeof editId === 'string') {
          edited = await ctx.http.deliver(patchRequest(options, token, editId, fitted.value), readMessageAnswer, {
            label: label(receiver),
          });
          // Token requests count as attempts here too.
          if (edited.ok) {
            sent.set(key, editId);
            return { ...edited, attempts: first.attempts + edited.attempts, receiver: receiver.label };
          }
          if (!messageGone(edited))
            return { ...edited, attempts: first.attempts + edited.attempts, receiver: receiver.label };
          ctx.log.warn(
            `the Lark card for ${receiver.label} cannot be edited (${edited.error ?? 'gone'}); sending a new one`,
          );
        }
        let outcome = await ctx.http.deliver(messageRequest(options, token, body, receiver.type), readMessageAnswer, {
          label: label(receiver),
        });
        let attempts = first.attempts + outcome.attempts;
        const code = numberField(asObject(outcome.answer?.json) ?? {}, 'code');
        if (!outcome.ok && code !== undefined && TOKEN_CODES.has(code)) {
          // The cached token was revoked or expired early: fetch a new one once and resend (same uuid).
          const again = await tenantToken(ctx, true);
          attempts += again.attempts;
          if (again.result.ok) {
            token = again.result.grant.token;
            outcome = await ctx.http.deliver(messageRequest(options, token, body, receiver.type), readMessageAnswer, {
              label: label(receiver),
            });
            attempts += outcome.attempts;
          }
        }
        const id = asObject(asObject(outcome.answer?.json)?.data)?.message_id;
        if (outcome.ok && typeof id === 'string') sent.set(key, id);
        if (edited) attempts += edited.attempts;
        return { ...outcome, attempts, receiver: receiver.label };
      }),
    );
    // One ref for the target: every receiver's message id, so each card is edited next time.
    const ref = sent.size > 0 ? encodeMessageRef('lark_app', Object.fromEntries(sent)) : null;
    return ref === null ? results : results.map((r) => (r.ok ? { ...r, message_ref: ref } : r));
  },
};

// ---------------------------------------------------------------------------------------------
// Editing a card sent earlier (input `update`): PATCH im/v1/messages/:message_id with the new card

function receiverKey(receiver: LarkAppReceiver): string {
  return `${receiver.type}:${receiver.id}`;
}

/** The message ids of the earlier cards by receiver, or null when there is nothing to edit. */
function editableCards(ctx: SendContext<LarkAppOptions>, type: LarkAppMsgType): Record<string, string | number> | null {
  if (!ctx.update) return null;
  const previous = decodeMessageRef(ctx.update, 'lark_app', []);
  if (previous === null) {
    ctx.log.warn('update: not a lark_app message_ref; sending new messages');
    return null;
  }
  if (type !== 'interactive') {
    ctx.log.info(`lark_app can edit interactive cards only, not ${type} messages; sending new messages`);
    return null;
  }
  return previous;
}

/** The card as the new content of message `messageId` (only cards sent by this app can be edited). */
export function patchRequest(
  options: LarkAppOptions,
  token: string,
  messageId: string,
  card: unknown,
): HttpRequestSpec {
  return {
    method: 'PATCH',
    url: `${options.baseUrl}/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ content: JSON.stringify(card) }),
  };
}

/**
 * An edit refused because the card is gone: recalled or deleted, past the 14 days Lark allows, or
 * no longer a message id it knows (open.larkoffice.com …/im-v1/message/patch, "使用限制"). The codes
 * are those the message APIs use for a recalled (230011) or deleted (230110) message; the words
 * catch the rest. *(inference: the patch page lists no codes of its own)*
 */
function messageGone(outcome: DeliveryOutcome): boolean {
  const json = asObject(outcome.answer?.json);
  const code = json ? numberField(json, 'code') : undefined;
  if (code === 230011 || code === 230110) return true;
  const msg = json && typeof json.msg === 'string' ? json.msg : '';
  return /recall|deleted|not exist|not found|expired|14 days|message_id/i.test(msg);
}

// ---------------------------------------------------------------------------------------------
// Small readers

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function numberField(json: Record<string, unknown>, name: string): number | undefined {
  const v = json[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** ": msg" from Lark's answer, one line and short. */
function messageOf(json: Record<string, unknown> | null): string {
  const msg = json && typeof json.msg === 'string' ? headUnits(oneLine(json.msg), 160) : '';
  return msg ? `: ${msg}` : '';
}
