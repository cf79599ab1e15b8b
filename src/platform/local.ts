/**
 * Any other CI (Jenkins, Drone, CodeArts, Zadig, Flow, a shell): inputs from NOTIFY_<NAME> variables,
 * overridden by --flags (`--notify-on` and `--notify_on` both work). The event facts a plain shell
 * knows are flags too (--repository, --ref, --sha, …); what neither says is read from the git
 * repository in the working directory. Logs go to stdout and problems to stderr; with
 * `--output json` the `results` array is the only thing on stdout and every log line goes to stderr.
 * Outputs also go, when NOTIFY_OUTPUT_FILE / --output-file is set, to that file as name=value lines.
 */
import { appendFileSync } from 'node:fs';
import { INPUTS, INPUT_NAMES, shownValue } from '../inputs.js';
import { VERSION } from '../version.js';
import type { EventInput } from '../event/types.js';
import { printable, type Logger } from '../logger.js';
import type { GitRunner } from './git.js';
import type { Platform } from './types.js';

export interface LocalIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Thrown for a flag we do not know or one without its value; main reports it as bad configuration. */
export class UsageError extends Error {}

/**
 * Facts of the event a plain shell knows, as flags and NOTIFY_<NAME> variables. They are not
 * inputs (no action input, no component input): they describe the run, not the notification.
 */
export const EVENT_FACTS = [
  {
    name: 'repository',
    description: 'The repository as owner/name (default: from CI variables, else the git remote origin).',
  },
  { name: 'ref', description: 'The branch or tag (default: from CI variables, else the branch or tag of HEAD).' },
  { name: 'sha', description: 'The commit (default: from CI variables, else HEAD of the git repository here).' },
  { name: 'commit_message', description: "The commit message (default: from CI variables, else the commit's in git)." },
  { name: 'pipeline_name', description: 'The pipeline or job name to show.' },
  { name: 'pipeline_number', description: 'The run number to show (#128).' },
  { name: 'pipeline_url', description: 'The link to the run.' },
] as const;
const EVENT_FACT_NAMES: ReadonlySet<string> = new Set(EVENT_FACTS.map((f) => f.name));

export type OutputFormat = 'text' | 'json';

export interface ParsedArgs {
  inputs: Record<string, string>;
  /** Event facts given as flags (--repository, --sha, …). */
  facts: Record<string, string>;
  help: boolean;
  version: boolean;
  outputFile: string;
  /** --output text|json; '' when not given (NOTIFY_OUTPUT may then say). */
  output: OutputFormat | '';
  /** Secret inputs given as flags (visible in process lists): main warns about each. */
  secretFlags: string[];
}

/** Boolean inputs may be given as a bare flag (`--dry-run`). */
const BOOLEAN_INPUTS = new Set(['dry_run', 'fail_on_error', 'at_all']);
const SECRET_NAMES = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name));

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const inputs: Record<string, string> = {};
  const facts: Record<string, string> = {};
  const secretFlags: string[] = [];
  let help = false;
  let version = false;
  let outputFile = '';
  let output: OutputFormat | '' = '';
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
    if (name === 'output') {
      value ??= argv[++i];
      output = parseOutput(value, '--output');
      continue;
    }
    if (name.startsWith('no_') && BOOLEAN_INPUTS.has(name.slice(3)) && value === undefined) {
      inputs[name.slice(3)] = 'false';
      continue;
    }
    if (!INPUT_NAMES.has(name) && !EVENT_FACT_NAMES.has(name))
      throw new UsageError(
        `unknown flag ${/^[\w-]{1,40}$/.test(rawName) ? `--${rawName}` : shownValue(arg)}; see --help for the inputs`,
      );
    if (value === undefined) {
      const next = argv[i + 1];
      if (BOOLEAN_INPUTS.has(name) && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new UsageError(`--${rawName} needs a value`);
      else value = argv[++i] as string;
    }
    if (EVENT_FACT_NAMES.has(name)) {
      facts[name] = value;
      continue;
    }
    if (SECRET_NAMES.has(name)) secretFlags.push(name);
    inputs[name] = value;
  }
  return { inputs, facts, help, version, outputFile, output, secretFlags };
}

export function parseOutput(value: string | undefined, where: string): OutputFormat {
  const format = (value ?? '').trim().toLowerCase();
  if (format === 'text' || format === 'json') return format;
  throw new UsageError(`${where}: expected text or json`);
}

export function helpText(): string {
  const flag = (name: string) => `  --${name.replace(/_/g, '-')}`;
  const shown = INPUTS.filter((i) => !i.secret);
  const secrets = INPUTS.filter((i) => i.secret);
  const width = Math.max(
    ...[...shown, ...EVENT_FACTS].map((i) => i.name.length + 4),
    ...secrets.map((i) => `NOTIFY_${i.name}`.length + 2),
  );
  const row = (left: string, text: string) => `${left.padEnd(width + 2)} ${text}`;
  const lines = [
    `ci-notify ${VERSION} — tell your team how the pipeline went.`,
    '',
    'Usage: NOTIFY_URL=<webhook> ci-notify --channel <type> --status <status> [--name value …]',
    '       ci-notify --channels "$TARGETS_YAML" --status failure',
    '',
    'Every input is a flag (--notify-on or --notify_on) or a NOTIFY_<NAME> variable',
    '(NOTIFY_NOTIFY_ON); flags win. Secrets are variables only (a flag shows up in process lists).',
    '',
    'Inputs:',
    ...shown.map((i) => {
      const extra = i.default ? ` (default: ${i.default})` : '';
      return row(flag(i.name), `${i.description}${extra}`);
    }),
    '',
    'Secrets, as environment variables (or env:NAME in channels):',
    ...secrets.map((i) => row(`  NOTIFY_${i.name.toUpperCase()}`, i.description)),
    '',
    'Event facts (CI variables and the git repository here give them; these override):',
    ...EVENT_FACTS.map((f) => row(flag(f.name), f.description)),
    '',
    'Text from a file or stdin: --template @message.md, --channels @targets.yml, --template - (stdin);',
    '@@ keeps a leading @.',
    '',
    row('  --output json', 'Print the results (a JSON array, one entry per target) on stdout; logs go to stderr.'),
    row(
      '  --output-file',
      'Also write the outputs (results, delivered, failed, status, event) to this file as name=value lines.',
    ),
    row('  --help, --version', 'This text; the version.'),
    '',
    'Exit codes: 0 delivered (or nothing to send); 1 a target could not be delivered;',
    '            2 bad configuration (the message names the input). With --fail-on-error false: always 0.',
    '',
    'Example: NOTIFY_URL="$DINGTALK_URL" NOTIFY_SECRET="$DINGTALK_SECRET" ci-notify --channel dingtalk --status failure',
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

/** Where a CI that is not GitHub or GitLab says the outcome. */
export function ciStatusOf(env: NodeJS.ProcessEnv): string {
  return env.DRONE_BUILD_STATUS?.trim() ?? '';
}

export interface LocalOptions {
  /** Runs git in the working directory (tests pass their own). */
  git?: GitRunner;
}

export function localPlatform(
  env: NodeJS.ProcessEnv,
  args: ParsedArgs,
  io: LocalIo,
  redact: (s: string) => string,
  options: LocalOptions = {},
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
      if (!inputs.status && ciStatusOf(env)) inputs.status = ciStatusOf(env);
      return inputs;
    },
    mask() {
      /* no CI log masking outside GitHub; our own redactor still applies */
    },
    async buildEvent(input: EventInput) {
      input.historyUnknown?.('ci-notify cannot look up earlier runs outside GitHub Actions and GitLab CI');
      const facts: Record<string, string> = {};
      for (const { name } of EVENT_FACTS) {
        const value = env[`NOTIFY_${name.toUpperCase()}`];
        if (value !== undefined && value !== '') facts[name] = value;
      }
      Object.assign(facts, args.facts);
      // A chunk of its own: GitHub and GitLab runs never build this event (local-event.ts).
      const { localRunEvent } = await import('./local-event.js');
      return localRunEvent(input, env, facts, options.git);
    },
    setOutput(name, value) {
      // One line per output: CR ends a line for many readers too.
      if (outputFile) appendFileSync(outputFile, `${name}=${value.replace(/\r\n|[\r\n]/g, ' ')}\n`, 'utf8');
    },
    // No writeSummary: the job summary is GitHub's; the result lines are already in the log.
  };
}
