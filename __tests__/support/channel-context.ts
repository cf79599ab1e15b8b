/**
 * Builds what the core hands a channel, by hand: options parsed from raw inputs with the channel's
 * own schema, its secrets registered with a Redactor (as main.ts does), a real HTTP client with
 * recorded waits, and a SendContext around the sample event.
 */
import { createHttpClient } from '../../src/delivery/http.js';
import { Redactor } from '../../src/delivery/redact.js';
import type { HttpClient } from '../../src/delivery/types.js';
import type { CiEvent } from '../../src/event/types.js';
import type { Channel, SendContext, TargetSettings } from '../../src/channels/types.js';
import type { MessageModel } from '../../src/render/types.js';
import { renderTemplate } from '../../src/render/template.js';
import { sampleEvent } from './fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

export interface ChannelHarness<O> {
  ctx: SendContext<O>;
  http: HttpClient;
  log: RecordingLogger;
  redactor: Redactor;
  /** Waits the client asked for (nobody actually sleeps). */
  waits: number[];
}

export function targetSettings(
  channel: TargetSettings['channel'],
  raw: Record<string, string>,
  overrides: Partial<TargetSettings> = {},
): TargetSettings {
  return {
    name: channel,
    index: 0,
    channel,
    notify_on: ['always'],
    mention_on: ['always'],
    title: raw.title ?? '',
    template: raw.template ?? '',
    msg_type: raw.msg_type ?? '',
    fields: null,
    locale: 'en',
    keyword: '',
    at_mobiles: [],
    at_user_ids: [],
    at_all: false,
    timeout_ms: 2000,
    retries: 2,
    raw,
    ...overrides,
  };
}

/** Parses raw inputs with the channel's schema; throws the zod error text when they are invalid. */
export function parseOptions<O>(channel: Channel<O>, raw: Record<string, string>): O {
  const parsed = channel.options.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function channelHarness<O>(
  channel: Channel<O>,
  raw: Record<string, string>,
  setup: {
    event?: CiEvent;
    now?: () => Date;
    dryRun?: boolean;
    env?: NodeJS.ProcessEnv;
    target?: Partial<TargetSettings>;
  } = {},
): ChannelHarness<O> {
  const options = parseOptions(channel, raw);
  const redactor = new Redactor();
  for (const secret of channel.secrets(options)) redactor.add(secret);
  const log = recordingLogger();
  const waits: number[] = [];
  const env = setup.env ?? {};
  const http = createHttpClient({
    timeoutMs: 2000,
    retries: 2,
    log,
    redactor,
    dryRun: setup.dryRun ?? false,
    env,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
  });
  const event = setup.event ?? sampleEvent();
  const target = targetSettings(channel.type, raw, setup.target);
  const ctx: SendContext<O> = {
    options,
    target,
    event,
    // The webhook and jenkins channels do not read the message model.
    message: { event } as MessageModel,
    render: (template, mode, escapeValue) =>
      renderTemplate(template, { event, env, locale: target.locale }, mode, (warning) => log.warn(warning), {
        escapeValue,
      }),
    mention: false,
    http,
    now: setup.now ?? (() => new Date('2026-12-01T10:00:05.000Z')),
    log,
    dryRun: setup.dryRun ?? false,
    env,
    registerSecret: (value) => void redactor.add(value),
  };
  return { ctx, http, log, redactor, waits };
}
