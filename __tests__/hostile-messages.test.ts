/**
 * Issue 13 #2: untrusted commit text can never blank a notification. Against the loopback
 * stand-ins (they enforce each platform's limits and answer its real errors), for every message
 * type of DingTalk, WeCom, Lark and lark_app: a 50 KB first line of "x@all ", a 50 KB author of
 * "@", and a message full of "@" or of newlines through `${commit.message}` are cut — the title,
 * the repository, the branch and the author stay, the platform accepts the message, and nobody is
 * mentioned.
 */
import type { Channel } from '../src/channels/types.js';
import { dingtalk } from '../src/channels/dingtalk.js';
import { forgetLarkAppTokens, larkApp } from '../src/channels/lark-app.js';
import { lark } from '../src/channels/lark.js';
import { wecom } from '../src/channels/wecom.js';
import type { CiEvent } from '../src/event/types.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { sampleEvent } from './support/fixtures.js';
import { startLarkAppServer } from './support/lark-app-server.js';
import { startLarkServer } from './support/lark-server.js';
import { robotContext } from './support/robot-context.js';
import { failureWithJobs } from './support/sample-events.js';
import { startWeComServer } from './support/wecom-server.js';

const WJ = '\u2060';
const commit = sampleEvent().commit;

interface Case {
  name: string;
  event: CiEvent;
  template: string;
  /** What of the author must still be there. */
  author: string;
}

const CASES: Case[] = [
  {
    name: 'a 50 KB first line of "x@all "',
    event: failureWithJobs({ commit: { ...commit, title: 'x@all '.repeat(8_500), message: 'x@all '.repeat(8_500) } }),
    template: '',
    author: 'Mona Lisa',
  },
  {
    name: 'a 50 KB author of "@"',
    event: failureWithJobs({ commit: { ...commit, author: { name: '@'.repeat(50_000), email: null, login: null } } }),
    template: '',
    author: `@${WJ}@${WJ}@${WJ}`,
  },
  {
    name: 'a message full of "@" through ${commit.message}',
    event: failureWithJobs({ commit: { ...commit, message: '@'.repeat(50_000) } }),
    template: '${commit.message}\nby ${commit.author.name}',
    author: 'by Mona Lisa',
  },
  {
    name: 'a message full of newlines through ${commit.message}',
    event: failureWithJobs({ commit: { ...commit, message: `start${'\n'.repeat(50_000)}end` } }),
    template: '${commit.message}\nby ${commit.author.name}',
    author: 'by Mona Lisa',
  },
];

const TITLE = '❌ acme/api · main · CI #128 failed (was passing)';

/** Every string in a received payload, joined: what a reader could see. */
function visible(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (Array.isArray(payload)) return payload.map(visible).join('\n');
  if (typeof payload === 'object' && payload !== null) return Object.values(payload).map(visible).join('\n');
  return '';
}

function expectNoMention(text: string): void {
  expect(text).not.toMatch(/@(?!\u2060)/);
  expect(text).not.toMatch(/<at\b|<@/i);
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  forgetLarkAppTokens();
});

async function deliver<O>(channel: Channel<O>, raw: Record<string, string>, c: Case, msg_type: string) {
  const run = robotContext(channel, { raw, event: c.event, target: { msg_type, template: c.template } });
  closers.push(run.close);
  const out = await channel.send(run.ctx);
  return Array.isArray(out) ? out : [out];
}

describe.each(CASES)('$name', (c) => {
  it.each(['actionCard', 'markdown', 'text', 'link', 'feedCard'])(
    'DingTalk %s keeps the title, the repository, the branch and the author, and is accepted',
    async (msgType) => {
      const server = await startDingTalkServer();
      closers.push(server.close);
      const [result] = await deliver(dingtalk, { url: server.url }, c, msgType);
      expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
      const payload = server.received[0] as Record<string, Record<string, string>>;
      const body = payload[msgType === 'feedCard' ? 'feedCard' : msgType]!;
      const text = visible(payload);
      if (msgType === 'feedCard') expect(visible(body)).toContain(TITLE);
      else if (msgType === 'text') expect(body.content!.startsWith(`${TITLE}\n`)).toBe(true);
      else expect(body.title).toBe(TITLE);
      if (msgType === 'actionCard' || msgType === 'markdown') expect(body.text).toContain('**acme/api** · main');
      if (msgType !== 'feedCard' && !(msgType === 'link' && c.template !== '')) expect(text).toContain(c.author);
      expectNoMention(text);
      expect(payload.at).toBeUndefined();
    },
  );

  it.each(['markdown', 'text', 'markdown_v2', 'news', 'template_card'])(
    'WeCom %s keeps the title, the repository, the branch and the author, and is accepted',
    async (msgType) => {
      const server = await startWeComServer();
      closers.push(server.close);
      const [result] = await deliver(wecom, { url: server.url }, c, msgType);
      expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
      expect(server.received).toHaveLength(1);
      const text = visible(server.received[0]);
      if (msgType === 'template_card') {
        expect(text).toContain('acme/api');
        expect(text).toContain('CI #128 · main');
        expect(text).toContain('❌ failed (was passing)');
      } else if (msgType === 'markdown') {
        expect(text).toContain('❌ acme/api · main · CI #128 <font color="warning">failed (was passing)</font>');
      } else {
        expect(text).toContain(TITLE);
      }
      if (msgType !== 'news' && msgType !== 'template_card') expect(text).toContain(c.author);
      expectNoMention(text);
    },
  );

  it.each(['interactive', 'post', 'text'])(
    'Lark %s keeps the title, the repository, the branch and the author, and is accepted',
    async (msgType) => {
      const server = await startLarkServer();
      closers.push(server.close);
      const [result] = await deliver(lark, { url: server.url }, c, msgType);
      expect(result).toMatchObject({ ok: true, attempts: 1, error: null });
      const text = visible(server.received[0]);
      expect(text).toContain(TITLE);
      expect(text).toContain(c.author);
      expectNoMention(text);
    },
  );

  it.each(['interactive', 'post', 'text'])(
    'lark_app %s keeps the title and the author and is accepted',
    async (msgType) => {
      const server = await startLarkAppServer({
        apps: { cli_x: 'app-secret' },
        users: { 'ann@example.com': 'ou_ann' },
      });
      closers.push(server.close);
      const results = await deliver(
        larkApp,
        { app_id: 'cli_x', app_secret: 'app-secret', receive_ids: 'ann@example.com', domain: server.url },
        c,
        msgType,
      );
      expect(results).toMatchObject([{ ok: true, error: null }]);
      const text = visible(server.received[0]!.content);
      expect(text).toContain(TITLE);
      expect(text).toContain(c.author);
      expectNoMention(text);
    },
  );
});
