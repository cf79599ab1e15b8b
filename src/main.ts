/**
 * run(): the flow of DESIGN §1, and the only place that decides the exit status.
 *   inputs → Settings → CiEvent → for each target, concurrently: notify_on → message → send
 *   → outputs, job summary, exit code.
 */
import type { ChannelResult, SendContext } from './channels/types.js';
import { CHANNELS } from './channels/index.js';
import { createHttpClient } from './delivery/http.js';
import type { Redactor } from './delivery/redact.js';
import type { HttpClient } from './delivery/types.js';
import { apiReadsDeadline, NO_API_FACTS, type ApiFact, type ApiFacts } from './event/facts.js';
import { parseParams } from './event/params.js';
import { normalizeStatus } from './event/status.js';
import { matchesTrigger, needsHistory, TRANSITION_WORDS, type TriggerWord } from './event/transition.js';
import type { CiEvent, ContributorQuery, Status } from './event/types.js';
import { loadPeople } from './people/load.js';
import { EMPTY_PEOPLE_MAP, PRIVATE_FIELDS, type PeopleMap } from './people/map.js';
import { addRobotMentions, reachableChannels } from './people/reach.js';
import { selectPeople, type PeopleWanted, type SelectedPerson } from './people/select.js';
import type { Platform } from './platform/types.js';
import { messageFacts } from './render/facts.js';
import { buildMessage, defaultTitle } from './render/message.js';
import type { MessageModel } from './render/types.js';
import { renderTemplate, warnOnce } from './render/template.js';
import { loadSettings, prepareYaml, type PlannedTarget, type Settings } from './settings.js';
import { USER_AGENT } from './version.js';

export const EXIT_OK = 0;
export const EXIT_DELIVERY_FAILED = 1;
export const EXIT_BAD_CONFIG = 2;

/** One entry of the `results` output (DESIGN §5). */
export interface TargetResult {
  name: string;
  channel: string;
  ok: boolean;
  skipped: boolean;
  dry_run: boolean;
  attempts: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  /** Messages sent on purpose for this target, only when more than one (the WeCom mention follow-up). */
  messages?: number;
  /** Present when the target waited for its robot's rate limit (delivery/pacing.ts). */
  paced_ms?: number;
}

export interface RunDeps {
  platform: Platform;
  /** Raw inputs (platform inputs, NOTIFY_* variables and flags already merged). */
  inputs: Record<string, string>;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  now?: () => Date;
  uuid: () => string;
}

export async function run(deps: RunDeps): Promise<number> {
  const { platform, env, redactor } = deps;
  const log = platform.log;
  const now = deps.now ?? (() => new Date());

  await prepareYaml(deps.inputs);
  const settings = loadSettings(deps.inputs, env, CHANNELS);
  // Secrets are masked before the first line is printed (DESIGN §7).
  for (const secret of settings.secrets) for (const form of redactor.add(secret)) platform.mask(form);

  const params = parseParams(settings.params_text);
  const wanted = [...new Set(settings.targets.flatMap((t) => t.settings.mention_people ?? []))];
  const people =
    wanted.length || settings.people_text
      ? await loadPeople(settings.people_text, { workspace: workspaceOf(env) })
      : { map: EMPTY_PEOPLE_MAP, errors: [] };
  const runErrors = [...settings.errors, ...params.errors, ...people.errors];
  const status = normalizeStatus(settings.status);
  if (status.warning && !runErrors.length) log.warn(status.warning);

  if (runErrors.length) {
    for (const e of runErrors) log.error(e);
    setOutputs(platform, [], status.status, null);
    return settings.fail_on_error ? EXIT_BAD_CONFIG : warnGreen(log, 'configuration errors');
  }

  const http = createHttpClient({
    timeoutMs: settings.timeout_ms,
    retries: settings.retries,
    log,
    redactor,
    dryRun: settings.dry_run,
    env,
    userAgent: USER_AGENT,
  });

  let results: TargetResult[];
  let event: CiEvent;
  // Committers are read for `culprits` too: they are its fallback when the history cannot be read.
  const contributors: ContributorQuery | null =
    wanted.includes('committers') || wanted.includes('culprits')
      ? { committers: true, culprits: wanted.includes('culprits') }
      : null;
  try {
    let historyGap: string | null = null;
    event = await platform.buildEvent({
      status: status.status,
      params: params.params,
      needs: settings.needs,
      github_token: settings.github_token,
      gitlab_token: settings.gitlab_token,
      historyUnknown: (reason) => (historyGap ??= reason),
      id: deps.uuid(),
      now: now(),
      http,
      facts: {
        wanted: (settled) => (settings.dry_run ? NO_API_FACTS : wantedFacts(settings.targets, settled)),
        deadlineMs: apiReadsDeadline(settings.timeout_ms),
      },
      contributors,
    });
    // A dry run reads nothing from a CI API (src/event/facts.ts), so it cannot know the previous run either.
    if (settings.dry_run && platform.name !== 'local') historyGap ??= 'a dry run reads nothing from the CI API';
    if (historyGap !== null) warnUnknownHistory(log, settings.targets, historyGap);
    const selected = resolvePeople(event, contributors, wanted, people.map, log.warn);
    event = {
      ...event,
      people: selected.map((p) => ({ name: p.name, roles: p.roles, reachable: reachableChannels(p.entry) })),
    };
    // Phone numbers and ids never reach a real run's log (a dry run's preview may show them).
    if (!settings.dry_run)
      for (const person of selected) for (const field of PRIVATE_FIELDS) redactor.add(person.entry?.[field]);

    const planned = settings.targets.map((target) => deliverTarget(target, event, selected, settings, http, deps, now));
    const invalid = settings.invalid.map((t): TargetResult[] => {
      for (const e of t.errors) log.error(e);
      return [failed(t.name, t.channel || 'unknown', t.errors.join('; '))];
    });
    results = [...(await Promise.all(planned)).flat(), ...invalid.flat()];
  } finally {
    await http.close();
  }

  // Every platform logger redacts; the summary file is written as it is, so it is redacted here.
  for (const r of results) log.info(resultLine(r));
  setOutputs(platform, results, event.status, event);
  platform.writeSummary(redactor.redact(summaryMarkdown(event, results)));

  const failedCount = results.filter((r) => !r.ok && !r.skipped).length;
  if (settings.invalid.length) {
    return settings.fail_on_error ? EXIT_BAD_CONFIG : warnGreen(log, 'configuration errors');
  }
  if (failedCount) {
    return settings.fail_on_error ? EXIT_DELIVERY_FAILED : warnGreen(log, `${failedCount} failed deliveries`);
  }
  return EXIT_OK;
}

/**
 * The API-only facts (src/event/facts.ts) that the targets notified at this status will use: a
 * target whose `notify_on` rules this status out uses none; a transition word in `notify_on` or
 * `mention_on` needs the earlier runs; the rest is what each channel's request shows. A dry run
 * reads nothing (its HTTP client sends nothing, reads included).
 */
export function wantedFacts(targets: readonly PlannedTarget[], status: Status): ApiFacts {
  const wanted = new Set<ApiFact>();
  for (const { settings: t, channel, options } of targets) {
    const history = needsHistory(t.notify_on) || needsHistory(t.mention_on);
    if (!history && !matchesTrigger(t.notify_on, { status, transition: null })) continue;
    if (history) wanted.add('history');
    for (const fact of channel.facts ? channel.facts(options, t) : messageFacts(t)) wanted.add(fact);
  }
  return wanted;
}

async function deliverTarget(
  planned: PlannedTarget,
  event: CiEvent,
  selected: SelectedPerson[],
  settings: Settings,
  http: HttpClient,
  deps: RunDeps,
  now: () => Date,
): Promise<TargetResult[]> {
  const { channel } = planned;
  const log = deps.platform.log;
  const started = Date.now();
  if (!matchesTrigger(planned.settings.notify_on, event)) {
    const t = planned.settings;
    log.info(
      `${t.name}: not notified (notify_on: ${t.notify_on.join(', ')}; status ${event.status}${event.transition ? `, ${event.transition}` : ''})`,
    );
    return [{ ...base(t.name, t.channel), ok: true, skipped: true }];
  }
  const mention = matchesTrigger(planned.settings.mention_on, event);
  const target = withPeople(planned, mention ? peopleOf(planned.settings.mention_people ?? [], selected) : [], log);
  const t = target.settings;
  if (target.recipients === 0) {
    log.info(`${t.name}: not sent (no recipients: mention_people selected nobody this target can reach)`);
    return [{ ...base(t.name, t.channel), ok: true, skipped: true }];
  }
  const warn = warnOnce((m: string) => log.warn(`${t.name}: ${m}`));
  try {
    let message: MessageModel | undefined;
    const ctx: SendContext<unknown> = {
      options: target.options,
      target: t,
      event,
      // Built on first use: webhook and jenkins send the event and never read it.
      get message() {
        return (message ??= buildMessage(event, {
          locale: t.locale,
          fields: t.fields,
          title: t.title,
          template: t.template,
          env: deps.env,
          warn,
        }));
      },
      render: (template, mode, escapeValue) =>
        renderTemplate(template, { event, env: deps.env, locale: t.locale }, mode, warn, { escapeValue }),
      mention,
      http: withTargetDefaults(http, t.timeout_ms, t.retries, `${t.channel} ${t.name}`),
      now,
      log: prefixed(log, t.name),
      dryRun: settings.dry_run,
      env: deps.env,
    };
    const out = await channel.send(ctx);
    return (Array.isArray(out) ? out : [out]).map((r) => fromChannel(t.name, t.channel, r));
  } catch (err) {
    // A channel bug or an unexpected failure stays with its target; the others go on.
    const message = err instanceof Error ? err.message : String(err);
    return [{ ...failed(t.name, t.channel, deps.redactor.redact(message)), duration_ms: Date.now() - started }];
  }
}

/**
 * One warning for the whole run (not one per target) when a transition word cannot match because
 * the previous run's status is unknown: silently never announcing a fix is the failure we avoid.
 */
function warnUnknownHistory(log: Platform['log'], targets: readonly PlannedTarget[], reason: string): void {
  const used = (pick: (t: PlannedTarget) => readonly TriggerWord[]) => [
    ...new Set(targets.flatMap((t) => pick(t).filter((w) => (TRANSITION_WORDS as readonly string[]).includes(w)))),
  ];
  const inNotify = used((t) => t.settings.notify_on);
  const inMention = used((t) => t.settings.mention_on);
  const words = [...new Set([...inNotify, ...inMention])];
  if (words.length === 0) return;
  const inputs = [inNotify.length ? 'notify_on' : '', inMention.length ? 'mention_on' : '']
    .filter(Boolean)
    .join(' and ');
  log.warn(
    `${inputs}: ${words.join(', ')} need${words.length === 1 ? 's' : ''} the previous run's status, which is unknown: ${reason}. They do not match this run.`,
  );
}

/** The people of a target's `mention_people` roles (a person selected for another target's role is not). */
function peopleOf(wanted: PeopleWanted[], selected: SelectedPerson[]): SelectedPerson[] {
  const roles = new Set(wanted.map((w) => (w === 'committers' ? 'committer' : w === 'culprits' ? 'culprit' : w)));
  return selected.filter((p) => p.roles.some((r) => roles.has(r)));
}

/**
 * The target with its people added: robots get their ids in at_mobiles / at_user_ids (one mention
 * mechanism per channel), e-mail and lark_app get them as recipients. Logs how many people are
 * reached and who is only named — names, never a phone number or id.
 */
function withPeople(
  planned: PlannedTarget,
  people: SelectedPerson[],
  log: Platform['log'],
): PlannedTarget & { recipients: number | null } {
  const { settings: t, channel } = planned;
  const robot = addRobotMentions(t, people);
  const recipients = channel.addPeople?.(planned.options, people) ?? null;
  const reached = recipients ? recipients.reached : robot.mentioned;
  if (people.length) {
    const verb = recipients ? 'sends to' : 'mentions';
    const names = (list: SelectedPerson[]) => list.map((p) => p.name).join(', ');
    log.info(
      `${t.name}: ${verb} ${reached.length} ${reached.length === 1 ? 'person' : 'people'}${reached.length ? ` (${names(reached)})` : ''}`,
    );
    const missed = people.filter((p) => !reached.includes(p));
    if (missed.length)
      log.info(
        `${t.name}: named, not ${recipients ? 'sent to' : 'mentioned'}: ${names(missed)} (not in the people map, or no ${t.channel} id there)`,
      );
  }
  return {
    settings: robot.target,
    channel,
    options: recipients ? recipients.options : planned.options,
    recipients: recipients ? recipients.recipients : null,
  };
}

/** The people for every role any target wants; the culprits fallback warns once per run. */
function resolvePeople(
  event: CiEvent,
  contributors: ContributorQuery | null,
  wanted: PeopleWanted[],
  map: PeopleMap,
  warn: (message: string) => void,
): SelectedPerson[] {
  if (!wanted.length) return [];
  return selectPeople({ event, contributors: contributors?.found ?? null, wanted, map, warn });
}

/** Relative `people` paths (and the default file) are read from the checked-out repository. */
function workspaceOf(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || process.cwd();
}

function withTargetDefaults(http: HttpClient, timeoutMs: number, retries: number, label: string): HttpClient {
  return {
    ...http,
    deliver: (request, read, options) => http.deliver(request, read, { timeoutMs, retries, label, ...options }),
  };
}

function prefixed(log: Platform['log'], name: string): Platform['log'] {
  return {
    info: (m) => log.info(`${name}: ${m}`),
    warn: (m) => log.warn(`${name}: ${m}`),
    error: (m) => log.error(`${name}: ${m}`),
    debug: (m) => log.debug(`${name}: ${m}`),
    group: (title, body) => log.group(title, body),
  };
}

function base(name: string, channel: string): TargetResult {
  return {
    name,
    channel,
    ok: false,
    skipped: false,
    dry_run: false,
    attempts: 0,
    status_code: null,
    error: null,
    duration_ms: 0,
  };
}

function failed(name: string, channel: string, error: string): TargetResult {
  return { ...base(name, channel), error };
}

function fromChannel(name: string, channel: string, r: ChannelResult): TargetResult {
  return {
    name: r.receiver ? `${name} → ${r.receiver}` : name,
    channel,
    ok: r.ok,
    skipped: false,
    dry_run: r.dry_run,
    attempts: r.attempts,
    status_code: r.status_code,
    error: r.ok ? null : r.error,
    duration_ms: r.duration_ms,
    ...(r.messages !== undefined && r.messages > 1 ? { messages: r.messages } : {}),
    ...(r.paced_ms ? { paced_ms: r.paced_ms } : {}),
  };
}

function warnGreen(log: Platform['log'], what: string): number {
  log.warn(`fail_on_error is false: ${what} do not fail this step`);
  return EXIT_OK;
}

function setOutputs(platform: Platform, results: TargetResult[], status: string, event: CiEvent | null): void {
  const delivered = results.filter((r) => r.ok && !r.skipped && !r.dry_run).length;
  const failedCount = results.filter((r) => !r.ok && !r.skipped).length;
  platform.setOutput('results', JSON.stringify(results));
  platform.setOutput('delivered', String(delivered));
  platform.setOutput('failed', String(failedCount));
  platform.setOutput('status', status);
  platform.setOutput('event', event ? JSON.stringify(event) : '');
}

function resultLine(r: TargetResult): string {
  const what = r.skipped
    ? 'skipped'
    : r.dry_run
      ? 'dry run (nothing sent)'
      : r.ok
        ? 'delivered'
        : `failed: ${r.error ?? 'unknown error'}`;
  const messages = r.messages !== undefined && r.messages > 1 && r.ok ? ` (${r.messages} messages)` : '';
  const attempts = r.attempts > 1 ? ` after ${r.attempts} attempts` : '';
  return `${r.ok ? (r.skipped ? '⏭️' : '✅') : '❌'} ${r.name} (${r.channel}): ${what}${messages}${r.ok ? attempts : ''}${pacedNote(r)} [${r.duration_ms} ms]`;
}

/** " (paced 60 s for the robot's rate limit)": which targets were queued, in the log and the summary. */
function pacedNote(r: TargetResult): string {
  return r.paced_ms ? ` (paced ${Math.round(r.paced_ms / 1000)} s for the robot's rate limit)` : '';
}

function summaryMarkdown(event: CiEvent, results: TargetResult[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const rows = results.map((r) => {
    const result = r.skipped
      ? '⏭️ skipped (notify_on)'
      : r.dry_run
        ? '🧪 dry run'
        : r.ok
          ? `✅ delivered${r.messages !== undefined && r.messages > 1 ? ` (${r.messages} messages)` : ''}`
          : `❌ ${r.error ?? 'failed'}`;
    return `| ${cell(r.name)} | ${r.channel} | ${cell(result + pacedNote(r))} | ${r.attempts} | ${r.duration_ms} ms |`;
  });
  return [
    `### ${cell(defaultTitle(event, 'en'))} — notifications`,
    '| target | channel | result | attempts | time |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
