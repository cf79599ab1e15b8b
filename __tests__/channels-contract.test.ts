/**
 * The contract every registered channel keeps, checked for all of them at once: a new channel that
 * forgets one of these fails here before it reaches a user.
 */
import { CHANNEL_LOADERS, CHANNEL_TYPES, loadChannels } from '../src/channels/index.js';
import type { Channel, ChannelType } from '../src/channels/types.js';
import { INPUT_NAMES } from '../src/inputs.js';
import { buildMessage } from '../src/render/message.js';
import { channelHarness } from './support/channel-context.js';
import { sampleEvent } from './support/fixtures.js';

/** A valid configuration per channel, pointing nowhere real: the runs below are dry runs. */
const VALID: Record<ChannelType, Record<string, string>> = {
  dingtalk: {
    url: 'https://oapi.dingtalk.com/robot/send?access_token=contract0token0dingtalk',
    secret: 'SECcontract0secret',
  },
  wecom: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=contract-key-0000-wecom' },
  lark: { url: 'https://open.feishu.cn/open-apis/bot/v2/hook/contract-hook-0000-lark', secret: 'contract-lark-secret' },
  lark_app: { app_id: 'cli_contract', app_secret: 'contract-app-secret', receive_ids: 'ann@example.com' },
  email: {
    smtp_url: 'smtps://ci%40example.com:contract-smtp-password@smtp.example.com:465',
    from: 'ci@example.com',
    to: 'ann@example.com',
  },
  webhook: { url: 'https://hooks.example.com/contract/hook-token-0000', secret: 'contract-hook-secret' },
  jenkins: { url: 'https://jenkins.example.com/generic-webhook-trigger/invoke', token: 'contract-jenkins-token' },
  slack: { token: 'xoxb-1-2-contract-slack-token', channel_id: 'C0CONTRACT' },
  discord: { url: 'https://discord.com/api/webhooks/123456789012345678/contract-discord-hook-token' },
  telegram: { token: '123456789:contract-telegram-token', chat_id: '-1001234567890' },
  teams: {
    url: 'https://prod-00.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=contract-teams-sig',
  },
  google_chat: {
    url: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=contract-key-0000&token=contract-gchat-token',
  },
  mattermost: { url: 'https://chat.example.com/hooks/contract0mattermost0hook' },
};

/** Untrusted text at its worst: mentions of every platform, markup, quotes, newlines, size. */
const HOSTILE = [
  '@all <@all> <at user_id="all">所有人</at> <at id=all></at> @13800000000',
  '"}]}\\ <script>alert(1)</script> **bold** [x](javascript:alert(1)) <font color="red">',
  '\r\nBcc: evil@example.com\r\n',
  '💥'.repeat(2000),
].join('\n');

const CHANNELS = await loadChannels(CHANNEL_TYPES);
const registered = Object.entries(CHANNELS) as Array<[ChannelType, Channel<unknown>]>;

describe('every registered channel', () => {
  it('is registered under its own type, and every channel type is registered and loads', () => {
    expect(registered.map(([key, channel]) => [key, channel.type])).toEqual(registered.map(([key]) => [key, key]));
    expect(Object.keys(CHANNELS).sort()).toEqual(Object.keys(CHANNEL_LOADERS).sort());
    expect([...CHANNEL_TYPES].sort()).toEqual(Object.keys(CHANNEL_LOADERS).sort());
  });

  it('loads only the channels asked for, and skips names it does not know', async () => {
    expect(Object.keys(await loadChannels(['webhook', 'webhook', 'nope', '']))).toEqual(['webhook']);
  });

  describe.each(registered)('%s', (type, channel) => {
    it('accepts its documented inputs only (every option is a public input)', () => {
      const parsed = channel.options.safeParse(VALID[type]);
      expect(parsed.success).toBe(true);
      for (const key of Object.keys(VALID[type])) expect(INPUT_NAMES.has(key)).toBe(true);
    });

    it('names the input in every error for an empty configuration', () => {
      const parsed = channel.options.safeParse({});
      expect(parsed.success).toBe(false);
      if (parsed.success) return;
      for (const issue of parsed.error.issues) {
        expect(issue.path.length).toBeGreaterThan(0);
        expect(INPUT_NAMES.has(String(issue.path[0]))).toBe(true);
      }
    });

    it('declares its secrets, so they are masked before anything is printed', () => {
      const parsed = channel.options.safeParse(VALID[type]);
      if (!parsed.success) throw new Error('invalid fixture');
      const secrets = channel.secrets(parsed.data).filter(Boolean);
      expect(secrets.length).toBeGreaterThan(0);
      const declared = Object.entries(VALID[type]).filter(([k]) => /url|secret|token|password/.test(k));
      for (const [, value] of declared) {
        expect(secrets.some((s) => s === value || value.includes(s) || s.includes(value))).toBe(true);
      }
    });

    it('sends nothing in a dry run, for every message type it offers, even with hostile commit text', async () => {
      const event = sampleEvent({
        commit: { ...sampleEvent().commit, title: HOSTILE.split('\n')[0]!, message: HOSTILE },
      });
      for (const msgType of channel.msgTypes.length ? channel.msgTypes : ['']) {
        const harness = channelHarness(channel, VALID[type], {
          event,
          dryRun: true,
          target: {
            msg_type: msgType,
            template: msgType === 'customize' ? '{"text": "${commit.message}"}' : '',
            at_mobiles: ['13800000000'],
            at_user_ids: ['u1'],
          },
        });
        const { target } = harness.ctx;
        const message = buildMessage(event, {
          locale: target.locale,
          fields: null,
          title: '',
          template: '',
          env: {},
          warn: () => {},
        });
        const out = await channel.send({ ...harness.ctx, message, mention: true });
        const results = Array.isArray(out) ? out : [out];
        expect(results.length).toBeGreaterThan(0);
        for (const r of results)
          expect({ type, msgType, ok: r.ok, dry_run: r.dry_run, attempts: r.attempts, error: r.error }).toEqual({
            type,
            msgType,
            ok: true,
            dry_run: true,
            attempts: 0,
            error: null,
          });
        // The dry-run print shows the request without any secret.
        for (const secret of Object.values(VALID[type]).filter((v) => /token|secret|password|key|hook/.test(v))) {
          expect(harness.log.text()).not.toContain(secret);
        }
      }
    });
  });
});
