/**
 * GitHub Actions: inputs from INPUT_*, outputs and the job summary through the runner's file
 * commands, masking with ::add-mask::. The runner protocol is written out here instead of loading
 * @actions/core: its bundle pulls in an HTTP client and costs ~110 ms at every start (measured with
 * `npm run bench`), for the four file commands below.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { githubEvent } from '../event/github.js';
import { newEventId } from '../event/id.js';
import { INPUTS } from '../inputs.js';
import type { EventInput } from '../event/types.js';
import { isMaskable } from '../delivery/redact.js';
import { printable, type Logger } from '../logger.js';
import type { Platform } from './types.js';

export interface PlatformIo {
  stdout(line: string): void;
}

/** Escapes data of a workflow command (actions/toolkit command.ts escapeData). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function githubLogger(io: PlatformIo, redact: (s: string) => string, debugEnabled: boolean): Logger {
  const text = printable(redact);
  return {
    info: (m) => io.stdout(text(m)),
    warn: (m) => io.stdout(`::warning::${escapeData(text(m))}`),
    error: (m) => io.stdout(`::error::${escapeData(text(m))}`),
    debug: (m) => {
      if (debugEnabled) io.stdout(`::debug::${escapeData(text(m))}`);
    },
    async group(title, body) {
      io.stdout(`::group::${escapeData(text(title))}`);
      try {
        return await body();
      } finally {
        io.stdout('::endgroup::');
      }
    },
  };
}

export function githubPlatform(env: NodeJS.ProcessEnv, io: PlatformIo, redact: (s: string) => string): Platform {
  const log = githubLogger(io, redact, env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true');
  return {
    name: 'github',
    log,
    readInputs() {
      const inputs: Record<string, string> = {};
      for (const { name } of INPUTS) {
        // The runner upper-cases the name and replaces spaces with underscores.
        const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
        if (value !== undefined) inputs[name] = value.trim();
      }
      return inputs;
    },
    mask(secret) {
      // A multi-line secret is masked line by line, as the runner matches per line (and its line
      // reader ends a line at CR too). A line too short or too common to hide ("}", "true") is left
      // out: the runner would mask it everywhere in the log.
      for (const line of secret.split(/\r\n|[\r\n]/)) {
        const value = line.trim();
        if (isMaskable(value)) io.stdout(`::add-mask::${escapeData(value)}`);
      }
    },
    async buildEvent(input: EventInput) {
      return githubEvent(input, env, {
        // Sync: a small file read once; node:fs/promises would be one more module to load at start.
        readFile: async (p: string) => readFileSync(p, 'utf8'),
        warn: log.warn,
      });
    },
    setOutput(name, value) {
      const file = env.GITHUB_OUTPUT;
      if (!file) {
        io.stdout(`::set-output name=${name}::${escapeData(value)}`);
        return;
      }
      // The runner reads `name<<delimiter … delimiter`: a value that held the delimiter on a line
      // of its own could end the value early and set outputs of its own (toolkit file-command.ts).
      // Checking the value makes that impossible, however guessable the delimiter.
      let delimiter = `ghadelimiter_${newEventId()}`;
      while (value.includes(delimiter)) delimiter = `ghadelimiter_${newEventId()}`;
      appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`, 'utf8');
    },
    writeSummary(markdown) {
      const file = env.GITHUB_STEP_SUMMARY;
      if (file) appendFileSync(file, `${markdown}\n`, 'utf8');
    },
  };
}
