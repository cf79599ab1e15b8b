import { z } from '../src/channels/schema.js';
import type { Channel } from '../src/channels/types.js';
import { TRIGGER_WORDS } from '../src/event/transition.js';
import { loadSettings, namedChannelTypes, prepareYaml } from '../src/settings.js';

/** A registry with two small channels whose option schemas behave like the real ones. */
const hook: Channel<{ url: string; secret?: string | undefined }> = {
  type: 'webhook',
  options: z.object({
    url: z
      .string({ error: 'required; expected an http(s) URL' })
      .regex(/^https?:\/\/[^\s/]+/, { error: 'expected an http(s) URL' }),
    secret: z.string().optional(),
  }),
  secrets: (o) => [o.url, o.secret ?? ''],
  msgTypes: [],
  send: async () => {
    throw new Error('not used');
  },
};
const robot: Channel<{ url: string }> = {
  ...(hook as unknown as Channel<{ url: string }>),
  type: 'dingtalk',
  options: z.object({ url: z.string().min(1, { error: 'required' }) }),
  secrets: (o) => [o.url],
  msgTypes: ['actionCard', 'markdown', 'text'],
};
const registry = { webhook: hook, dingtalk: robot };

async function load(raw: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  await prepareYaml(raw);
  return loadSettings(raw, env, registry);
}

describe('settings', () => {
  it('turns flat inputs into one target with typed common settings', async () => {
    const s = await load({
      channel: 'webhook',
      url: 'https://hooks.example.com/abc',
      status: 'failed',
      notify_on: 'failure, fixed',
      mention_on: 'failure',
      at_mobiles: '138; 139\n140',
      fields: 'repository commit',
      locale: 'zh-CN',
      timeout: '5',
      retries: '1',
    });
    expect(s.errors).toEqual([]);
    expect(s.invalid).toEqual([]);
    expect(s.targets).toHaveLength(1);
    expect(s.targets[0]?.settings).toEqual({
      name: 'webhook',
      index: 0,
      channel: 'webhook',
      notify_on: ['failure', 'fixed'],
      mention_on: ['failure'],
      title: '',
      template: '',
      msg_type: '',
      fields: ['repository', 'commit'],
      locale: 'zh',
      keyword: '',
      at_mobiles: ['138', '139', '140'],
      at_user_ids: [],
      at_all: false,
      mention_people: [],
      timeout_ms: 5000,
      retries: 1,
      raw: {
        url: 'https://hooks.example.com/abc',
        notify_on: 'failure, fixed',
        mention_on: 'failure',
        at_mobiles: '138; 139\n140',
        fields: 'repository commit',
        locale: 'zh-CN',
        timeout: '5',
        retries: '1',
      },
    });
    expect(s.targets[0]?.options).toEqual({ url: 'https://hooks.example.com/abc' });
    expect(s.secrets).toContain('https://hooks.example.com/abc');
  });

  it.each([
    ['at_user_ids', 'all', { at_user_ids: [], at_mobiles: [], at_all: true }],
    ['at_user_ids', '@all', { at_user_ids: [], at_mobiles: [], at_all: true }],
    ['at_user_ids', 'ALL, zhangsan', { at_user_ids: ['zhangsan'], at_mobiles: [], at_all: true }],
    ['at_mobiles', '13800000000; @All', { at_user_ids: [], at_mobiles: ['13800000000'], at_all: true }],
    ['at_mobiles', 'allison 13800000000', { at_user_ids: [], at_mobiles: ['allison', '13800000000'], at_all: false }],
  ])('reads %s: %j as at_all (everyone) plus the other ids, never as an id "all"', async (input, value, expected) => {
    const s = await load({ channel: 'dingtalk', url: 'token-1234567890', [input]: value });
    expect(s.errors).toEqual([]);
    const { at_user_ids, at_mobiles, at_all } = s.targets[0]!.settings;
    expect({ at_user_ids, at_mobiles, at_all }).toEqual(expected);
  });

  it('keeps at_all from "all" in a channels entry and in the inherited top-level list', async () => {
    const s = await load({
      channels: JSON.stringify([
        { type: 'dingtalk', name: 'own', url: 'token-1234567890', at_mobiles: 'all' },
        { type: 'dingtalk', name: 'inherited', url: 'token-1234567890' },
      ]),
      at_user_ids: '@all',
    });
    expect(s.targets.map((t) => [t.settings.name, t.settings.at_all, t.settings.at_user_ids])).toEqual([
      ['own', true, []],
      ['inherited', true, []],
    ]);
  });

  it('reads a YAML channels list, resolves env: references and inherits run-wide inputs', async () => {
    const s = await load(
      {
        channels:
          '- type: webhook\n  name: deploy\n  url: env:HOOK\n  secret: env:HOOK_SECRET\n- type: dingtalk\n  url: env:DING\n  msg_type: MARKDOWN\n',
        notify_on: 'failure',
        locale: 'zh',
      },
      { HOOK: 'https://h.example.com/x', HOOK_SECRET: 's3cr3t-value', DING: 'dingtoken123456' },
    );
    expect(s.errors).toEqual([]);
    expect(s.invalid).toEqual([]);
    expect(
      s.targets.map((t) => [
        t.settings.name,
        t.settings.channel,
        t.settings.notify_on,
        t.settings.locale,
        t.settings.msg_type,
      ]),
    ).toEqual([
      ['deploy', 'webhook', ['failure'], 'zh', ''],
      ['dingtalk', 'dingtalk', ['failure'], 'zh', 'markdown'],
    ]);
    expect(s.targets[0]?.options).toEqual({ url: 'https://h.example.com/x', secret: 's3cr3t-value' });
    expect(s.secrets).toEqual(expect.arrayContaining(['https://h.example.com/x', 's3cr3t-value', 'dingtoken123456']));
  });

  it('reads a JSON channels list without loading the YAML parser', async () => {
    const s = await load({
      channels:
        '[{"type":"webhook","url":"https://a.example.com/1"},{"type":"webhook","url":"https://a.example.com/2"}]',
    });
    expect(s.targets.map((t) => t.settings.name)).toEqual(['webhook#1', 'webhook#2']);
  });

  it('reports an unparsable channels input by position, never quoting its text', async () => {
    const s = await load({ channels: '- type: webhook\n  url: https://secret.example.com/TOKEN123\n - bad: [' });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatch(/^channels: not a valid YAML or JSON list \(line \d+, column \d+\)/);
    expect(s.errors[0]).not.toContain('TOKEN123');
  });

  it('reports every bad target with its index and name, and keeps the good ones', async () => {
    const s = await load(
      {
        channels: JSON.stringify([
          { type: 'webhook', name: 'good', url: 'https://ok.example.com/' },
          { type: 'ntfy', name: 'later', url: 'https://x' },
          { type: 'webhook', name: 'broken', url: 'not a url', locale: 'fr' },
          { type: 'webhook', url: 'env:MISSING_VAR' },
          { type: 'dingtalk', url: 't', msg_type: 'poster' },
        ]),
      },
      {},
    );
    expect(s.errors).toEqual([]);
    expect(s.targets.map((t) => t.settings.name)).toEqual(['good']);
    expect(s.invalid).toEqual([
      {
        name: 'later',
        index: 1,
        channel: 'ntfy',
        errors: [
          'channels[1] "later" type: unknown channel "ntfy"; expected one of dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat, mattermost',
        ],
      },
      {
        name: 'broken',
        index: 2,
        channel: 'webhook',
        errors: ['channels[2] "broken" locale: "fr" not supported; expected en or zh'],
      },
      {
        name: 'webhook#3',
        index: 3,
        channel: 'webhook',
        errors: [
          'channels[3] url: env:MISSING_VAR is not set (set the environment variable MISSING_VAR, e.g. from a secret)',
          'channels[3] url: expected an http(s) URL',
        ],
      },
      {
        name: 'dingtalk',
        index: 4,
        channel: 'dingtalk',
        errors: [
          'channels[4] msg_type: "poster" is not a dingtalk message type; expected one of actionCard, markdown, text',
        ],
      },
    ]);
  });

  it('names the input for an unknown channel and for a missing target, and collects run-level problems together', async () => {
    expect((await load({ channel: 'pager' })).invalid[0]?.errors).toEqual([
      'channel: unknown channel "pager"; expected one of dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat, mattermost',
    ]);
    const s = await load({ timeout: 'soon', retries: '99', dry_run: 'maybe' });
    expect(s.errors).toEqual([
      'dry_run: expected true or false',
      'timeout: expected seconds between 1 and 600, e.g. 10',
      'retries: expected a whole number from 0 to 10',
      'channel: no target given; set channel (one of dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat, mattermost) or channels (a list of targets)',
    ]);
  });

  it('rejects run-wide inputs and unknown keys inside a channels entry', async () => {
    const s = await load({
      channels: '[{"type":"webhook","url":"https://a.example.com","status":"failure","colour":"red"}]',
    });
    expect(s.invalid[0]?.errors).toEqual([
      'channels[0] status: applies to the whole run; set it outside channels',
      'channels[0] colour: not an input (see the inputs table in the README)',
    ]);
  });

  it('turns a headers mapping in channels into Name: value lines', async () => {
    const s = await load({
      channels: '- type: webhook\n  url: https://a.example.com\n  headers:\n    X-Team: core\n    X-Env: prod\n',
    });
    expect(s.targets[0]?.settings.raw.headers).toBe('X-Team: core\nX-Env: prod');
  });

  it('reads a header value given as env:NAME, in a channels mapping and in the headers input, as a secret', async () => {
    const env = { HOOK_AUTH: 'Bearer hk_0123456789abcdef', TEAM_KEY: 'tk-9876543210', TWO_LINES: 'a\nX-Injected: 1' };
    const mapping = await load(
      {
        channels:
          '- type: webhook\n  url: https://a.example.com\n  headers:\n    Authorization: env:HOOK_AUTH\n    X-Team: core\n    X-Note: "env: not a reference"\n',
      },
      env,
    );
    const lines = await load(
      { channel: 'webhook', url: 'https://a.example.com', headers: 'X-Key: env:TEAM_KEY\nX-Two: env:TWO_LINES' },
      env,
    );
    const missing = await load(
      { channels: '- type: webhook\n  url: https://a.example.com\n  headers:\n    X-Key: env:NOT_SET\n' },
      env,
    );
    const notUrl = (secrets: string[]) => secrets.filter((secret) => secret !== 'https://a.example.com');
    expect({
      mapping: [mapping.targets[0]?.settings.raw.headers, notUrl(mapping.secrets)],
      lines: [lines.targets[0]?.settings.raw.headers, notUrl(lines.secrets), lines.errors],
      missing: [missing.targets.length, missing.invalid.map((t) => t.errors)],
    }).toEqual({
      mapping: [
        'Authorization: Bearer hk_0123456789abcdef\nX-Team: core\nX-Note: env: not a reference',
        ['Bearer hk_0123456789abcdef'],
      ],
      // A line break in the variable stays inside its value (a CR the webhook channel refuses).
      lines: ['X-Key: tk-9876543210\nX-Two: a\rX-Injected: 1', ['tk-9876543210', 'a\nX-Injected: 1'], []],
      missing: [
        0,
        [
          [
            'channels[0] headers (X-Key): env:NOT_SET is not set (set the environment variable NOT_SET, e.g. from a secret)',
          ],
        ],
      ],
    });
  });

  it('keeps a line break inside a headers mapping value inside that value, so it cannot add a header', async () => {
    const s = await load({
      channels: '- type: webhook\n  url: https://a.example.com\n  headers:\n    X-Team: "core\\r\\nX-Injected: 1"\n',
    });
    // One line, with the CRs the webhook channel refuses (webhook.test.ts): never a second header line.
    expect(s.targets[0]?.settings.raw.headers).toBe('X-Team: core\r\rX-Injected: 1');
  });

  it('never quotes a secret put in the wrong input: channel and url swapped', async () => {
    const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
    const s = await load({ channel: `https://oapi.dingtalk.com/robot/send?access_token=${token}`, url: 'dingtalk' });
    expect(s.invalid).toEqual([
      {
        name: 'target#0',
        index: 0,
        channel: 'unknown',
        errors: [
          'channel: unknown channel a URL (not shown); expected one of dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat, mattermost',
        ],
      },
    ]);
    const inChannels = await load({ channels: JSON.stringify([{ type: token, url: 'webhook' }]) });
    expect(inChannels.invalid.map((t) => [t.name, t.channel, t.errors])).toEqual([
      [
        'target#0',
        'unknown',
        [
          'channels[0] type: unknown channel a value of 32 characters (not shown: it may be a secret); expected one of dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat, mattermost',
        ],
      ],
    ]);
    expect(JSON.stringify([s, inChannels].map((x) => x.invalid))).not.toContain(token.slice(0, 8));
  });

  it('rejects a mistyped notify_on or mention_on word instead of ignoring it', async () => {
    const s = await load({
      channel: 'webhook',
      url: 'https://a.example.com/',
      notify_on: 'failur',
      mention_on: 'always, fixd',
    });
    expect(s.invalid[0]?.errors).toEqual([
      `notify_on: "failur" not understood; expected ${TRIGGER_WORDS.join(', ')}`,
      `mention_on: "fixd" not understood; expected ${TRIGGER_WORDS.join(', ')}`,
    ]);
  });

  it('lets channels entries inherit notify_on and mention_on, and override them', async () => {
    const s = await load({
      channels:
        '- type: webhook\n  url: https://a.example.com/\n- type: webhook\n  url: https://b.example.com/\n  mention_on: always\n',
      notify_on: 'failure',
      mention_on: 'regressed',
    });
    expect(s.targets.map((t) => [t.settings.notify_on, t.settings.mention_on])).toEqual([
      [['failure'], ['regressed']],
      [['failure'], ['always']],
    ]);
  });

  it('keeps YAML booleans and numbers in channels as the inputs they spell', async () => {
    const s = await load({
      channels:
        '- type: webhook\n  url: https://a.example.com/\n  at_all: true\n  timeout: 5\n  retries: 0\n  keyword: 42\n',
    });
    expect(s.invalid).toEqual([]);
    expect(
      s.targets.map((t) => [t.settings.at_all, t.settings.timeout_ms, t.settings.retries, t.settings.keyword]),
    ).toEqual([[true, 5000, 0, '42']]);
  });

  it('reads the channels YAML once per run: the types first, then the same parse, whole, for the settings', async () => {
    const yaml = (host: string) =>
      `- type: webhook\n  url: !vault https://${host}/hook\n- type: dingtalk\n  url: :bad\n`;
    const raw = { channels: yaml('a.example.com') };
    const alone = await load(raw);
    // The run's order: the types (to load those channels), then the settings, with the same warnings and errors.
    expect(namedChannelTypes(raw, {})).toEqual(['webhook', 'dingtalk']);
    const after = await load(raw);
    expect(after).toEqual(alone);
    expect(after.warnings).toEqual(['channels: Unresolved tag: !vault (line 2, column 8); it is read as plain text']);
    // Types read from one text never stand in for another, and a kept parse is taken once.
    namedChannelTypes({ channels: yaml('b.example.com') }, {});
    const other = await load({ channels: yaml('c.example.com') });
    const again = await load(raw);
    expect([other.targets[0]?.options, again]).toEqual([{ url: 'https://c.example.com/hook' }, alone]);
  });

  it('reports YAML warnings (an unknown tag) as warnings to log, without the text around them', async () => {
    const emitted: unknown[] = [];
    const listener = (w: unknown) => emitted.push(w);
    process.on('warning', listener);
    try {
      const s = await load({ channels: '- type: webhook\n  url: !vault https://a.example.com/hook-T0KEN-123456\n' });
      await new Promise((resolve) => setImmediate(resolve));
      expect({ warnings: s.warnings, emitted, url: s.targets[0]?.options }).toEqual({
        warnings: ['channels: Unresolved tag: !vault (line 2, column 8); it is read as plain text'],
        emitted: [],
        url: { url: 'https://a.example.com/hook-T0KEN-123456' },
      });
    } finally {
      process.off('warning', listener);
    }
  });
});
