/**
 * What the chat channel tests (slack, teams, discord, telegram, google-chat, mattermost) share: the
 * links and title of `sampleEvent()` their payloads show, a harness that starts the platform's
 * stand-in and sends through the channel with a robot context (everything closed after each test),
 * and the options-validation issues as the user reads them.
 */
import type { z } from '../../src/channels/schema.js';
import type { Channel, ChannelResult } from '../../src/channels/types.js';
import type { RecordingLogger } from './recording-logger.js';
import { robotContext, type RobotContextOptions } from './robot-context.js';

/** The links of `sampleEvent()`: its run, its commit, its two failed jobs. */
export const RUN = 'https://github.com/acme/api/actions/runs/4242';
export const COMMIT = 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
export const JOB1 = 'https://github.com/acme/api/actions/runs/4242/job/90001';
export const JOB2 = 'https://github.com/acme/api/actions/runs/4242/job/90002';
/** The English title of `sampleEvent()` (a failure after a success). */
export const FAILED = '❌ acme/api · main · CI #128 failed (was passing)';

export interface ChatSendOptions extends Omit<RobotContextOptions, 'raw'> {
  /** The `update` input: a message_ref to edit (channels that cannot edit ignore it). */
  update?: string | null;
}

export interface ChatSent {
  result: ChannelResult;
  log: RecordingLogger;
  /** Backoff waits the HTTP client asked for (not slept). */
  sleeps: number[];
}

/**
 * Call at the top of a test file: registers an `afterEach` that closes every stand-in started and
 * every HTTP client made during the test.
 */
export function chatChannelHarness<O, A extends unknown[], S extends { close(): Promise<void> }>(
  channel: Channel<O>,
  startServer: (...args: A) => Promise<S>,
) {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  return {
    /** Closes `close` after the test (for a server the test starts itself). */
    closeAfterTest(close: () => Promise<void>): void {
      closers.push(close);
    },
    async start(...args: A): Promise<S> {
      const server = await startServer(...args);
      closers.push(server.close);
      return server;
    },
    /** Sends once through the channel to the target `raw`; the first result when it sends several. */
    async send(raw: Record<string, string>, options: ChatSendOptions = {}): Promise<ChatSent> {
      const run = robotContext(channel, { ...options, raw });
      closers.push(run.close);
      const result = await channel.send({ ...run.ctx, update: options.update ?? null });
      return { result: Array.isArray(result) ? result[0]! : result, log: run.log, sleeps: run.sleeps };
    },
  };
}

/** What an options schema says about `raw`, one `input: message` line per issue (undefined when valid). */
export function optionIssues(schema: z.ZodType, raw: Record<string, string>): string[] | undefined {
  return schema.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
