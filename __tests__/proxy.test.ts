import { bypassesProxy, proxyAuthorization, proxyFor, proxySettings } from '../src/delivery/proxy.js';

describe('proxySettings', () => {
  it('takes the lower-case spelling first, as curl does, and falls back to the http proxy for https', () => {
    expect(proxySettings({ http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:1', NO_PROXY: 'a' })).toEqual({
      httpProxy: 'http://lower:1',
      httpsProxy: 'http://lower:1',
      noProxy: 'a',
    });
    expect(
      proxySettings({ HTTPS_PROXY: 'http://s:1', https_proxy: 'http://t:1', no_proxy: 'b', NO_PROXY: 'c' }),
    ).toEqual({
      httpProxy: '',
      httpsProxy: 'http://t:1',
      noProxy: 'b',
    });
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  const url = (u: string) => new URL(u);
  it.each([
    ['https://hooks.example.com/x', 'example.com', true],
    ['https://hooks.example.com/x', '.example.com', true],
    ['https://hooks.example.com/x', '*.example.com', true],
    ['https://example.com/x', 'example.com', true],
    ['https://notexample.com/x', 'example.com', false],
    ['https://example.com:8443/x', 'example.com:8443', true],
    ['https://example.com/x', 'example.com:8443', false],
    ['https://example.com/x', 'example.com:443', true],
    ['http://[::1]:8080/x', '::1', true],
    ['http://[::1]:8080/x', '[::1]:8080', true],
    ['https://a.test/x', 'b.test, a.test', true],
    ['https://a.test/x', 'b.test c.test', false],
    ['https://a.test/x', '*', true],
    ['https://a.test/x', '', false],
  ])('%s with NO_PROXY=%j → direct: %s', (target, noProxy, direct) => {
    expect(bypassesProxy(url(target), noProxy)).toBe(direct);
  });
});

describe('proxyFor', () => {
  const settings = { httpProxy: 'http://p:3128', httpsProxy: 'proxy.corp:8080', noProxy: 'internal' };
  it('picks the proxy of the target scheme, and reads a bare host:port as http://', () => {
    expect(proxyFor(new URL('http://x/'), settings)?.href).toBe('http://p:3128/');
    expect(proxyFor(new URL('https://x/'), settings)?.href).toBe('http://proxy.corp:8080/');
    expect(proxyFor(new URL('https://internal/'), settings)).toBeNull();
  });

  it('refuses a proxy it cannot use without quoting it (it may carry a password)', () => {
    expect(() => proxyFor(new URL('https://x/'), { ...settings, httpsProxy: 'socks5://u:secret@h:1' })).toThrow(
      'the proxy setting (HTTPS_PROXY/HTTP_PROXY) is not usable: socks5 proxies are not supported; use an http:// proxy',
    );
    expect(() => proxyFor(new URL('https://x/'), { ...settings, httpsProxy: 'http://u:secret@[bad' })).toThrow(
      /^the proxy setting \(HTTPS_PROXY\/HTTP_PROXY\) is not usable: expected a URL/,
    );
  });

  it('turns proxy credentials into Proxy-Authorization', () => {
    expect(proxyAuthorization(new URL('http://ci%40corp:p%3Ass@proxy:3128'))).toEqual({
      'Proxy-Authorization': `Basic ${Buffer.from('ci@corp:p:ss').toString('base64')}`,
    });
    expect(proxyAuthorization(new URL('http://proxy:3128'))).toEqual({});
  });
});
