/**
 * What the global chat channels (Slack, Discord, Telegram, Mattermost, Google Chat, Teams) share:
 * laying out the message model — the default body as lines of their markup, or the user's
 * template, its own text kept and every inserted value escaped — mention ids checked before they
 * go into markup, and reading the platform's JSON answers into one-line errors.
 */
import { layoutSections, layoutTemplate, type Clip, type Markup } from '../render/layout.js';
import { headUnits, oneLine } from '../render/text.js';
import type { MessageModel } from '../render/types.js';

/**
 * The body's lines in `markup`: the user's template when there is one (their text as written, each
 * inserted value through `value`, then `whole` over it, which takes mentions out), else every line
 * of every section of the default message, in the model's order (what broke first).
 */
export function chatBody(
  message: MessageModel,
  markup: Markup,
  clip: Clip,
  template: { value: (text: string) => string; whole: (text: string) => string },
): string[] {
  if (message.body_parts !== null) return [layoutTemplate(message.body_parts, template.value, template.whole, clip)];
  return layoutSections(message.sections, markup, clip).flat();
}

/** An absolute http(s) URL (inputs are trimmed before they get here). */
export function isHttpUrl(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** Mention ids are configuration, but one must never carry markup of its own. */
export function cleanIds(ids: readonly string[], pattern: RegExp): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (id === '') continue;
    if (pattern.test(id)) {
      if (!valid.includes(id)) valid.push(id);
    } else invalid.push(id);
  }
  return { valid, invalid };
}

/** A JSON object out of an answer (or null), to read its fields without casts. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * A text field an endpoint answered (an error code, description or body), to quote in an error or
 * a log line of our own: on one line, so it cannot start a line that looks like ours (the HTTP
 * client flattens verdict errors, not what a channel logs itself), at most `max` characters, and
 * '' when it is not a string.
 */
export function answerText(value: unknown, max: number): string {
  return typeof value === 'string' ? headUnits(oneLine(value), max) : '';
}
