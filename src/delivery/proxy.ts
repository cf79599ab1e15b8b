/**
 * Which proxy, if any, a request goes through: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the
 * injected environment (never process.env, so tests and the CLI decide), in both spellings.
 */

export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/**
 * curl's precedence: the lower-case name wins when both are set (`http_proxy` is the historical
 * spelling, and CGI-style environments can inject an upper-case `HTTP_PROXY` from a request
 * header). An https target without an https proxy uses the http one, as undici and requests do.
 */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const httpProxy = env.http_proxy || env.HTTP_PROXY || '';
  return {
    httpProxy,
    httpsProxy: env.https_proxy || env.HTTPS_PROXY || httpProxy,
    noProxy: env.no_proxy || env.NO_PROXY || '',
  };
}

/** The proxy for `target`, or null to go direct. A proxy value that is not a URL is an error naming it. */
export function proxyFor(target: URL, settings: ProxySettings): URL | null {
  const raw = target.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!raw || bypassesProxy(target, settings.noProxy)) return null;
  const proxy = proxyUrl(raw);
  if (!proxy) throw new ProxyConfigError('expected a URL such as http://proxy.example:3128');
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    throw new ProxyConfigError(`${proxy.protocol.slice(0, -1)} proxies are not supported; use an http:// proxy`);
  return proxy;
}

/** A proxy setting as a URL, or null when it is none. "proxy:3128" without a scheme is common in the wild and means http://. */
export function proxyUrl(raw: string): URL | null {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return null;
  }
}

export class ProxyConfigError extends Error {
  readonly code = 'ERR_PROXY_CONFIG';
  constructor(expected: string) {
    // Never quotes the value: a proxy URL can carry a password.
    super(`the proxy setting (HTTPS_PROXY/HTTP_PROXY) is not usable: ${expected}`);
  }
}

/**
 * NO_PROXY as curl and undici read it: comma- or space-separated host names, each matching the
 * host and its subdomains (a leading "." or "*." is the same), an optional ":port", and "*" for
 * everything. IP literals match exactly.
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy.split(/[\s,]+/)) {
    if (!entry) continue;
    if (entry === '*') return true;
    // A bare IPv6 address ("::1") has colons of its own; a port needs the [::1]:8080 form.
    const bareIpv6 = (entry.match(/:/g) ?? []).length > 1 && !entry.startsWith('[');
    const match = bareIpv6
      ? [entry, entry.toLowerCase()]
      : /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry.toLowerCase());
    if (!match) continue;
    const name = (match[1] ?? match[2] ?? '').replace(/^\*?\./, '');
    if (match[3] && match[3] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `Proxy-Authorization` for a proxy URL with credentials (http://user:pass@proxy:3128). */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}
