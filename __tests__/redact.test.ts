import { Redactor, derivedForms, urlSecretParts } from '../src/delivery/redact.js';

describe('Redactor', () => {
  it('masks a secret raw, URL-encoded (both styles), JSON-escaped and in base64', () => {
    const secret = 'p@ss w/rd"+1';
    const redactor = new Redactor();
    redactor.add(secret);
    const line = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ].join(' | ');
    expect(redactor.redact(line)).toBe('*** | *** | *** | *** | *** | ***');
  });

  it('masks basic-auth credentials in their base64 Authorization form', () => {
    const redactor = new Redactor();
    redactor.addBasicAuth('deploy', 'hunter2-long');
    const header = `Authorization: Basic ${Buffer.from('deploy:hunter2-long').toString('base64')}`;
    expect(redactor.redact(header)).toBe('Authorization: Basic ***');
    expect(redactor.redact('password hunter2-long')).toBe('password ***');
  });

  it('masks the base64 Basic header of credentials written into a URL', () => {
    const redactor = new Redactor();
    redactor.add('https://ci:pa%24%24word99@hooks.example.com/in');
    const header = `Basic ${Buffer.from('ci:pa$$word99').toString('base64')}`;
    expect(redactor.redact(header)).toBe('Basic ***');
    expect(redactor.redact('pa$$word99 and pa%24%24word99')).toBe('*** and ***');
  });

  it('masks tokens cut out of a URL: query values, hook ids in the path, and their encoded forms', () => {
    const redactor = new Redactor();
    redactor.add('https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-1234-4abc-9def-abcdef012345');
    redactor.add('https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6a7b8c9d0');
    redactor.add('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
    expect(redactor.redact('hook 0f9e8d7c-1234-4abc-9def-abcdef012345 failed')).toBe('hook *** failed');
    // The registered URL is a prefix of the signed one: the whole URL part goes.
    expect(
      redactor.redact('https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6a7b8c9d0&timestamp=1&sign=x'),
    ).toBe('***&timestamp=1&sign=x');
    expect(
      redactor.redact('POST https://oapi.dingtalk.com/robot/send?timestamp=1&access_token=a1b2c3d4e5f6a7b8c9d0'),
    ).toBe('POST https://oapi.dingtalk.com/robot/send?timestamp=1&access_token=***');
    expect(redactor.redact(`token ${Buffer.from('a1b2c3d4e5f6a7b8c9d0').toString('base64')}`)).toBe('token ***');
    expect(
      redactor.redact(
        '{"url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"}',
      ),
    ).toBe('{"url":"***"}');
  });

  it('keeps lower-case route words of a URL path (they are not tokens) while masking the id beside them', () => {
    const redactor = new Redactor();
    redactor.add('https://jenkins.example.com/generic-webhook-trigger/invoke/Xk29sLq0Pzm4');
    expect(redactor.redact('url points at /generic-webhook-trigger/invoke/Xk29sLq0Pzm4')).toBe(
      'url points at /generic-webhook-trigger/invoke/***',
    );
  });

  it('masks the URL as WHATWG normalises it (trailing slash, lower-case host)', () => {
    const redactor = new Redactor();
    redactor.add('https://Hooks.Example.com?token=abcdefgh1234');
    expect(redactor.redact('POST https://hooks.example.com/?token=abcdefgh1234')).toBe('POST ***');
  });

  it('masks the first half of a secret cut off by a "…" truncation marker', () => {
    const redactor = new Redactor();
    redactor.add('SEC0123456789abcdef');
    expect(redactor.redact('body: {"sign":"SEC01234…')).toBe('body: {"sign":"***…');
    // Only right before the marker: the same letters elsewhere stay.
    expect(redactor.redact('SEC0 is a word')).toBe('SEC0 is a word');
  });

  it('masks a trimmed form of a secret pasted with a trailing newline', () => {
    const redactor = new Redactor();
    redactor.add('token-value-77\n');
    expect(redactor.redact('Bearer token-value-77')).toBe('Bearer ***');
  });

  it('ignores values too short to be secrets and empty ones', () => {
    const redactor = new Redactor();
    expect(redactor.add('')).toEqual([]);
    expect(redactor.add(undefined)).toEqual([]);
    expect(redactor.add('abc')).toEqual([]);
    expect(redactor.redact('abc')).toBe('abc');
  });

  it('returns every new form once, for ::add-mask::', () => {
    const redactor = new Redactor();
    const first = redactor.add('secret-1234');
    expect(first).toEqual(expect.arrayContaining(['secret-1234', Buffer.from('secret-1234').toString('base64')]));
    expect(redactor.add('secret-1234')).toEqual([]);
  });
});

describe('urlSecretParts', () => {
  it('finds userinfo, long query values and id-like path segments, not ordinary words', () => {
    expect(urlSecretParts('https://u:pw12@h.example.com/api/v2/hook/AbCdEf123456?x=1&token=longtoken1')).toEqual([
      'pw12',
      'pw12',
      'u:pw12',
      Buffer.from('u:pw12').toString('base64'),
      'u:pw12',
      'longtoken1',
      'longtoken1',
      'AbCdEf123456',
      'https://u:pw12@h.example.com/api/v2/hook/AbCdEf123456?x=1&token=longtoken1',
    ]);
    expect(urlSecretParts('not a url')).toEqual([]);
  });

  it('derives forms for a plain secret without treating it as a URL', () => {
    expect(derivedForms('a b/c')).toEqual(['a b/c', 'a%20b%2Fc', Buffer.from('a b/c').toString('base64'), 'a+b%2Fc']);
  });
});
