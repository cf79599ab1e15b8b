/**
 * `teams`: Microsoft Teams through a Workflows (Power Automate) webhook — the flow "Post to a
 * channel when a webhook request is received" — with an Adaptive Card attachment, the only body
 * those flows post (Office 365 connectors and their MessageCard are retired: API_FACTS_GLOBAL
 * "Microsoft Teams"). A 202 means the flow accepted the request, not that the card is in the
 * channel yet. A Workflows webhook answers no message id, so a sent card cannot be edited.
 * Reads top to bottom: options, limits, layout, request, answer, send.
 */
import { z } from './schema.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import type { Outcome } from '../render/types.js';
import { escapeTeamsMarkdown } from '../render/chat-markup.js';
import { neutralizeMentions } from '../render/text.js';
import type { Fact, MessageModel } from '../render/types.js';
import { layoutLine, layoutTemplate, type Clip, type Markup } from '../render/layout.js';
import { fitWithinBytes, jsonBytes, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, cleanIds, isHttpUrl } from './chat-layout.js';
import type { Channel, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface TeamsOptions {
  /** The Workflows webhook URL; its `sig=` parameter is the credential. */
  url: string;
}

export const teamsOptions: z.ZodType<TeamsOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const problem = (message: string): typeof z.NEVER => {
    ctx.addIssue({ code: 'custom', path: ['url'], message });
    return z.NEVER;
  };
  const text = (raw.url ?? '').trim();
  if (text === '')
    return problem(
      'missing; give the URL of a Teams Workflows webhook (Teams: channel ⋯ → Workflows → "Post to a channel when a webhook request is received")',
    );
  // No host pattern: Workflows URLs have moved between hosts (logic.azure.com, powerautomate,
  // powerplatform.com) and a hard-coded one breaks (swisscom/backman #89).
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
  } catch {
    return problem('expected the https:// URL of the Workflows webhook, copied whole (with its sig= parameter)');
  }
  return { url: text };
});

// ---------------------------------------------------------------------------------------------
// Limits (learn.microsoft.com/connectors/teams, "Known issues and limitations": "the message size
// limit is approximately 28 KB … If the message size exceeds 28 KB, the action fails with the error
// 'Request Entity too large'"). Measured on the whole request body, in bytes.

export const TEAMS_BODY_LIMIT = 28_000;

// ---------------------------------------------------------------------------------------------
// Layout

export interface TeamsTextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Medium';
  color?: 'Good' | 'Attention' | 'Warning' | 'Accent' | 'Default';
}

export interface TeamsFactSet {
  type: 'FactSet';
  facts: { title: string; value: string }[];
}

export interface TeamsMention {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string };
}

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  body: (TeamsTextBlock | TeamsFactSet)[];
  actions?: { type: 'Action.OpenUrl'; title: string; url: string }[];
  msteams: { width: 'Full'; entities?: TeamsMention[] };
}

export interface TeamsPayload {
  type: 'message';
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }[];
}

/** The outcome's colour in a TextBlock (Adaptive Cards' named colours, as MESSAGES.md colours them). */
const COLOURS: Record<Outcome, TeamsTextBlock['color']> = {
  success: 'Good',
  fixed: 'Good',
  warnings: 'Warning',
  failure: 'Attention',
  regressed: 'Attention',
  still_failing: 'Attention',
  cancelled: 'Default',
  skipped: 'Default',
  running: 'Accent',
  pending: 'Warning',
  unknown: 'Default',
};

/** TextBlock markdown: `**bold**`, `[text](url)`, lists; no grey, and a link cannot sit in code. */
const MARKDOWN: Markup = {
  text: (text) => escapeTeamsMarkdown(text),
  link: (text, url) => `[${text}](${url})`,
  strong: (text) => `**${text}**`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `- ${line}`,
};

/** A fact's value in TextBlock markdown: the commit's sha linked, then its title; else the value, linked when it has a URL. */
function factValue(fact: Fact, clip: Clip): string {
  const value = escapeTeamsMarkdown(clip(fact.value));
  if (fact.url && isHttpUrl(fact.url)) {
    if (fact.link_text) return `[${escapeTeamsMarkdown(fact.link_text)}](${fact.url}) ${value}`.trimEnd();
    return `[${value}](${fact.url})`;
  }
  return value;
}

/**
 * Lines in one TextBlock: list entries one per line (Teams makes them a list), a paragraph break
 * around anything else ("\n\n" is what a TextBlock needs for a new line outside a list).
 */
function textBlockLines(lines: { text: string; item: boolean }[]): string {
  return lines.map((line, i) => (i === 0 ? '' : line.item && lines[i - 1]!.item ? '\n' : '\n\n') + line.text).join('');
}

/**
 * The default Teams card: the title coloured by the outcome; what broke as a list (each failed job
 * linked); the other facts as a FactSet (the card's table); a "View run" button; `<at>` mentions
 * backed by `msteams.entities` — the only way an incoming webhook card mentions
 * (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format,
 * "User mention in Incoming Webhook with Adaptive Cards").
 */
export function teamsPayload(message: MessageModel, mentionIds: string[], clip: Clip = NO_CLIP): TeamsPayload {
  const body: AdaptiveCard['body'] = [
    {
      type: 'TextBlock',
      text: escapeTeamsMarkdown(message.title),
      wrap: true,
      weight: 'Bolder',
      size: 'Medium',
      color: COLOURS[message.outcome],
    },
  ];
  if (message.body_parts !== null) {
    // The user's template is markdown by intent; inserted values are escaped, mentions taken out.
    const text = layoutTemplate(
      message.body_parts,
      (v) => escapeTeamsMarkdown(v, { multiline: true }),
      neutralizeMentions,
      clip,
    );
    if (text !== '') body.push({ type: 'TextBlock', text, wrap: true });
  } else {
    let facts: TeamsFactSet | null = null;
    for (const section of message.sections) {
      if (section.kind === 'jobs') {
        facts = null;
        const lines = section.lines.map((line) => ({
          text: layoutLine(line, MARKDOWN, clip),
          item: line.item === true,
        }));
        body.push({ type: 'TextBlock', text: textBlockLines(lines), wrap: true });
        continue;
      }
      if (section.facts.length === 0) continue;
      if (facts === null) {
        facts = { type: 'FactSet', facts: [] };
        body.push(facts);
      }
      facts.facts.push(...section.facts.map((fact) => ({ title: fact.label, value: factValue(fact, clip) })));
    }
  }
  const entities = mentionIds.map((id): TeamsMention => ({
    type: 'mention',
    text: `<at>${id}</at>`,
    mentioned: { id, name: id },
  }));
  if (entities.length > 0) body.push({ type: 'TextBlock', text: entities.map((e) => e.text).join(' '), wrap: true });
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(message.link
      ? { actions: [{ type: 'Action.OpenUrl', title: message.link.label, url: message.link.url }] }
      : {}),
    msteams: { width: 'Full', ...(entities.length > 0 ? { entities } : {}) },
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

// ---------------------------------------------------------------------------------------------
// Request (pure)

export function teamsRequest(options: TeamsOptions, payload: TeamsPayload): HttpRequestSpec {
  return {
    method: 'POST',
    url: options.url,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  };
}

// ---------------------------------------------------------------------------------------------
// Answer

/** Workflows (Logic Apps) error codes → what to do. */
const WORKFLOW_HINTS: Record<string, string> = {
  TriggerInputSchemaMismatch:
    'the flow expects another body: create it from the Teams template "Post to a channel when a webhook request is received"',
  DirectApiAuthorizationRequired:
    "url must be the whole Workflows URL, with its sig= parameter: copy it again from the flow's trigger",
  DirectApiInvalidAuthorizationSignature:
    "the sig= of url is wrong (the URL was regenerated?): copy it again from the flow's trigger",
  WorkflowNotFound: 'the flow was deleted, or url is wrong',
  WorkflowTriggerIsNotEnabled: 'the flow is turned off (or suspended by a policy): turn it on in Power Automate',
};

export const TEAMS_ACCEPTED_NOTE =
  "Teams accepted the card (202: the flow queued it; if it never appears, open the flow's run history)";

export function readTeamsAnswer(answer: HttpAnswer): Verdict {
  if (answer.status === 202) return { ok: true, note: TEAMS_ACCEPTED_NOTE };
  if (answer.status >= 200 && answer.status < 300) {
    // Retired Office 365 connectors answered HTTP 200 with an error text (go-teams-notify #59).
    if (/delivery failed|error/i.test(answer.text))
      return { ok: false, retry: false, error: `Teams: ${answerText(answer.text, 160)}`, hint: RETIRED_HINT };
    return { ok: true };
  }
  const error = asObject(asObject(answer.json)?.error);
  const code = answerText(error?.code, 80) || null;
  const message = answerText(error?.message, 160);
  if (code === null) {
    return {
      ok: false,
      retry: isTransientStatus(answer.status),
      error: httpErrorLine(answer),
      ...(answer.status === 413 ? { hint: 'the card is over the ~28 KB Teams accepts' } : {}),
    };
  }
  const hint =
    WORKFLOW_HINTS[code] ?? (answer.status === 413 ? 'the card is over the ~28 KB Teams accepts' : undefined);
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: `Teams Workflows error ${code}${message ? `: ${message}` : ''} (HTTP ${answer.status})`,
    ...(hint ? { hint } : {}),
  };
}

const RETIRED_HINT =
  'Office 365 connectors are retired: create a Workflows webhook (channel ⋯ → Workflows → "Post to a channel when a webhook request is received") and use its URL';

// ---------------------------------------------------------------------------------------------
// Send

/** A UPN (user@tenant), an Entra object id (GUID) or a Teams user id (29:…), never with markup. */
const TEAMS_ID = /^(?:[^\s<>"@]+@[^\s<>"@]+|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d+:[\w-]+)$/i;

export const teams: Channel<TeamsOptions> = {
  type: 'teams',
  options: teamsOptions,
  secrets: (options) => [options.url],
  msgTypes: [],

  async send(ctx: SendContext<TeamsOptions>) {
    const { target, message } = ctx;
    if (/(^|\.)(webhook\.office\.com|outlook\.office\.com)$/i.test(new URL(ctx.options.url).hostname))
      ctx.log.warn(`url is an Office 365 connector URL; ${RETIRED_HINT}`);
    const ids = ctx.mention ? cleanIds(target.at_user_ids, TEAMS_ID) : { valid: [], invalid: [] };
    if (ids.invalid.length > 0)
      ctx.log.warn(
        `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Teams user (UPN such as ann@contoso.com, or an Entra object id)`,
      );
    if (ctx.mention && target.at_all) ctx.log.warn('at_all: a Teams webhook card cannot mention everyone; ignored');
    const fitted = fitWithinBytes(
      (clip) => teamsPayload(message, ids.valid, clip),
      jsonBytes,
      TEAMS_BODY_LIMIT,
      truncationMarker(message.locale),
    );
    if (fitted.truncated) ctx.log.info("message truncated to fit Teams' ~28 KB card limit");
    return ctx.http.deliver(teamsRequest(ctx.options, fitted.value), readTeamsAnswer);
  },
};
