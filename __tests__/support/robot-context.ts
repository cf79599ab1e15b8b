/**
 * A SendContext built by hand for the robot channel tests (dingtalk, wecom, lark): real message
 * model, real template renderer, real HTTP client (with recorded, instant backoff sleeps), a
 * recording logger. Only the clock is injectable.
 */
import type { Channel, SendContext, TargetSettings } from '../../src/channels/types.js';
import { createHttpClient } from '../../src/delivery/http.js';
import { Redactor } from '../../src/delivery/redact.js';
import type { CiEvent } from '../../src/event/types.js';
import { buildMessage } from '../../src/render/message.js';
import { renderTemplate } from '../../src/render/template.js';
import { targetSettings } from './channel-context.js';
import { sampleEvent } from './fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

export interface RobotContextOptions {
  /** String inputs of the target (url, secret, domain …) as `target.raw`. */
  raw: Record<string, string>;
  target?: Partial<Omit<TargetSettings, 'raw'>>;
  event?: CiEvent;
  /** The sender's clock (default: real time). */
  now?: () => Date;
  mention?: boolean;
  dryRun?: boolean;
  retries?: number;
}

export interface RobotContext<O> {
  ctx: SendContext<O>;
  log: RecordingLogger;
  /** Backoff waits the HTTP client asked for (they are not slept). */
  sleeps: number[];
  close(): Promise<void>;
}

export function robotContext<O>(channel: Channel<O>, options: RobotContextOptions): RobotContext<O> {
  const log = recordingLogger();
  const sleeps: number[] = [];
  const event = options.event ?? sampleEvent();
  const target: TargetSettings = targetSettings(channel.type, options.raw, {
    title: '',
    template: '',
    msg_type: '',
    timeout_ms: 5000,
    retries: options.retries ?? 3,
    ...options.target,
  });
  const redactor = new Redactor();
  const parsed = channel.options.parse(options.raw);
  for (const secret of channel.secrets(parsed)) redactor.add(secret);
  const warn = (msg: string) => log.warn(msg);
  const http = createHttpClient({
    timeoutMs: target.timeout_ms,
    retries: target.retries,
    log,
    redactor,
    dryRun: options.dryRun ?? false,
    env: {},
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  const ctx: SendContext<O> = {
    options: parsed,
    target,
    event,
    message: buildMessage(event, {
      locale: target.locale,
      fields: target.fields,
      title: target.title,
      template: target.template,
      env: {},
      warn,
    }),
    render: (template, mode, escapeValue) =>
      renderTemplate(template, { event, env: {}, locale: target.locale }, mode, warn, { escapeValue }),
    mention: options.mention ?? true,
    http,
    now: options.now ?? (() => new Date()),
    log,
    dryRun: options.dryRun ?? false,
    env: {},
    registerSecret: (value) => void redactor.add(value),
  };
  return {
    ctx,
    log,
    sleeps,
    close: async () => {
      const closable = http as { close?: () => Promise<void> };
      await closable.close?.();
    },
  };
}
