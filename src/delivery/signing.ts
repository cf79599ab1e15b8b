/**
 * Request signing, one function per scheme. The four look alike and are easy to mix up
 * (USER_VOICES #1), so each names its key, message, encoding and unit explicitly.
 */

/**
 * node:crypto on the first signature, not at load: loading it costs 5–7 ms of start-up (callgrind:
 * +18 M instructions on Node 20, +28 M on Node 24) and many runs sign nothing.
 * process.getBuiltinModule is Node ≥ 20.16. For the Node 20 releases before it, the bundler turns
 * the `require` call into its own lazy load of the builtin, at the call; not `createRequire` from
 * node:module, whose import would load `module` and internal/source_map on every run that loads a
 * signing channel.
 */
let crypto: typeof import('node:crypto') | undefined;
/** node:crypto, loaded on the first call (see above); for every hash a request needs. */
export function nodeCrypto(): typeof import('node:crypto') {
  crypto ??=
    (process.getBuiltinModule as typeof process.getBuiltinModule | undefined)?.('node:crypto') ??
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: a lazy, bundled load
    (require('node:crypto') as typeof import('node:crypto'));
  return crypto;
}

function createHmac(algorithm: string, key: string | Buffer): import('node:crypto').Hmac {
  return nodeCrypto().createHmac(algorithm, key);
}

/**
 * DingTalk (API_FACTS §A.5): key = secret, message = `${ms}\n${secret}`, base64. The caller puts
 * `timestamp` and `sign` in the query with URLSearchParams, which URL-encodes exactly once.
 */
export function dingtalkSign(secret: string, nowMs: number): { timestamp: string; sign: string } {
  const timestamp = String(nowMs); // milliseconds
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return { timestamp, sign };
}

/** Adds DingTalk's `timestamp` and `sign` to a webhook URL, keeping access_token. */
export function dingtalkSignedUrl(webhook: string, secret: string, nowMs: number): string {
  const { timestamp, sign } = dingtalkSign(secret, nowMs);
  const url = new URL(webhook);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('sign', sign);
  return url.toString();
}

/**
 * Lark/Feishu custom bot (API_FACTS §C.5): key = `${seconds}\n${secret}`, message = EMPTY, base64.
 * Both go into the JSON body as strings, not encoded.
 */
export function larkSign(secret: string, nowMs: number): { timestamp: string; sign: string } {
  const timestamp = String(Math.floor(nowMs / 1000)); // seconds
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { timestamp, sign };
}

/** GitHub-compatible body signature (API_FACTS §F.1): `sha256=<hex HMAC of the raw body>`. */
export function hubSignature(body: string, secret: string, algorithm: 'sha256' | 'sha1'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * Standard Webhooks (API_FACTS §F.2): key = base64-decoded secret (after `whsec_`), message =
 * `${id}.${seconds}.${body}`, header value `v1,<base64>`.
 */
export function standardWebhookSignature(id: string, timestampSeconds: number, body: string, secret: string): string {
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8');
  const sig = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${sig}`;
}
