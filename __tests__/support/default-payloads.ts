/**
 * Every channel's default message for one event, built by the channels' own pure builders: what
 * the message-design tests assert and `npm run preview` shows. (The send paths add mentions,
 * keywords and signatures on top of exactly these.)
 */
import { dingtalkPayload, type DingTalkPayload } from '../../src/channels/dingtalk.js';
import { renderEmailHtml, renderEmailText } from '../../src/channels/email-html.js';
import { emailSubject } from '../../src/channels/email.js';
import { larkCard, type LarkCard } from '../../src/channels/lark-card.js';
import { wecomPayload, type WeComPayload } from '../../src/channels/wecom.js';
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
  email: { subject: string; text: string; html: string };
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
    email: { subject: emailSubject(message), text: renderEmailText(message), html: renderEmailHtml(message) },
  };
}
