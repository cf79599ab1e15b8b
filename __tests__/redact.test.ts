import {
  Redactor,
  allEncodedForms,
  derivedForms,
  encodedForms,
  isMaskable,
  urlSecretParts,
} from '../src/delivery/redact.js';

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

  it('takes every query value of 8 characters or more once decoded, however it is written', () => {
    const values = (url: string) => urlSecretParts(url).filter((p) => p !== url && p !== new URL(url).href);
    expect(values('https://h.example/x?a=1234567&b=abcdefg&c')).toEqual([]);
    expect(values('https://h.example/x?a=12345678')).toEqual(['12345678', '12345678']);
    expect(values('https://h.example/x?t=1&k=%41%42%43%44%45%46%47%48')).toEqual(['ABCDEFGH', 'ABCDEFGH']);
    expect(values('https://h.example/x?k=a+b+c+d+&z')).toEqual(['a b c d ', 'a%20b%20c%20d%20']);
    expect(values('https://h.example/x?=abcdefgh12')).toEqual(['abcdefgh12', 'abcdefgh12']);
  });

  it('derives forms for a plain secret without treating it as a URL', () => {
    expect(derivedForms('a b/c')).toEqual([
      'a b/c',
      'a%20b%2Fc',
      'a%20b%2fc',
      'a b\\/c',
      Buffer.from('a b/c').toString('base64'),
      'a+b%2Fc',
      'A B/C',
      Buffer.from('a b/c').toString('base64url'),
    ]);
  });
});

describe('the forms other programs show a secret in', () => {
  it('masks it upper- and lower-cased', () => {
    const redactor = new Redactor();
    redactor.add('https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6a7b8c9d0');
    redactor.add('MixedCaseToken42');
    expect(redactor.redact('A1B2C3D4E5F6A7B8C9D0 mixedcasetoken42 MIXEDCASETOKEN42')).toBe('*** *** ***');
  });

  it('masks it in base64url and in base64 without padding', () => {
    const secret = 'k>>?~secret?~>>';
    const redactor = new Redactor();
    redactor.add(secret);
    const url = Buffer.from(secret).toString('base64url');
    const plain = Buffer.from(secret).toString('base64');
    expect([url === plain.replace(/=+$/, ''), /[-_]/.test(url)]).toEqual([false, true]);
    expect(redactor.redact(`jwt ${url}. basic ${plain.replace(/=+$/, '')}.`)).toBe('jwt ***. basic ***.');
  });

  it("masks a token cut to its first 16 characters, but not a URL's first 16 (they are no secret)", () => {
    const redactor = new Redactor();
    redactor.add('xoxb-1234567890-abcdefghijkl');
    redactor.add('https://oapi.dingtalk.com/robot/send?access_token=f0e1d2c3b4a5968778695a4b');
    expect(
      redactor.redact('token xoxb-1234567890- (shown cut) and f0e1d2c3b4a59687 at https://oapi.dingtalk.com/x'),
    ).toBe('token *** (shown cut) and *** at https://oapi.dingtalk.com/x');
  });
});

describe('short and common-word secrets', () => {
  it('does not register a common word: a secret "true" or "fail" would garble every log and JSON output', () => {
    const redactor = new Redactor();
    for (const word of ['true', 'fail', 'FALSE', ' success ', 'none']) {
      expect([word, isMaskable(word), redactor.add(word)]).toEqual([word, false, []]);
    }
    const line = '❌ hook (webhook): failed: HTTP 500 [3 ms] {"ok":true,"skipped":false} fail_on_error is false';
    expect(redactor.redact(line)).toBe(line);
  });

  it('masks a short secret only as a whole token, so words that contain it stay readable', () => {
    const redactor = new Redactor();
    redactor.add('state');
    redactor.add('pw12');
    expect(redactor.redact('state: the statement of pw12, not pw123 nor state_x; (state) "pw12"')).toBe(
      '***: the statement of ***, not pw123 nor state_x; (***) "***"',
    );
  });

  it('still masks the encoded forms of a short secret wherever they are (they are long and distinctive)', () => {
    const redactor = new Redactor();
    redactor.add('hunter2');
    expect(redactor.redact(`Basic${Buffer.from('hunter2').toString('base64')}x`)).toBe('Basic***x');
  });
});

describe('a secret as endpoints and other programs echo it', () => {
  const secret = 'SEC_ret*Value_2024-xyz&m\u00f6re/x';

  it('masks it percent-encoded the RFC 3986 way (Python, Go, curl) and with lower-case hex digits', () => {
    const redactor = new Redactor();
    redactor.add(secret);
    const strict = encodeURIComponent(secret).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    const line = [
      strict,
      strict.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      encodeURIComponent(secret).toLowerCase(),
    ];
    expect(line.map((l) => redactor.redact(`a=${l};`))).toEqual(['a=***;', 'a=***;', `a=${line[2]};`]);
  });

  it('masks it JSON-escaped the way Go (\\u0026), PHP (\\/ and \\u00f6) and Python (ensure_ascii) write it', () => {
    const redactor = new Redactor();
    redactor.add(secret);
    const go = JSON.stringify(secret).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    const ascii = JSON.stringify(secret).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const php = ascii.replace(/\//g, '\\/');
    expect([go, ascii, php].map((j) => redactor.redact(`{"echo":${j}}`))).toEqual([
      '{"echo":"***"}',
      '{"echo":"***"}',
      '{"echo":"***"}',
    ]);
  });

  it('masks all of a long token cut or wrapped after its first 16 characters, not only those 16', () => {
    const token = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    const redactor = new Redactor();
    redactor.add(token);
    expect(redactor.redact(`key ${token.slice(0, 30)}…`)).toBe('key ***…');
    expect(redactor.redact(`key ${token.slice(0, 20)}\n${token.slice(20)} end`)).toBe('key *** end');
    expect(redactor.redact(`key ${token.slice(0, 20)} ${token.slice(20)} end`)).toBe('key *** end');
  });

  it('masks it quoted in an HTML error page, with entities', () => {
    const redactor = new Redactor();
    redactor.add(secret);
    expect(redactor.redact('<p>bad key SEC_ret*Value_2024-xyz&amp;m\u00f6re/x</p>')).toBe('<p>bad key ***</p>');
  });

  it('masks it split across lines (a wrapped answer), also once the lines were joined with spaces', () => {
    const redactor = new Redactor();
    redactor.add('Tk9pQ2xvc2VBbmRTZWNyZXQ1234');
    expect(redactor.redact('token: Tk9pQ2xv\r\n  c2VBbmRTZWNy\nZXQ1234 ok')).toBe('token: *** ok');
    expect(redactor.redact('echo Tk9pQ2xvc2 VBbmRTZWNyZXQ1234 and')).toBe('echo *** and');
    // Words that only share letters with it stay, and so does a name that a short id spells.
    expect(redactor.redact('Tk9p Q2xv c2VB other')).toBe('Tk9p Q2xv c2VB other');
    redactor.add('MonaLisa');
    expect(redactor.redact('mentions Mona Lisa; MonaLisa')).toBe('mentions Mona Lisa; ***');
  });

  it('masks every line of a multi-line secret (a key) on its own', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END KEY-----\n';
    const redactor = new Redactor();
    const forms = redactor.add(key);
    expect(forms).toEqual(expect.arrayContaining(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7']));
    expect(redactor.redact('line 2 is MIIEvQIBADANBgkqhkiG9w0BAQEFAASC; 3 is BKcwggSjAgEAAoIBAQC7.')).toBe(
      'line 2 is ***; 3 is ***.',
    );
  });
});

describe('a secret whole and wrapped in the same text', () => {
  it('masks both, and a secret inside a longer one, whichever comes first', () => {
    const token = 'Tk9pQ2xvc2VBbmRTZWNyZXQ1234';
    const redactor = new Redactor();
    redactor.add(token);
    redactor.add(`https://hooks.example.com/x/${token}`);
    expect(
      redactor.redact(`POST https://hooks.example.com/x/${token} (key ${token.slice(0, 10)}\n  ${token.slice(10)})`),
    ).toBe('POST *** (key ***)');
    expect(
      redactor.redact(`${token.slice(0, 5)} ${token.slice(5)} then ${token} then https://hooks.example.com/x/${token}`),
    ).toBe('*** then *** then ***');
  });

  it('masks many secrets that begin alike (webhook URLs on one host) exactly as one longest-first pass would', () => {
    let seed = 41;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const token = () =>
      Array.from({ length: 20 }, () => 'ABCDEFGHJKMNPQRSTVWXYZabcdefgh0123456789'[random(40)]).join('');
    const redactor = new Redactor();
    const tokens = Array.from({ length: 8 }, token);
    const forms: string[] = [];
    for (let i = 0; i < 60; i++) {
      const secret = i % 3 ? `https://hooks.example.com/hook/${tokens[i % 8]}?t=${i}` : tokens[i % 8]!;
      forms.push(...redactor.add(secret));
    }
    // A long secret whose first 16 characters are a form of their own, inside a shorter one of
    // another beginning; and a form that holds *** and shows only once another form is masked.
    const long = `${tokens[0]}${'Z'.repeat(40)}`;
    forms.push(...redactor.add(long), ...redactor.add(`https://h.example/${long.slice(0, 24)}`));
    forms.push(...redactor.add('QQQQQQQQQQQQQQQQQQQQ'), ...redactor.add('c***def12'), ...redactor.add('Xy12Ab90'));
    const longestFirst = [...forms].sort((a, b) => b.length - a.length);
    const onePass = (text: string) => longestFirst.reduce((out, form) => out.split(form).join('***'), text);
    for (const short of [
      `see https://h.example/${long.slice(0, 24)} now`,
      'abcQQQQQQQQQQQQQQQQQQQQdef12',
      'key=Xy12Ab90',
    ])
      for (const text of [short, `${short} ${'.'.repeat(2000)}`]) {
        expect({ text, out: redactor.redact(text) }).toEqual({ text, out: onePass(text) });
      }
    expect(redactor.redact('abcQQQQQQQQQQQQQQQQQQQQdef12')).toBe('ab***');
    expect(redactor.redact('key=Xy12Ab90')).toBe('key=***'); // a form of 8 at the very end
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: 1 + random(5) }, () =>
        random(3) ? forms[random(forms.length)] : `x${token()}`,
      ).join(random(2) ? ' ' : ',');
      // Short texts are read position by position (more groups of forms than characters), long
      // ones searched for each group: both ways must mask the same.
      for (const variant of [text, `${'.'.repeat(2000)} ${text}`]) {
        expect({ variant, out: redactor.redact(variant) }).toEqual({ variant, out: onePass(variant) });
      }
    }
  });

  it('leaves no registered long form in the text, whole or with whitespace in it (random texts)', () => {
    let seed = 20261204;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = (n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('');
    for (let round = 0; round < 300; round++) {
      const redactor = new Redactor();
      const secrets = Array.from({ length: 1 + Math.floor(random() * 4) }, () => token(16 + Math.floor(random() * 30)));
      // Some secrets contain another, as a URL contains its token.
      if (random() < 0.5) secrets.push(`https://example.com/hook/${pick(secrets)}?x=1`);
      for (const secret of secrets) redactor.add(secret);
      const parts: string[] = [];
      for (let i = 0; i < 6; i++) {
        if (random() < 0.5) {
          parts.push(pick(['POST', 'to', 'key:', 'ok', '→', '(', ')', token(3)]));
          continue;
        }
        const secret = pick(secrets);
        if (random() < 0.5) parts.push(secret);
        else {
          const cut = 1 + Math.floor(random() * (secret.length - 1));
          parts.push(`${secret.slice(0, cut)}${pick([' ', '\n', '\r\n  ', '\t'])}${secret.slice(cut)}`);
        }
      }
      const text = parts.join(pick([' ', '\n', '']));
      const out = redactor.redact(text);
      const compact = out.replace(/\s+/g, '');
      for (const secret of secrets) {
        expect({ text, out, found: compact.includes(secret) }).toEqual({ text, out, found: false });
      }
    }
  });
});

describe('derivedForms encodings', () => {
  it('holds the form-urlencoded form URLSearchParams writes, for every printable ASCII character and beyond', () => {
    const characters = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', '中', '😀'];
    for (const c of characters) {
      const secret = `Ab1${c}zz${c}Q9`;
      expect(derivedForms(secret)).toContain(new URLSearchParams({ v: secret }).toString().slice(2));
      expect(derivedForms(secret)).toContain(encodeURIComponent(secret));
    }
  });

  it('short-cuts tokens and URLs to exactly the distinct forms, in order, that every encoder gives', () => {
    // Seeded: every printable ASCII character, a few that are not, and URL-shaped values, each
    // character class of the short cuts mixed with one from outside it.
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = [
      ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
      '\x7f',
      'é',
      '\n',
      '\u2028',
    ];
    const values = ['https://hooks.example.com/a/B1?x=1&y=%2F', 'abc', 'A_b-c.d', 'x!y*z(1)~', 'a/b', ''];
    for (let i = 0; i < 3000; i++) {
      const pool = random(3) === 0 ? alphabet : alphabet.slice(1, 95).filter((c) => !`"&'<>\\`.includes(c));
      values.push(Array.from({ length: 1 + random(24) }, () => pool[random(pool.length)]).join(''));
      values.push(`https://h.example/${values[values.length - 1]}`);
    }
    for (const value of values) {
      const forms = (list: string[]) => [...new Set(list)];
      expect({ value, forms: forms(encodedForms(value)) }).toEqual({ value, forms: forms(allEncodedForms(value)) });
    }
  });

  it('takes a secret with a lone surrogate (URL encoders send U+FFFD) without throwing', () => {
    const secret = 'abcd\ud800efgh';
    expect(derivedForms(secret)).toEqual(
      expect.arrayContaining([secret, new URLSearchParams({ v: secret }).toString().slice(2)]),
    );
  });
});
