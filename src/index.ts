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

async function main(): Promise<number> {
  const env = process.env;
  const stdout = (line: string) => process.stdout.write(`${line}\n`);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  const redactor = new Redactor();
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
  else if (env.GITLAB_CI === 'true') platform = gitlabPlatform(env, stdout, redact);

  // NOTIFY_* variables and flags work everywhere (a `run:` step on GitHub, after_script on GitLab).
  const inputs = { ...local.readInputs(), ...(platform === local ? {} : platform.readInputs()), ...args.inputs };
  return run({ platform, inputs, env, redactor, uuid: randomUUID });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Last resort: never print a raw error that may quote a secret.
    process.stderr.write(
      `error: ci-notify failed unexpectedly (${err instanceof Error ? err.name : 'error'}); rerun with NOTIFY_DEBUG=1 and report it\n`,
    );
    process.exitCode = 1;
  },
);
