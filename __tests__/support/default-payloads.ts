/**
 * Every channel's default message for one event, built by the channels' own pure builders: what
 * the message-design tests assert and `npm run preview` shows. (The send paths add mentions,
 * keywords and signatures on top of exactly these.)
 */
import { dingtalkPayload, type DingTalkPayload } from '../../src/channels/dingtalk.js';
import { renderEmailHtml, renderEmailText } from '../../src/channels/email-html.js';
import { emailSubject } from '../../src/channels/email.js';
import { larkCard, NO_LARK_MENTIONS, type LarkCard } from '../../src/channels/lark-card.js';
import { larkAppContent } from '../../src/channels/lark-app.js';
import { NO_CLIP } from '../../src/channels/byte-budget.js';
import { webhookBody, webhookOptions } from '../../src/channels/webhook.js';
import { buildJenkinsRequest, jenkinsOptions } from '../../src/channels/jenkins.js';
import { wecomPayload, type WeComPayload } from '../../src/channels/wecom.js';
import { slackMessage, type SlackMessage } from '../../src/channels/slack.js';
import { teamsPayload, type TeamsPayload } from '../../src/channels/teams.js';
import { discordMessage, type DiscordMessage } from '../../src/channels/discord.js';
import { telegramText } from '../../src/channels/telegram.js';
import { googleChatMessage, type GoogleChatMessage } from '../../src/channels/google-chat.js';
import { mattermostPayload, type MattermostPayload } from '../../src/channels/mattermost.js';
import type { CiEvent } from '../../src/event/types.js';
import { buildMessage } from '../../src/render/message.js';
import type { Locale, MessageModel } from '../../src/render/types.js';

export interface DefaultPayloads {
  message: MessageModel;
  /** DingTalk's default type. */
  dingtalk: DingTalkPayload;
  /** WeCom's default type, and the template card people pick for a richer look. */
  wecom: WeComPayload;
  wecomCard: WeComPayload;
  /** Lark's default type; lark_app sends the same card as a JSON string. */
  lark: { msg_type: 'interactive'; card: LarkCard };
  /** lark_app's default: the same card, shared (`update_multi`) so a later step can edit it. */
  lark_app: { msg_type: 'interactive'; card: LarkCard };
  email: { subject: string; text: string; html: string };
  /** The global chat channels' messages, as their send paths build them for a target without mentions. */
  slack: SlackMessage;
  teams: TeamsPayload;
  discord: DiscordMessage;
  /** Telegram `sendMessage` text (`parse_mode: HTML`). */
  telegram: string;
  google_chat: GoogleChatMessage;
  mattermost: MattermostPayload;
  /** The bodies for programs: the webhook's default JSON (the event) and Jenkins' (the event + build_args). */
  webhook: Record<string, unknown>;
  jenkins: Record<string, unknown>;
}

export function modelOf(event: CiEvent, locale: Locale): MessageModel {
  return buildMessage(event, { locale, fields: null, title: '', template: '', env: {}, warn: () => {} });
}

export function defaultPayloads(event: CiEvent, locale: Locale): DefaultPayloads {
  const message = modelOf(event, locale);
  return {
    message,
    dingtalk: dingtalkPayload(message, 'actionCard'),
    wecom: wecomPayload(message, 'markdown', null),
    wecomCard: wecomPayload(message, 'template_card', null),
    lark: { msg_type: 'interactive', card: larkCard(message) },
    lark_app: {
      msg_type: 'interactive',
      card: larkAppContent(message, 'interactive', NO_LARK_MENTIONS, NO_CLIP) as LarkCard,
    },
    email: { subject: emailSubject(message), text: renderEmailText(message), html: renderEmailHtml(message) },
    slack: slackMessage(message, { ids: [], all: false }),
    teams: teamsPayload(message, []),
    discord: discordMessage(message, { users: [], roles: [], everyone: false }),
    telegram: telegramText(message, { ids: [] }),
    google_chat: googleChatMessage(message, { users: [], all: false }, ''),
    mattermost: mattermostPayload(
      message,
      { users: [], channel: false },
      { displayName: '', iconUrl: '', channelName: '' },
    ),
    webhook: JSON.parse(
      webhookBody(webhookOptions.parse({ url: 'https://hooks.example.com/ci' }), event, () => '', new Date(0)).body ??
        '{}',
    ),
    jenkins: JSON.parse(
      buildJenkinsRequest(jenkinsOptions.parse({ url: 'https://jenkins.example.com', token: 'preview' }), event).body ??
        '{}',
    ),
  };
}
