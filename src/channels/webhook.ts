/**
 * `webhook`: the event to any HTTP endpoint (DESIGN §5.1). The wire format is a contract other
 * programs rely on: JSON of the CiEvent, X-CI-Notify-* headers, GitHub-compatible or Standard
 * Webhooks signatures over the exact bytes sent; or a CDEvents event; or the payload receivers of
 * Alibaba Cloud Flow or Zadig expect (flow.ts, zadig.ts); or the user's template.
 */
import { z } from './schema.js';
import { EVENT_BODY_FACTS } from '../event/facts.js';
import type { CiEvent } from '../event/types.js';
import { httpErrorLine, readHttpStatus } from '../delivery/http.js';
import { hubSignature, standardWebhookSignature } from '../delivery/signing.js';
import type { HttpAnswer, HttpMethod, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { templateFacts } from '../render/facts.js';
import { USER_AGENT } from '../version.js';
import { toCdevent } from './cdevents.js';
import { toFlowPayload } from './flow.js';
import { toZadigPayload, zadigHeaders, zadigWebhookUuid } from './zadig.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────

/** '' means "not given" for every input (action inputs and NOTIFY_* variables are never absent). */
export function blankAsMissing(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A required http(s) URL. The message never quotes the value: URLs carry tokens. */
export const httpUrlInput = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim() || undefined : value),
  z.string({ error: 'expected an http(s) URL' }).refine(isHttpUrl, { message: 'expected an http(s) URL' }),
);

/** `Name: value` per line; blank lines and `#` comments are skipped. */
export function parseHeaderLines(text: string): {
  headers: [string, string][];
  badLine: number | null;
  problem?: string;
} {
  const headers: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line || line.startsWith('#')) continue;
    // A CR (or any control character) in a value would end the header on the wire and start another.
    // eslint-disable-next-line no-control-regex -- control characters are what is refused here
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(line))
      return { headers, badLine: i + 1, problem: 'a header value cannot contain a line break or a control character' };
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) return { headers, badLine: i + 1 };
    headers.push([match[1] as string, (match[2] as string).trim()]);
  }
  return { headers, badLine: null };
}

export const SIGNATURES = ['sha256', 'sha1', 'standard'] as const;
export const FORMATS = ['json', 'cdevents', 'flow', 'zadig', 'template'] as const;

const upperCaseWord = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const lowerCaseWord = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const webhookOptions = z
  .object({
    url: httpUrlInput,
    method: z.preprocess(
      (v) => upperCaseWord(blankAsMissing(v)),
      z.enum(['POST', 'GET', 'PUT'], { error: 'expected POST, GET or PUT' }).default('POST'),
    ),
    headers: z.preprocess(blankAsMissing, z.string().optional()).transform((text, ctx) => {
      if (!text) return [] as [string, string][];
      const { headers, badLine, problem } = parseHeaderLines(text);
      if (badLine !== null) {
        // The line is not quoted: a header line is as likely as not to hold a token.
        ctx.addIssue({ code: 'custom', message: `line ${badLine}: ${problem ?? 'expected "Name: value"'}` });
        return z.NEVER;
      }
      return headers;
    }),
    username: z.preprocess(blankAsMissing, z.string().optional()),
    password: z.preprocess(blankAsMissing, z.string().optional()),
    format: z.preprocess(
      (v) => lowerCaseWord(blankAsMissing(v)),
      z.enum(FORMATS, { error: 'expected json, cdevents, flow, zadig or template' }).default('json'),
    ),
    signature: z.preprocess(
      (v) => lowerCaseWord(blankAsMissing(v)),
      z.enum(SIGNATURES, { error: 'expected sha256, sha1 or standard' }).default('sha256'),
    ),
    secret: z.preprocess(blankAsMissing, z.string().optional()),
    /** Read only to check that `format: template` has one; rendering uses target.template. */
    template: z.preprocess(blankAsMissing, z.string().optional()),
  })
  .superRefine((options, ctx) => {
    if (options.password !== undefined && options.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'required when password is set (basic auth)' });
    }
    if (options.format === 'template' && options.template === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['template'],
        message: 'required when format is template (it is the request body)',
      });
    }
    if (options.method === 'GET' && options.format !== 'json') {
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: `GET sends no body; format ${options.format} needs POST or PUT`,
      });
    }
  })
  .transform(({ template: _template, ...options }) => options);

export type WebhookOptions = z.output<typeof webhookOptions>;

/** Header names whose values are credentials (their values are registered as secrets). */
const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|signature/i;

// ── request ──────────────────────────────────────────────────────────────────────────────────

export interface WebhookBody {
  contentType: string | null;
  body: string | undefined;
  extraHeaders: Record<string, string>;
}

/** The bytes to send, serialised once: every attempt and every signature covers exactly these. */
export function webhookBody(
  options: WebhookOptions,
  event: CiEvent,
  renderTemplate: (mode: 'text' | 'json', escapeValue?: (value: string) => string) => string,
  now: Date,
  targetName = 'webhook',
): WebhookBody {
  if (options.method === 'GET') return { contentType: null, body: undefined, extraHeaders: {} };
  if (options.format === 'flow') {
    return { contentType: 'application/json', body: JSON.stringify(toFlowPayload(event)), extraHeaders: {} };
  }
  if (options.format === 'zadig') {
    // The URL without user:password, so moving credentials into `password` keeps the same uuid.
    const uuid = zadigWebhookUuid(splitUrlCredentials(options.url).url, targetName);
    const body = JSON.stringify(toZadigPayload(event));
    return { contentType: 'application/json', body, extraHeaders: zadigHeaders(event, uuid) };
  }
  if (options.format === 'cdevents') {
    const { headers, body } = toCdevent(event, now);
    const { 'Content-Type': contentType = 'application/json', ...ceHeaders } = headers;
    return { contentType, body, extraHeaders: ceHeaders };
  }
  if (options.format === 'template') {
    // A template that renders to JSON (values JSON-escaped, DESIGN §4) is sent as JSON. Anything
    // else (a form body, a line of text) is rendered with values as they are and labelled
    // text/plain, so neither quotes appear around values nor does a receiver try to parse JSON.
    const json = renderTemplate('json');
    if (isJson(json)) return { contentType: 'application/json', body: json, extraHeaders: {} };
    // A form body labelled as one (headers): each value form-encoded, so a commit title holding
    // "&status=success" stays inside its own field instead of adding or overriding one.
    if (options.headers.some(([name, value]) => /^content-type$/i.test(name) && FORM_TYPE.test(value)))
      return {
        contentType: 'application/x-www-form-urlencoded',
        body: renderTemplate('text', formValue),
        extraHeaders: {},
      };
    return { contentType: 'text/plain; charset=utf-8', body: renderTemplate('text'), extraHeaders: {} };
  }
  return { contentType: 'application/json', body: JSON.stringify(event), extraHeaders: {} };
}

const FORM_TYPE = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;

/** One value of an application/x-www-form-urlencoded body (URLSearchParams' encoding: a space is `+`). */
function formValue(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** GET carries the essentials in the query string (DESIGN §5.1); null values are left out. */
export function webhookGetUrl(url: string, event: CiEvent): string {
  const target = new URL(url);
  const query: [string, string | null][] = [
    ['id', event.id],
    ['status', event.status],
    ['repository', event.repository.full_name],
    ['ref', event.ref.name],
    ['sha', event.commit.sha],
    ['pipeline_url', event.pipeline.url],
  ];
  for (const [name, value] of query) if (value !== null) target.searchParams.set(name, value);
  return target.toString();
}

/**
 * Builds one attempt's request. Pure given `now`: the Standard Webhooks timestamp is part of the
 * signed content, so the client calls this again for each attempt.
 */
export function buildWebhookRequest(
  options: WebhookOptions,
  event: CiEvent,
  payload: WebhookBody,
  now: Date,
): HttpRequestSpec {
  const { url, basicAuth } = splitUrlCredentials(options.url);
  const headers = new HeaderList();
  if (payload.contentType) headers.set('Content-Type', payload.contentType);
  headers.set('User-Agent', USER_AGENT);
  headers.set('X-CI-Notify-Event', 'pipeline');
  headers.set('X-CI-Notify-Delivery', event.id);
  for (const [name, value] of Object.entries(payload.extraHeaders)) headers.set(name, value);
  const user = options.username ?? basicAuth?.user;
  if (user !== undefined) {
    const password = options.username !== undefined ? (options.password ?? '') : (basicAuth?.password ?? '');
    headers.set('Authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  }
  // The user's headers win over ours (a receiver may want its own Content-Type or User-Agent) …
  for (const [name, value] of options.headers) headers.set(name, value);
  // … but not over the signature, which must match the bytes we send.
  if (options.secret) {
    const signed = payload.body ?? '';
    if (options.format === 'zadig') {
      // Zadig sends the Secret Token itself, not a signature: what its receivers compare.
      headers.set('X-Zadig-Token', options.secret);
    } else if (options.signature === 'standard') {
      const seconds = Math.floor(now.getTime() / 1000);
      headers.set('webhook-id', event.id);
      headers.set('webhook-timestamp', String(seconds));
      headers.set('webhook-signature', standardWebhookSignature(event.id, seconds, signed, options.secret));
    } else if (options.signature === 'sha1') {
      headers.set('X-Hub-Signature', hubSignature(signed, options.secret, 'sha1'));
    } else {
      headers.set('X-Hub-Signature-256', hubSignature(signed, options.secret, 'sha256'));
    }
  }
  const method: HttpMethod = options.method;
  return {
    method,
    url: method === 'GET' ? webhookGetUrl(url, event) : url,
    headers: headers.toRecord(),
    ...(payload.body !== undefined ? { body: payload.body } : {}),
    // X-CI-Notify-Delivery (and webhook-id) is the same on every attempt: receivers dedupe on it.
    idempotent: true,
  };
}

// ── answer ───────────────────────────────────────────────────────────────────────────────────

/** Any 2xx is success; the common refusals get a hint that names the input to check. */
export function readWebhookAnswer(answer: HttpAnswer): Verdict {
  const verdict = readHttpStatus(answer);
  if (verdict.ok) return verdict;
  const hint = WEBHOOK_HINTS[answer.status];
  return hint ? { ...verdict, error: httpErrorLine(answer), hint } : verdict;
}

const WEBHOOK_HINTS: Record<number, string> = {
  401: 'the receiver wants credentials: check username/password, headers or secret',
  403: 'the receiver refused: check secret and signature (the receiver must verify the same scheme), headers or username/password',
  404: 'check url (the receiver has no such path)',
  405: 'check method (the receiver does not accept it)',
  410: 'the receiver says this endpoint is gone (Standard Webhooks: stop sending); check url',
  413: 'the receiver rejects the body size; try format template with a smaller body',
  415: 'the receiver rejects the Content-Type; set it with headers or use format template',
};

// ── channel ──────────────────────────────────────────────────────────────────────────────────

/** `satisfies` keeps `send`'s single-result type for callers and tests. */
export const webhook = {
  type: 'webhook',
  options: webhookOptions,
  secrets(options) {
    const secrets = [options.url, options.secret, options.password];
    if (options.username !== undefined) {
      secrets.push(Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64'));
    }
    const { basicAuth } = splitUrlCredentials(options.url);
    if (basicAuth)
      secrets.push(basicAuth.password, Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64'));
    for (const [name, value] of options.headers) if (CREDENTIAL_HEADER.test(name)) secrets.push(value);
    return secrets.filter((s): s is string => !!s);
  },
  msgTypes: [],
  sendsEvent: true,
  facts(options, target) {
    // GET: id, status, repository, ref, sha and the run URL, all known without the API.
    if (options.method === 'GET') return [];
    if (options.format === 'template') return templateFacts(target.template);
    // Flow names the failed jobs in its message; Zadig has the stages with their jobs and the times.
    if (options.format === 'flow') return ['jobs'];
    if (options.format === 'zadig') return ['timing', 'jobs'];
    return EVENT_BODY_FACTS;
  },
  async send(ctx: SendContext<WebhookOptions>): Promise<ChannelResult> {
    const { options, event } = ctx;
    const render = (mode: 'text' | 'json', escapeValue?: (value: string) => string) =>
      ctx.render(ctx.target.template, mode, escapeValue);
    const payload = webhookBody(options, event, render, ctx.now(), ctx.target.name);
    return ctx.http.deliver(() => buildWebhookRequest(options, event, payload, ctx.now()), readWebhookAnswer, {
      label: deliveryLabel(ctx.target.channel, ctx.target.name),
      timeoutMs: ctx.target.timeout_ms,
      retries: ctx.target.retries,
    });
  },
} satisfies Channel<WebhookOptions>;

/** "webhook" for an unnamed target, "webhook ops" for a named one. */
export function deliveryLabel(channel: string, name: string): string {
  return name === channel || name.startsWith(`${channel}#`) ? name : `${channel} ${name}`;
}

/**
 * Users paste `https://user:pass@host`: the credentials move into Authorization and out of the URL,
 * so `username`/`password` inputs can win over them and the URL that is logged carries none.
 */
export function splitUrlCredentials(raw: string): {
  url: string;
  basicAuth: { user: string; password: string } | null;
} {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw, basicAuth: null };
  const basicAuth = { user: safeDecode(url.username), password: safeDecode(url.password) };
  url.username = '';
  url.password = '';
  return { url: url.toString(), basicAuth };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Case-insensitive header names that keep the spelling of whoever set them last. */
class HeaderList {
  private readonly entries = new Map<string, [string, string]>();

  set(name: string, value: string): void {
    this.entries.set(name.toLowerCase(), [name, value]);
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.entries.values());
  }
}
