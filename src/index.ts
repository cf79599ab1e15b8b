#!/usr/bin/env node
/**
 * Entry of the bundle: picks the platform (GitHub Actions, GitLab CI, or a plain CLI run), merges
 * the inputs (NOTIFY_* variables < platform inputs < --flags) and calls run().
 */
import { CHANNEL_LOADERS, isChannelType } from './channels/index.js';
import { Redactor } from './delivery/redact.js';
import { newEventId } from './event/id.js';
import { printable } from './logger.js';
import { EXIT_BAD_CONFIG, EXIT_INTERRUPTED, run, type InterruptSignal } from './main.js';
import {
  helpText,
  localPlatform,
  parseArgs,
  parseOutput,
  UsageError,
  type OutputFormat,
  type ParsedArgs,
} from './platform/local.js';
import { processOutput } from './output.js';
import { signalRelay } from './platform/interrupts.js';
import { FROM_SOURCE_INPUTS, processSources, resolveTextSources, STDIN_TIMEOUT_MS } from './platform/text-sources.js';
import type { Platform } from './platform/types.js';
import { VERSION } from './version.js';

/** Module-wide, so that even an unexpected crash is reported through them. */
const redactor = new Redactor();
/** stdout and stderr without their streams, and a closed one never crashes the run (output.ts). */
const sinks = processOutput();

/**
 * How long an interrupted run waits for a slow reader to take its last lines. GitHub sends SIGKILL
 * 2.5 s after SIGTERM (7.5 s after SIGINT) when a job is cancelled.
 */
const INTERRUPTED_DRAIN_MS = 2000;

/**
 * A signal nobody takes within this long ends the process as the signal asked: only a phase that
 * hangs leaves it untaken, and GitHub sends SIGKILL 2.5 s after SIGTERM.
 */
const UNTAKEN_SIGNAL_MS = 1000;

/**
 * Starts loading the chunk of a single named channel now, so that reading it from disk overlaps the
 * start-up work before run() needs it (loadChannels then finds it loaded). Only a guess from the
 * plain `channel` input; anything else (a `channels` list, a bad name) is left to run().
 */
function prefetchChannel(value: string | undefined): void {
  const type = value?.trim().toLowerCase() ?? '';
  if (isChannelType(type)) CHANNEL_LOADERS[type]().catch(() => undefined);
}

async function main(): Promise<number> {
  const env = process.env;
  const stderr = sinks.stderr;
  const redact = (s: string) => redactor.redact(s);

  let args: ParsedArgs;
  let output: OutputFormat;
  try {
    args = parseArgs(process.argv.slice(2));
    output = args.output || (env.NOTIFY_OUTPUT ? parseOutput(env.NOTIFY_OUTPUT, 'NOTIFY_OUTPUT') : 'text');
  } catch (err) {
    if (err instanceof UsageError) {
      stderr(`error: ${err.message}`);
      return EXIT_BAD_CONFIG;
    }
    throw err;
  }
  // With --output json, stdout carries the results array alone; every log line goes to stderr.
  const print = sinks.stdout;
  const stdout = output === 'json' ? stderr : print;
  if (args.help) {
    print(helpText());
    return 0;
  }
  if (args.version) {
    print(VERSION);
    return 0;
  }
  if (!(args.inputs.channels || env.NOTIFY_CHANNELS || env.INPUT_CHANNELS))
    prefetchChannel(args.inputs.channel || env.NOTIFY_CHANNEL || env.INPUT_CHANNEL);

  const local = localPlatform(env, args, { stdout, stderr }, redact);
  let platform: Platform = local;
  // Each platform's event code is a chunk of its own, required only on that platform (callgrind, a
  // dry run on Node 24: −2% instructions on GitHub, −1% in a plain shell).
  if (env.GITHUB_ACTIONS === 'true') {
    const { githubPlatform } = await import('./platform/github.js');
    platform = githubPlatform(env, { stdout }, redact);
  } else if (env.GITLAB_CI === 'true') {
    const { gitlabPlatform } = await import('./platform/gitlab.js');
    platform = gitlabPlatform(env, stdout, redact);
    // The job token reads the GitLab API for the event; GitLab masks it, and so do we.
    if (env.CI_JOB_TOKEN) redactor.add(env.CI_JOB_TOKEN);
  }

  // From here on a signal is reported in the platform's log, never the silent end of the default action.
  const interrupts = signalRelay(
    process,
    (signal) => {
      platform.log.error(`interrupted by ${signal}`);
      process.exit(EXIT_INTERRUPTED[signal]);
    },
    UNTAKEN_SIGNAL_MS,
  );

  // NOTIFY_* variables and flags work everywhere (a `run:` step on GitHub, after_script on GitLab).
  let inputs = { ...local.readInputs(), ...(platform === local ? {} : platform.readInputs()), ...args.inputs };
  if (platform === local) {
    for (const name of args.secretFlags) {
      platform.log.warn(
        `--${name.replace(/_/g, '-')} on the command line is visible to other users of this machine (ps); set NOTIFY_${name.toUpperCase()} instead`,
      );
    }
    // Reading `-` or `@path` may wait up to 30 s (a CI that keeps stdin open): a cancelled job
    // (SIGTERM) or Ctrl-C then ends the run with a report, not silently by the signal's default.
    let stopReading = (): void => {};
    const signalled = new Promise<InterruptSignal>((resolve) => (stopReading = interrupts.subscribe(resolve)));
    for (const name of FROM_SOURCE_INPUTS) {
      const value = inputs[name]?.trim() ?? '';
      if (value === '-' || (value.startsWith('@') && !value.startsWith('@@')))
        platform.log.debug(
          `${name}: reading ${value === '-' ? 'stdin (-)' : value}, for at most ${STDIN_TIMEOUT_MS / 1000} s`,
        );
    }
    const sourced = await Promise.race([resolveTextSources(inputs, processSources), signalled]).finally(() =>
      stopReading(),
    );
    if (typeof sourced === 'string') {
      platform.log.error(`interrupted by ${sourced} while reading the channels or template input; nothing was sent`);
      if (output === 'json') print('[]');
      return EXIT_INTERRUPTED[sourced];
    }
    if (sourced.errors.length) {
      for (const error of sourced.errors) platform.log.error(error);
      if (output === 'json') print('[]');
      return EXIT_BAD_CONFIG;
    }
    inputs = sourced.inputs;
  }

  // The results output, kept for --output json (printed once the run is over).
  let results = '[]';
  const setOutput = platform.setOutput.bind(platform);
  platform.setOutput = (name, value) => {
    if (name === 'results') results = value;
    setOutput(name, value);
  };
  const code = await run({
    platform,
    inputs,
    env,
    redactor,
    uuid: newEventId,
    onInterrupt: interrupts.subscribe,
  });
  if (output === 'json') print(redactor.redact(results));
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
    // The run is over once the log has reached its descriptors: what is left (idle kept-alive
    // sockets, a connection the server is closing) is not worth waiting for, and tearing it down
    // would cost more than the whole log did (delivery/transport.ts, close()). When a stream holds
    // queued bytes (a full pipe), the process ends as Node ends it, after they are written.
    if (sinks.flushed()) process.exit(code);
    // Interrupted: requests may still be pending, and the signal asked us to stop now — but not
    // before the report reached a reader that is slow (process.exit drops what a pipe's stream
    // still queues), within a bound well inside the runner's grace before SIGKILL.
    else if (Object.values(EXIT_INTERRUPTED).includes(code))
      void sinks.drained(INTERRUPTED_DRAIN_MS).then(() => process.exit(code));
  },
  (err: unknown) => {
    // Last resort: the error may quote a secret, so it passes through the redactor like every line.
    const debug = ['1', 'true'].includes(process.env.NOTIFY_DEBUG ?? '') || process.env.RUNNER_DEBUG === '1';
    const detail = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    sinks.stderr(`error: ci-notify failed unexpectedly: ${printable((s) => redactor.redact(s))(detail)}`);
    if (!debug) sinks.stderr('(rerun with NOTIFY_DEBUG=1 for the stack trace, and please report it)');
    process.exitCode = 1;
  },
);
