/**
 * The README's message examples are what the channels build for the MESSAGES.md sample: each block
 * after a `<!-- message: CHANNEL TYPE LOCALE -->` comment equals the real default payload.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPayloads } from './support/default-payloads.js';
import { failureWithJobs } from './support/sample-events.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- message: ([\w ]+?) -->\n\n```(\w+)\n([\s\S]*?)\n```/g)].map((m) => ({
  name: m[1]!,
  lang: m[2]!,
  text: m[3]!,
}));

function built(name: string): unknown {
  const [, , locale] = name.split(' ');
  const p = defaultPayloads(failureWithJobs(), locale === 'zh' ? 'zh' : 'en');
  switch (name.split(' ').slice(0, 2).join(' ')) {
    case 'dingtalk actionCard':
      return p.dingtalk;
    case 'wecom markdown':
      return (p.wecom as { markdown: { content: string } }).markdown.content;
    case 'lark interactive':
      return p.lark;
    case 'email text':
      return p.email.text;
    default:
      throw new Error(`README.md names an unknown message example: ${name}`);
  }
}

describe('README message examples', () => {
  it('has the DingTalk, WeCom (en and zh), Lark and e-mail examples', () => {
    expect(examples.map((e) => e.name)).toEqual([
      'dingtalk actionCard en',
      'wecom markdown en',
      'wecom markdown zh',
      'lark interactive en',
      'email text en',
    ]);
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s is what the channel builds', (_, example) => {
    const expected = built(example.name);
    if (example.lang === 'json') expect(JSON.parse(example.text)).toEqual(expected);
    // Markdown formatting drops trailing spaces, such as the one of the "-- " signature line.
    else expect(example.text).toBe((expected as string).replace(/ +$/gm, ''));
  });
});
