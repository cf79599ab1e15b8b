/**
 * What a failed attempt means for the user and for the retry loop: one line that says what went
 * wrong and at which stage, and whether sending again can help without posting twice.
 */
import { formatSeconds } from './text.js';
import { TunnelRefused, type Attempt, type Stage } from './transport.js';

export interface FailureVerdict {
  error: string;
  retry: boolean;
}

type Failed = Extract<Attempt, { kind: 'failed' }>;

/**
 * The rule (issue 13 #1, #8):
 * - nothing left our side (DNS, connect, CONNECT, TLS, a request cut while being sent): retried,
 *   unless retrying cannot change the answer (unknown host, bad certificate, invalid request);
 * - the whole request was sent and no answer came (reset, closed, timed out): the platform may
 *   have it, so it is retried only when the request carries an idempotency key the receiver
 *   deduplicates on; a reset of a kept-alive connection before any answer is the server closing
 *   an idle socket, and is retried;
 * - the answer's headers arrived: the platform has it; never retried.
 */
export function judgeFailure(
  attempt: Failed,
  timeoutMs: number,
  idempotent: boolean,
  /** A GET: it changes nothing at the other end, so there is no delivery to duplicate. */
  readOnly = false,
): FailureVerdict {
  const code = errorCode(attempt.error) ?? errorCode((attempt.error as { cause?: unknown } | null)?.cause);
  if (!attempt.timedOut && code && INVALID_REQUEST.has(code))
    return { error: `invalid request: ${errorMessage(attempt.error)}`, retry: false };
  if (attempt.error instanceof TunnelRefused) {
    const status = attempt.error.status;
    return { error: `${attempt.error.message}${TUNNEL_HINTS[status] ?? ''}`, retry: status === 429 || status >= 500 };
  }
  const what = attempt.timedOut
    ? `timed out after ${formatSeconds(timeoutMs)}${TIMEOUT_STAGE[attempt.stage]}`
    : describeNetworkError(attempt.error, code);
  if (!attempt.timedOut && code && PERMANENT.test(code)) return { error: `${what}; not retried`, retry: false };
  if (attempt.stage === 'tunnel' && !attempt.timedOut) return { error: `${what} ${AT_THE_PROXY}`, retry: true };
  if (attempt.stage === 'read') return { error: `${what}${readOnly ? READING : MAY_HAVE_ARRIVED.read}`, retry: false };
  if (attempt.stage === 'wait') {
    const idleSocketClosed = attempt.reused && !attempt.timedOut && code === 'ECONNRESET';
    if (idempotent || idleSocketClosed) return { error: what, retry: true };
    return { error: `${what}${MAY_HAVE_ARRIVED.wait}`, retry: false };
  }
  return { error: what, retry: true };
}

const TIMEOUT_STAGE: Record<Stage, string> = {
  connect: ' connecting',
  tunnel: ' waiting for the proxy to open a tunnel (CONNECT)',
  send: ' sending the request',
  wait: ' waiting for the answer',
  read: '',
};

const READING = ' while reading the answer';

const MAY_HAVE_ARRIVED: Record<'wait' | 'read', string> = {
  wait: ' after the request was sent in full (it may have been delivered; not retried to avoid a duplicate)',
  read: `${READING} (the request may have been delivered; not retried to avoid a duplicate)`,
};

const AT_THE_PROXY = 'while asking the proxy for a tunnel (CONNECT)';

const TUNNEL_HINTS: Record<number, string> = {
  403: ' Forbidden — the proxy does not allow this host; add it to NO_PROXY or ask for it to be allowed',
  407: ' Proxy Authentication Required — put the credentials in the proxy URL (http://user:password@proxy:port)',
  502: ' Bad Gateway — the proxy could not reach the host',
};

/** Errors of the request itself: sending it again sends the same mistake. */
const INVALID_REQUEST = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_PROTOCOL',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_PROXY_CONFIG',
]);

/**
 * Failures a retry cannot fix within a run: the name does not resolve, the certificate is not one
 * we trust (TLS verification is never switched off), or the port does not speak TLS.
 */
const PERMANENT =
  /^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*|.*CERT.*|UNABLE_TO_.*|.*SELF_SIGNED.*|HOSTNAME_MISMATCH)$/;

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection closed by the server without an answer',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host name could not be resolved (DNS)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain contains a self-signed certificate (set NODE_EXTRA_CA_CERTS?)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate issuer is unknown (set NODE_EXTRA_CA_CERTS?)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'TLS handshake failed: the server does not speak HTTPS on this port (http:// instead of https://?)',
};

function describeNetworkError(error: unknown, code: string | undefined): string {
  const known = code ? NETWORK_ERRORS[code] : undefined;
  if (known) return `${known} (${code})`;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return `network error: ${errorMessage(cause ?? error) || errorMessage(error)}${code ? ` (${code})` : ''}`;
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}
