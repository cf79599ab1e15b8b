import type { Channel } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each channel has its own options type
type AnyChannel = Channel<any>;

/**
 * The registry: one line per channel, its `type` and how to load it. A run loads only the channels
 * its configuration names (each is its own chunk of the bundle, with its schema and layout), so a
 * one-webhook run never evaluates the e-mail or Lark code (start-up time is measured: `npm run bench`).
 */
export const CHANNEL_LOADERS = {
  dingtalk: (): Promise<AnyChannel> => import('./dingtalk.js').then((m) => m.dingtalk),
  wecom: (): Promise<AnyChannel> => import('./wecom.js').then((m) => m.wecom),
  lark: (): Promise<AnyChannel> => import('./lark.js').then((m) => m.lark),
  lark_app: (): Promise<AnyChannel> => import('./lark-app.js').then((m) => m.larkApp),
  email: (): Promise<AnyChannel> => import('./email.js').then((m) => m.email),
  webhook: (): Promise<AnyChannel> => import('./webhook.js').then((m) => m.webhook),
  jenkins: (): Promise<AnyChannel> => import('./jenkins.js').then((m) => m.jenkins),
  slack: (): Promise<AnyChannel> => import('./slack.js').then((m) => m.slack),
  teams: (): Promise<AnyChannel> => import('./teams.js').then((m) => m.teams),
  discord: (): Promise<AnyChannel> => import('./discord.js').then((m) => m.discord),
  telegram: (): Promise<AnyChannel> => import('./telegram.js').then((m) => m.telegram),
  google_chat: (): Promise<AnyChannel> => import('./google-chat.js').then((m) => m.googleChat),
  mattermost: (): Promise<AnyChannel> => import('./mattermost.js').then((m) => m.mattermost),
};

export type ChannelType = keyof typeof CHANNEL_LOADERS;
/** What the `channel` input (and `type` in `channels`) accepts. */
export const CHANNEL_TYPES = Object.keys(CHANNEL_LOADERS) as ChannelType[];

export type ChannelRegistry = Partial<Record<ChannelType, AnyChannel>>;

export function isChannelType(name: string): name is ChannelType {
  return Object.hasOwn(CHANNEL_LOADERS, name);
}

/**
 * Loads the named channels (unknown names are left to the settings loader to report). One after
 * the other: they are local files, and jest's ESM loader cannot link two imports that share a
 * module at the same time ("request for … is not in cache").
 */
export async function loadChannels(names: Iterable<string>): Promise<ChannelRegistry> {
  const registry: ChannelRegistry = {};
  for (const type of new Set(names)) if (isChannelType(type)) registry[type] = await CHANNEL_LOADERS[type]();
  return registry;
}
