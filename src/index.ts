#!/usr/bin/env node
/**
 * Entry of the bundle: picks the platform (GitHub Actions, GitLab CI, or a plain CLI run), merges
 * the inputs (NOTIFY_* variables < platform inputs < --flags) and calls run().
 */
import { randomUUID } from 'node:crypto';
import { Redactor } from './delivery/redact.js';
import { EXIT_BAD_CONFIG, run } from './main.js';
import { githubPlatform } from './platform/github.js';
import { gitlabPlatform } from './platform/gitlab.js';
import { helpText, localPlatform, parseArgs, UsageError, type ParsedArgs } from './platform/local.js';
import type { Platform } from './platform/types.js';
import { VERSION } from './version.js';

/** Module-wide, so that even an unexpected crash is reported through it. */
const redactor = new Redactor();

async function main(): Promise<number> {
  const env = process.env;
  const stdout = (line: string) => process.stdout.write(`${line}\n`);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  const redact = (s: string) => redactor.redact(s);

  let args: ParsedArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      stderr(`error: ${err.message}`);
      return EXIT_BAD_CONFIG;
    }
    throw err;
  }
  if (args.help) {
    stdout(helpText());
    return 0;
  }
  if (args.version) {
    stdout(VERSION);
    return 0;
  }

  const local = localPlatform(env, args, { stdout, stderr }, redact);
  let platform: Platform = local;
  if (env.GITHUB_ACTIONS === 'true') platform = githubPlatform(env, { stdout }, redact);
  else if (env.GITLAB_CI === 'true') {
    platform = gitlabPlatform(env, stdout, redact);
    // The job token reads the GitLab API for the event; GitLab masks it, and so do we.
    if (env.CI_JOB_TOKEN) redactor.add(env.CI_JOB_TOKEN);
  }

  // NOTIFY_* variables and flags work everywhere (a `run:` step on GitHub, after_script on GitLab).
  const inputs = { ...local.readInputs(), ...(platform === local ? {} : platform.readInputs()), ...args.inputs };
  return run({ platform, inputs, env, redactor, uuid: randomUUID });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Last resort: the error may quote a secret, so it passes through the redactor like every line.
    const debug = ['1', 'true'].includes(process.env.NOTIFY_DEBUG ?? '') || process.env.RUNNER_DEBUG === '1';
    const detail = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`error: ci-notify failed unexpectedly: ${redactor.redact(detail)}\n`);
    if (!debug) process.stderr.write('(rerun with NOTIFY_DEBUG=1 for the stack trace, and please report it)\n');
    process.exitCode = 1;
  },
);
