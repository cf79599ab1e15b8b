/**
 * `jenkins`: triggers jobs through the Generic Webhook Trigger plugin (API_FACTS §E, DESIGN §5.1):
 * POST of the event JSON with `build_args` merged in at the top level, the token as a bearer token,
 * `query` appended to the URL. Success is what the plugin says: a job was found AND triggered.
 */
import { EVENT_BODY_FACTS } from '../event/facts.js';
import { z } from './schema.js';
import type { CiEvent } from '../event/types.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { USER_AGENT } from '../version.js';
import type { Channel, ChannelResult, SendContext } from './types.js';
import { blankAsMissing, deliveryLabel, httpUrlInput } from './webhook.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────

/** The plugin's endpoint (API_FACTS §E.1: `getUrlName()` + `doInvoke`). */
const INVOKE_PATH = 'generic-webhook-trigger/invoke';

export const jenkinsOptions = z
  .object({
    /** The invoke URL, or the Jenkins root URL (the invoke path is added). */
    url: httpUrlInput.transform(invokeUrl),
    token: z.preprocess(blankAsMissing, z.string().optional()),
    build_args: z.preprocess(blankAsMissing, z.string().optional()).transform((text, ctx) => {
      if (text === undefined) return {} as Record<string, unknown>;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a JSON object, e.g. {"deploy_env": "staging"} (not valid JSON)',
        });
        return z.NEVER;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a JSON object, e.g. {"deploy_env": "staging"}, not ${describeJson(parsed)}`,
        });
        return z.NEVER;
      }
      return parsed as Record<string, unknown>;
    }),
    query: z
      .preprocess(blankAsMissing, z.string().optional())
      .transform((text) => (text ?? '').trim().replace(/^[?&]+/, '')),
  })
  .superRefine((options, ctx) => {
    // Without a token the plugin only considers jobs the caller may see, i.e. it wants a logged-in
    // user (API_FACTS §E.1); the token in the query string is accepted as well.
    if (options.token === undefined && !new URL(options.url).searchParams.has('token')) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'required: the Generic Webhook Trigger token of the job (or ?token= in url)',
      });
    }
  });

export type JenkinsOptions = z.output<typeof jenkinsOptions>;

function invokeUrl(raw: string): string {
  const url = new URL(raw);
  if (!url.pathname.includes('generic-webhook-trigger')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${INVOKE_PATH}`;
  }
  return url.toString();
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

// ── request ──────────────────────────────────────────────────────────────────────────────────

/** Pure: the event with build_args on top, one serialisation for every attempt. */
export function buildJenkinsRequest(options: JenkinsOptions, event: CiEvent): HttpRequestSpec {
  const url = new URL(options.url);
  for (const [name, value] of new URLSearchParams(options.query)) url.searchParams.append(name, value);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    // Header variables in the job can pick these up as x_ci_notify_event / x_ci_notify_delivery (§E.2).
    'X-CI-Notify-Event': 'pipeline',
    'X-CI-Notify-Delivery': event.id,
  };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  return { method: 'POST', url: url.toString(), headers, body: JSON.stringify({ ...event, ...options.build_args }) };
}

// ── answer ───────────────────────────────────────────────────────────────────────────────────

interface TriggerResult {
  triggered?: boolean;
  id?: number;
  url?: string;
  regexpFilterText?: string;
  regexpFilterExpression?: string;
}

/**
 * API_FACTS §E.3: a wrong token is 404 (not 401); a regexp filter that did not match is still a
 * 200 with `triggered: false` — the user configured a filter that throws this notification away,
 * which is a misconfiguration they want to hear about, so it fails (not retried: it will not change).
 */
export function readJenkinsAnswer(answer: HttpAnswer): Verdict {
  const message = jenkinsMessage(answer);
  if (answer.status === 404) {
    return {
      ok: false,
      retry: false,
      error: `HTTP 404: ${message ?? 'no job found'}`,
      hint: 'no job has a Generic Webhook Trigger with this token — check token (and that url points at /generic-webhook-trigger/invoke)',
    };
  }
  if (answer.status === 403) {
    return {
      ok: false,
      retry: false,
      error: `HTTP 403: ${message ?? 'forbidden'}`,
      hint: "Jenkins' Generic Webhook Trigger whitelist refused this runner — add its host/IP (or HMAC) in Manage Jenkins → System → Generic Webhook Trigger",
    };
  }
  if (answer.status < 200 || answer.status >= 300) {
    return {
      ok: false,
      retry: isTransientStatus(answer.status),
      error: message ? `HTTP ${answer.status}: ${message}` : httpErrorLine(answer),
    };
  }

  const jobs = jobResults(answer.json);
  // silentResponse=true on every matched job answers a bare 200: the plugin found the jobs.
  if (jobs.length === 0) return { ok: true };
  const triggered = jobs.filter(([, result]) => result.triggered === true);
  const skipped = jobs.filter(([, result]) => result.triggered !== true);
  if (triggered.length === 0) {
    const first = skipped[0]?.[1];
    const filter =
      first?.regexpFilterExpression !== undefined
        ? ` (filter text "${first.regexpFilterText ?? ''}" does not match ${first.regexpFilterExpression})`
        : '';
    return {
      ok: false,
      retry: false,
      error: `Jenkins found ${names(skipped)} but triggered none${filter}`,
      hint: "the job's Generic Webhook Trigger optional filter (regexpFilterText / regexpFilterExpression) rejected this event",
    };
  }
  const note = `triggered ${triggered.map(([name, result]) => (result.id !== undefined ? `${name} (queue item ${result.id})` : name)).join(', ')}`;
  return { ok: true, note: skipped.length > 0 ? `${note}; not triggered by their filter: ${names(skipped)}` : note };
}

function jenkinsMessage(answer: HttpAnswer): string | null {
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message.trim() ? message.trim().replace(/\s*\n\s*/g, ' ') : null;
}

function jobResults(json: unknown): [string, TriggerResult][] {
  const jobs = (json as { jobs?: unknown } | undefined)?.jobs;
  if (!jobs || typeof jobs !== 'object') return [];
  return Object.entries(jobs as Record<string, unknown>).map(([name, value]) => [
    name,
    value && typeof value === 'object' ? (value as TriggerResult) : {},
  ]);
}

function names(jobs: [string, TriggerResult][]): string {
  return jobs.map(([name]) => name).join(', ');
}

// ── channel ──────────────────────────────────────────────────────────────────────────────────

/** `satisfies` keeps `send`'s single-result type for callers and tests. */
export const jenkins = {
  type: 'jenkins',
  options: jenkinsOptions,
  secrets: (options) => [options.url, options.token].filter((s): s is string => !!s),
  msgTypes: [],
  sendsEvent: true,
  // The body is the event (with build_args merged in).
  facts: () => EVENT_BODY_FACTS,
  async send(ctx: SendContext<JenkinsOptions>): Promise<ChannelResult> {
    const request = buildJenkinsRequest(ctx.options, ctx.event);
    return ctx.http.deliver(request, readJenkinsAnswer, {
      label: deliveryLabel(ctx.target.channel, ctx.target.name),
      timeoutMs: ctx.target.timeout_ms,
      retries: ctx.target.retries,
    });
  },
} satisfies Channel<JenkinsOptions>;
