/**
 * The live message across GitLab jobs: the bundle run as a job with NOTIFY_DOTENV writes
 * CI_NOTIFY_MESSAGE_REFS into the dotenv report (one token: GitLab rejects a report whose values
 * hold spaces), and a later job that passes it as NOTIFY_UPDATE edits the same message. Target
 * names with spaces or `$` stay one token that no shell or GitLab variable expansion changes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitlabJobEnv, runCli } from './support/bundle.js';
import { startDiscordServer } from './support/discord-server.js';

const PIPELINE = 'https://gitlab.example.com/acme/api/-/pipelines/1000';
const COMMIT = 'https://gitlab.example.com/acme/api/-/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

function gitlabJob(dir: string, extra: Record<string, string>): Record<string, string> {
  return gitlabJobEnv({
    CI_COMMIT_SHORT_SHA: '9f8e7d6',
    CI_COMMIT_TITLE: 'Fix payment path',
    CI_JOB_NAME: 'deploy',
    CI_PROJECT_DIR: dir,
    NOTIFY_DOTENV: join(dir, 'ci-notify.env'),
    ...extra,
  });
}

/** GitLab's dotenv rules (docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsdotenv): KEY=value lines, no spaces in values. */
function readDotenv(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(line);
    if (!m) throw new Error(`not a line GitLab accepts: ${line}`);
    values[m[1]!] = m[2]!;
  }
  return values;
}

it('hands CI_NOTIFY_MESSAGE_REFS to a later job, which edits the same message', async () => {
  const discord = await startDiscordServer();
  try {
    const channels = JSON.stringify([{ type: 'discord', name: 'ops $HOME room', url: 'env:DISCORD_URL' }]);
    const first = mkdtempSync(join(tmpdir(), 'ci-notify-refs-'));
    const start = await runCli(
      [],
      gitlabJob(first, { NOTIFY_CHANNELS: channels, NOTIFY_STATUS: 'running', DISCORD_URL: discord.url }),
    );
    expect(start.code).toBe(0);
    const dotenv = readDotenv(join(first, 'ci-notify.env'));
    const refs = dotenv.CI_NOTIFY_MESSAGE_REFS!;
    expect(refs).not.toMatch(/[\s$]/);
    expect(Object.keys(JSON.parse(refs) as object)).toEqual(['ops $HOME room']);
    expect(refs).not.toContain(discord.webhookToken);
    expect(start.stdout).toContain(`ci-notify message_refs=${refs}`);

    const second = mkdtempSync(join(tmpdir(), 'ci-notify-refs-'));
    const end = await runCli(
      [],
      gitlabJob(second, {
        NOTIFY_CHANNELS: channels,
        NOTIFY_STATUS: 'failed',
        NOTIFY_UPDATE: refs,
        DISCORD_URL: discord.url,
      }),
    );
    expect(end.code).toBe(0);
    const webhook = `/api/webhooks/${discord.webhookId}/${discord.webhookToken}`;
    const embed = (title: string, color: number) => ({
      title,
      url: PIPELINE,
      description: `[9f8e7d6](${COMMIT}) Fix payment path\npush`,
      color,
    });
    const nobody = { parse: [] };
    expect(discord.requests.map((r) => [r.method, r.path, r.json])).toEqual([
      [
        'POST',
        webhook,
        { embeds: [embed('🔄 acme/api · main · Pipeline #100 running', 0x0969da)], allowed_mentions: nobody },
      ],
      [
        'PATCH',
        `${webhook}/messages/${discord.messages[0]!.id}`,
        {
          content: '',
          embeds: [embed('❌ acme/api · main · Pipeline #100 failed', 0xcf222e)],
          allowed_mentions: nobody,
        },
      ],
    ]);
    expect(discord.messages).toHaveLength(1);
    expect(discord.messages[0]).toMatchObject({
      content: '',
      embeds: [embed('❌ acme/api · main · Pipeline #100 failed', 0xcf222e)],
      edits: 1,
    });
    expect(readDotenv(join(second, 'ci-notify.env')).CI_NOTIFY_MESSAGE_REFS).toBe(refs);
  } finally {
    await discord.close();
  }
});
