/**
 * run(): the flow of DESIGN §1, and the only place that decides the exit status.
 *   inputs → Settings → CiEvent → for each target, concurrently: notify_on → message → send
 *   → outputs, job summary, exit code.
 */
import type { InterruptSignal } from './platform/interrupts.js';
import type { Channel, ChannelResult, SendContext } from './channels/types.js';
import { loadChannels } from './channels/index.js';
import { refForTarget } from './channels/message-ref.js';
import { createHttpClient, shownBody, type HttpClientOptions } from './delivery/http.js';
import { isMaskable, type Redactor } from './delivery/redact.js';
import type { HttpClient, HttpRequestSpec } from './delivery/types.js';
import { apiReadsDeadline, NO_API_FACTS, type ApiFact, type ApiFacts } from './event/facts.js';
import { parseParams } from './event/params.js';
import { normalizeStatus } from './event/status.js';
import { matchesTrigger, needsHistory, TRANSITION_WORDS, type TriggerWord } from './event/transition.js';
import type { CiEvent, ContributorQuery, Status } from './event/types.js';
import { EMPTY_PEOPLE_MAP, PRIVATE_FIELDS, type PeopleMap } from './people/map.js';
import { addRobotMentions, reachableChannels } from './people/reach.js';
import { selectPeople, type PeopleWanted, type SelectedPerson } from './people/select.js';
import { INVISIBLE, warnOnce, withoutHidden } from './logger.js';
import type { Platform } from './platform/types.js';
import { messageFacts } from './render/facts.js';
import { escapeHtml, jsonUnicodeEscape } from './render/text.js';
import type { MessageModel } from './render/types.js';
import { loadSettings, namedChannelTypes, prepareYaml, type PlannedTarget, type Settings } from './settings.js';
import { USER_AGENT } from './version.js';

export const EXIT_OK = 0;
export const EXIT_DELIVERY_FAILED = 1;
export const EXIT_BAD_CONFIG = 2;
/** Interrupted by a signal: 128 + its number, as shells report it (130 for SIGINT, 143 for SIGTERM). */
export const EXIT_INTERRUPTED: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export type { InterruptSignal };

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
  /** The HTTP client for the run's settings (tests pass one that records its waits). */
  createHttp?: (options: HttpClientOptions) => HttpClient;
  /**
   * Subscribes to interruptions (index.ts: SIGTERM, SIGINT); returns the unsubscribe. On one, run()
   * reports what is known and resolves with EXIT_INTERRUPTED at once, leaving requests in flight
   * for the caller to end by exiting.
   */
  onInterrupt?: (stop: (signal: InterruptSignal) => void) => () => void;
}

/** Where each planned target is, so an interruption can say what happened to it. */
type Progress = Map<PlannedTarget, TargetResult[] | 'not sent' | 'in flight'>;
/** What the run knows while it delivers: the event once built, each target's progress, and the refs of the messages sent. */
interface RunState {
  event: CiEvent | null;
  progress: Progress;
  /** A dry run's rendered messages, by target name, for the job summary. */
  previews: Map<string, string[]>;
  /** Target name → `message_ref` (channels that can edit), for the `message_refs` output. */
  refs: Map<string, string>;
  /**
   * A signal came: no target starts any more. The process may live on a moment (index.ts waits for
   * a slow log reader), and a target reported "not sent" must stay not sent.
   */
  stopped: boolean;
  /** Requests each target sent so far (HTTP channels): an interrupted run reports them for targets in flight. */
  sent: Map<PlannedTarget, number>;
}

/**
 * The message renderer (render/message.ts, render/template.ts and the locale): a chunk of its own,
 * loaded for a target that lays out the default message or renders a template. A run whose targets
 * send the event itself (webhook, jenkins) never loads it: parsing it was ~6% of a one-webhook
 * run's instructions (callgrind, Node 24).
 */
interface Renderer {
  buildMessage: typeof import('./render/message.js').buildMessage;
  defaultTitle: TitleOf;
  renderTemplate: typeof import('./render/template.js').renderTemplate;
}
type TitleOf = typeof import('./render/title.js').defaultTitle;
let loadingRenderer: Promise<Renderer> | undefined;
function loadRenderer(): Promise<Renderer> {
  // One after the other: render/message.ts imports render/template.ts, so the bundler puts both in
  // the message's chunk, and template.js is then loaded already. Asked for together, each import
  // read and compiled a file of its own, the template twice (~1% of a DingTalk run, Node 24).
  return (loadingRenderer ??= import('./render/message.js').then(async (message) => ({
    buildMessage: message.buildMessage,
    defaultTitle: message.defaultTitle,
    renderTemplate: (await import('./render/template.js')).renderTemplate,
  })));
}

/** Whether a target lays out the default message or renders a template, so needs the renderer. */
function laysOut(channel: Channel, target: { template: string }): boolean {
  return !channel.sendsEvent || target.template !== '';
}

/**
 * The job summary's heading, the default title: the renderer's when a target needs the renderer
 * anyway, else render/title.ts alone — a small chunk (the title and the locale) instead of the
 * renderer's two, which loaded for a heading were ~4% of a GitHub Actions run to a webhook
 * (callgrind, Node 24; issue 14).
 */
function loadTitle(targets: readonly PlannedTarget[]): Promise<TitleOf> {
  return targets.some((t) => laysOut(t.channel, t.settings))
    ? loadRenderer().then((renderer) => renderer.defaultTitle)
    : import('./render/title.js').then((title) => title.defaultTitle);
}

export async function run(deps: RunDeps): Promise<number> {
  const { platform, env, redactor } = deps;
  const log = platform.log;
  const now = deps.now ?? (() => new Date());

  await prepareYaml(deps.inputs);
  // Only the channels the configuration names are loaded (each is a chunk of its own).
  const registry = await loadChannels(namedChannelTypes(deps.inputs, env));
  const settings = loadSettings(deps.inputs, env, registry);
  // Secrets are masked before the first line is printed (DESIGN §7).
  for (const secret of settings.secrets) for (const form of redactor.add(secret)) platform.mask(form);
  if (settings.secrets.some((s) => s.trim() !== '' && !isMaskable(s)))
    log.warn(
      'a secret input is shorter than 4 characters or a common word (true, fail, …), so it cannot be hidden in the log; use a real credential',
    );
  for (const warning of settings.warnings) log.warn(warning);

  const params = parseParams(settings.params_text);
  const wanted = [...new Set(settings.targets.flatMap((t) => t.settings.mention_people ?? []))];
  const people =
    wanted.length || settings.people_text
      ? // Loaded only here: reading the map (node:fs/promises, a file) is start-up most runs skip.
        await (
          await import('./people/load.js')
        ).loadPeople(settings.people_text, {
          workspaces: [workspaceOf(env), process.cwd()],
          warn: (message) => log.warn(message),
        })
      : { map: EMPTY_PEOPLE_MAP, errors: [] };
  if ('source' in people)
    log.debug(
      `people: ${people.map.entries.length} in the map from ${people.source ?? 'nowhere (no people input, no .ci-notify/people.yml)'}`,
    );
  const runErrors = [...settings.errors, ...params.errors, ...people.errors];
  // GitHub and GitLab always say how the job went; a plain CLI run must be told, or it reports nothing true.
  if (platform.name === 'local' && settings.status === '') {
    runErrors.push(
      'status: no status given; pass --status success, failure, cancelled, … (or set NOTIFY_STATUS), e.g. --status "$BUILD_STATUS"',
    );
  }
  const status = normalizeStatus(settings.status);
  if (status.warning && !runErrors.length) log.warn(status.warning);

  if (runErrors.length) {
    for (const e of runErrors) log.error(e);
    report(platform, redactor, [], status.status, null);
    return settings.fail_on_error ? EXIT_BAD_CONFIG : warnGreen(log, 'configuration errors');
  }
  // A target with bad configuration is announced first, its problems in one line (one annotation).
  const invalid = invalidResults(settings);
  for (const t of settings.invalid) {
    if (settings.fail_on_error) log.error(t.errors.join('; '));
    else log.warn(t.errors.join('; '));
  }

  const http = (deps.createHttp ?? createHttpClient)({
    timeoutMs: settings.timeout_ms,
    retries: settings.retries,
    log,
    redactor,
    dryRun: settings.dry_run,
    env,
    userAgent: USER_AGENT,
  });

  const state: RunState = {
    event: null,
    progress: new Map(settings.targets.map((t) => [t, 'not sent'])),
    // In the targets' order, whichever finishes first.
    previews: new Map(settings.dry_run ? settings.targets.map((t) => [t.settings.name, []]) : []),
    refs: new Map(),
    stopped: false,
    sent: new Map(),
  };
  const interrupted = interruption(deps.onInterrupt, () => (state.stopped = true));
  // The job summary's heading is the default title; loaded while the targets are served.
  const summaryTitle = platform.writeSummary ? loadTitle(settings.targets).catch(() => undefined) : undefined;
  const facts = { status: status.status, params: params.params };
  const delivery = deliverAll(state, settings, facts, { wanted, map: people.map }, http, deps, now);
  const outcome = await Promise.race([delivery, interrupted.signal]).finally(interrupted.dispose);
  if (typeof outcome === 'string') {
    delivery.catch(() => {}); // still running; the caller ends the process
    reportInterrupted(outcome, state, settings, invalid, status.status, deps, await summaryTitle);
    return EXIT_INTERRUPTED[outcome];
  }

  const results = [...snapshot(state.progress, null), ...invalid];
  const title = await summaryTitle;
  report(platform, redactor, results, outcome.status, outcome, {
    title,
    failOnError: settings.fail_on_error,
    announced: invalid,
    previews: state.previews,
    refs: state.refs,
  });

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

/** Builds the event, then sends to every target concurrently, recording where each one is. */
async function deliverAll(
  state: RunState,
  settings: Settings,
  facts: { status: string; params: Record<string, string> },
  people: { wanted: PeopleWanted[]; map: PeopleMap },
  http: HttpClient,
  deps: RunDeps,
  now: () => Date,
): Promise<CiEvent> {
  try {
    const { event, selected } = await buildRunEvent(settings, facts, people, http, deps, now);
    state.event = event;
    await Promise.all(
      settings.targets.map(async (target) => {
        if (state.stopped) return;
        state.progress.set(target, 'in flight');
        const previews = state.previews.get(target.settings.name) ?? null;
        state.progress.set(
          target,
          await deliverTarget(
            target,
            event,
            selected,
            settings,
            counting(http, state.sent, target),
            deps,
            now,
            state.refs,
            previews,
          ),
        );
      }),
    );
    return event;
  } finally {
    await http.close();
  }
}

/**
 * The run's CiEvent: the CI facts the targets will use (read within the run's bound), a warning
 * when a transition word cannot be decided, and the people `mention_people` selects.
 */
async function buildRunEvent(
  settings: Settings,
  facts: { status: string; params: Record<string, string> },
  people: { wanted: PeopleWanted[]; map: PeopleMap },
  http: HttpClient,
  deps: RunDeps,
  now: () => Date,
): Promise<{ event: CiEvent; selected: SelectedPerson[] }> {
  const { platform, redactor } = deps;
  // Committers are read for `culprits` too: they are its fallback when the history cannot be read.
  const contributors: ContributorQuery | null =
    people.wanted.includes('committers') || people.wanted.includes('culprits')
      ? { committers: true, culprits: people.wanted.includes('culprits') }
      : null;
  let historyGap: string | null = null;
  const event = await platform.buildEvent({
    ...facts,
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
  if (historyGap !== null) warnUnknownHistory(platform.log, settings.targets, historyGap);
  const selected = resolvePeople(event, contributors, people.wanted, people.map, platform.log.warn);
  // Phone numbers and ids never reach a real run's log (a dry run's preview may show them).
  if (!settings.dry_run)
    for (const person of selected) for (const field of PRIVATE_FIELDS) redactor.add(person.entry?.[field]);
  const withPeople = {
    ...event,
    people: selected.map((p) => ({ name: p.name, roles: p.roles, reachable: reachableChannels(p.entry) })),
  };
  return { event: withPeople, selected };
}

/** The final line, outputs and summary of an interrupted run: what was delivered, in flight, not sent. */
function reportInterrupted(
  signal: InterruptSignal,
  state: RunState,
  settings: Settings,
  invalid: TargetResult[],
  status: string,
  deps: RunDeps,
  title?: Renderer['defaultTitle'],
): void {
  const results = [...snapshot(state.progress, signal, state.sent), ...invalid];
  const count = (what: string) => [...state.progress.values()].filter((p) => p === what).length;
  const delivered = results.filter((r) => r.ok && !r.skipped && !r.dry_run).length;
  deps.platform.log.error(
    `interrupted by ${signal}: ${delivered} delivered, ${count('in flight')} in flight (may or may not arrive), ${count('not sent')} not sent`,
  );
  report(deps.platform, deps.redactor, results, state.event?.status ?? status, state.event, {
    title,
    failOnError: settings.fail_on_error,
    announced: invalid,
    refs: state.refs,
  });
}

/** Resolves with the first interrupting signal, calling `stop` at once (not a microtask later); `dispose` unsubscribes. */
function interruption(
  subscribe: RunDeps['onInterrupt'],
  stop: () => void,
): {
  signal: Promise<InterruptSignal>;
  dispose: () => void;
} {
  let dispose = () => {};
  const signal = new Promise<InterruptSignal>((resolve) => {
    if (subscribe)
      dispose = subscribe((signal) => {
        stop();
        resolve(signal);
      });
  });
  return { signal, dispose: () => dispose() };
}

/** Results in target order; a target still on its way is reported as interrupted, never as delivered. */
function snapshot(
  progress: Progress,
  signal: InterruptSignal | null,
  sent: Map<PlannedTarget, number> = new Map(),
): TargetResult[] {
  return [...progress].flatMap(([target, state]) => {
    if (typeof state !== 'string') return state;
    const { name, channel } = target.settings;
    const result =
      state === 'in flight'
        ? failed(
            name,
            channel,
            `interrupted by ${signal ?? 'the run'} while sending; it may or may not have been delivered`,
          )
        : failed(name, channel, `interrupted by ${signal ?? 'the run'} before anything was sent`);
    return [{ ...result, attempts: sent.get(target) ?? 0 }];
  });
}

/** One failed result per invalid target, carrying all its problems. */
function invalidResults(settings: Settings): TargetResult[] {
  return settings.invalid.map((t) => failed(t.name, t.channel || 'unknown', t.errors.join('; ')));
}

/**
 * Result lines, outputs and the job summary. A sink that cannot be written (a missing directory,
 * an unwritable GITHUB_OUTPUT) costs a warning, never the run: the deliveries already happened and
 * their exit code stands.
 */
function report(
  platform: Platform,
  redactor: Redactor,
  results: TargetResult[],
  status: string,
  event: CiEvent | null,
  lines: {
    failOnError: boolean;
    announced: readonly TargetResult[];
    previews?: ReadonlyMap<string, string[]>;
    refs?: ReadonlyMap<string, string>;
    /** The job summary's heading (the renderer's default title), where the platform has a summary. */
    title?: Renderer['defaultTitle'];
  } = { failOnError: true, announced: [] },
): void {
  const log = platform.log;
  // One line per target; a failed one is an error annotation on GitHub (a warning when it may
  // fail), unless its problems were announced as one already.
  for (const r of results) {
    if (r.ok || r.skipped || lines.announced.includes(r)) log.info(resultLine(r));
    else if (lines.failOnError) log.error(resultLine(r));
    else log.warn(resultLine(r));
  }
  try {
    // Outputs carry untrusted text (the event's commit message, endpoint answers in `results`) and
    // are read by later steps and tools: they are redacted like every other sink.
    const redacting: Platform = {
      ...platform,
      setOutput: (name, value) => platform.setOutput(name, redactor.redact(value)),
    };
    setOutputs(redacting, results, status, event, lines.refs ?? new Map());
  } catch (error) {
    log.warn(`could not write the outputs: ${sinkError(error)}`);
  }
  if ((!event && !results.length) || !platform.writeSummary) return;
  try {
    // Every platform logger redacts; the summary file is written as it is, so it is redacted here.
    // Cells are redacted before they are escaped (escaping `_` or `&` would hide a secret from the redactor).
    const redact = (text: string) => redactor.redact(text);
    platform.writeSummary(redactor.redact(summaryMarkdown(event, results, lines.previews, redact, lines.title)));
  } catch (error) {
    log.warn(`could not write the job summary: ${sinkError(error)}`);
  }
}

function sinkError(error: unknown): string {
  const e = error as { code?: unknown; path?: unknown; message?: unknown };
  if (typeof e.code === 'string') return `${e.code}${typeof e.path === 'string' ? ` (${e.path})` : ''}`;
  return typeof e.message === 'string' ? e.message : String(error);
}

async function deliverTarget(
  planned: PlannedTarget,
  event: CiEvent,
  selected: SelectedPerson[],
  settings: Settings,
  http: HttpClient,
  deps: RunDeps,
  now: () => Date,
  refs: Map<string, string>,
  /** Collects the rendered messages of a dry run (null otherwise). */
  previews: string[] | null = null,
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
  const update = updateFor(t.raw.update ?? '', t.name, t.channel, channel.edits === true, log);
  try {
    const render = laysOut(channel, t) ? await loadRenderer() : undefined;
    const unloaded = (what: string) =>
      new Error(`${t.channel} read the ${what}, but says it sends the event (sendsEvent): no renderer was loaded`);
    let message: MessageModel | undefined;
    const ctx: SendContext<unknown> = {
      options: target.options,
      target: t,
      event,
      // Built on first use: webhook and jenkins send the event and never read it.
      get message() {
        if (!render) throw unloaded('message');
        return (message ??= render.buildMessage(event, {
          locale: t.locale,
          fields: t.fields,
          title: t.title,
          template: t.template,
          env: deps.env,
          warn,
        }));
      },
      render: (template, mode, escapeValue) => {
        if (!render) throw unloaded('template');
        return render.renderTemplate(template, { event, env: deps.env, locale: t.locale }, mode, warn, {
          escapeValue,
        });
      },
      mention,
      http: recordingRequests(withTargetDefaults(http, t.timeout_ms, t.retries, `${t.channel} ${t.name}`), previews),
      now,
      log: prefixed(log, t.name),
      dryRun: settings.dry_run,
      env: deps.env,
      registerSecret: (value) => {
        for (const form of deps.redactor.add(value)) deps.platform.mask(form);
      },
      update,
    };
    const out = await channel.send(ctx);
    for (const r of Array.isArray(out) ? out : [out]) if (r.preview !== undefined) previews?.push(r.preview);
    const ref = (Array.isArray(out) ? out : [out]).find((r) => r.ok && r.message_ref)?.message_ref;
    if (ref) refs.set(t.name, ref);
    // Which targets are done (with debug on) is what to look at when a run seems to hang.
    log.debug(`${t.name}: finished after ${Date.now() - started} ms`);
    return (Array.isArray(out) ? out : [out]).map((r) => fromChannel(t.name, t.channel, r));
  } catch (err) {
    // A channel bug or an unexpected failure stays with its target; the others go on.
    const message = err instanceof Error ? err.message : String(err);
    return [{ ...failed(t.name, t.channel, deps.redactor.redact(message)), duration_ms: Date.now() - started }];
  }
}

/**
 * This target's ref from the `update` input. A channel that cannot edit says so once and posts a
 * new message; a ref that does not fit the target is reported and a new message is posted.
 */
function updateFor(text: string, name: string, channel: string, edits: boolean, log: Platform['log']): string | null {
  if (text.trim() === '') return null;
  if (!edits) {
    log.info(`${name}: ${channel} cannot edit a message it sent; posting a new one (update is ignored)`);
    return null;
  }
  const lookup = refForTarget(text, name, channel as Parameters<typeof refForTarget>[2]);
  if (lookup.problem) log.warn(`${name}: ${lookup.problem}`);
  return lookup.ref;
}

/**
 * `message_refs`: JSON by target name. Spaces and `$` are written as JSON escapes, so the value
 * is one token that a GitLab dotenv report accepts and no shell or variable expansion touches.
 */
function messageRefsOutput(refs: ReadonlyMap<string, string>): string {
  return JSON.stringify(Object.fromEntries(refs)).replace(/[\s$]/g, jsonUnicodeEscape);
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
  // Channels that reach nobody personally (webhook, jenkins) carry the people in the event only.
  const reaches = recipients !== null || robot.mentioned.length + robot.named.length > 0;
  if (people.length && reaches) {
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
  return env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || '';
}

/**
 * In a dry run, keeps what each request would have carried (its body, pretty when JSON) for the
 * job summary: the rendered message, so it can be read before any secret is wired.
 */
function recordingRequests(http: HttpClient, previews: string[] | null): HttpClient {
  if (previews === null) return http;
  return {
    ...http,
    deliver: (request, read, options) => {
      try {
        previews.push(requestPreview(typeof request === 'function' ? request() : request));
      } catch {
        /* the client reports a request that cannot be built */
      }
      return http.deliver(request, read, options);
    },
  };
}

function requestPreview(spec: HttpRequestSpec): string {
  if (spec.body === undefined || spec.method === 'GET') return `${spec.method} (no body)`;
  return shownBody(spec.body);
}

/** Counts in `sent` each request that leaves for `target`. */
function counting(http: HttpClient, sent: Map<PlannedTarget, number>, target: PlannedTarget): HttpClient {
  const onAttempt = () => sent.set(target, (sent.get(target) ?? 0) + 1);
  return {
    ...http,
    deliver: (request, read, options) =>
      http.deliver(request, read, {
        ...options,
        onAttempt: () => {
          onAttempt();
          options?.onAttempt?.();
        },
      }),
  };
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

function setOutputs(
  platform: Platform,
  results: TargetResult[],
  status: string,
  event: CiEvent | null,
  refs: ReadonlyMap<string, string>,
): void {
  const delivered = results.filter((r) => r.ok && !r.skipped && !r.dry_run).length;
  const failedCount = results.filter((r) => !r.ok && !r.skipped).length;
  platform.setOutput('results', jsonOutput(results));
  platform.setOutput('delivered', String(delivered));
  platform.setOutput('failed', String(failedCount));
  platform.setOutput('status', status);
  platform.setOutput('event', event ? jsonOutput(event) : '');
  platform.setOutput('message_refs', messageRefsOutput(refs));
}

/**
 * JSON for an output: JSON.stringify leaves NEL, U+2028 and U+2029 (line breaks to many readers of
 * an output file: Python's splitlines, browsers) and bidi and zero-width characters raw. Written as
 * \u escapes, the value is the same and the text carries no line break nor hidden formatting.
 */
function jsonOutput(value: unknown): string {
  return JSON.stringify(value).replace(OUTPUT_ESCAPED, jsonUnicodeEscape);
}

const OUTPUT_ESCAPED = new RegExp(`[\\u0085\\u2028\\u2029]|${INVISIBLE.source}`, 'g');

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

/**
 * A table cell of the job summary, which GitHub renders as Markdown with HTML: text from targets
 * and endpoints (names, error answers) shows as written and cannot add a link, an image, a tag or
 * a column.
 */
export function markdownCell(text: string): string {
  return (
    // A bidi override would reorder the rest of the row, a zero-width space hide what a cell holds.
    withoutHidden(text.replace(/[\r\n\u2028\u2029\u0085]+/g, ' '))
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Inline markup only: with `[` escaped, `(` and `!` cannot make a link or an image.
      .replace(/[\\`*_[\]~|]/g, '\\$&')
      // Bare URLs become links in GitHub's Markdown: break the scheme so they stay text.
      .replace(/\b(https?|ftp|mailto):/gi, '$1&#58;')
      .replace(/\bwww\./gi, 'www&#46;')
      // `@team` and `user@example.com` become a mention or a mail link in the rendered text,
      // however the `@` was escaped: an invisible joiner after it keeps them text.
      .replace(/@/g, '@\u2060')
  );
}

function summaryMarkdown(
  event: CiEvent | null,
  results: TargetResult[],
  previews: ReadonlyMap<string, string[]> = new Map(),
  redact: (text: string) => string = (text) => text,
  title?: Renderer['defaultTitle'],
): string {
  const cell = (text: string) => markdownCell(redact(text));
  const rows = results.map((r) => {
    const result = r.skipped
      ? '⏭️ skipped (notify_on)'
      : r.dry_run
        ? '🧪 dry run'
        : r.ok
          ? `✅ delivered${r.messages !== undefined && r.messages > 1 ? ` (${r.messages} messages)` : ''}`
          : `❌ ${r.error ?? 'failed'}`;
    return `| ${cell(r.name)} | ${cell(r.channel)} | ${cell(result + pacedNote(r))} | ${r.attempts} | ${r.duration_ms} ms |`;
  });
  // Without the renderer (its chunk could not be read) the heading falls back to the workflow's name.
  const heading = event ? cell(title?.(event, 'en') ?? event.pipeline.name ?? 'ci-notify') : 'ci-notify';
  return [
    `### ${heading} — notifications`,
    '| target | channel | result | attempts | time |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...[...previews]
      .filter(([, messages]) => messages.length > 0)
      .map(([name, messages]) => previewBlock(name, messages)),
  ].join('\n');
}

/**
 * A dry run's message for one target, collapsed: a `<details>` block around a code fence longer
 * than any backtick run inside, so the message shows as sent and no text of it becomes markup.
 */
function previewBlock(name: string, messages: string[]): string {
  const body = messages.join('\n\n');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [
    '',
    `<details><summary>🧪 ${escapeHtml(name)}: the message (dry run)</summary>`,
    '',
    fence,
    body,
    fence,
    '',
    '</details>',
  ].join('\n');
}
