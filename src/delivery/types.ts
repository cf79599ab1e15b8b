/** What a channel asks the network for, and what comes back. Building a request is pure; the client executes it. */
import type { PaceSpec } from './pacing.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface HttpRequestSpec {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Serialised once, so a signature covers exactly the bytes that are sent. */
  body?: string;
  /**
   * The request carries a key the receiver deduplicates on (a webhook delivery id, Lark's `uuid`),
   * so it may be sent again when the connection dies after the whole request was sent and before
   * an answer. Without it such a request is not resent: it may have been delivered (issue 13 #8).
   * GET and PUT are idempotent anyway.
   */
  idempotent?: boolean;
  /** A chat robot with a documented rate: requests to it are queued to that rate within the run. */
  pace?: PaceSpec;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** `text` parsed as JSON when it is JSON, else undefined. */
  json: unknown;
}

/**
 * How a channel reads the platform's answer. `retry: true` only for "slow down"/transient codes;
 * `retryAfterMs` overrides the backoff for that attempt.
 */
export type Verdict =
  { ok: true; note?: string } | { ok: false; retry: boolean; error: string; hint?: string; retryAfterMs?: number };

export interface DeliveryOutcome {
  ok: boolean;
  /** Requests actually sent (0 in a dry run). */
  attempts: number;
  status_code: number | null;
  /** One line, redacted, with the hint appended ("… — check keyword"). */
  error: string | null;
  duration_ms: number;
  /** The last answer (for channels that need data from it, e.g. an access token). */
  answer: HttpAnswer | null;
  dry_run: boolean;
  /** Milliseconds this delivery waited for its robot's rate limit (absent when it did not wait). */
  paced_ms?: number;
}

export interface DeliverOptions {
  /** Per-request timeout; defaults to the run's `timeout`. */
  timeoutMs?: number;
  /** Retries on transient failures; defaults to the run's `retries`. */
  retries?: number;
  /** A label for log lines ("dingtalk ops-group"). */
  label?: string;
  /** Called as each request leaves: what an interrupted run says its in-flight targets sent. */
  onAttempt?: () => void;
}

export interface HttpClient {
  /**
   * Sends `request` (a factory is called again for every attempt, so time-based signatures are
   * fresh), retries network errors, 408, 429, 5xx and verdicts with `retry: true` with exponential
   * backoff and jitter honouring Retry-After; never other 4xx. `read` decides success from the
   * platform's own answer (default: any 2xx). In a dry run it prints the redacted request and
   * returns `{ ok: true, dry_run: true, attempts: 0 }`.
   *
   * Retry rule, exactly: an answer the verdict calls ok is final. Otherwise a 408, 429 or 5xx
   * answer is retried (the server said "transient", whatever its body says); any other answer
   * (2xx with a platform error code, 3xx, other 4xx) only when the verdict says `retry: true`.
   * A timeout or network error before the answer's headers is retried; one after them is not
   * (the platform got the request, and sending it again could duplicate the notification).
   */
  deliver(
    request: HttpRequestSpec | (() => HttpRequestSpec),
    read?: (answer: HttpAnswer) => Verdict,
    options?: DeliverOptions,
  ): Promise<DeliveryOutcome>;

  /** Closes the connection pool (keep-alive sockets); a no-op when nothing was sent. */
  close(): Promise<void>;
}
