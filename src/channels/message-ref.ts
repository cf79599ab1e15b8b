/**
 * `message_ref`: what a channel that can edit its messages hands back after sending, so a later
 * step (input `update`) edits that message instead of posting a new one — "running" at the start
 * of a job, the final status at the end (issue 12, "one live message per run").
 *
 * A ref is `<channel>:<base64url of a small JSON object>`: opaque to users, one token without
 * spaces or quotes (so it survives a GitLab dotenv report and a shell), and never holding a
 * secret — only the platform's own message coordinates (a Slack channel id and `ts`, a Discord
 * message id, a Telegram chat and message id, Lark message ids). The credentials to edit come from
 * the target's own inputs at edit time.
 */
import type { ChannelType } from './types.js';

/** The coordinates of one message: string or number values only. */
export type MessageCoordinates = Record<string, string | number>;

/** Refs longer than this are not ours (a pasted log line, a whole outputs file). */
const MAX_REF_CHARS = 4096;

export function encodeMessageRef(channel: ChannelType, coordinates: MessageCoordinates): string {
  return `${channel}:${Buffer.from(JSON.stringify(coordinates), 'utf8').toString('base64url')}`;
}

/** The channel a ref belongs to, or null when the text is not a ref at all. */
export function refChannel(ref: string): string | null {
  const match = /^([a-z_]+):[A-Za-z0-9_-]+$/.exec(ref.trim());
  return match && ref.length <= MAX_REF_CHARS ? (match[1] as string) : null;
}

/**
 * The coordinates in `ref` when it belongs to `channel` and carries every key in `required`
 * (each a non-empty string or a finite number); null otherwise.
 */
export function decodeMessageRef(
  ref: string,
  channel: ChannelType,
  required: readonly string[],
): MessageCoordinates | null {
  const text = ref.trim();
  if (refChannel(text) !== channel) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text.slice(channel.length + 1), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const coordinates: MessageCoordinates = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) coordinates[key] = v;
  }
  for (const key of required) {
    const v = coordinates[key];
    if (v === undefined || v === '') return null;
  }
  return coordinates;
}

export interface UpdateLookup {
  /** The ref for this target, or null. */
  ref: string | null;
  /** Why a given `update` was not used for this target (to warn once), or null. */
  problem: string | null;
}

/**
 * Picks this target's ref out of the `update` input: either the `message_refs` JSON of an
 * earlier run (an object by target name — what users pass on), or one bare ref (then it applies
 * to a target of that ref's channel).
 */
export function refForTarget(update: string, targetName: string, channel: ChannelType): UpdateLookup {
  const text = update.trim();
  if (text === '') return { ref: null, problem: null };
  let refs: unknown = null;
  if (text.startsWith('{')) {
    try {
      refs = JSON.parse(text);
    } catch {
      return { ref: null, problem: 'update: not valid JSON; pass the message_refs output of an earlier step as it is' };
    }
  }
  if (refs !== null) {
    if (typeof refs !== 'object' || Array.isArray(refs))
      return { ref: null, problem: 'update: expected the message_refs JSON object (target name → ref)' };
    const ref = (refs as Record<string, unknown>)[targetName];
    if (typeof ref !== 'string' || ref.trim() === '')
      return {
        ref: null,
        problem: `update has no message_ref for target "${targetName.slice(0, 60)}"; posting a new message`,
      };
    return checked(ref, channel);
  }
  return checked(text, channel);
}

function checked(ref: string, channel: ChannelType): UpdateLookup {
  const owner = refChannel(ref);
  if (owner === null) return { ref: null, problem: 'update: not a message_ref of ci-notify; posting a new message' };
  if (owner !== channel)
    return { ref: null, problem: `update: the message_ref is for ${owner}, not ${channel}; posting a new message` };
  return { ref: ref.trim(), problem: null };
}
