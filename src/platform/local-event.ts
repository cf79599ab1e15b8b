/**
 * The event of a run outside GitHub Actions and GitLab CI: what the CI variables and the flags say
 * (event/local.ts), then, for what they left open, what the git repository in the working directory
 * says (git-files.ts from the files, else git itself). A chunk of its own, loaded by the CLI
 * platform's buildEvent: the variables of the many CIs and the git reading (loose and packed
 * objects, an inflater) are a fifth of the bundle, which every GitHub and GitLab run used to parse
 * without running a line of it.
 */
import { localEvent } from '../event/local.js';
import type { CiEvent, EventInput } from '../event/types.js';
import { readGitFactsFromFiles } from './git-files.js';
import { gitRunner, readGitFacts, type GitRunner } from './git.js';

/** `git`: a runner of the caller's (tests); without one the files are read first, then git is run. */
export async function localRunEvent(
  input: EventInput,
  env: NodeJS.ProcessEnv,
  facts: Record<string, string>,
  git: GitRunner | undefined,
): Promise<CiEvent> {
  // Ask git only for what the CI and the flags left open.
  const first = localEvent(input, env, facts);
  const want = {
    commit: first.commit.message === null || first.commit.author === null || first.commit.sha === null,
    ref: first.ref.name === null,
    remote: first.repository.full_name === null,
  };
  if (!want.commit && !want.ref && !want.remote) return first;
  const known =
    (git ? undefined : await readGitFactsFromFiles(process.cwd(), env, first.commit.sha, want)) ??
    (await readGitFacts(git ?? gitRunner(process.cwd(), env), first.commit.sha, want));
  return localEvent(input, env, facts, known);
}
