/**
 * One live message per run, end to end through the built bundle (dist/index.js) run like a GitHub
 * Actions step: a `running` step outputs `message_refs`; a later step passes them as `update`, and
 * every channel that can edit changes its message in place (each stand-in shows one message,
 * changed), while a channel that cannot edit posts a new message and says so once; an `update`
 * whose message is gone falls back to a new message with a warning.
 */
import { decodeMessageRef } from '../src/channels/message-ref.js';
import { nodeBinaries, runAction, type BundleRun } from './support/bundle.js';
import { startDiscordServer } from './support/discord-server.js';
import { startLarkAppServer } from './support/lark-app-server.js';
import { startSlackServer } from './support/slack-server.js';
import { startTelegramServer } from './support/telegram-server.js';
import { startWeComServer } from './support/wecom-server.js';

const CHAT = '-1001234567890';

function printed(run: BundleRun): string {
  return (run.stdout + run.stderr)
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

describe.each(nodeBinaries())('the live message through the bundle ($label)', ({ path: node }) => {
  it('posts "running", then edits it to the outcome on every channel that can edit', async () => {
    const slack = await startSlackServer();
    const discord = await startDiscordServer();
    const telegram = await startTelegramServer();
    const wecom = await startWeComServer();
    const lark = await startLarkAppServer({
      apps: { cli_ci: 'lark-app-secret-0123' },
      users: { 'ann@example.com': 'ou_ann' },
    });
    try {
      const channels = JSON.stringify([
        { type: 'slack', name: 'team chat', token: 'env:SLACK_TOKEN', channel_id: 'C0CINOTIFY', api_url: slack.apiUrl },
        { type: 'discord', url: 'env:DISCORD_URL' },
        { type: 'telegram', token: 'env:TELEGRAM_TOKEN', chat_id: CHAT, api_url: telegram.apiUrl },
        { type: 'wecom', url: 'env:WECOM_URL' },
        {
          type: 'lark_app',
          app_id: 'cli_ci',
          app_secret: 'env:LARK_SECRET',
          receive_ids: 'ann@example.com',
          domain: lark.url,
        },
      ]);
      const env = {
        SLACK_TOKEN: slack.token,
        DISCORD_URL: discord.url,
        TELEGRAM_TOKEN: telegram.token,
        WECOM_URL: wecom.url,
        LARK_SECRET: 'lark-app-secret-0123',
      };
      const secrets = [slack.token, discord.webhookToken, telegram.token, wecom.key, 'lark-app-secret-0123'];

      const start = await runAction({ node, inputs: { channels, status: 'running' }, env });
      expect(start.code).toBe(0);
      const refs = JSON.parse(start.outputs.message_refs ?? 'null') as Record<string, string>;
      expect(Object.keys(refs).sort()).toEqual(['discord', 'lark_app', 'team chat', 'telegram']);
      expect(decodeMessageRef(refs['team chat']!, 'slack', ['c', 'ts'])).toEqual({
        c: 'C0CINOTIFY',
        ts: slack.messages[0]!.ts,
      });
      expect(decodeMessageRef(refs.discord!, 'discord', ['m'])).toEqual({ m: discord.messages[0]!.id });
      expect(decodeMessageRef(refs.telegram!, 'telegram', ['c', 'm'])).toEqual({ c: Number(CHAT), m: 100 });
      expect(decodeMessageRef(refs.lark_app!, 'lark_app', [])).toEqual({
        'email:ann@example.com': lark.received[0]!.message_id,
      });
      // One token, no spaces: it can go through a GitLab dotenv report and a shell unchanged.
      expect(start.outputs.message_refs).not.toMatch(/\s/);
      for (const secret of secrets) {
        expect(start.outputs.message_refs).not.toContain(secret);
        expect(printed(start)).not.toContain(secret);
      }
      expect(slack.messages[0]!.text).toBe('🔄 acme/api · main · CI #128 running');

      const end = await runAction({
        node,
        inputs: { channels, status: 'failure', update: start.outputs.message_refs! },
        env,
      });
      expect(end.code).toBe(0);
      const results = JSON.parse(end.outputs.results ?? '[]') as { name: string; ok: boolean; attempts: number }[];
      expect(results.map(({ name, ok, attempts }) => ({ name, ok, attempts }))).toEqual([
        { name: 'team chat', ok: true, attempts: 1 },
        { name: 'discord', ok: true, attempts: 1 },
        { name: 'telegram', ok: true, attempts: 1 },
        { name: 'wecom', ok: true, attempts: 1 },
        // The app's token request counts as an attempt of its receivers (lark-app.ts).
        { name: 'lark_app → ann@example.com', ok: true, attempts: 2 },
      ]);
      // The same messages, edited: one each, now saying "failed".
      expect(slack.messages.map((m) => [m.text, m.edits])).toEqual([['❌ acme/api · main · CI #128 failed', 1]]);
      expect(discord.messages.map((m) => [(m.embeds[0] as { title: string }).title, m.edits])).toEqual([
        ['❌ acme/api · main · CI #128 failed', 1],
      ]);
      expect(telegram.messages.map((m) => [m.text.split('\n')[0], m.edits])).toEqual([
        ['❌ acme/api · main · CI #128 failed', 1],
      ]);
      const larkHeader = (content: unknown) =>
        (content as { header: { title: { content: string } } }).header.title.content;
      expect(lark.received.map((m) => [larkHeader(m.content), m.edits])).toEqual([
        ['❌ acme/api · main · CI #128 failed', 1],
      ]);
      expect(slack.requests.map((r) => r.path)).toEqual(['/api/chat.postMessage', '/api/chat.update']);
      expect(discord.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
      // WeCom robots cannot edit: a second message, and one line that says why.
      expect(wecom.received).toHaveLength(2);
      const notes = printed(end)
        .split('\n')
        .filter((line) => line.includes('cannot edit'));
      expect(notes).toEqual(['wecom: wecom cannot edit a message it sent; posting a new one (update is ignored)']);
      expect(JSON.parse(end.outputs.message_refs!)).toEqual(refs);
    } finally {
      await Promise.all([slack.close(), discord.close(), telegram.close(), wecom.close(), lark.close()]);
    }
  });

  it('posts a new message with a warning when the message to edit is gone', async () => {
    const slack = await startSlackServer();
    const discord = await startDiscordServer();
    try {
      const channels = JSON.stringify([
        { type: 'slack', token: 'env:SLACK_TOKEN', channel_id: 'C0CINOTIFY', api_url: slack.apiUrl },
        { type: 'discord', url: 'env:DISCORD_URL' },
      ]);
      const env = { SLACK_TOKEN: slack.token, DISCORD_URL: discord.url };
      const start = await runAction({ node, inputs: { channels, status: 'running' }, env });
      slack.deleteMessage(slack.messages[0]!.ts);
      discord.deleteMessage(discord.messages[0]!.id);
      const end = await runAction({
        node,
        inputs: { channels, status: 'success', update: start.outputs.message_refs! },
        env,
      });
      expect(end.code).toBe(0);
      expect(printed(end)).toContain(
        '::warning::slack: the Slack message to update cannot be edited (message_not_found); posting a new one',
      );
      expect(printed(end)).toContain(
        '::warning::discord: the Discord message to update no longer exists (10008 Unknown Message); posting a new one',
      );
      expect(slack.messages.map((m) => [m.text, m.edits])).toEqual([['✅ acme/api · main · CI #128 succeeded', 0]]);
      expect(discord.messages.map((m) => m.edits)).toEqual([0]);
      const refs = JSON.parse(end.outputs.message_refs!) as Record<string, string>;
      expect(decodeMessageRef(refs.slack!, 'slack', ['c', 'ts'])).toEqual({
        c: 'C0CINOTIFY',
        ts: slack.messages[0]!.ts,
      });
      expect(decodeMessageRef(refs.discord!, 'discord', ['m'])).toEqual({ m: discord.messages[0]!.id });
    } finally {
      await Promise.all([slack.close(), discord.close()]);
    }
  });
});
