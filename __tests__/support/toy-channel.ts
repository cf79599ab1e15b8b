/* eslint-disable @typescript-eslint/ban-ts-comment */
// @ts-nocheck -- 'ntfy' is not a channel type of this repository; contributing.test.ts type-checks this code in a copy of src/ with CONTRIBUTING.md's edits applied.
// src/channels/ntfy.ts
/**
 * `ntfy`: the notification as a plain-text push to an ntfy topic (https://docs.ntfy.sh/publish/).
 * Anyone who knows a topic URL can read and write the topic, so the URL is a secret like every `url`.
 */
import { z } from '../../src/channels/schema.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../../src/delivery/types.js';
import { plainBody } from '../../src/render/layout.js';
import { truncateUtf8 } from '../../src/render/text.js';
import type { MessageModel } from '../../src/render/types.js';
import type { Channel } from '../../src/channels/types.js';

// ── options ──────────────────────────────────────────────────────────────────────────────────

const TOPIC_URL = /^https?:\/\/[^/\s]+\/[\w-]+$/;

export const ntfyOptions = z.object({
  url: z
    .string({ error: 'expected the topic URL, e.g. https://ntfy.sh/my-team-ci' })
    .trim()
    .regex(TOPIC_URL, { error: 'expected the topic URL, e.g. https://ntfy.sh/my-team-ci' }),
});
export type NtfyOptions = z.output<typeof ntfyOptions>;

// ── limits ───────────────────────────────────────────────────────────────────────────────────

/** ntfy turns a longer message into a file attachment, so we cut it first (in UTF-8 bytes). */
export const NTFY_MAX_MESSAGE_BYTES = 4096;

// ── request ──────────────────────────────────────────────────────────────────────────────────

/**
 * Pure: the model → one POST. The model's body is already in reading order (what failed, with
 * links; the commit; how the run started); ntfy shows plain text, so its lines go as they are,
 * each link after an arrow (a channel with markup lays out `message.sections` with
 * render/layout.ts and the escapers in render/text.ts). Header values must be ASCII: the emoji
 * comes from a tag name, and the title stays in the body.
 */
export function ntfyRequest(message: MessageModel, options: NtfyOptions): HttpRequestSpec {
  const body = message.body ?? plainBody(message, (text) => text).join('\n');
  const text = [message.title, '', body].join('\n');
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    Tags: message.status === 'success' ? 'white_check_mark' : message.status === 'failure' ? 'x' : 'grey_question',
    Priority: message.status === 'failure' ? 'high' : 'default',
  };
  if (message.link) headers.Click = message.link.url;
  return { method: 'POST', url: options.url, headers, body: truncateUtf8(text, NTFY_MAX_MESSAGE_BYTES) };
}

// ── answer ───────────────────────────────────────────────────────────────────────────────────

/** ntfy answers 200 with the stored message; errors are JSON like {"code":40301,"http":403,"error":"forbidden"}. */
export function readNtfyAnswer(answer: HttpAnswer): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const error = (answer.json as { error?: unknown } | undefined)?.error;
  return {
    ok: false,
    retry: answer.status === 429 || answer.status >= 500,
    error: `HTTP ${answer.status}${typeof error === 'string' ? ` ${error}` : ''}`,
    hint:
      answer.status === 401 || answer.status === 403
        ? 'the topic is protected: publish to a topic you may write to'
        : undefined,
  };
}

export const ntfy: Channel<NtfyOptions> = {
  type: 'ntfy',
  options: ntfyOptions,
  secrets: (options) => [options.url],
  msgTypes: [],
  send: (ctx) =>
    ctx.http.deliver(() => ntfyRequest(ctx.message, ctx.options), readNtfyAnswer, { label: `ntfy ${ctx.target.name}` }),
};
