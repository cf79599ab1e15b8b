/**
 * npm run demo — starts local stand-ins of every platform (the same ones the tests use: they verify
 * signatures, keywords and limits and answer with the platforms' codes), runs the built bundle once
 * as a GitHub Actions step would, with one `channels` list that reaches all of them, for a sample
 * failure, and prints what each stand-in received.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { BUNDLE, githubEnv, parseOutputs, SAMPLE_PUSH } from '../__tests__/support/bundle.js';
import { startDingTalkServer } from '../__tests__/support/dingtalk-server.js';
import { startJenkinsGwt } from '../__tests__/support/jenkins-gwt.js';
import { startLarkAppServer } from '../__tests__/support/lark-app-server.js';
import { startLarkServer } from '../__tests__/support/lark-server.js';
import { startReceiver } from '../__tests__/support/receiver.js';
import { startSmtpServer } from '../__tests__/support/smtp.js';
import { startWeComServer } from '../__tests__/support/wecom-server.js';
import { startSlackServer } from '../__tests__/support/slack-server.js';
import { startDiscordServer } from '../__tests__/support/discord-server.js';
import { startTelegramServer } from '../__tests__/support/telegram-server.js';
import { startTeamsServer } from '../__tests__/support/teams-server.js';
import { startGoogleChatServer } from '../__tests__/support/google-chat-server.js';
import { startMattermostServer } from '../__tests__/support/mattermost-server.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function show(title: string, value: unknown): void {
  console.log(`\n${bold(`── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`)}`);
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

async function main(): Promise<number> {
  const webhook = await startReceiver();
  const jenkins = await startJenkinsGwt({ jobs: [{ name: 'deploy-api', token: 'demo-jenkins-token' }] });
  const dingtalk = await startDingTalkServer({ secret: 'SECdemo0123456789abcdef', keyword: 'CI' });
  const wecom = await startWeComServer();
  const lark = await startLarkServer({ secret: 'demo-lark-secret', keyword: 'CI' });
  const larkApp = await startLarkAppServer({
    apps: { cli_demo: 'demo-app-secret' },
    users: { 'ann@example.com': 'ou_ann', 'bob@example.com': 'ou_bob' },
  });
  const smtp = await startSmtpServer({ users: { 'ci@example.com': 'demo-smtp-password' } });
  const slack = await startSlackServer({ channels: { C0123456789: true } });
  const discord = await startDiscordServer();
  const telegram = await startTelegramServer();
  const teams = await startTeamsServer();
  const googleChat = await startGoogleChatServer();
  const mattermost = await startMattermostServer();

  // Secrets reach the bundle as environment variables referenced with env:NAME, as in a workflow.
  const secrets = {
    DEMO_WEBHOOK_URL: `${webhook.origin}/hooks/demo`,
    DEMO_WEBHOOK_SECRET: 'demo-webhook-secret',
    DEMO_JENKINS_TOKEN: 'demo-jenkins-token',
    DEMO_DINGTALK_URL: dingtalk.url,
    DEMO_DINGTALK_SECRET: dingtalk.secret ?? '',
    DEMO_WECOM_URL: wecom.url,
    DEMO_LARK_URL: lark.url,
    DEMO_LARK_SECRET: lark.secret ?? '',
    DEMO_LARK_APP_SECRET: 'demo-app-secret',
    DEMO_SMTP_PASSWORD: 'demo-smtp-password',
    DEMO_SLACK_TOKEN: slack.token,
    DEMO_DISCORD_URL: discord.url,
    DEMO_TELEGRAM_TOKEN: telegram.token,
    DEMO_TEAMS_URL: teams.url,
    DEMO_GOOGLE_CHAT_URL: googleChat.url,
    DEMO_MATTERMOST_URL: mattermost.url,
  };
  const channels = [
    {
      type: 'dingtalk',
      name: 'ops-group',
      url: 'env:DEMO_DINGTALK_URL',
      secret: 'env:DEMO_DINGTALK_SECRET',
      keyword: 'CI',
      at_mobiles: '13800000000',
    },
    { type: 'wecom', name: 'dev-group', url: 'env:DEMO_WECOM_URL', locale: 'zh', at_user_ids: 'zhangsan' },
    { type: 'lark', name: 'lark-group', url: 'env:DEMO_LARK_URL', secret: 'env:DEMO_LARK_SECRET', keyword: 'CI' },
    {
      type: 'lark_app',
      name: 'people',
      app_id: 'cli_demo',
      app_secret: 'env:DEMO_LARK_APP_SECRET',
      domain: larkApp.url,
      receive_ids: 'ann@example.com, bob@example.com',
    },
    {
      type: 'email',
      name: 'oncall',
      smtp_host: smtp.host,
      smtp_port: String(smtp.port),
      smtp_username: 'ci@example.com',
      smtp_password: 'env:DEMO_SMTP_PASSWORD',
      from: 'CI <ci@example.com>',
      to: 'oncall@example.com, lead@example.com',
    },
    { type: 'webhook', name: 'deploy-bot', url: 'env:DEMO_WEBHOOK_URL', secret: 'env:DEMO_WEBHOOK_SECRET' },
    {
      type: 'jenkins',
      name: 'jenkins',
      url: `${jenkins.origin}/generic-webhook-trigger/invoke`,
      token: 'env:DEMO_JENKINS_TOKEN',
      build_args: '{"env":"staging"}',
    },
    {
      type: 'slack',
      name: 'slack',
      token: 'env:DEMO_SLACK_TOKEN',
      channel_id: 'C0123456789',
      api_url: slack.apiUrl,
      at_user_ids: 'U012AB3CD',
    },
    { type: 'discord', name: 'discord', url: 'env:DEMO_DISCORD_URL', at_user_ids: '123456789012345678' },
    {
      type: 'telegram',
      name: 'telegram',
      token: 'env:DEMO_TELEGRAM_TOKEN',
      chat_id: '-1001234567890',
      api_url: telegram.apiUrl,
      locale: 'zh',
    },
    { type: 'teams', name: 'teams', url: 'env:DEMO_TEAMS_URL', at_user_ids: 'ann@contoso.com' },
    { type: 'google_chat', name: 'google-chat', url: 'env:DEMO_GOOGLE_CHAT_URL', thread_key: 'ci-${pipeline.id}' },
    { type: 'mattermost', name: 'mattermost', url: 'env:DEMO_MATTERMOST_URL', display_name: 'CI', at_user_ids: 'mona' },
  ];

  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-demo-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...githubEnv(dir, 'push', SAMPLE_PUSH),
    ...secrets,
    NODE_EXTRA_CA_CERTS: smtp.caFile, // the stand-in's self-signed certificate, as a private CA
    INPUT_CHANNELS: JSON.stringify(channels),
    INPUT_STATUS: 'failure',
    INPUT_NEEDS: JSON.stringify({
      lint: { result: 'failure', outputs: {} },
      test: { result: 'failure', outputs: {} },
      build: { result: 'success', outputs: {} },
    }),
    INPUT_PARAMS: 'env=staging',
    INPUT_NOTIFY_ON: 'always',
    INPUT_MENTION_ON: 'failure',
    INPUT_LOCALE: 'en',
    INPUT_FAIL_ON_ERROR: 'true',
    INPUT_TIMEOUT: '10',
    INPUT_RETRIES: '3',
  };

  console.log(bold('ci-notify demo: one failure notification to local stand-ins of every platform'));
  console.log(dim(`(the bundle runs as a GitHub Actions step: ${BUNDLE})`));
  const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  show('what the step printed (masking commands hidden)', run.out.replace(/^::add-mask::.*\n/gm, '').trimEnd());

  show('DingTalk robot received (signed, keyword checked)', dingtalk.received);
  show('WeCom robot received', wecom.received);
  show('Lark/Feishu robot received (signed, keyword checked)', lark.received);
  show(
    `Lark/Feishu app: ${larkApp.tokenCalls()} token call, messages`,
    larkApp.received.map((m) => ({ to: m.receive_id, msg_type: m.msg_type, uuid: m.uuid, content: m.content })),
  );
  for (const mail of smtp.received) {
    const parsed = await simpleParser(mail.raw);
    show(`E-mail received over ${mail.secure ? 'STARTTLS' : 'plain SMTP'} (AUTH as ${mail.user ?? 'nobody'})`, {
      envelope: mail.envelope,
      subject: parsed.subject,
      text: parsed.text,
      html_bytes: typeof parsed.html === 'string' ? parsed.html.length : 0,
    });
  }
  show(
    'Webhook received (X-Hub-Signature-256 signed)',
    webhook.requests.map((r) => ({
      headers: {
        'x-hub-signature-256': r.headers['x-hub-signature-256'],
        'x-ci-notify-delivery': r.headers['x-ci-notify-delivery'],
      },
      body: r.json(),
    })),
  );
  // The same event as the webhook's, with build_args merged in at the top level.
  show(
    'Jenkins Generic Webhook Trigger received (the event above, build_args merged in)',
    jenkins.requests.map((r) => {
      const body = r.json() as Record<string, unknown>;
      return {
        authorization: r.headers.authorization ? 'Bearer ***' : null,
        body_keys: Object.keys(body),
        env: body.env,
      };
    }),
  );

  show(
    'Slack received (chat.postMessage, Block Kit)',
    slack.messages.map((m) => ({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks })),
  );
  show(
    'Discord received (webhook ?wait=true; who was pinged)',
    discord.messages.map((m) => ({
      content: m.content,
      embeds: m.embeds,
      allowed_mentions: m.allowed_mentions,
      pinged: m.pinged,
    })),
  );
  show(
    'Telegram received (sendMessage, HTML; the text as shown)',
    telegram.messages.map((m) => ({ chat_id: m.chat_id, message_id: m.message_id, text: m.text })),
  );

  show(
    'Teams Workflows webhook: the card the flow posted (answered 202: queued)',
    teams.posted.map((p) => ({ mentions: p.mentions, card: p.card })),
  );
  show(
    'Google Chat received (text + cardsV2, in a thread)',
    googleChat.messages.map((m) => ({ thread: m.thread, thread_key: m.threadKey, text: m.text, cardsV2: m.cardsV2 })),
  );
  show(
    'Mattermost received (one attachment; who is notified)',
    mattermost.posts.map((p) => ({
      username: p.username,
      text: p.text,
      attachments: p.attachments,
      mentions: p.mentions,
    })),
  );

  const outputs = parseOutputs(readFileSync(join(dir, 'output.txt'), 'utf8'));
  show(
    'step outputs: delivered / failed',
    `${outputs.delivered} delivered, ${outputs.failed} failed (exit code ${run.code})`,
  );
  show('step output message_refs (pass as update to edit these messages later)', outputs.message_refs ?? '');
  show('job summary', readFileSync(join(dir, 'summary.md'), 'utf8'));
  writeFileSync(join(dir, 'results.json'), outputs.results ?? '[]');

  await Promise.all(
    [
      webhook,
      jenkins,
      dingtalk,
      wecom,
      lark,
      larkApp,
      smtp,
      slack,
      discord,
      telegram,
      teams,
      googleChat,
      mattermost,
    ].map((s) => s.close()),
  );
  return run.code ?? 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
