/**
 * GitLab CI/CD: inputs from NOTIFY_<NAME> variables (the component turns its inputs into those;
 * secrets come from masked project variables NOTIFY_URL, NOTIFY_SECRET, …), outputs as `ci-notify`
 * lines in the job log and, when NOTIFY_DOTENV names a file, as a dotenv report for later jobs.
 * GitLab masks masked variables in the log itself, so `mask` has nothing to do; our redactor
 * still runs over every line we print.
 */
import { writeFileSync } from 'node:fs';
import { gitlabEvent } from '../event/gitlab.js';
import { INPUTS } from '../inputs.js';
import type { EventInput } from '../event/types.js';
import { printable, type Logger } from '../logger.js';
import type { Platform } from './types.js';

const ESC = '\u001b';
/** GitLab's log renderer: `\e[0K` erases the line, so the marker itself is never shown. */
const ERASE_LINE = `${ESC}[0K`;
const YELLOW = `${ESC}[0;33m`;
const RED = `${ESC}[0;31m`;
const RESET = `${ESC}[0m`;

/**
 * Outputs that go into the dotenv report. GitLab rejects a dotenv file (and fails the job) whose
 * values hold spaces or newlines or which is over 5 KB, so the JSON outputs stay in the log only —
 * except `message_refs` (CI_NOTIFY_MESSAGE_REFS, for `update` in a later job), which main.ts writes
 * as one token without spaces.
 * https://docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsdotenv
 */
const DOTENV_OUTPUTS = new Set(['delivered', 'failed', 'status', 'message_refs']);

/**
 * Collapsible sections of the job log (https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections):
 * `section_start:<unix seconds>:<name>[collapsed=true]` … `section_end:<unix seconds>:<name>`,
 * names limited to letters, digits, `_`, `.` and `-`.
 */
export function gitlabLogger(
  stdout: (line: string) => void,
  redact: (s: string) => string,
  debugEnabled: boolean,
  nowMs: () => number = Date.now,
): Logger {
  let sections = 0;
  const seconds = () => Math.floor(nowMs() / 1000);
  const text = printable(redact);
  return {
    info: (m) => stdout(text(m)),
    warn: (m) => stdout(`${YELLOW}warning:${RESET} ${text(m)}`),
    error: (m) => stdout(`${RED}error:${RESET} ${text(m)}`),
    debug: (m) => {
      if (debugEnabled) stdout(`debug: ${text(m)}`);
    },
    async group(title, body) {
      const name = `ci_notify_${++sections}`;
      // A header is one line: a newline in it would end the section marker early.
      const header = text(title).replace(/\n\s*/g, ' ');
      stdout(`${ERASE_LINE}section_start:${seconds()}:${name}[collapsed=true]\r${ERASE_LINE}${header}`);
      try {
        return await body();
      } finally {
        stdout(`${ERASE_LINE}section_end:${seconds()}:${name}\r${ERASE_LINE}`);
      }
    },
  };
}

/**
 * `redact` is applied to every line this platform prints (the core passes its Redactor's; the
 * identity default is for callers that print nothing secret, such as tests of the event).
 */
export function gitlabPlatform(
  env: NodeJS.ProcessEnv,
  stdout: (line: string) => void,
  redact: (s: string) => string = (s) => s,
  nowMs: () => number = Date.now,
): Platform {
  const debugEnabled = env.CI_DEBUG_TRACE === 'true' || env.NOTIFY_DEBUG === 'true' || env.NOTIFY_DEBUG === '1';
  const log = gitlabLogger(stdout, redact, debugEnabled, nowMs);
  const dotenvPath = env.NOTIFY_DOTENV?.trim() ?? '';
  const dotenv = new Map<string, string>();
  return {
    name: 'gitlab',
    log,
    readInputs() {
      const inputs: Record<string, string> = {};
      for (const { name } of INPUTS) {
        const value = env[`NOTIFY_${name.toUpperCase()}`];
        // Empty means "not given", so a component input left blank never hides a default.
        if (value !== undefined && value !== '') inputs[name] = value;
      }
      // In after_script, CI_JOB_STATUS is the job's outcome (success, failed, canceled).
      if (!inputs.status && env.CI_JOB_STATUS) inputs.status = env.CI_JOB_STATUS;
      return inputs;
    },
    mask() {
      /* GitLab masks masked/hidden CI/CD variables in the job log itself; nothing to tell it. */
    },
    async buildEvent(input: EventInput) {
      return gitlabEvent(input, env, { warn: log.warn });
    },
    setOutput(name, value) {
      if (name === 'event') log.debug(`ci-notify ${name}=${value}`);
      else log.info(`ci-notify ${name}=${value}`);
      if (dotenvPath && DOTENV_OUTPUTS.has(name) && /^[^\s]*$/.test(value)) {
        dotenv.set(`CI_NOTIFY_${name.toUpperCase()}`, redact(value));
        // Rewritten whole each time, so a second run in the same job leaves one value per name.
        writeFileSync(dotenvPath, [...dotenv].map(([k, v]) => `${k}=${v}\n`).join(''), 'utf8');
      }
    },
    // No writeSummary: GitLab has no job summary; the result lines are already in the log.
  };
}
