import type { Channel, ChannelType } from './types.js';
import { dingtalk } from './dingtalk.js';
import { wecom } from './wecom.js';
import { lark } from './lark.js';
import { email } from './email.js';
import { larkApp } from './lark-app.js';
import { webhook } from './webhook.js';
import { jenkins } from './jenkins.js';
import { slack } from './slack.js';
import { discord } from './discord.js';
import { telegram } from './telegram.js';
import { teams } from './teams.js';
import { googleChat } from './google-chat.js';
import { mattermost } from './mattermost.js';

/** One line per channel. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each channel has its own options type
export const CHANNELS: Partial<Record<ChannelType, Channel<any>>> = {
  dingtalk,
  wecom,
  lark,
  email,
  lark_app: larkApp,
  webhook,
  jenkins,
  slack,
  discord,
  telegram,
  teams,
  google_chat: googleChat,
  mattermost,
};
