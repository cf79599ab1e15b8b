/**
 * A loopback stand-in of a Teams Workflows webhook ("Post to a channel when a webhook request is
 * received"): POST /workflows/<id>/triggers/manual/paths/invoke?…&sig=<signature>. It checks the
 * SAS signature and the flow's state, answers Logic Apps' own error bodies
 * (DirectApiAuthorizationRequired, DirectApiInvalidAuthorizationSignature, WorkflowNotFound,
 * WorkflowTriggerIsNotEnabled, TriggerInputSchemaMismatch), refuses a body over ~28 KB with 413,
 * throttles with 429 + Retry-After, answers 202 with no body like the real trigger, and then "runs
 * the flow": validates the Adaptive Card (and that every `<at>` has its `msteams.entities` entry)
 * and posts it to the channel it keeps.
 */
import {
  isObject,
  randomId,
  rateLimiter,
  standInControls,
  startChatServer,
  type ChatAnswer,
  type ChatStandIn,
} from './chat-server.js';

export interface TeamsPostedCard {
  card: Record<string, unknown>;
  /** The ids the card mentions (entities whose `<at>` text appears in a TextBlock). */
  mentions: string[];
}

export interface TeamsServer extends ChatStandIn {
  url: string;
  signature: string;
  /** Cards the flow posted to the channel. */
  posted: TeamsPostedCard[];
  /** Requests the flow run rejected (a card Teams could not render), with why. */
  failedRuns: string[];
  disable(): void;
}

export const TEAMS_MAX_BYTES = 28_000;
const ELEMENTS = new Set(['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image', 'RichTextBlock']);

export async function startTeamsServer(): Promise<TeamsServer> {
  const workflow = randomId(32, '0123456789abcdef');
  const signature = randomId(43, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');
  const posted: TeamsPostedCard[] = [];
  const failedRuns: string[] = [];
  const limiter = rateLimiter();
  let enabled = true;
  const error = (status: number, code: string, message: string, headers?: Record<string, string>): ChatAnswer => ({
    status,
    body: { error: { code, message } },
    ...(headers ? { headers } : {}),
  });

  const server = await startChatServer((req) => {
    const match = /^\/workflows\/([0-9a-f]+)\/triggers\/manual\/paths\/invoke$/.exec(req.path);
    if (!match || match[1] !== workflow)
      return error(404, 'WorkflowNotFound', `The workflow '${match?.[1] ?? ''}' could not be found.`);
    const sig = req.query.get('sig');
    if (!sig)
      return error(
        401,
        'DirectApiAuthorizationRequired',
        'The request must be authenticated only by Shared Access scheme.',
      );
    if (sig !== signature)
      return error(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is not valid.');
    if (!enabled)
      return error(
        409,
        'WorkflowTriggerIsNotEnabled',
        `Could not execute workflow '${workflow}' trigger 'manual' with state 'Disabled': trigger is not enabled.`,
      );
    if (limiter.take())
      return error(429, 'WorkflowRequestsThrottled', 'The workflow is throttled: the rate of requests is too high.', {
        'Retry-After': '2',
      });
    if (Buffer.byteLength(req.body) > TEAMS_MAX_BYTES) return error(413, 'MessageTooLarge', 'Request Entity too large');
    const body = req.json;
    if (
      !isObject(body) ||
      body.type !== 'message' ||
      !Array.isArray(body.attachments) ||
      body.attachments.length === 0 ||
      !body.attachments.every(
        (a) => isObject(a) && a.contentType === 'application/vnd.microsoft.card.adaptive' && isObject(a.content),
      )
    )
      return error(
        400,
        'TriggerInputSchemaMismatch',
        "The input body for trigger 'manual' of type 'Request' did not match its schema definition.",
      );
    for (const attachment of body.attachments as { content: Record<string, unknown> }[]) {
      const problem = cardProblem(attachment.content);
      if (problem) failedRuns.push(problem);
      else posted.push({ card: attachment.content, mentions: mentionsOf(attachment.content) });
    }
    // The trigger answers before the flow runs: 202, no body.
    return { status: 202, body: '' };
  });

  return {
    url: `${server.origin}/workflows/${workflow}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${signature}`,
    signature,
    posted,
    failedRuns,
    disable() {
      enabled = false;
    },
    ...standInControls(server, limiter),
  };
}

/** What "Post card in a chat or channel" would refuse (adaptivecards.io schema 1.4, the Teams mention rules). */
function cardProblem(card: Record<string, unknown>): string | null {
  if (card.type !== 'AdaptiveCard') return 'content.type must be AdaptiveCard';
  if (typeof card.version !== 'string') return 'content.version is required';
  if (!Array.isArray(card.body)) return 'content.body must be an array';
  for (const element of card.body) {
    if (!isObject(element) || !ELEMENTS.has(String(element.type))) return `unknown element ${JSON.stringify(element)}`;
    if (element.type === 'TextBlock' && typeof element.text !== 'string') return 'TextBlock.text is required';
    if (element.type === 'FactSet') {
      const facts = Array.isArray(element.facts) ? element.facts : null;
      if (!facts || !facts.every((f) => isObject(f) && typeof f.title === 'string' && typeof f.value === 'string'))
        return 'FactSet.facts must be {title, value} pairs';
    }
  }
  for (const action of Array.isArray(card.actions) ? card.actions : []) {
    if (
      !isObject(action) ||
      action.type !== 'Action.OpenUrl' ||
      typeof action.url !== 'string' ||
      !/^https?:\/\//.test(action.url)
    )
      return 'Action.OpenUrl needs an http(s) url';
  }
  const entities = entitiesOf(card);
  const texts = textsOf(card);
  for (const at of texts.flatMap((t) => [...t.matchAll(/<at>[^<]*<\/at>/g)].map((m) => m[0])))
    if (!entities.some((e) => e.text === at)) return `${at} has no msteams.entities mention`;
  return null;
}

function entitiesOf(card: Record<string, unknown>): { text: string; id: string }[] {
  const msteams = isObject(card.msteams) ? card.msteams : {};
  const entities = Array.isArray(msteams.entities) ? msteams.entities : [];
  return entities.flatMap((e) =>
    isObject(e) &&
    e.type === 'mention' &&
    typeof e.text === 'string' &&
    isObject(e.mentioned) &&
    typeof e.mentioned.id === 'string'
      ? [{ text: e.text, id: e.mentioned.id }]
      : [],
  );
}

function textsOf(card: Record<string, unknown>): string[] {
  const body = Array.isArray(card.body) ? card.body : [];
  return body.flatMap((e) => {
    if (!isObject(e)) return [];
    if (e.type === 'TextBlock') return [String(e.text)];
    if (e.type === 'FactSet' && Array.isArray(e.facts))
      return e.facts.flatMap((f) => (isObject(f) ? [String(f.title), String(f.value)] : []));
    return [];
  });
}

/** Only an `<at>…</at>` that matches an entity mentions anyone (and notifies that entity's id). */
function mentionsOf(card: Record<string, unknown>): string[] {
  const entities = entitiesOf(card);
  const texts = textsOf(card).join('\n');
  return entities.filter((e) => texts.includes(e.text)).map((e) => e.id);
}
