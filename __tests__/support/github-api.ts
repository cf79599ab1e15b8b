/**
 * A loopback stand-in for the GitHub REST API endpoints ci-notify reads (src/event/github-api.ts):
 * it checks the bearer token like GitHub (401 "Bad credentials"), serves a run, its jobs per
 * attempt, the workflow's runs filtered by branch/status newest first, commits, and the compare of
 * two commits of a linear history (`commits`, oldest first); anything else is GitHub's 404
 * `{"message":"Not Found"}`. `failures` returns a chosen status for a path prefix;
 * `latencyMs` delays every answer and `silent` prefixes are never answered (a hung API), while
 * `maxInFlight` records how many requests were open at once (reads that overlap).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRun {
  id: number;
  name: string;
  run_number: number;
  workflow_id: number;
  head_branch: string;
  head_repository: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  run_started_at: string;
  created_at: string;
  /** The workflow file (`.github/workflows/ci.yml` unless set); the API takes its base name for the id. */
  path?: string;
  /** The commit the run built. */
  head_sha?: string;
}

/**
 * A run of workflow 5 ("CI") of acme/api on main, created and started at `at`; still going when
 * `conclusion` is null, completed otherwise.
 */
export function standInRun(
  id: number,
  runNumber: number,
  conclusion: string | null,
  at: string,
  extra: Partial<StandInRun> = {},
): StandInRun {
  return {
    id,
    name: 'CI',
    run_number: runNumber,
    workflow_id: 5,
    head_branch: 'main',
    head_repository: 'acme/api',
    status: conclusion === null ? 'in_progress' : 'completed',
    conclusion,
    run_started_at: at,
    created_at: at,
    ...extra,
  };
}

export interface StandInJob {
  id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting';
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  html_url: string;
  runner_name: string | null;
  /** The job's steps, as GitHub lists them (the first with conclusion failure is the failed step). */
  steps?: { name: string; status: string; conclusion: string | null; number: number }[];
}

export interface StandInCommit {
  sha: string;
  message: string;
  author: { name: string; email: string };
  login: string | null;
  /** Committer when it differs from the author (a rebase, a web edit: GitHub's web-flow). */
  committer?: { name: string; email: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Date.now() when it arrived. */
  at: number;
}

export interface GitHubApiStandIn {
  url: string;
  requests: RecordedRequest[];
  runs: StandInRun[];
  /** Jobs by `${runId}/${attempt}`. */
  jobs: Map<string, StandInJob[]>;
  /** A linear history, oldest first: `/commits/{sha}` finds one, `/compare/{a}...{b}` lists those after a up to b. */
  commits: StandInCommit[];
  /** Answer every request whose path starts with this prefix with this status (GitHub's error body). */
  failures: { prefix: string; status: number; message: string }[];
  /** Answer every request whose path starts with this prefix 200 with this body (a proxy's page, another API). */
  oddAnswers: { prefix: string; body: unknown }[];
  /** Every answer waits this long (a distant API). */
  latencyMs: number;
  /** Requests whose path starts with one of these are never answered (an API that hangs). */
  silent: string[];
  /** The most requests that were open at the same time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export async function startGitHubApi(options: { repository: string; token: string }): Promise<GitHubApiStandIn> {
  const requests: RecordedRequest[] = [];
  const state = {
    runs: [] as StandInRun[],
    jobs: new Map<string, StandInJob[]>(),
    commits: [] as StandInCommit[],
    failures: [] as GitHubApiStandIn['failures'],
    oddAnswers: [] as GitHubApiStandIn['oddAnswers'],
    latencyMs: 0,
    silent: [] as string[],
    inFlight: 0,
    maxInFlight: 0,
  };
  const hanging = new Set<ServerResponse>();
  const repoPrefix = `/repos/${options.repository}`;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      at: Date.now(),
    });
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    if (state.silent.some((prefix) => url.pathname.startsWith(prefix))) {
      hanging.add(res);
      return;
    }
    const send = (status: number, body: unknown) => {
      const answer = () => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      if (state.latencyMs > 0) setTimeout(answer, state.latencyMs);
      else answer();
    };

    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    const failure = state.failures.find((f) => url.pathname.startsWith(f.prefix));
    if (failure)
      return send(failure.status, { message: failure.message, documentation_url: 'https://docs.github.com/rest' });
    const odd = state.oddAnswers.find((o) => url.pathname.startsWith(o.prefix));
    if (odd) return send(200, odd.body);
    if (req.method !== 'GET' || !url.pathname.startsWith(`${repoPrefix}/`)) return send(404, { message: 'Not Found' });
    const rest = url.pathname.slice(repoPrefix.length);

    let m = /^\/actions\/runs\/(\d+)$/.exec(rest);
    if (m) {
      const run = state.runs.find((r) => r.id === Number(m![1]));
      return run ? send(200, runJson(run, options.repository)) : send(404, { message: 'Not Found' });
    }
    m = /^\/actions\/runs\/(\d+)\/attempts\/(\d+)\/jobs$/.exec(rest);
    if (m) {
      const jobs = state.jobs.get(`${m[1]}/${m[2]}`);
      if (!jobs) return send(404, { message: 'Not Found' });
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      return send(200, {
        total_count: jobs.length,
        jobs: jobs.slice(0, perPage).map((j) => ({ ...j, run_id: Number(m![1]) })),
      });
    }
    m = /^\/actions\/workflows\/([^/]+)\/runs$/.exec(rest);
    if (m) {
      const branch = url.searchParams.get('branch');
      const status = url.searchParams.get('status');
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const workflow = decodeURIComponent(m[1]!);
      const runs = state.runs
        .filter((r) => String(r.workflow_id) === workflow || workflowFile(r) === workflow)
        .filter((r) => !branch || r.head_branch === branch)
        .filter((r) => !status || r.status === status || r.conclusion === status)
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .slice(0, perPage);
      return send(200, { total_count: runs.length, workflow_runs: runs.map((r) => runJson(r, options.repository)) });
    }
    m = /^\/commits\/([0-9a-f]{7,40})$/.exec(rest);
    if (m) {
      const commit = state.commits.find((c) => c.sha.startsWith(m![1]!));
      if (!commit) return send(422, { message: `No commit found for SHA: ${m[1]}` });
      return send(200, {
        sha: commit.sha,
        html_url: `https://github.com/${options.repository}/commit/${commit.sha}`,
        commit: { message: commit.message, author: { ...commit.author, date: '2026-12-01T09:58:00Z' } },
        author: commit.login ? { login: commit.login, id: 1 } : null,
      });
    }
    m = /^\/compare\/([0-9a-f]{7,40})\.\.\.([0-9a-f]{7,40})$/.exec(rest);
    if (m) {
      const index = (sha: string) => state.commits.findIndex((c) => c.sha.startsWith(sha));
      const [base, head] = [index(m[1]!), index(m[2]!)];
      if (base < 0 || head < 0) return send(404, { message: 'Not Found' });
      const commits = head > base ? state.commits.slice(base + 1, head + 1) : [];
      return send(200, {
        status: head > base ? 'ahead' : head === base ? 'identical' : 'behind',
        ahead_by: commits.length,
        behind_by: head < base ? base - head : 0,
        total_commits: commits.length,
        html_url: `https://github.com/${options.repository}/compare/${m[1]}...${m[2]}`,
        commits: commits.map((c) => commitJson(c, options.repository)),
        files: [],
      });
    }
    return send(404, { message: 'Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get runs() {
      return state.runs;
    },
    set runs(value) {
      state.runs = value;
    },
    jobs: state.jobs,
    get commits() {
      return state.commits;
    },
    set commits(value) {
      state.commits = value;
    },
    failures: state.failures,
    oddAnswers: state.oddAnswers,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(value) {
      state.latencyMs = value;
    },
    silent: state.silent,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function workflowFile(run: StandInRun): string {
  return (run.path ?? '.github/workflows/ci.yml').split('/').pop()!;
}

/** A commit as the compare API lists it: git's author and committer, and the GitHub accounts when known. */
function commitJson(c: StandInCommit, repository: string) {
  const date = '2026-12-01T09:58:00Z';
  return {
    sha: c.sha,
    html_url: `https://github.com/${repository}/commit/${c.sha}`,
    commit: {
      author: { ...c.author, date },
      committer: { ...(c.committer ?? c.author), date },
      message: c.message,
    },
    author: c.login ? { login: c.login, id: 1, type: c.login.endsWith('[bot]') ? 'Bot' : 'User' } : null,
    committer: c.committer
      ? { login: 'web-flow', id: 19864447, type: 'User' }
      : c.login
        ? { login: c.login, id: 1 }
        : null,
    parents: [],
  };
}

function runJson(run: StandInRun, repository: string) {
  return {
    head_sha: run.head_sha ?? null,
    id: run.id,
    name: run.name,
    run_number: run.run_number,
    workflow_id: run.workflow_id,
    head_branch: run.head_branch,
    path: run.path ?? '.github/workflows/ci.yml',
    head_repository: { full_name: run.head_repository },
    status: run.status,
    conclusion: run.conclusion,
    run_started_at: run.run_started_at,
    created_at: run.created_at,
    html_url: `https://github.com/${repository}/actions/runs/${run.id}`,
  };
}
