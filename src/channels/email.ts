/**
 * `email`: the notification as a multipart (HTML + plain text) e-mail over SMTP with nodemailer
 * (DESIGN §5, MESSAGES.md "E-mail"). nodemailer is imported inside `send`, so a run without an
 * e-mail target never loads it.
 *
 * Transport security, decided here once:
 * - `smtps://` / `smtp_secure` (default: port 465) is implicit TLS; otherwise STARTTLS is used
 *   whenever the server offers it (nodemailer's default), and it is REQUIRED when credentials are
 *   sent, so a password never crosses the network in clear text (a server without STARTTLS then
 *   fails with a TLS hint instead of receiving the password).
 * - Certificates are always verified, whatever NODE_TLS_REJECT_UNAUTHORIZED says. A private CA is
 *   trusted through NODE_EXTRA_CA_CERTS; Node reads that variable only at process start, so we read
 *   the file named in the run's environment ourselves and pass it with the default roots: the result
 *   is the same in a fresh process, in-process tests and a long-lived runner.
 */
import { readFileSync } from 'node:fs';
import { z } from './schema.js';
import { Redactor } from '../delivery/redact.js';
import { headUnits, oneLine } from '../render/text.js';
import { mentionsPeople, type SelectedPerson } from '../people/select.js';
import type { MessageModel } from '../render/types.js';
import { renderEmailHtml, renderEmailText } from './email-html.js';
import { isEmailAddress } from './email-address.js';
import { parseBoolean, shownValue } from '../inputs.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface MailAddress {
  /** Display name ('' when none); CR/LF never survive parsing. */
  name: string;
  address: string;
}

export interface SmtpServer {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps, port 465). */
  secure: boolean;
  username: string | null;
  password: string | null;
}

export interface EmailOptions {
  server: SmtpServer;
  /** The `smtp_url` as given (a secret: it carries the password), for redaction. */
  smtpUrl: string | null;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  /** Where the people of `mention_people` go (input `email_people`). */
  emailPeople: 'to' | 'cc';
}

const DEFAULT_PORT = { starttls: 587, implicitTls: 465 } as const;

type Problem = { input: string; message: string };

export const emailOptions: z.ZodType<EmailOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const problems: Problem[] = [];
  const parsed = parseEmailOptions(raw, problems);
  for (const p of problems) ctx.addIssue({ code: 'custom', path: [p.input], message: p.message });
  return parsed ?? z.NEVER;
});

/** Inputs → options; every problem is collected (not just the first) so one run shows them all. */
export function parseEmailOptions(raw: Record<string, string>, problems: Problem[]): EmailOptions | null {
  const get = (name: string): string => (raw[name] ?? '').trim();
  const before = problems.length;
  const smtpUrl = get('smtp_url');
  let server: SmtpServer | null = null;

  if (smtpUrl !== '') {
    for (const name of ['smtp_host', 'smtp_port', 'smtp_secure'] as const) {
      if (get(name) !== '')
        problems.push({
          input: name,
          message: 'not together with smtp_url (the URL already names the server); give one or the other',
        });
    }
    server = parseSmtpUrl(smtpUrl, problems);
    if (server && server.username === null && get('smtp_username') !== '') {
      server = { ...server, username: get('smtp_username'), password: raw.smtp_password ?? null };
    }
  } else if (get('smtp_host') !== '') {
    server = parseServerInputs(raw, problems);
  } else {
    problems.push({
      input: 'smtp_url',
      message: 'missing; give smtp_url (smtp://user:password@host:587 or smtps://…:465) or smtp_host',
    });
  }
  if (server && server.username !== null && !server.password) {
    problems.push({
      input: smtpUrl !== '' && get('smtp_username') === '' ? 'smtp_url' : 'smtp_password',
      message: 'a user name is given but no password',
    });
  }

  const to = parseAddressList('to', get('to'), problems);
  const cc = parseAddressList('cc', get('cc'), problems);
  const bcc = parseAddressList('bcc', get('bcc'), problems);
  // With mention_people the people may be the only recipients.
  if (to.length + cc.length + bcc.length === 0 && !mentionsPeople(raw))
    problems.push({ input: 'to', message: 'missing; give at least one recipient in to, cc or bcc' });
  const emailPeople = (get('email_people') || 'to').toLowerCase();
  if (emailPeople !== 'to' && emailPeople !== 'cc')
    problems.push({
      input: 'email_people',
      message: `${shownValue(emailPeople, 20)} not understood; expected to or cc`,
    });

  let from: MailAddress | null = null;
  if (get('from') !== '') {
    const list = parseAddressList('from', get('from'), problems);
    if (list.length > 1) problems.push({ input: 'from', message: 'expected one sender address' });
    from = list[0] ?? null;
  } else if (server?.username && isEmailAddress(server.username)) {
    // Most providers only accept mail from the authenticated mailbox anyway.
    from = { name: 'ci-notify', address: server.username };
  } else {
    problems.push({ input: 'from', message: 'missing; give the sender, e.g. "CI <ci@example.com>"' });
  }

  if (problems.length > before || !server || !from) return null;
  return {
    server,
    smtpUrl: smtpUrl === '' ? null : smtpUrl,
    from,
    to,
    cc,
    bcc,
    emailPeople: emailPeople === 'cc' ? 'cc' : 'to',
  };
}

/** People with an `email` in the map join `to` (or `cc`, per email_people), once per address. */
export function addEmailPeople(
  options: EmailOptions,
  people: readonly SelectedPerson[],
): { options: EmailOptions; reached: SelectedPerson[]; recipients: number } {
  const known = new Set([...options.to, ...options.cc, ...options.bcc].map((a) => a.address.toLowerCase()));
  const added: MailAddress[] = [];
  const reached: SelectedPerson[] = [];
  for (const person of people) {
    const address = person.entry?.email;
    if (!address) continue;
    reached.push(person);
    if (known.has(address.toLowerCase())) continue;
    known.add(address.toLowerCase());
    added.push({ name: oneLine(person.name), address });
  }
  const field = options.emailPeople;
  return { options: { ...options, [field]: [...options[field], ...added] }, reached, recipients: known.size };
}

/** The URL is a secret: errors describe what is wrong without quoting any of it. */
function parseSmtpUrl(text: string, problems: Problem[]): SmtpServer | null {
  const expected = 'expected smtp://user:password@host:587 or smtps://user:password@host:465';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push({ input: 'smtp_url', message: `not a URL; ${expected}` });
    return null;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    problems.push({ input: 'smtp_url', message: `the scheme must be smtp or smtps; ${expected}` });
    return null;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') {
    problems.push({ input: 'smtp_url', message: `no host; ${expected}` });
    return null;
  }
  const secure = scheme === 'smtps';
  const port = url.port === '' ? (secure ? DEFAULT_PORT.implicitTls : DEFAULT_PORT.starttls) : Number(url.port);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const username = url.username === '' ? null : decode(url.username);
  const password = url.password === '' ? null : decode(url.password);
  return { host, port, secure, username, password };
}

function parseServerInputs(raw: Record<string, string>, problems: Problem[]): SmtpServer | null {
  const get = (name: string): string => (raw[name] ?? '').trim();
  const host = get('smtp_host');
  if (/[\s/@:]/.test(host) && !/^\[?[0-9a-f:]+\]?$/i.test(host)) {
    problems.push({
      input: 'smtp_host',
      message: `${shownValue(host, 60)} is not a host name; give only the host (smtp.example.com), or put a URL with credentials in smtp_url (a secret)`,
    });
    return null;
  }
  let secure: boolean | null = null;
  const secureText = get('smtp_secure').toLowerCase();
  if (secureText !== '') {
    secure = parseBoolean(secureText);
    if (secure === null) {
      problems.push({
        input: 'smtp_secure',
        message: 'expected true (implicit TLS, usually port 465) or false (STARTTLS, usually 587)',
      });
      return null;
    }
  }
  let port: number;
  const portText = get('smtp_port');
  if (portText === '') {
    port = secure ? DEFAULT_PORT.implicitTls : DEFAULT_PORT.starttls;
  } else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) {
    port = Number(portText);
  } else {
    problems.push({
      input: 'smtp_port',
      message: `expected a port number like 587 or 465, got ${shownValue(portText, 20)}`,
    });
    return null;
  }
  const username = get('smtp_username');
  const password = raw.smtp_password ?? '';
  return {
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port,
    secure: secure ?? port === DEFAULT_PORT.implicitTls,
    username: username === '' ? null : username,
    password: password === '' ? null : password,
  };
}

/**
 * "a@x.com, Bob <b@x.com>; c@x.com" (commas, semicolons, newlines; a quoted display name may
 * contain them) → addresses. Every entry is checked, and a bad one is named.
 */
export function parseAddressList(input: string, text: string, problems: Problem[]): MailAddress[] {
  const out: MailAddress[] = [];
  for (const entry of splitAddresses(text)) {
    const angle = /^(.*?)<([^<>]*)>$/s.exec(entry);
    const name = angle ? (angle[1] ?? '').trim().replace(/^"(.*)"$/s, '$1') : '';
    const address = (angle ? (angle[2] ?? '') : entry).trim();
    if (!isEmailAddress(address)) {
      problems.push({ input, message: `${shownValue(entry, 100)} is not an e-mail address` });
      continue;
    }
    out.push({ name: oneLine(name.replace(/\\(.)/g, '$1')), address });
  }
  return out;
}

function splitAddresses(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === ';' || ch === '\n' || ch === '\r')) {
      entries.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  entries.push(current);
  return entries.map((e) => e.trim()).filter((e) => e !== '');
}

// ---------------------------------------------------------------------------------------------
// The message (pure)

/** What is handed to nodemailer: no field here can carry a header or a recipient from the repository. */
export interface EmailMessage {
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * The subject is the title (MESSAGES.md): the `title` template when given, else
 * `❌ acme/api · main · CI #128 failed (was passing)`. Either way it is ONE line: CR/LF in repository
 * text (a commit title "x\r\nBcc: evil@…") can never start a header.
 */
export function emailSubject(message: MessageModel): string {
  return oneLine(message.title);
}

export function buildEmailMessage(options: EmailOptions, message: MessageModel): EmailMessage {
  return {
    from: options.from,
    to: options.to,
    cc: options.cc,
    bcc: options.bcc,
    subject: emailSubject(message),
    text: renderEmailText(message),
    html: renderEmailHtml(message),
    headers: {
      // RFC 3834: an automated message; well-behaved servers send no vacation replies to it.
      'Auto-Submitted': 'auto-generated',
      'X-CI-Notify-Delivery': oneLine(message.event.id),
    },
  };
}

/** The dry-run print: headers and the text part, as they would go out. */
export function describeEmail(server: SmtpServer, mail: EmailMessage): string {
  const list = (xs: MailAddress[]): string => xs.map(formatAddress).join(', ');
  const lines = [
    `email via ${server.host}:${server.port} (${server.secure ? 'implicit TLS' : 'STARTTLS'}${server.username ? `, AUTH as ${server.username}` : ''})`,
    `From: ${formatAddress(mail.from)}`,
  ];
  if (mail.to.length) lines.push(`To: ${list(mail.to)}`);
  if (mail.cc.length) lines.push(`Cc: ${list(mail.cc)}`);
  if (mail.bcc.length) lines.push(`Bcc: ${list(mail.bcc)}`);
  lines.push(`Subject: ${mail.subject}`);
  for (const [name, value] of Object.entries(mail.headers)) lines.push(`${name}: ${value}`);
  lines.push('', mail.text);
  return lines.join('\n');
}

function formatAddress(a: MailAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

// ---------------------------------------------------------------------------------------------
// Sending

/** The transport settings nodemailer gets (pure, given the CA list). */
export function transportOptions(server: SmtpServer, timeoutMs: number, ca: string[] | null): Record<string, unknown> {
  const credentials = server.username !== null && server.password !== null;
  return {
    host: server.host,
    port: server.port,
    secure: server.secure,
    ...(credentials ? { auth: { user: server.username, pass: server.password } } : {}),
    // Credentials over a plain port: STARTTLS is mandatory (see the header comment).
    requireTLS: !server.secure && credentials,
    opportunisticTLS: false,
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * NODE_EXTRA_CA_CERTS of the run's environment, read as a file and added to the default roots.
 * null = nothing to add (Node's own defaults apply).
 */
export async function extraCaCertificates(
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Promise<string[] | null> {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return null;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    warn(`NODE_EXTRA_CA_CERTS: cannot read "${file}"; using the default certificate authorities only`);
    return null;
  }
  // Loaded here, not at the top: startup stays lean for runs without e-mail targets.
  const tls = await import('node:tls');
  // getCACertificates('default') (Node ≥ 22.15) includes system CAs when Node was told to use them.
  const tlsWithDefaults = tls as typeof tls & { getCACertificates?: (type: 'default') => string[] };
  const roots = tlsWithDefaults.getCACertificates
    ? tlsWithDefaults.getCACertificates('default')
    : [...tls.rootCertificates];
  return [...roots, pem];
}

/** One SMTP failure, classified: what the user should read, and whether trying again can help. */
export interface SmtpFailure {
  transient: boolean;
  status_code: number | null;
  error: string;
  /** What to check, naming the input ("check smtp_username/smtp_password"). */
  hint?: string;
}

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  recipient?: string;
  cause?: unknown;
}

const TLS_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * nodemailer errors → one line we build ourselves (its messages can quote server replies and, with
 * some servers, the AUTH exchange), with the hint that names the input to check.
 */
export function classifySmtpError(err: unknown, server: SmtpServer): SmtpFailure {
  const e = (err ?? {}) as NodemailerError;
  const where = `${server.host}:${server.port}`;
  const reply = e.response ? headUnits(oneLine(e.response), 160) : '';
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const text = `${e.message ?? ''} ${(e.cause as { code?: string } | undefined)?.code ?? ''}`;
  const certCode = [...TLS_CERT_CODES].find((c) => text.includes(c)) ?? certCodeFromMessage(text);

  if (
    e.code === 'EAUTH' ||
    (code !== null && (code === 535 || code === 534 || code === 530) && e.command?.startsWith('AUTH'))
  ) {
    return {
      transient: code !== null && code >= 400 && code < 500,
      status_code: code,
      error: `authentication failed at ${where}${code ? ` (${code})` : ''}`,
      hint: 'check smtp_username/smtp_password (some providers want an app password)',
    };
  }
  if (code === 530 || e.code === 'ENOAUTH') {
    return {
      transient: false,
      status_code: code,
      error: `${where} requires authentication${reply ? ` (${reply})` : ''}`,
      hint: 'set smtp_username/smtp_password (or the credentials in smtp_url)',
    };
  }
  if (certCode) {
    return {
      transient: false,
      status_code: null,
      error: `TLS: the certificate of ${where} is not trusted (${certCode})`,
      hint: `use the host name on the certificate, or add the private CA through NODE_EXTRA_CA_CERTS`,
    };
  }
  if (/wrong version number|packet length too long|unknown protocol|ssl3_get_record/i.test(text)) {
    return {
      transient: false,
      status_code: null,
      error: `TLS handshake with ${where} failed`,
      hint: `check smtp_secure: port 465 is implicit TLS (smtps://, smtp_secure true), 587/25 use STARTTLS (smtp://, smtp_secure false)`,
    };
  }
  if (e.code === 'ETLS' || /STARTTLS/i.test(text)) {
    return {
      transient: false,
      status_code: code,
      error: `TLS: ${where} does not offer STARTTLS, and credentials are never sent unencrypted`,
      hint: `use smtps:// (port 465) or a server with STARTTLS`,
    };
  }
  if (/ECONNREFUSED/.test(text)) {
    return {
      transient: true,
      status_code: null,
      error: `connection refused by ${where}`,
      hint: `check smtp_host/smtp_port and that the server is reachable from the runner`,
    };
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text) || e.code === 'EDNS') {
    return {
      transient: /EAI_AGAIN/.test(text),
      status_code: null,
      error: `cannot resolve the SMTP host ${server.host}`,
      hint: `check smtp_host`,
    };
  }
  if (e.code === 'ETIMEDOUT' || /ETIMEDOUT|timeout/i.test(text)) {
    return {
      transient: true,
      status_code: null,
      error: `timed out talking to ${where}`,
      hint: `check smtp_host/smtp_port and the firewall (many networks block outbound port 25)`,
    };
  }
  // nodemailer files a refused DATA command under EENVELOPE too, but every recipient was accepted
  // by then: the server refuses the message (a policy, a quota, "no valid recipients" after all).
  if (e.code === 'EENVELOPE' && code !== null && code >= 500 && e.command?.startsWith('DATA')) {
    return {
      transient: false,
      status_code: code,
      error: `the SMTP server refused the message at DATA (${reply || code})`,
      hint: "it came after the recipients; the server's answer names its reason (a sending policy, a quota, no valid recipient)",
    };
  }
  if (e.code === 'EENVELOPE' && code !== null && code >= 500) {
    const who = e.rejected?.length ? e.rejected.join(', ') : (e.recipient ?? '');
    const isSender = e.command?.startsWith('MAIL');
    return {
      transient: false,
      status_code: code,
      error: isSender
        ? `the sender was rejected (${reply || code})`
        : `recipient rejected${who ? `: ${who}` : ''} (${reply || code})`,
      hint: isSender ? 'check from (many servers only accept the authenticated mailbox)' : 'check to/cc/bcc',
    };
  }
  if (code !== null && code >= 400 && code < 500) {
    return { transient: true, status_code: code, error: `temporary SMTP failure at ${where} (${reply || code})` };
  }
  if (code !== null && code >= 500) {
    return { transient: false, status_code: code, error: `the SMTP server refused the message (${reply || code})` };
  }
  if (/ECONNRESET|EPIPE|ECONNECTION|socket|closed/i.test(`${e.code ?? ''} ${text}`)) {
    return { transient: true, status_code: null, error: `the connection to ${where} was closed unexpectedly` };
  }
  return { transient: false, status_code: code, error: `sending through ${where} failed (${e.code ?? 'error'})` };
}

function certCodeFromMessage(text: string): string | null {
  if (/self[- ]signed certificate/i.test(text)) return 'self-signed certificate';
  if (/unable to verify the first certificate/i.test(text)) return 'unable to verify the first certificate';
  if (/Hostname\/IP does not match certificate/i.test(text)) return 'host name does not match the certificate';
  if (/certificate has expired/i.test(text)) return 'certificate has expired';
  return null;
}

/** The password, the URL that carries it, and the AUTH PLAIN token a server might echo back. */
export function emailSecrets(options: EmailOptions): string[] {
  const { username, password } = options.server;
  const list = [options.smtpUrl ?? '', password ?? ''];
  if (username && password) list.push(Buffer.from(`\u0000${username}\u0000${password}`).toString('base64'));
  return list.filter((s) => s !== '');
}

export interface EmailChannelDeps {
  /** Wait before retry number `retry` (1 = before the second attempt). Tests pass a short one. */
  backoffMs?: (retry: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

/** 1 s, 2 s, 4 s … capped at 30 s, with jitter: SMTP greylisting wants a real pause. */
function defaultBackoff(retry: number): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

type SentInfo = { accepted?: unknown[]; rejected?: unknown[]; response?: string };

/**
 * One SMTP transaction, bounded as a whole (nodemailer's timeouts are per stage and reset by any
 * byte a slow server trickles). A failure after the message's final dot left for the server
 * without the server's answer is not retried: the server may have queued the message, and a
 * resend would deliver it twice (issue 13 #8). A refusal with a code (451 greylisting) is the
 * server saying it did not take the message, and stays retryable.
 */
async function sendOnce(
  nodemailer: typeof import('nodemailer'),
  server: SmtpServer,
  mail: ReturnType<typeof buildEmailMessage>,
  timeoutMs: number,
  ca: string[] | null,
): Promise<{ ok: true; info: SentInfo } | { ok: false; failure: SmtpFailure }> {
  let messageSent = false;
  // nodemailer reports "<N bytes encoded mime message>" when the message and its final dot were
  // written to the socket; that is the one signal that the server may have the whole message.
  const onInfo = (entry: unknown) => {
    if ((entry as { tnx?: string } | null)?.tnx === 'message') messageSent = true;
  };
  const quiet = () => {};
  const logger = { trace: quiet, debug: quiet, info: onInfo, warn: quiet, error: quiet, fatal: quiet };
  const transport = nodemailer.createTransport({ ...transportOptions(server, timeoutMs, ca), logger } as never);
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), TRANSACTION_TIMEOUTS * timeoutMs);
  try {
    const info = (await transport.sendMail({
      from: mail.from,
      to: mail.to,
      cc: mail.cc,
      bcc: mail.bcc,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
      disableFileAccess: true,
      disableUrlAccess: true,
      signal: controller.signal,
    })) as SentInfo;
    return { ok: true, info };
  } catch (caught) {
    const err = controller.signal.aborted ? Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }) : caught;
    const failure = classifySmtpError(err, server);
    if (!messageSent || failure.status_code !== null) return { ok: false, failure };
    return {
      ok: false,
      failure: {
        transient: false,
        status_code: null,
        error: `${failure.error} after the whole message was sent (it may have been delivered; not retried to avoid a duplicate)`,
      },
    };
  } finally {
    clearTimeout(deadline);
    transport.close();
  }
}

/**
 * An SMTP transaction is a handful of round trips (greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT,
 * DATA): it may take a few `timeout`s in all, never more.
 */
const TRANSACTION_TIMEOUTS = 3;

export function createEmailChannel(deps: EmailChannelDeps = {}): Channel<EmailOptions> {
  const backoffMs = deps.backoffMs ?? defaultBackoff;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  return {
    type: 'email',
    options: emailOptions,
    msgTypes: [],
    secrets: emailSecrets,
    addPeople: addEmailPeople,

    async send(ctx: SendContext<EmailOptions>): Promise<ChannelResult> {
      const started = performance.now();
      const elapsed = (): number => Math.round(performance.now() - started);
      const { options } = ctx;
      const redactor = new Redactor();
      for (const secret of emailSecrets(options)) redactor.add(secret);
      const mail = buildEmailMessage(options, ctx.message);

      if (ctx.dryRun) {
        const preview = redactor.redact(describeEmail(options.server, mail));
        ctx.log.info(preview);
        return {
          ok: true,
          dry_run: true,
          preview,
          attempts: 0,
          status_code: null,
          error: null,
          answer: null,
          duration_ms: elapsed(),
        };
      }

      const ca = await extraCaCertificates(ctx.env, (line) => ctx.log.warn(line));
      const nodemailer = await import('nodemailer');
      const maxAttempts = 1 + Math.max(0, ctx.target.retries);
      let failure: SmtpFailure | null = null;
      let attempts = 0;

      while (attempts < maxAttempts) {
        attempts++;
        const attempt = await sendOnce(nodemailer, options.server, mail, ctx.target.timeout_ms, ca);
        if (attempt.ok) {
          const { info } = attempt;
          const statusCode = Number(/^\d{3}/.exec(info.response ?? '')?.[0] ?? NaN);
          const rejected = (info.rejected ?? []).map(String);
          if (rejected.length > 0) {
            // Sent to the others already: a retry would send them a second copy.
            return {
              ok: false,
              dry_run: false,
              attempts,
              status_code: Number.isNaN(statusCode) ? null : statusCode,
              error: redactor.redact(
                `delivered to ${info.accepted?.length ?? 0} recipient(s), rejected: ${rejected.join(', ')} — check to/cc/bcc`,
              ),
              answer: null,
              duration_ms: elapsed(),
            };
          }
          return {
            ok: true,
            dry_run: false,
            attempts,
            status_code: Number.isNaN(statusCode) ? null : statusCode,
            error: null,
            answer: null,
            duration_ms: elapsed(),
          };
        }
        failure = attempt.failure;
        if (!failure.transient || attempts >= maxAttempts) break;
        const wait = backoffMs(attempts);
        ctx.log.debug(
          redactor.redact(
            `email ${ctx.target.name}: attempt ${attempts + 1}/${maxAttempts} after "${failure.error}", waiting ${wait} ms`,
          ),
        );
        await sleep(wait);
      }

      const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
      const hint = failure?.hint ? ` — ${failure.hint}` : '';
      return {
        ok: false,
        dry_run: false,
        attempts,
        status_code: failure?.status_code ?? null,
        error: oneLine(redactor.redact(`${failure?.error ?? 'not sent'}${gaveUp}${hint}`)),
        answer: null,
        duration_ms: elapsed(),
      };
    },
  };
}

export const email: Channel<EmailOptions> = createEmailChannel();
