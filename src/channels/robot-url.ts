/**
 * The `url` of a chat robot takes the full webhook URL or only its credential (access_token, key,
 * hook id): users paste either, and a tool that wants the other gets "token is not exist" or
 * "invalid webhook url" (API_FACTS §A.1, §B.6, §C.6; USER_VOICES #16). A URL on another host is
 * kept as it is, for gateways and self-hosted proxies.
 */
import { z } from './schema.js';

export interface RobotUrlRule {
  /** What to tell the user: "expected the DingTalk webhook URL (…) or its access_token". */
  expected: string;
  /** The platform's own hosts, where a URL must carry its credential. */
  hosts: readonly string[];
  /** Why a URL on one of `hosts` is not a usable webhook, or null when it is. */
  checkOfficial(url: URL): string | null;
  /** The webhook URL for a bare credential. */
  fromCredential(credential: string): string | { problem: string; path?: string };
  /** What users paste in front of the credential ("access_token="), removed. */
  prefix?: string;
}

export type RobotUrl = string | { problem: string; path?: string };

export function robotWebhookUrl(input: string, rule: RobotUrlRule): RobotUrl {
  let value = input.trim();
  if (rule.prefix && value.startsWith(rule.prefix)) value = value.slice(rule.prefix.length);
  if (value === '') return { problem: rule.expected };
  if (!value.includes('://')) {
    return /^[A-Za-z0-9_-]+$/.test(value) ? rule.fromCredential(value) : { problem: rule.expected };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${rule.expected}; the value is not a valid URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `${rule.expected}; only http(s) URLs are accepted` };
  }
  const problem = rule.hosts.includes(url.hostname) ? rule.checkOfficial(url) : null;
  return problem ? { problem } : url.toString();
}

/** The zod field of a robot's `url` input: the resolved URL, or an issue on `url`. */
export function robotUrlField(rule: RobotUrlRule) {
  return z
    .string()
    .default('')
    .transform((value, ctx) => {
      const url = robotWebhookUrl(value, rule);
      if (typeof url === 'string') return url;
      ctx.addIssue({ code: 'custom', message: url.problem });
      return z.NEVER;
    });
}
