import type { z } from './schema.js';
import type { ApiFact } from '../event/facts.js';
import type { TriggerWord } from '../event/transition.js';
import type { CiEvent } from '../event/types.js';
import type { DeliveryOutcome, HttpClient } from '../delivery/types.js';
import type { Logger } from '../logger.js';
import type { PeopleWanted, SelectedPerson } from '../people/select.js';
import type { FieldName, Locale, MessageModel } from '../render/types.js';

/** Channel types come from the registry (index.ts): one line per channel. */
export type { ChannelType } from './index.js';
import type { ChannelType } from './index.js';

/** `notify_on` / `mention_on` words (DESIGN §3.1). */
export type { TriggerWord };

/** Settings every target has, whatever its channel (validated by settings.ts). */
export interface TargetSettings {
  /** `name` from `channels`, else the channel type ("webhook", or "webhook#2" when repeated). */
  name: string;
  /** Position in `channels` (0 for flat inputs). */
  index: number;
  channel: ChannelType;
  notify_on: TriggerWord[];
  mention_on: TriggerWord[];
  /** Templates ('' = the channel's default). */
  title: string;
  template: string;
  /** '' = the channel's default type. */
  msg_type: string;
  /** null = every field the event has. */
  fields: FieldName[] | null;
  locale: Locale;
  keyword: string;
  at_mobiles: string[];
  at_user_ids: string[];
  at_all: boolean;
  /** Display names of the people of the people map added to at_* (id → name), for platforms that show one. */
  at_names?: Readonly<Record<string, string>>;
  /** Who to mention besides at_*: `mention_people` words, `none` removed (absent or empty = nobody). */
  mention_people?: PeopleWanted[];
  timeout_ms: number;
  retries: number;
  /** Every string input of this target (`env:` references resolved), for the channel's schema. */
  raw: Record<string, string>;
}

export interface SendContext<O> {
  options: O;
  target: TargetSettings;
  event: CiEvent;
  /** The default message model for this target (locale, fields, title/template applied). */
  message: MessageModel;
  /**
   * Renders a template against the event: 'text' inserts values as they are, 'json' JSON-escapes
   * them. `escapeValue` is applied to every inserted value first (in JSON mode to every string in
   * it), e.g. `neutralizeMentions` for a `customize` body.
   */
  render(template: string, mode: 'text' | 'json', escapeValue?: (value: string) => string): string;
  /** Whether @-mentions are wanted for this status (`mention_on`). */
  mention: boolean;
  http: HttpClient;
  now(): Date;
  log: Logger;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * Registers a credential the channel obtained at run time (an access token from a login call):
   * masked on the CI and redacted, with its derived forms, from every later line, output and
   * summary. Call it the moment the value exists, before anything could print it.
   */
  registerSecret(value: string): void;
  /**
   * The `message_ref` this target should edit instead of posting (from input `update`), already
   * matched to this target and channel; null to post a new message. Only channels with `edits`
   * ever receive one.
   */
  update?: string | null;
}

/** One delivery's result; `receiver` is set when a target fans out (lark_app receivers). */
export interface ChannelResult extends DeliveryOutcome {
  receiver?: string;
  /** Messages this delivery sent on purpose, when more than one (the WeCom mention follow-up). */
  messages?: number;
  /** A dry run's rendered message, for channels that send it without the HTTP client (e-mail). */
  preview?: string;
  /**
   * An opaque, secret-free reference to the message sent (or edited), for a later `update`
   * (channels with `edits` only). Made by message-ref.ts; never holds a token or a URL.
   */
  message_ref?: string;
}

/**
 * A channel: one file in src/channels/ and one line in the registry. It reads top to bottom:
 * its options schema, its limits, how it builds the request, how it reads the answer.
 */
export interface Channel<O = unknown> {
  type: ChannelType;
  /**
   * Parses `target.raw` (string inputs by snake_case name) into typed options. Issues must carry
   * the input name as their path so errors read "url: expected an http(s) URL".
   */
  options: z.ZodType<O>;
  /** Secret values in the options (URLs, secrets, passwords, tokens); derived forms are added by the core. */
  secrets(options: O): string[];
  /** Offered `msg_type` values; the first is the default. Empty when the channel has no types. */
  msgTypes: readonly string[];
  /**
   * True when the channel can edit a message it sent earlier (`update` input, `message_refs`
   * output). Channels without it post a new message and the core says so once in the log.
   */
  edits?: boolean;
  /**
   * True when the request carries the event itself (webhook, jenkins): `message` is never read, and
   * `render` only with a `template`. The core then does not load the message renderer, a chunk of
   * its own (~6% of a one-webhook run's instructions, mostly parsing it).
   */
  sendsEvent?: boolean;
  send(ctx: SendContext<O>): Promise<ChannelResult | ChannelResult[]>;
  /**
   * The API-only event facts this target's request uses (src/event/facts.ts), so a run reads only
   * those. Absent: the channel lays out the default message model (render/facts.ts `messageFacts`).
   */
  facts?(options: O, target: TargetSettings): Iterable<ApiFact>;
  /**
   * Channels that reach people as recipients (email, lark_app): the options with the selected people
   * added, de-duplicated against the configured recipients, the people reached and how many recipients
   * there are in all (0: nothing to send, the target is skipped). Robot channels
   * have none: people join their at_mobiles / at_user_ids before `send`.
   */
  addPeople?(
    options: O,
    people: readonly SelectedPerson[],
  ): { options: O; reached: SelectedPerson[]; recipients: number };
}
