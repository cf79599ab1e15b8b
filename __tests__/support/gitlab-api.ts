/**
 * A loopback stand-in for the GitLab REST API endpoints ci-notify reads (src/event/gitlab-api.ts), under
 * `/api/v4` so a test sets `CI_API_V4_URL=<url>`. It decides who may read what the way GitLab does
 * (https://docs.gitlab.com/ci/jobs/fine_grained_permissions/#available-api-endpoints,
 * https://docs.gitlab.com/api/rest/authentication/):
 *
 * - `JOB-TOKEN`: accepted only on the route GitLab allows it on, the jobs of a pipeline
 *   (`GET /projects/:id/pipelines/:pipeline_id/jobs`), for the job's own project (another project's job
 *   token: 403). On any other route GitLab ignores it: the request is anonymous.
 * - `PRIVATE-TOKEN` (or `Authorization: Bearer`): an unknown token is 401; one without `read_api`/`api`
 *   scope is 403 insufficient_scope; one whose user is not a member of a private project sees 404.
 * - Anonymous: a public project is readable, a private one answers 404 Project Not Found.
 *
 * Pipelines are listed newest first with GitLab's filters (`ref`, `scope=finished`, `status`, `source`),
 * jobs paged with GitLab's `x-*` headers, and compare walks a linear commit history. Errors are GitLab's
 * own bodies. Every request is recorded (method, path, which credential header it carried).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInGitLabJob {
  id: number;
  name: string;
  stage: string;
  status: 'created' | 'pending' | 'running' | 'failed' | 'success' | 'canceled' | 'skipped' | 'manual';
  allow_failure: boolean;
  /** Seconds, as GitLab gives it; null for a job that did not run. */
  duration: number | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface StandInPipeline {
  id: number;
  iid: number;
  project_id: number;
  sha: string;
  ref: string;
  status: 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual';
  source: string;
  created_at: string;
}

export interface StandInCommit {
  id: string;
  title: string;
  message: string;
  author_name: string;
  author_email: string;
  committer_name: string;
  committer_email: string;
}

export interface StandInProject {
  id: number;
  path: string;
  visibility: 'private' | 'public';
  pipelines: StandInPipeline[];
  /** Jobs by pipeline id. */
  jobs: Map<number, StandInGitLabJob[]>;
  /** The repository's history, oldest first (a straight line is enough for compare). */
  history: StandInCommit[];
}

export interface ApiToken {
  value: string;
  /** Token scopes, e.g. ['read_api'] or ['read_repository']. */
  scopes: string[];
  /** Project ids whose member the token's user (or bot) is. */
  projects: number[];
}

export interface RecordedGitLabRequest {
  method: string;
  path: string;
  /** `job-token`, `private-token`, `bearer` or `anonymous`. */
  credential: string;
}

export interface GitLabApiStandIn {
  /** The API root to put in CI_API_V4_URL: http://127.0.0.1:<port>/api/v4 */
  url: string;
  origin: string;
  requests: RecordedGitLabRequest[];
  projects: StandInProject[];
  /** Job token value → the project of the running job it belongs to. */
  jobTokens: Map<string, number>;
  apiTokens: ApiToken[];
  /** GitLab before job tokens were allowed on the jobs endpoint (the token is then ignored there too). */
  jobTokenAllowedOnJobs: boolean;
  /** Milliseconds to wait before answering any request (a slow or hanging GitLab). */
  delayMs: number;
  /** Answer requests whose path starts with this prefix with GitLab's error for that status. */
  failures: { prefix: string; status: number }[];
  /** Answer requests whose path starts with this prefix 200 with this body (a proxy's page, another API). */
  oddAnswers: { prefix: string; body: unknown }[];
  close(): Promise<void>;
}

const ERROR_BODIES: Record<number, unknown> = {
  401: { message: '401 Unauthorized' },
  403: { message: '403 Forbidden' },
  404: { message: '404 Project Not Found' },
  500: { message: '500 Internal Server Error' },
  502: { message: '502 Bad Gateway' },
};

const INSUFFICIENT_SCOPE = {
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the access token.',
  scope: 'api read_api',
};

export async function startGitLabApi(): Promise<GitLabApiStandIn> {
  const state: Omit<GitLabApiStandIn, 'url' | 'origin' | 'close'> = {
    requests: [],
    projects: [],
    jobTokens: new Map(),
    apiTokens: [],
    jobTokenAllowedOnJobs: true,
    delayMs: 0,
    failures: [],
    oddAnswers: [],
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const credential = credentialOf(req);
    state.requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      credential: credential.kind,
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs).unref();
      else answer();
    };
    const error = (status: number) => send(status, ERROR_BODIES[status] ?? { message: `${status}` });

    const failure = state.failures.find((f) => url.pathname.startsWith(f.prefix));
    if (failure) return error(failure.status);
    const odd = state.oddAnswers.find((o) => url.pathname.startsWith(o.prefix));
    if (odd) return send(200, odd.body);
    if (req.method !== 'GET') return send(405, { error: '405 Method Not Allowed' });

    const route = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!route) return send(404, { error: '404 Not Found' });
    const projectKey = decodeURIComponent(route[1]!);
    const project = state.projects.find((p) => String(p.id) === projectKey || p.path === projectKey);
    const rest = route[2]!;

    const jobsRoute = /^pipelines\/(\d+)\/jobs$/.exec(rest);
    const jobTokenAllowed = jobsRoute !== null && state.jobTokenAllowedOnJobs;

    // Who is asking, as GitLab decides it for this route.
    let access: 'ok' | number;
    if (credential.kind === 'private-token' || credential.kind === 'bearer') {
      const token = state.apiTokens.find((t) => t.value === credential.value);
      if (!token) return error(401);
      if (!token.scopes.some((s) => s === 'api' || s === 'read_api')) return send(403, INSUFFICIENT_SCOPE);
      access = project && (project.visibility === 'public' || token.projects.includes(project.id)) ? 'ok' : 404;
    } else if (credential.kind === 'job-token' && jobTokenAllowed) {
      const tokenProject = state.jobTokens.get(credential.value);
      if (tokenProject === undefined) return error(401);
      access = !project ? 404 : tokenProject === project.id ? 'ok' : 403;
    } else {
      // No credential, or a job token on a route that does not take one: anonymous.
      access = project && project.visibility === 'public' ? 'ok' : 404;
    }
    if (access !== 'ok') return error(access);
    const p = project!;

    if (jobsRoute) {
      const jobs = p.jobs.get(Number(jobsRoute[1]));
      if (!jobs) return send(404, { message: '404 Not found' });
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? '20') || 20);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
      const totalPages = Math.max(1, Math.ceil(jobs.length / perPage));
      const slice = jobs.slice((page - 1) * perPage, page * perPage);
      const webUrl = (id: number) => `https://gitlab.example.com/${p.path}/-/jobs/${id}`;
      return send(
        200,
        slice.map((job) => ({
          id: job.id,
          status: job.status,
          stage: job.stage,
          name: job.name,
          ref: 'main',
          tag: false,
          coverage: null,
          allow_failure: job.allow_failure,
          created_at: job.started_at ?? '2026-12-01T09:58:00.000Z',
          started_at: job.started_at,
          finished_at: job.finished_at,
          erased_at: null,
          duration: job.duration,
          queued_duration: 0.5,
          user: { id: 1, username: 'mona', name: 'Mona Lisa' },
          pipeline: { id: Number(jobsRoute[1]), project_id: p.id, ref: 'main', status: 'running' },
          web_url: webUrl(job.id),
          artifacts: [],
          runner: null,
          tag_list: [],
        })),
        {
          'x-page': String(page),
          'x-per-page': String(perPage),
          'x-total': String(jobs.length),
          'x-total-pages': String(totalPages),
          'x-next-page': page < totalPages ? String(page + 1) : '',
          'x-prev-page': page > 1 ? String(page - 1) : '',
        },
      );
    }

    if (rest === 'pipelines') {
      const q = url.searchParams;
      const finished = ['success', 'failed', 'canceled', 'skipped'];
      let list = [...p.pipelines].sort((a, b) => b.id - a.id);
      if (q.get('ref')) list = list.filter((x) => x.ref === q.get('ref'));
      if (q.get('status')) list = list.filter((x) => x.status === q.get('status'));
      if (q.get('source')) list = list.filter((x) => x.source === q.get('source'));
      if (q.get('scope') === 'finished') list = list.filter((x) => finished.includes(x.status));
      if (q.get('sort') === 'asc') list.reverse();
      const perPage = Math.min(100, Number(q.get('per_page') ?? '20') || 20);
      return send(
        200,
        list.slice(0, perPage).map((x) => ({
          ...x,
          updated_at: x.created_at,
          web_url: `https://gitlab.example.com/${p.path}/-/pipelines/${x.id}`,
        })),
      );
    }

    if (rest === 'repository/compare') {
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      if (!from) return send(400, { error: 'from is missing' });
      if (!to) return send(400, { error: 'to is missing' });
      const fromIndex = p.history.findIndex((c) => c.id === from);
      const toIndex = p.history.findIndex((c) => c.id === to);
      if (fromIndex < 0 || toIndex < 0) return send(404, { message: '404 Ref Not Found' });
      const commits = p.history.slice(fromIndex + 1, toIndex + 1).map((c) => ({
        ...c,
        short_id: c.id.slice(0, 8),
        created_at: '2026-12-01T09:50:00.000Z',
        parent_ids: [],
        authored_date: '2026-12-01T09:50:00.000Z',
        committed_date: '2026-12-01T09:50:00.000Z',
        web_url: `https://gitlab.example.com/${p.path}/-/commit/${c.id}`,
      }));
      return send(200, {
        commit: commits.at(-1) ?? null,
        commits,
        diffs: commits.map((c) => ({ old_path: 'README.md', new_path: 'README.md', diff: `@@ ${c.id}` })),
        compare_timeout: false,
        compare_same_ref: from === to,
        web_url: `https://gitlab.example.com/${p.path}/-/compare/${from}...${to}`,
      });
    }

    return send(404, { error: '404 Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const standIn = state as GitLabApiStandIn;
  standIn.url = `${origin}/api/v4`;
  standIn.origin = origin;
  standIn.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

function credentialOf(req: IncomingMessage): { kind: string; value: string } {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : '';
  };
  if (header('job-token')) return { kind: 'job-token', value: header('job-token') };
  if (header('private-token')) return { kind: 'private-token', value: header('private-token') };
  const bearer = /^Bearer (.+)$/.exec(header('authorization'));
  if (bearer) return { kind: 'bearer', value: bearer[1]! };
  return { kind: 'anonymous', value: '' };
}

/** A project with the ids gitlab-ci-local gives (CI_PROJECT_ID 1217, acme/api). */
export function standInProject(overrides: Partial<StandInProject> = {}): StandInProject {
  return {
    id: 1217,
    path: 'acme/api',
    visibility: 'private',
    pipelines: [],
    jobs: new Map(),
    history: [],
    ...overrides,
  };
}

export function standInPipeline(overrides: Partial<StandInPipeline> & Pick<StandInPipeline, 'id'>): StandInPipeline {
  return {
    iid: overrides.id - 900,
    project_id: 1217,
    sha: 'a'.repeat(40),
    ref: 'main',
    status: 'success',
    source: 'push',
    created_at: '2026-12-01T09:00:00.000Z',
    ...overrides,
  };
}

export function standInJob(
  overrides: Partial<StandInGitLabJob> & Pick<StandInGitLabJob, 'id' | 'name' | 'stage' | 'status'>,
): StandInGitLabJob {
  const ran = !['created', 'manual', 'skipped', 'pending'].includes(overrides.status);
  return {
    allow_failure: false,
    duration: ran ? 12.5 : null,
    started_at: ran ? '2026-12-01T09:58:30.000Z' : null,
    finished_at: ran && overrides.status !== 'running' ? '2026-12-01T09:58:42.500Z' : null,
    ...overrides,
  };
}

/**
 * A GitLab API stand-in with pipeline 1000 of the README's "Deploy to dev" example as the API lists
 * it: the jobs the README names (compile, unit, lint failed but allowed to, deploy-dev) and the
 * component's own two in `.post`; `jobToken` is the notify job's CI_JOB_TOKEN for project 1217.
 */
export async function startDeployToDevApi(jobToken: string): Promise<GitLabApiStandIn> {
  const api = await startGitLabApi();
  const project = standInProject();
  project.jobs.set(1000, [
    standInJob({ id: 1, name: 'compile', stage: 'build', status: 'success', started_at: '2026-12-01T09:58:01.000Z' }),
    standInJob({ id: 2, name: 'unit', stage: 'test', status: 'success' }),
    standInJob({ id: 3, name: 'lint', stage: 'test', status: 'failed', allow_failure: true }),
    standInJob({ id: 4, name: 'deploy-dev', stage: 'deploy', status: 'success' }),
    standInJob({ id: 5, name: 'ci-notify-success', stage: '.post', status: 'running' }),
    standInJob({ id: 6, name: 'ci-notify-failure', stage: '.post', status: 'created' }),
  ]);
  api.projects.push(project);
  api.jobTokens.set(jobToken, 1217);
  return api;
}
