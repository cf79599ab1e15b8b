/**
 * Any other CI (Jenkins, Drone, a shell): inputs from NOTIFY_<NAME> variables, overridden by
 * --flags (`--notify-on` and `--notify_on` both work). Outputs go to stdout as a summary and, when
 * NOTIFY_OUTPUT_FILE / --output-file is set, to that file as name=value lines.
 */
import { appendFileSync } from 'node:fs';
import { localEvent } from '../event/local.js';
import { INPUTS, INPUT_NAMES, shownValue } from '../inputs.js';
import { VERSION } from '../version.js';
import type { EventInput } from '../event/types.js';
import { printable, type Logger } from '../logger.js';
import type { Platform } from './types.js';

export interface LocalIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Thrown for a flag we do not know or one without its value; main reports it as bad configuration. */
export class UsageError extends Error {}

export interface ParsedArgs {
  inputs: Record<string, string>;
  help: boolean;
  version: boolean;
  outputFile: string;
}

/** Boolean inputs may be given as a bare flag (`--dry-run`). */
const BOOLEAN_INPUTS = new Set(['dry_run', 'fail_on_error', 'at_all']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const inputs: Record<string, string> = {};
  let help = false;
  let version = false;
  let outputFile = '';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      version = true;
      continue;
    }
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument ${shownValue(arg)}; inputs are given as --name value (see --help)`);
    const eq = arg.indexOf('=');
    const rawName = arg.slice(2, eq === -1 ? undefined : eq);
    const name = rawName.replace(/-/g, '_').toLowerCase();
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === 'output_file') {
      value ??= argv[++i];
      if (value === undefined) throw new UsageError('--output-file needs a path');
      outputFile = value;
      continue;
    }
    if (name.startsWith('no_') && BOOLEAN_INPUTS.has(name.slice(3)) && value === undefined) {
      inputs[name.slice(3)] = 'false';
      continue;
    }
    if (!INPUT_NAMES.has(name))
      throw new UsageError(
        `unknown flag ${/^[\w-]{1,40}$/.test(rawName) ? `--${rawName}` : shownValue(arg)}; see --help for the inputs`,
      );
    if (value === undefined) {
      const next = argv[i + 1];
      if (BOOLEAN_INPUTS.has(name) && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new UsageError(`--${rawName} needs a value`);
      else value = argv[++i] as string;
    }
    inputs[name] = value;
  }
  return { inputs, help, version, outputFile };
}

export function helpText(): string {
  const width = Math.max(...INPUTS.map((i) => i.name.length)) + 4;
  const lines = [
    `ci-notify ${VERSION} — tell your team how the pipeline went.`,
    '',
    'Usage: ci-notify --channel <type> --url <webhook> --status <status> [--name value …]',
    '       ci-notify --channels "$TARGETS_YAML" --status failure',
    '',
    'Every input is a flag (--notify-on or --notify_on) or a NOTIFY_<NAME> variable',
    '(NOTIFY_NOTIFY_ON); flags win. Prefer variables for secrets: flags show up in process lists.',
    '',
    'Inputs:',
    ...INPUTS.map((i) => {
      const flag = `  --${i.name.replace(/_/g, '-')}`;
      const extra = [i.default ? `default: ${i.default}` : '', i.secret ? 'secret' : ''].filter(Boolean).join('; ');
      return `${flag.padEnd(width + 2)} ${i.description}${extra ? ` (${extra})` : ''}`;
    }),
    `${'  --output-file'.padEnd(width + 2)} Also write the outputs (results, delivered, failed, status, event) to this file as name=value lines.`,
    `${'  --help, --version'.padEnd(width + 2)} This text; the version.`,
    '',
    'Exit codes: 0 delivered (or nothing to send); 1 a target could not be delivered;',
    '            2 bad configuration (the message names the input). With --fail-on-error false: always 0.',
    '',
    'Example: npx ci-notify --channel dingtalk --url "$DINGTALK_URL" --secret "$DINGTALK_SECRET" --status failure',
  ];
  return lines.join('\n');
}

export function plainLogger(io: LocalIo, redact: (s: string) => string, debugEnabled: boolean): Logger {
  const text = printable(redact);
  return {
    info: (m) => io.stdout(text(m)),
    warn: (m) => io.stderr(`warning: ${text(m)}`),
    error: (m) => io.stderr(`error: ${text(m)}`),
    debug: (m) => {
      if (debugEnabled) io.stderr(`debug: ${text(m)}`);
    },
    async group(title, body) {
      io.stdout(`── ${text(title)}`);
      return body();
    },
  };
}

export function localPlatform(
  env: NodeJS.ProcessEnv,
  args: ParsedArgs,
  io: LocalIo,
  redact: (s: string) => string,
): Platform {
  const log = plainLogger(io, redact, env.NOTIFY_DEBUG === 'true' || env.NOTIFY_DEBUG === '1');
  const outputFile = args.outputFile || env.NOTIFY_OUTPUT_FILE || '';
  let inputs: Record<string, string> | null = null;
  return {
    name: 'local',
    log,
    readInputs() {
      if (inputs) return inputs;
      inputs = {};
      for (const { name } of INPUTS) {
        const value = env[`NOTIFY_${name.toUpperCase()}`];
        if (value !== undefined && value !== '') inputs[name] = value;
      }
      Object.assign(inputs, args.inputs); // flags win over variables
      return inputs;
    },
    mask() {
      /* no CI log masking outside GitHub; our own redactor still applies */
    },
    async buildEvent(input: EventInput) {
      input.historyUnknown?.('ci-notify cannot look up earlier runs outside GitHub Actions and GitLab CI');
      return localEvent(input, env, this.readInputs());
    },
    setOutput(name, value) {
      if (outputFile) appendFileSync(outputFile, `${name}=${value.replace(/\n/g, ' ')}\n`, 'utf8');
    },
    writeSummary(markdown) {
      log.info(markdown);
    },
  };
}
