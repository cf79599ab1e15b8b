import { parseParams } from '../src/event/params.js';

describe('parseParams', () => {
  it('reads key=value lines, trimming space around keys and values', () => {
    expect(parseParams('env=prod\n  region = cn-hangzhou  \nversion=1.2.3')).toEqual({
      params: { env: 'prod', region: 'cn-hangzhou', version: '1.2.3' },
      errors: [],
    });
  });

  it('keeps every "=" after the first one in the value', () => {
    expect(parseParams('link=https://example.com/?a=b&c=d')).toEqual({
      params: { link: 'https://example.com/?a=b&c=d' },
      errors: [],
    });
  });

  it('ignores blank lines and # comments, and accepts CRLF line ends', () => {
    expect(parseParams('# deployment\r\n\r\nenv=prod\r\n   # indented comment\r\n')).toEqual({
      params: { env: 'prod' },
      errors: [],
    });
  });

  it('names each line that is not key=value by its line number and keeps the good lines', () => {
    expect(parseParams('env=prod\njust words\n=no key\nregion=eu')).toEqual({
      params: { env: 'prod', region: 'eu' },
      errors: ['params: line 2 is not key=value', 'params: line 3 is not key=value'],
    });
  });

  it('lets a repeated key keep its last value', () => {
    expect(parseParams('env=staging\nenv=prod')).toEqual({ params: { env: 'prod' }, errors: [] });
  });

  it('allows an empty value', () => {
    expect(parseParams('note=')).toEqual({ params: { note: '' }, errors: [] });
  });

  it('keeps a key named __proto__ as a plain key instead of changing the prototype', () => {
    const { params } = parseParams('__proto__=x');
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(JSON.stringify(params)).toBe('{"__proto__":"x"}');
  });

  it('gives no params and no errors for empty input', () => {
    expect(parseParams('')).toEqual({ params: {}, errors: [] });
    expect(parseParams(undefined)).toEqual({ params: {}, errors: [] });
  });
});
