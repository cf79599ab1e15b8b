/**
 * The CiEvent as a CDEvents v0.5.1 pipelineRun event in CloudEvents binary mode (API_FACTS §G,
 * DESIGN §5.1 `format: cdevents`). Pure: the same event gives the same bytes, so retries resend
 * an identical event (CDEvents: `id` and `timestamp` must not change on retries).
 */
import type { CiEvent, Status } from '../event/types.js';

/** v0.5.1 renamed `version` to `specversion` and `url` to `uri`; the schemas are the truth (§G.1 CONFLICT). */
export const CDEVENTS_SPEC_VERSION = '0.5.1';

export type PipelineRunPhase = 'queued' | 'started' | 'finished';
export type PipelineRunOutcome = 'success' | 'failure' | 'cancel' | 'error';

export interface CdEvent {
  context: { specversion: string; id: string; source: string; type: string; timestamp: string };
  subject: {
    id: string;
    content: { pipelineName?: string; uri?: string; outcome?: PipelineRunOutcome; errors?: string };
  };
  customData: CiEvent;
  customDataContentType: 'application/json';
}

export function pipelineRunPhase(status: Status): PipelineRunPhase {
  if (status === 'pending') return 'queued';
  if (status === 'running') return 'started';
  return 'finished';
}

/**
 * The outcome enum of pipelinerun.finished has no "skipped" and no "unknown". A skipped run was
 * stopped on purpose before doing its work, which is what `cancel` says (it did not fail, it did
 * not succeed). An unknown status means we cannot tell how the run ended; claiming success or
 * failure would be invented, and `error` is the spec's word for "did not complete as expected".
 */
export function pipelineRunOutcome(status: Status): PipelineRunOutcome {
  switch (status) {
    case 'success':
      return 'success';
    case 'failure':
      return 'failure';
    case 'cancelled':
    case 'skipped':
      return 'cancel';
    default:
      return 'error';
  }
}

export function toCdevent(event: CiEvent, now: Date): { headers: Record<string, string>; body: string } {
  const phase = pipelineRunPhase(event.status);
  const type = `dev.cdevents.pipelinerun.${phase}.0.3.0`;
  // The occurrence time: when the run reached this state, not when we happened to send.
  const occurred =
    (phase === 'finished' ? event.pipeline.finished_at : phase === 'started' ? event.pipeline.started_at : null) ??
    event.timestamp;
  const timestamp = Number.isNaN(Date.parse(occurred)) ? now.toISOString() : occurred;
  const source = event.repository.url ?? event.server_url ?? 'urn:ci-notify';
  const subjectId = `${event.repository.full_name ?? 'pipeline'}/${event.pipeline.id ?? event.pipeline.number ?? event.id}`;

  // pipelinerun.started requires pipelineName and uri; the others accept them.
  const content: CdEvent['subject']['content'] = {
    pipelineName: event.pipeline.name ?? event.repository.full_name ?? 'pipeline',
    uri: event.pipeline.url ?? event.repository.url ?? `urn:ci-notify:pipelinerun:${event.id}`,
  };
  if (phase === 'finished') {
    content.outcome = pipelineRunOutcome(event.status);
    const failed = event.jobs.filter((job) => job.status === 'failure').map((job) => job.name);
    if (content.outcome === 'failure' && failed.length > 0) content.errors = `failed jobs: ${failed.join(', ')}`;
  }

  const cdevent: CdEvent = {
    context: { specversion: CDEVENTS_SPEC_VERSION, id: event.id, source, type, timestamp },
    subject: { id: subjectId, content },
    // The whole ci-notify event rides along, so a consumer needs no second source for commit or jobs.
    customData: event,
    customDataContentType: 'application/json',
  };

  // Binary mode (API_FACTS §G.3): attributes in ce-* headers, the full CDEvent as the body,
  // Content-Type application/json and no ce-datacontenttype.
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': encodeCloudEventsHeader(cdevent.context.id),
    'ce-source': encodeCloudEventsHeader(source),
    'ce-type': type,
    'ce-subject': encodeCloudEventsHeader(subjectId),
    'ce-time': timestamp,
  };
  return { headers, body: JSON.stringify(cdevent) };
}

/**
 * CloudEvents HTTP binding §3.1.3.2: a header value percent-encodes space, `"`, `%` and every
 * character outside printable ASCII, as UTF-8 bytes. (A repository name in Chinese must not
 * become an invalid HTTP header.)
 */
export function encodeCloudEventsHeader(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%') out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
