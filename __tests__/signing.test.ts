import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  dingtalkSign,
  dingtalkSignedUrl,
  hubSignature,
  larkSign,
  standardWebhookSignature,
} from '../src/delivery/signing.js';

describe('signing against the published test vectors (API_FACTS)', () => {
  it('GitHub X-Hub-Signature-256 reproduces the official vector (§F.1)', () => {
    expect(hubSignature('Hello, World!', "It's a Secret to Everybody", 'sha256')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('X-Hub-Signature sha1 matches the computed vector (§F.1)', () => {
    expect(hubSignature('Hello, World!', "It's a Secret to Everybody", 'sha1')).toBe(
      'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59',
    );
  });

  it('Standard Webhooks v1 reproduces the reference library vector (§F.2)', () => {
    expect(
      standardWebhookSignature(
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('Standard Webhooks uses a secret without whsec_ as raw UTF-8 key bytes', () => {
    const expected = createHmac('sha256', Buffer.from('plain-key', 'utf8')).update('id.1.body').digest('base64');
    expect(standardWebhookSignature('id', 1, 'body', 'plain-key')).toBe(`v1,${expected}`);
  });

  it('DingTalk signs ms timestamp + "\\n" + secret with the secret as key (§A.5)', () => {
    expect(dingtalkSign('SECexample0123456789', 1700000000000)).toEqual({
      timestamp: '1700000000000',
      sign: 'figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=',
    });
  });

  it('DingTalk URL-encodes the sign exactly once and keeps access_token (§A.5)', () => {
    expect(
      dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SECexample0123456789', 1700000000000),
    ).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D',
    );
  });

  it('Lark signs an empty message with seconds + "\\n" + secret as the key (§C.5)', () => {
    expect(larkSign('demo', 1599360473000)).toEqual({
      timestamp: '1599360473',
      sign: 'l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=',
    });
    // The DingTalk-style computation gives the wrong value the doc warns about.
    expect(larkSign('demo', 1599360473999).sign).not.toBe('DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ=');
  });

  it('hub signatures cover the UTF-8 bytes of non-ASCII bodies, as a receiver computes them', () => {
    const body = '{"title":"修复支付"}';
    const expected = createHmac('sha256', 'k').update(Buffer.from(body, 'utf8')).digest();
    const got = Buffer.from(hubSignature(body, 'k', 'sha256').slice('sha256='.length), 'hex');
    expect(timingSafeEqual(got, expected)).toBe(true);
  });
});
