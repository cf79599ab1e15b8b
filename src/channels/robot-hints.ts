/**
 * Reading a chat robot's answer. DingTalk, WeCom and Lark all answer HTTP 200 with their own JSON
 * code for most failures (API_FACTS §A.6, §B.6, §C.6; USER_VOICES #3), so success is the
 * platform's code, never the HTTP status. Each channel declares what its codes mean; this file
 * turns an answer into a Verdict with the one-line hint the user needs.
 */
import type { HttpAnswer, Verdict } from '../delivery/types.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import { headUnits } from '../render/text.js';

/** What one failure code means for the user. */
export interface CodeMeaning {
  hint: string;
  /** "Slow down" codes are retried with backoff; everything else fails at once. */
  retry?: boolean;
}

export interface RobotAnswerRules {
  /** "DingTalk", for error lines. */
  platform: string;
  /** The platform's result code, or undefined when the answer has none. */
  code(json: Record<string, unknown>): number | undefined;
  /** The platform's message text ("errmsg", "msg"). */
  message(json: Record<string, unknown>): string;
  /** The meaning of a failure code; `message` lets one code carry several causes (DingTalk 310000). */
  meaning(code: number, message: string): CodeMeaning | undefined;
  /** Codes about the message itself (too long, bad shape): ours, not the user's, for a default message. */
  ownMessageCodes?: ReadonlySet<number>;
  /** Who wrote the body (writerOf); absent means a user template. */
  written?: BodyWriter;
}

/**
 * Who wrote a robot's body: the user (`template`, or a customize body) or ci-notify (its default
 * layout, built and cut to fit). A size or shape error on a default message is ci-notify's bug,
 * and the hint says so instead of pointing the user at a template they do not have.
 */
export type BodyWriter = 'template' | 'default';

export function writerOf(target: { template: string }): BodyWriter {
  return target.template.trim() === '' ? 'default' : 'template';
}

/** Longest platform message quoted in an error line. */
const MESSAGE_CHARS = 160;

export function readRobotAnswer(answer: HttpAnswer, rules: RobotAnswerRules): Verdict {
  const json = isObject(answer.json) ? answer.json : null;
  const code = json ? rules.code(json) : undefined;
  if (json === null || code === undefined) {
    // No platform code: a proxy, a gateway error page, or not the platform at all.
    return {
      ok: false,
      retry: isTransientStatus(answer.status),
      error: `${rules.platform} answered without a result code (${httpErrorLine(answer)})`,
      hint: 'check that url points to the robot webhook',
    };
  }
  if (code === 0) return { ok: true };
  const message = firstLine(rules.message(json));
  const declared = rules.meaning(code, message);
  // A "slow down" meaning stays: that code says nothing about who wrote the body.
  const ours = rules.written === 'default' && rules.ownMessageCodes?.has(code) === true && declared?.retry !== true;
  const meaning: CodeMeaning | undefined = ours
    ? {
        hint: `${rules.platform} refused the default message ci-notify built: please report it with the dry_run output`,
      }
    : declared;
  return {
    ok: false,
    retry: meaning?.retry === true || isTransientStatus(answer.status),
    error: `${rules.platform} error ${code}${message ? `: ${message}` : ''}`,
    ...(meaning ? { hint: meaning.hint } : {}),
  };
}

/** The first of several numeric fields present (Lark's `code`, then its legacy `StatusCode`). */
export function numericField(json: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = json[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

export function stringField(json: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    const value = json[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MESSAGE_CHARS ? `${headUnits(line, MESSAGE_CHARS)}…` : line;
}
