/**
 * What the git repository in the working directory says about the commit being reported, for the
 * CLI in a plain shell (or a CI that does not say it): sha, branch or tag, commit message and author,
 * and the `origin` remote. git runs as a child process without a shell (execFile), with a bounded
 * time, never prompting; when git is missing or this is no repository, every fact is null.
 * src/platform/git-files.ts answers the same questions from the files first, in the plain layouts;
 * git runs only for what those cannot tell.
 */
import type { GitFacts } from '../event/local.js';

export const NO_GIT_FACTS: GitFacts = { sha: null, branch: null, tag: null, message: null, author: null, remote: null };

/** Each git command gets this long; they run at once, so all of them together too. */
const GIT_TIMEOUT_MS = 2000;

export type GitRunner = (args: string[]) => Promise<string | null>;

/** Runs `git <args>` in `cwd`: stdout trimmed, or null on any failure (no git, no repository, a timeout). */
export function gitRunner(cwd: string, env: NodeJS.ProcessEnv): GitRunner {
  return async (args) => {
    // Loaded on the first git command: child_process (with dgram and the socket list) costs start-up.
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => {
      execFile(
        'git',
        args,
        {
          cwd,
          timeout: GIT_TIMEOUT_MS,
          maxBuffer: 1024 * 1024,
          windowsHide: true,
          // Never wait for a password or an editor; never read a pager.
          env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', GIT_OPTIONAL_LOCKS: '0' },
        },
        (error, stdout) => resolve(error ? null : stdout.replace(/\s+$/, '') || null),
      );
    });
  };
}

/**
 * Reads the facts about `sha` (HEAD when null). Only what `want` asks for is read; everything
 * is asked at once.
 */
export async function readGitFacts(
  git: GitRunner,
  sha: string | null,
  want: { commit: boolean; ref: boolean; remote: boolean },
): Promise<GitFacts> {
  const revision = sha ?? 'HEAD';
  const inRepository = await git(['rev-parse', '--is-inside-work-tree']);
  if (inRepository !== 'true') return NO_GIT_FACTS;
  const [resolved, branch, tag, log, remote] = await Promise.all([
    git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]),
    want.ref && !sha ? git(['symbolic-ref', '--quiet', '--short', 'HEAD']) : Promise.resolve(null),
    want.ref && !sha ? git(['describe', '--tags', '--exact-match', 'HEAD']) : Promise.resolve(null),
    // NUL-separated: a commit message may hold any other character.
    want.commit ? git(['log', '-1', '--format=%an%x00%ae%x00%B', revision, '--']) : Promise.resolve(null),
    want.remote ? git(['remote', 'get-url', 'origin']) : Promise.resolve(null),
  ]);
  const [name, email, ...body] = log ? log.split('\0') : [];
  const message = body.join('\0').trim();
  return {
    sha: resolved,
    branch,
    tag: branch ? null : tag,
    message: message || null,
    author: log ? { name: name || null, email: email || null } : null,
    remote,
  };
}
