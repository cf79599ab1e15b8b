/**
 * A stand-in for Jenkins' Generic Webhook Trigger endpoint (API_FACTS §E), built on the receiver:
 * token lookup in the plugin's order, jobs with optional regexp filters over JSONPath-ish values,
 * the plugin's JSON answers (200 with jobs, 404 for an unknown token, 403 for the whitelist).
 */
import { startReceiver, type Receiver, type RecordedRequest } from './receiver.js';

export interface GwtJob {
  name: string;
  token: string;
  /** Renders the filter text from the posted JSON, e.g. (body) => body.ref.name. */
  filterText?: (body: Record<string, unknown>) => string;
  filterExpression?: string;
}

export interface GwtOptions {
  jobs: GwtJob[];
  /** Hosts allowed by the whitelist; undefined = whitelist off. */
  whitelist?: string[];
}

/** getGivenToken (API_FACTS §E.1): query `token`, header `token`, Bearer, X-Gitlab-Token. */
export function givenToken(request: RecordedRequest): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
  return (
    request.query.token ??
    (request.headers.token as string | undefined) ??
    bearer ??
    (request.headers['x-gitlab-token'] as string | undefined) ??
    null
  );
}

export function startJenkinsGwt(options: GwtOptions): Promise<Receiver> {
  let queueId = 100;
  return startReceiver({
    handler: (request) => {
      if (!request.url.startsWith('/generic-webhook-trigger/invoke')) return { status: 404, body: 'Not Found' };
      if (options.whitelist && !options.whitelist.includes('127.0.0.1')) {
        return { status: 403, body: { message: 'Sender, 127.0.0.1, with headers {} did not pass whitelist.\n' } };
      }
      const token = givenToken(request);
      const jobs = options.jobs.filter((job) => job.token === token);
      if (jobs.length === 0) {
        return {
          status: 404,
          body: {
            message: `Did not find any jobs with GenericTrigger configured!\n${token ? 'A token was supplied.' : 'No token was supplied.'}\n`,
          },
        };
      }
      let body: Record<string, unknown>;
      try {
        body = request.json() as Record<string, unknown>;
      } catch {
        return {
          status: 500,
          body: {
            message: 'There were errors when triggering jobs.',
            jobs: { [jobs[0]?.name ?? 'job']: 'Exception occurred (bad JSON)' },
          },
        };
      }
      const results: Record<string, unknown> = {};
      for (const job of jobs) {
        const text = job.filterText?.(body) ?? '';
        const matches = job.filterExpression === undefined || new RegExp(job.filterExpression).test(text);
        results[job.name] = matches
          ? {
              triggered: true,
              id: ++queueId,
              url: `queue/item/${queueId}/`,
              regexpFilterText: text,
              regexpFilterExpression: job.filterExpression ?? '',
              resolvedVariables: {},
            }
          : {
              triggered: false,
              id: 0,
              url: '',
              regexpFilterText: text,
              regexpFilterExpression: job.filterExpression ?? '',
              resolvedVariables: {},
            };
      }
      return { status: 200, body: { message: 'Triggered jobs.', jobs: results } };
    },
  });
}
