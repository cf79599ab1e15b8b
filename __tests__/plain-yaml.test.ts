import { parseDocument } from 'yaml';
import { parsePlainYamlList } from '../src/plain-yaml.js';
import { seededRandom } from './support/hostile-text.js';

/** What the yaml package reads (the reference), or 'refused' for a document with errors or warnings. */
function reference(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  return doc.errors.length || doc.warnings.length ? 'refused' : doc.toJS();
}

const KEYS = ['type', 'url', 'name', 'at_all', 'timeout', 'notify-on', 'secret', 'x_1'];
const ODD_KEYS = ['true', 'Null', '__proto__', 'url ', '-x', 'a b'];
/** Values of the subset, mostly; the rest of VALUES tries its edges. */
const COMMON = [
  'webhook',
  'env:HOOK_URL',
  'https://oapi.dingtalk.com/robot/send?access_token=abc&x=1#frag',
  'CI <ci@example.com>',
  'a #comment',
  "'single ''quoted'' # kept'",
  '"double: # kept"',
  '10',
  'true',
  'yes',
  '流水线 失败',
  '🚀 deploy',
  '${{ secrets.HOOK }}',
];
const VALUES = [
  'webhook',
  'env:HOOK_URL',
  'https://oapi.dingtalk.com/robot/send?access_token=abc&x=1#frag',
  'CI <ci@example.com>',
  'a: b',
  'ends:',
  'a #comment',
  'a# not a comment',
  "'single ''quoted'' # kept'",
  "'single' # comment",
  "'unterminated",
  "'a'b",
  '"double: # kept"',
  '"with \\" escape"',
  '"a\\nb"',
  '0',
  '10',
  '010',
  '-1',
  '+1',
  '1.5',
  '.5',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '.NaN',
  '123456789012345',
  '1234567890123456',
  'true',
  'False',
  'TRUE',
  'tRue',
  'yes',
  'no',
  'on',
  'off',
  'null',
  'Null',
  '~',
  '',
  '流水线 失败',
  '🚀 deploy',
  '=',
  'a = b',
  '{x}',
  'a {x} [y]',
  '[x]',
  '&anchor',
  '*alias',
  '!tag x',
  '|',
  '>',
  '%x',
  '@x',
  '`x`',
  '- x',
  '-x',
  '? x',
  '?x',
  ':x',
  'a\tb',
  'a\\b',
  'trailing   ',
  '${{ secrets.HOOK }}',
  'a,b',
  'a"b',
  "a'b",
  'a\u0085b',
];

function generate(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const eol = next() < 0.15 ? '\r\n' : '\n';
  const lines: string[] = [];
  const items = 1 + Math.floor(next() * 3);
  for (let i = 0; i < items; i++) {
    const dashSpaces = next() < 0.8 ? 1 : 2 + Math.floor(next() * 2);
    const keys = 1 + Math.floor(next() * 4);
    for (let k = 0; k < keys; k++) {
      if (next() < 0.1) lines.push(next() < 0.5 ? '' : `${' '.repeat(Math.floor(next() * 4))}# a comment`);
      const value = next() < 0.75 ? pick(COMMON) : pick(VALUES);
      const gap = next() < 0.9 ? ' ' : '   ';
      const key = next() < 0.97 ? pick(KEYS) : pick(ODD_KEYS);
      const pair = `${key}:${value === '' ? '' : gap + value}`;
      if (k === 0) lines.push(`-${' '.repeat(dashSpaces)}${pair}`);
      else {
        // Mostly under the item's first key; now and then one column off.
        const off = next() < 0.1 ? (next() < 0.5 ? -1 : 1) : 0;
        lines.push(`${' '.repeat(Math.max(1, 1 + dashSpaces + off))}${pair}`);
      }
    }
  }
  return lines.join(eol);
}

describe('parsePlainYamlList', () => {
  it('reads the lists people write exactly as the yaml package does', () => {
    const examples = [
      '- type: dingtalk\n  name: ops-group\n  url: env:DINGTALK_URL\n- type: wecom\n  url: env:WECOM_KEY\n  locale: zh',
      '- type: dingtalk\n  url: env:DINGTALK_URL\n  keyword: CI\n- type: email\n  smtp_url: env:SMTP_URL\n  from: CI <ci@example.com>',
      '# targets\n- type: webhook   # the receiver\n  url: \'https://example.com/hook?a=1&b=2\'\n  timeout: 30\n  at_all: true\n\n-   type: lark\n    url: "env:LARK_HOOK"\n',
      '- type: webhook\r\n  url: https://example.com/a#b\r\n  retries: 0',
    ];
    for (const text of examples) {
      const plain = parsePlainYamlList(text);
      expect(plain).toBeDefined();
      expect(plain).toEqual(reference(text));
    }
    expect(parsePlainYamlList(examples[2]!)).toEqual([
      { type: 'webhook', url: 'https://example.com/hook?a=1&b=2', timeout: 30, at_all: true },
      { type: 'lark', url: 'env:LARK_HOOK' },
    ]);
  });

  it('leaves everything outside the subset to yaml', () => {
    for (const text of [
      '- type: webhook\n  headers:\n    Authorization: env:AUTH', // a nested mapping
      '- type: webhook\n  template: |\n    {"a": 1}', // a block scalar
      '[{"type": "webhook"}]', // flow
      'type: webhook\nurl: x', // a mapping, not a list
      '- type: webhook\n  url: &u https://x\n- type: webhook\n  url: *u', // anchors
      '- type: webhook\n  type: jenkins', // a duplicate key (yaml: an error)
      '- type: webhook\n  url: x\n   more: y', // another indentation
      '- type: "a\\tb"', // an escape
      '- type: webhook\n  timeout: 1.5', // a float
      '- type: webhook\n  name: null', // null
      '---\n- type: webhook',
      '',
      '# nothing',
    ])
      expect(parsePlainYamlList(text)).toBeUndefined();
  });

  it('agrees with yaml on every generated list it reads, and reads many of them', () => {
    const next = seededRandom(20261204);
    let read = 0;
    let left = 0;
    for (let i = 0; i < 6000; i++) {
      const text = generate(next);
      const plain = parsePlainYamlList(text);
      if (plain === undefined) {
        left++;
        continue;
      }
      read++;
      // A difference shows the text that caused it.
      expect({ text, value: plain }).toEqual({ text, value: reference(text) });
    }
    // Neither side trivially: most of the generated lists hold some value outside the subset.
    expect(read).toBeGreaterThan(600);
    expect(left).toBeGreaterThan(600);
  });
});
