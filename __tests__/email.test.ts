/**
 * The `email` channel against a real SMTP server on loopback (smtp-server with STARTTLS or implicit
 * TLS on a certificate generated per run, AUTH PLAIN/LOGIN), messages parsed back with mailparser.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import type { CiEvent } from '../src/event/types.js';
import type { MessageModel } from '../src/render/types.js';
import { buildMessage } from '../src/render/message.js';
import { renderTemplate } from '../src/render/template.js';
import type { ChannelResult, SendContext, TargetSettings } from '../src/channels/types.js';
import { renderEmailHtml, renderEmailText } from '../src/channels/email-html.js';
import { createEmailChannel, email, emailSubject, type EmailOptions } from '../src/channels/email.js';
import { sampleEvent } from './support/fixtures.js';
import { recordingLogger, type RecordingLogger } from './support/recording-logger.js';
import { startSmtpServer, type SmtpStandIn } from './support/smtp.js';

const USER = 'ci@example.com';
const PASSWORD = 'correct-horse-battery-staple';
/** Fast retries: the backoff is the channel's own, only shortened. */
const channel = createEmailChannel({ backoffMs: () => 5 });

interface Sent {
  result: ChannelResult;
  log: RecordingLogger;
}

function parseOptions(raw: Record<string, string>): EmailOptions {
  const parsed = email.options.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data;
}

function issues(raw: Record<string, string>): string[] {
  const parsed = email.options.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

async function send(
  raw: Record<string, string>,
  opts: {
    event?: CiEvent;
    env?: NodeJS.ProcessEnv;
    retries?: number;
    timeoutMs?: number;
    title?: string;
    template?: string;
    dryRun?: boolean;
  } = {},
): Promise<Sent> {
  const event = opts.event ?? sampleEvent();
  const env = opts.env ?? {};
  const log = recordingLogger();
  const options = parseOptions(raw);
  const title = opts.title ?? '';
  const target: TargetSettings = {
    name: 'oncall',
    index: 0,
    channel: 'email',
    notify_on: ['always'],
    mention_on: ['always'],
    title,
    template: '',
    msg_type: '',
    fields: null,
    locale: 'en',
    keyword: '',
    at_mobiles: [],
    at_user_ids: [],
    at_all: false,
    timeout_ms: opts.timeoutMs ?? 5000,
    retries: opts.retries ?? 0,
    raw,
  };
  const warn = (m: string): void => log.warn(m);
  const redactor = new Redactor();
  const ctx: SendContext<EmailOptions> = {
    options,
    target,
    event,
    message: buildMessage(event, { locale: 'en', fields: null, title, template: opts.template ?? '', env, warn }),
    render: (template, mode) => renderTemplate(template, { event, env, locale: 'en' }, mode, warn),
    mention: true,
    http: createHttpClient({
      timeoutMs: 5000,
      retries: 0,
      log,
      redactor,
      dryRun: opts.dryRun ?? false,
      env,
    }),
    now: () => new Date('2026-12-01T10:00:00Z'),
    log,
    dryRun: opts.dryRun ?? false,
    env,
    registerSecret: (value) => void redactor.add(value),
  };
  const result = (await channel.send(ctx)) as ChannelResult;
  return { result, log };
}

function addresses(
  field: AddressObject | AddressObject[] | undefined,
): { address: string; name: string }[] | undefined {
  if (field === undefined) return undefined;
  return (Array.isArray(field) ? field : [field]).flatMap((a) =>
    a.value.map((v) => ({ address: v.address ?? '', name: v.name })),
  );
}

/** Visible text of the HTML part: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<title>[\s\S]*?<\/title>/, '')
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] as string);
}

const EXPECTED_TEXT = [
  '❌ acme/api · main · CI #128 failed (was passing)',
  '',
  '2 of 3 jobs failed',
  '• test',
  '  https://github.com/acme/api/actions/runs/4242/job/90001',
  '• lint',
  '  https://github.com/acme/api/actions/runs/4242/job/90002',
  '',
  '9f8e7d6 Fix payment path · Mona Lisa',
  'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  '',
  'push · 1m 33s',
  '',
  'Params: env=prod',
  '',
  'View run:',
  'https://github.com/acme/api/actions/runs/4242',
  '',
  '-- ',
  'sent by ci-notify',
].join('\n');

describe('email over STARTTLS with AUTH', () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpServer({ users: { [USER]: PASSWORD }, rejectRecipients: ['gone@example.com'] });
  });
  afterAll(() => smtp.close());
  beforeEach(() => {
    smtp.received.length = 0;
    smtp.authAttempts.length = 0;
  });

  const server = (): Record<string, string> => ({
    smtp_host: '127.0.0.1',
    smtp_port: String(smtp.port),
    smtp_username: USER,
    smtp_password: PASSWORD,
  });
  const trust = (): NodeJS.ProcessEnv => ({ NODE_EXTRA_CA_CERTS: smtp.caFile });

  it('delivers a failure notification to two to and one cc, with HTML and text parts and the run link', async () => {
    const { result } = await send(
      {
        ...server(),
        from: 'CI <ci@example.com>',
        to: 'ann@example.com, Bob Li <bob@example.com>',
        cc: 'lead@example.com',
      },
      { env: trust() },
    );
    expect(result).toEqual({
      ok: true,
      dry_run: false,
      attempts: 1,
      status_code: 250,
      error: null,
      answer: null,
      duration_ms: expect.any(Number),
    });

    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect({ envelope: got.envelope, secure: got.secure, user: got.user }).toEqual({
      envelope: { from: 'ci@example.com', to: ['ann@example.com', 'bob@example.com', 'lead@example.com'] },
      secure: true,
      user: USER,
    });
    const mail = await simpleParser(got.raw);
    expect(summary(mail)).toEqual({
      from: [{ address: 'ci@example.com', name: 'CI' }],
      to: [
        { address: 'ann@example.com', name: '' },
        { address: 'bob@example.com', name: 'Bob Li' },
      ],
      cc: [{ address: 'lead@example.com', name: '' }],
      bcc: undefined,
      subject: '❌ acme/api · main · CI #128 failed (was passing)',
      autoSubmitted: 'auto-generated',
      delivery: '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
      contentType: 'multipart/alternative',
      text: EXPECTED_TEXT,
      htmlText:
        '❌ acme/api · main · CI #128 failed (was passing) 2 of 3 jobs failed test lint 9f8e7d6 Fix payment path · Mona Lisa ' +
        'Triggered by push Duration 1m 33s Params env=prod View run sent by ci-notify',
      hrefs: [
        'https://github.com/acme/api/actions/runs/4242/job/90001',
        'https://github.com/acme/api/actions/runs/4242/job/90002',
        'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
        'https://github.com/acme/api/actions/runs/4242',
      ],
    });
    expect(mail.html).toBe(
      renderEmailHtml(
        buildMessage(sampleEvent(), { locale: 'en', fields: null, title: '', template: '', env: {}, warn: () => {} }),
      ),
    );
  });

  it('sends bcc recipients in the envelope only, never in a header', async () => {
    await send({ ...server(), from: USER, to: 'ann@example.com', bcc: 'audit@example.com' }, { env: trust() });
    const got = smtp.received[0]!;
    expect(got.envelope.to).toEqual(['ann@example.com', 'audit@example.com']);
    const mail = await simpleParser(got.raw);
    expect([mail.bcc, mail.headers.has('bcc'), /audit@/.test(got.raw)]).toEqual([undefined, false, false]);
  });

  it('lets a commit message with CR/LF, a Bcc line and <script> add no recipient, no header and no markup', async () => {
    const hostile = 'Fix\r\nBcc: evil@example.com\r\nX-Injected: yes\r\n\r\n<script>alert(1)</script>';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile, message: hostile } });
    await send(
      { ...server(), from: USER, to: 'ann@example.com' },
      { env: trust(), event, title: '${status_emoji} ${commit.title}' },
    );

    const got = smtp.received[0]!;
    expect(got.envelope.to).toEqual(['ann@example.com']);
    const mail = await simpleParser(got.raw);
    expect({
      bcc: mail.bcc,
      to: addresses(mail.to),
      injected: mail.headers.has('x-injected'),
      subject: mail.subject,
      headerNames: mail.headerLines.map((h) => h.key).sort(),
      scriptTag: /<script/i.test(mail.html || ''),
    }).toEqual({
      bcc: undefined,
      to: [{ address: 'ann@example.com', name: '' }],
      injected: false,
      subject: '❌ Fix Bcc: evil@example.com X-Injected: yes <script>alert(1)</script>',
      // The hostile text only shows up inside the one-line Subject, never as a header of its own.
      headerNames: [
        'auto-submitted',
        'content-type',
        'date',
        'from',
        'message-id',
        'mime-version',
        'subject',
        'to',
        'x-ci-notify-delivery',
      ],
      scriptTag: false,
    });
    expect(mail.headers.get('subject')).toBe(mail.subject);
    expect(mail.html).toContain(
      ' Fix Bcc: evil@example.com X-Injected: yes &lt;script&gt;alert(1)&lt;/script&gt;<span class="cin-muted"',
    );
  });

  it('escapes a user template in the HTML part: its own markup and the commit text show as text', async () => {
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: '<img src=x onerror=alert(1)>' } });
    await send(
      { ...server(), from: USER, to: 'ann@example.com' },
      { env: trust(), event, template: '<b>Deployed</b> & ${commit.title}\n<a href="https://phish.example">x</a>' },
    );
    const mail = await simpleParser(smtp.received[0]!.raw);
    const html = mail.html || '';
    expect(html).toContain(
      '<div style="white-space:pre-wrap;">&lt;b&gt;Deployed&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;\n&lt;a href=&quot;https://phish.example&quot;&gt;x&lt;/a&gt;</div>',
    );
    expect([/<img|<b>|<a href="https:\/\/phish/i.test(html), mail.text]).toEqual([
      false,
      expect.stringContaining('<b>Deployed</b> & <img src=x onerror=alert(1)>\n<a href="https://phish.example">x</a>'),
    ]);
  });

  it('fails a wrong password with an authentication hint, does not retry it, and prints the password nowhere', async () => {
    const wrong = 'Tr0ub4dor&3-not-it';
    const { result, log } = await send(
      { ...server(), smtp_password: wrong, from: USER, to: 'ann@example.com' },
      { env: trust(), retries: 2 },
    );
    expect(result).toEqual({
      ok: false,
      dry_run: false,
      attempts: 1,
      status_code: 535,
      error: `authentication failed at 127.0.0.1:${smtp.port} (535) — check smtp_username/smtp_password (some providers want an app password)`,
      answer: null,
      duration_ms: expect.any(Number),
    });
    expect(smtp.received).toHaveLength(0);
    const everything = `${JSON.stringify(result)}\n${log.text()}`;
    for (const form of [wrong, encodeURIComponent(wrong), Buffer.from(wrong).toString('base64')])
      expect(everything).not.toContain(form);
  });

  it('fails a wrong password given in smtp_url without printing the URL or the password', async () => {
    const wrong = 's3cret-in-url';
    const { result, log } = await send(
      {
        smtp_url: `smtp://${encodeURIComponent(USER)}:${wrong}@127.0.0.1:${smtp.port}`,
        from: USER,
        to: 'ann@example.com',
      },
      { env: trust() },
    );
    expect([result.ok, result.error]).toEqual([
      false,
      `authentication failed at 127.0.0.1:${smtp.port} (535) — check smtp_username/smtp_password (some providers want an app password)`,
    ]);
    expect(`${JSON.stringify(result)}\n${log.text()}`).not.toMatch(/s3cret-in-url|smtp:\/\//);
  });

  it('names the rejected recipient (550) and does not retry it', async () => {
    const { result } = await send({ ...server(), from: USER, to: 'gone@example.com' }, { env: trust(), retries: 2 });
    expect([result.ok, result.attempts, result.status_code, result.error]).toEqual([
      false,
      1,
      550,
      'recipient rejected: gone@example.com (550 5.1.1 Mailbox unavailable) — check to/cc/bcc',
    ]);
  });

  it('delivers to the accepted recipients once and reports the rejected one', async () => {
    const { result } = await send(
      { ...server(), from: USER, to: 'ann@example.com; gone@example.com' },
      { env: trust(), retries: 2 },
    );
    expect([result.ok, result.attempts, result.error]).toEqual([
      false,
      1,
      'delivered to 1 recipient(s), rejected: gone@example.com — check to/cc/bcc',
    ]);
    expect(smtp.received.map((m) => m.envelope.to)).toEqual([['ann@example.com']]);
  });

  it('refuses a certificate it cannot verify, even with NODE_TLS_REJECT_UNAUTHORIZED=0, before sending the password', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    let result: ChannelResult;
    try {
      ({ result } = await send({ ...server(), from: USER, to: 'ann@example.com' }, { env: {} }));
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
    expect([result.ok, result.error]).toEqual([
      false,
      `TLS: the certificate of 127.0.0.1:${smtp.port} is not trusted (self-signed certificate) — use the host name on the certificate, or add the private CA through NODE_EXTRA_CA_CERTS`,
    ]);
    expect(smtp.authAttempts).toEqual([]);
  });

  it('prints the message in a dry run (headers and text part) without connecting', async () => {
    const { result, log } = await send(
      {
        ...server(),
        from: 'CI <ci@example.com>',
        to: 'ann@example.com',
        cc: 'lead@example.com',
        bcc: 'audit@example.com',
      },
      { dryRun: true },
    );
    const printed = [
      `email via 127.0.0.1:${smtp.port} (STARTTLS, AUTH as ci@example.com)`,
      'From: CI <ci@example.com>',
      'To: ann@example.com',
      'Cc: lead@example.com',
      'Bcc: audit@example.com',
      'Subject: ❌ acme/api · main · CI #128 failed (was passing)',
      'Auto-Submitted: auto-generated',
      'X-CI-Notify-Delivery: 7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
      '',
      EXPECTED_TEXT,
    ].join('\n');
    // The same text is the result's preview, for the dry run's job summary.
    expect(result).toEqual({
      ok: true,
      dry_run: true,
      preview: printed,
      attempts: 0,
      status_code: null,
      error: null,
      answer: null,
      duration_ms: expect.any(Number),
    });
    expect(smtp.received).toHaveLength(0);
    expect(smtp.authAttempts).toHaveLength(0);
    expect(log.lines).toEqual([{ level: 'info', message: printed }]);
  });
});

function summary(mail: ParsedMail): Record<string, unknown> {
  return {
    from: addresses(mail.from),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    bcc: addresses(mail.bcc),
    subject: mail.subject,
    autoSubmitted: mail.headers.get('auto-submitted'),
    delivery: mail.headers.get('x-ci-notify-delivery'),
    contentType: (mail.headers.get('content-type') as { value: string }).value,
    text: mail.text,
    htmlText: visibleText(mail.html || ''),
    hrefs: hrefs(mail.html || ''),
  };
}

describe('email over implicit TLS (smtps://)', () => {
  let smtps: SmtpStandIn;
  beforeAll(async () => {
    smtps = await startSmtpServer({ users: { ci: PASSWORD }, implicitTls: true });
  });
  afterAll(() => smtps.close());

  it('delivers through smtp_url with the credentials in the URL', async () => {
    const { result } = await send(
      {
        smtp_url: `smtps://ci:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtps.port}`,
        from: 'ci@example.com',
        to: 'ann@example.com',
      },
      { env: { NODE_EXTRA_CA_CERTS: smtps.caFile } },
    );
    expect([result.ok, result.attempts, result.error]).toEqual([true, 1, null]);
    const got = smtps.received[0]!;
    const mail = await simpleParser(got.raw);
    expect({
      envelope: got.envelope,
      secure: got.secure,
      user: got.user,
      subject: mail.subject,
      text: mail.text,
    }).toEqual({
      envelope: { from: 'ci@example.com', to: ['ann@example.com'] },
      secure: true,
      user: 'ci',
      subject: '❌ acme/api · main · CI #128 failed (was passing)',
      text: EXPECTED_TEXT,
    });
  });

  it('explains smtp_secure when implicit TLS meets a STARTTLS port', async () => {
    const plain = await startSmtpServer({ users: { ci: PASSWORD } });
    try {
      const { result } = await send(
        { smtp_url: `smtps://ci:${PASSWORD}@127.0.0.1:${plain.port}`, from: 'ci@example.com', to: 'ann@example.com' },
        { env: { NODE_EXTRA_CA_CERTS: plain.caFile } },
      );
      expect([result.ok, result.error]).toEqual([
        false,
        `TLS handshake with 127.0.0.1:${plain.port} failed — check smtp_secure: port 465 is implicit TLS (smtps://, smtp_secure true), 587/25 use STARTTLS (smtp://, smtp_secure false)`,
      ]);
    } finally {
      await plain.close();
    }
  });
});

describe('email transport failures', () => {
  let smtpAuth: SmtpStandIn;
  beforeAll(async () => {
    smtpAuth = await startSmtpServer({ users: { ci: PASSWORD } });
  });
  afterAll(() => smtpAuth.close());

  it('never sends credentials to a server without STARTTLS', async () => {
    const bare = await startSmtpServer({ users: { ci: PASSWORD }, starttls: false });
    try {
      const { result } = await send({
        smtp_host: '127.0.0.1',
        smtp_port: String(bare.port),
        smtp_username: 'ci',
        smtp_password: PASSWORD,
        from: 'ci@example.com',
        to: 'ann@example.com',
      });
      expect([result.ok, result.error]).toEqual([
        false,
        `TLS: 127.0.0.1:${bare.port} does not offer STARTTLS, and credentials are never sent unencrypted — use smtps:// (port 465) or a server with STARTTLS`,
      ]);
      expect(bare.authAttempts).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('retries a temporary 451 (greylisting) and delivers once', async () => {
    const grey = await startSmtpServer({ users: { ci: PASSWORD }, transientFailures: 1 });
    try {
      const { result, log } = await send(
        {
          smtp_host: '127.0.0.1',
          smtp_port: String(grey.port),
          smtp_username: 'ci',
          smtp_password: PASSWORD,
          from: 'ci@example.com',
          to: 'ann@example.com',
        },
        { env: { NODE_EXTRA_CA_CERTS: grey.caFile }, retries: 2 },
      );
      expect([result.ok, result.attempts, result.error]).toEqual([true, 2, null]);
      expect(grey.received).toHaveLength(1);
      expect(log.lines.filter((l) => l.level === 'debug').map((l) => l.message)).toEqual([
        `email oncall: attempt 2/3 after "temporary SMTP failure at 127.0.0.1:${grey.port} (451 4.7.1 Greylisted, try again later)", waiting 5 ms`,
      ]);
    } finally {
      await grey.close();
    }
  });

  it('says the server refused the message itself (554 after the data), not a recipient, and does not resend it', async () => {
    const filter = await startSmtpServer({
      users: { ci: PASSWORD },
      rejectMessage: { code: 554, text: '5.7.1 Message rejected as spam' },
    });
    try {
      const { result } = await send(
        {
          smtp_host: '127.0.0.1',
          smtp_port: String(filter.port),
          smtp_username: 'ci',
          smtp_password: PASSWORD,
          from: 'ci@example.com',
          to: 'ann@example.com',
        },
        { env: { NODE_EXTRA_CA_CERTS: filter.caFile }, retries: 2 },
      );
      expect([result.ok, result.attempts, result.status_code, result.error]).toEqual([
        false,
        1,
        554,
        'the SMTP server refused the message (554 5.7.1 Message rejected as spam)',
      ]);
      expect(filter.received).toHaveLength(1);
    } finally {
      await filter.close();
    }
  });

  it('says the server refused the message when it refuses the DATA command (every recipient was accepted)', async () => {
    // A server scripted line by line: smtp-server always accepts DATA once a recipient is.
    const commands: string[] = [];
    const raw = createNetServer((socket) => {
      socket.write('220 mx.example.com ESMTP\r\n');
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf('\r\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          commands.push(line.split(' ')[0]!.toUpperCase());
          if (/^(EHLO|HELO)/i.test(line)) socket.write('250 mx.example.com\r\n');
          else if (/^DATA/i.test(line)) socket.write('554 5.7.1 Sending quota exceeded\r\n');
          else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 OK\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const port = (raw.address() as AddressInfo).port;
      const { result } = await send(
        { smtp_host: '127.0.0.1', smtp_port: String(port), from: 'ci@example.com', to: 'ann@example.com' },
        { retries: 2 },
      );
      expect([result.ok, result.attempts, result.status_code, result.error]).toEqual([
        false,
        1,
        554,
        "the SMTP server refused the message at DATA (554 5.7.1 Sending quota exceeded) — it came after the recipients; the server's answer names its reason (a sending policy, a quota, no valid recipient)",
      ]);
      expect(commands.filter((c) => c === 'DATA')).toEqual(['DATA']);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  describe('never sends a message twice', () => {
    const plain = (server: SmtpStandIn) => ({
      smtp_host: '127.0.0.1',
      smtp_port: String(server.port),
      from: 'ci@example.com',
      to: 'ann@example.com',
    });

    it.each(['stall', 'drop'] as const)(
      'does not resend when the server received the whole message and then %ss (it may have been delivered)',
      async (does) => {
        const smtp = await startSmtpServer({ fault: { at: 'after-data', does, times: 3 } });
        try {
          const { result, log } = await send(plain(smtp), {
            env: { NODE_EXTRA_CA_CERTS: smtp.caFile },
            retries: 2,
            timeoutMs: 1000,
          });
          expect(smtp.received).toHaveLength(1);
          const why = does === 'stall' ? 'timed out talking to' : 'the connection to';
          expect({ ok: result.ok, attempts: result.attempts, status_code: result.status_code }).toEqual({
            ok: false,
            attempts: 1,
            status_code: null,
          });
          expect(result.error).toMatch(
            new RegExp(
              `^${why} 127\\.0\\.0\\.1:${smtp.port}.* after the whole message was sent \\(it may have been delivered; not retried to avoid a duplicate\\)$`,
            ),
          );
          expect(log.lines.filter((l) => l.level === 'debug')).toEqual([]);
        } finally {
          await smtp.close();
        }
      },
    );

    it.each(['stall', 'drop'] as const)(
      'retries when the server %ss before the message (at MAIL FROM), and delivers once',
      async (does) => {
        const smtp = await startSmtpServer({ fault: { at: 'mail-from', does } });
        try {
          const { result } = await send(plain(smtp), {
            env: { NODE_EXTRA_CA_CERTS: smtp.caFile },
            retries: 2,
            timeoutMs: 1000,
          });
          expect([result.ok, result.attempts, result.error]).toEqual([true, 2, null]);
          expect(smtp.received).toHaveLength(1);
        } finally {
          await smtp.close();
        }
      },
    );

    it('gives up on a server that times out before the message after 1 + retries attempts', async () => {
      const smtp = await startSmtpServer({ fault: { at: 'mail-from', does: 'stall', times: 5 } });
      try {
        const { result } = await send(plain(smtp), {
          env: { NODE_EXTRA_CA_CERTS: smtp.caFile },
          retries: 1,
          timeoutMs: 1000,
        });
        expect([result.ok, result.attempts]).toEqual([false, 2]);
        expect(result.error).toBe(
          `timed out talking to 127.0.0.1:${smtp.port} (gave up after 2 attempts) — check smtp_host/smtp_port and the firewall (many networks block outbound port 25)`,
        );
        expect(smtp.received).toHaveLength(0);
      } finally {
        await smtp.close();
      }
    });
  });

  it('asks for credentials when the server requires AUTH and none were given', async () => {
    const { result } = await send(
      { smtp_host: '127.0.0.1', smtp_port: String(smtpAuth.port), from: 'ci@example.com', to: 'ann@example.com' },
      { env: { NODE_EXTRA_CA_CERTS: smtpAuth.caFile }, retries: 2 },
    );
    expect([result.ok, result.attempts, result.status_code, result.error]).toEqual([
      false,
      1,
      530,
      `127.0.0.1:${smtpAuth.port} requires authentication (530 Error: authentication Required) — set smtp_username/smtp_password (or the credentials in smtp_url)`,
    ]);
  });

  it('retries a refused connection and then says which input to check', async () => {
    const gone = await startSmtpServer();
    const port = gone.port;
    await gone.close();
    const { result } = await send(
      { smtp_host: '127.0.0.1', smtp_port: String(port), from: 'ci@example.com', to: 'ann@example.com' },
      { retries: 1 },
    );
    expect([result.ok, result.attempts, result.error]).toEqual([
      false,
      2,
      `connection refused by 127.0.0.1:${port} (gave up after 2 attempts) — check smtp_host/smtp_port and that the server is reachable from the runner`,
    ]);
  });
});

describe('email options', () => {
  it('names the bad address and the input it came from', () => {
    expect(
      issues({
        smtp_host: 'mail.example.com',
        from: 'ci@example.com',
        to: 'ann@example.com, bob@',
        cc: 'not-an-address',
      }),
    ).toEqual(['to: "bob@" is not an e-mail address', 'cc: "not-an-address" is not an e-mail address']);
  });

  it('never quotes a secret put in the wrong input (an SMTP URL in smtp_host, a password in to or smtp_port)', () => {
    const found = issues({
      smtp_host: 'smtp://ci:Sup3rS3cretPassw0rd@smtp.example.com:587',
      smtp_port: 'Sup3rS3cretPassw0rd',
      from: 'ci@example.com',
      to: 'Sup3rS3cretPassw0rd',
    });
    expect(found).toEqual([
      'smtp_host: a URL (not shown) is not a host name; give only the host (smtp.example.com), or put a URL with credentials in smtp_url (a secret)',
      'to: a value of 19 characters (not shown: it may be a secret) is not an e-mail address',
      'to: missing; give at least one recipient in to, cc or bcc',
    ]);
    expect(
      issues({
        smtp_host: 'smtp.example.com',
        smtp_port: 'Sup3rS3cretPassw0rd',
        from: 'ci@example.com',
        to: 'a@example.com',
      }),
    ).toEqual([
      'smtp_port: expected a port number like 587 or 465, got a value of 19 characters (not shown: it may be a secret)',
    ]);
  });

  it('splits lists on commas, semicolons and newlines and keeps quoted display names whole', () => {
    const options = parseOptions({
      smtp_host: 'mail.example.com',
      from: '"Builds, CI" <ci@example.com>',
      to: 'a@example.com;b@example.com\nc@example.com ,',
    });
    expect([options.from, options.to]).toEqual([
      { name: 'Builds, CI', address: 'ci@example.com' },
      [
        { name: '', address: 'a@example.com' },
        { name: '', address: 'b@example.com' },
        { name: '', address: 'c@example.com' },
      ],
    ]);
  });

  it('defaults the port to 587 with STARTTLS, and to implicit TLS for 465', () => {
    const base = { from: 'ci@example.com', to: 'a@example.com' };
    expect([
      parseOptions({ ...base, smtp_host: 'mail.example.com' }).server,
      parseOptions({ ...base, smtp_host: 'mail.example.com', smtp_port: '465' }).server,
      parseOptions({ ...base, smtp_host: 'mail.example.com', smtp_secure: 'true' }).server,
      parseOptions({ ...base, smtp_url: 'smtps://u:p%40ss@mail.example.com' }).server,
    ]).toEqual([
      { host: 'mail.example.com', port: 587, secure: false, username: null, password: null },
      { host: 'mail.example.com', port: 465, secure: true, username: null, password: null },
      { host: 'mail.example.com', port: 465, secure: true, username: null, password: null },
      { host: 'mail.example.com', port: 465, secure: true, username: 'u', password: 'p@ss' },
    ]);
  });

  it('uses the authenticated mailbox as sender when from is not given', () => {
    expect(
      parseOptions({
        smtp_host: 'mail.example.com',
        smtp_username: 'ci@example.com',
        smtp_password: 'x',
        to: 'a@example.com',
      }).from,
    ).toEqual({
      name: 'ci-notify',
      address: 'ci@example.com',
    });
  });

  it('explains a bad smtp_url without quoting it', () => {
    expect(
      issues({ smtp_url: 'http://user:hunter22@mail.example.com', from: 'ci@example.com', to: 'a@example.com' }),
    ).toEqual([
      'smtp_url: the scheme must be smtp or smtps; expected smtp://user:password@host:587 or smtps://user:password@host:465',
    ]);
  });

  it('asks for a server, a recipient and a sender when none is given', () => {
    expect(issues({})).toEqual([
      'smtp_url: missing; give smtp_url (smtp://user:password@host:587 or smtps://…:465) or smtp_host',
      'to: missing; give at least one recipient in to, cc or bcc',
      'from: missing; give the sender, e.g. "CI <ci@example.com>"',
    ]);
  });

  it('treats the password, the URL and the AUTH PLAIN token as secrets', () => {
    const options = parseOptions({
      smtp_url: 'smtp://ci:pw-1234@mail.example.com',
      from: 'ci@example.com',
      to: 'a@example.com',
    });
    expect(email.secrets(options)).toEqual([
      'smtp://ci:pw-1234@mail.example.com',
      'pw-1234',
      Buffer.from('\u0000ci\u0000pw-1234').toString('base64'),
    ]);
  });
});

describe('email message', () => {
  const model = (overrides: Partial<CiEvent> = {}, title = ''): MessageModel =>
    buildMessage(sampleEvent(overrides), { locale: 'en', fields: null, title, template: '', env: {}, warn: () => {} });

  it('uses the title as the subject: the default one, or the title template when given', () => {
    expect([emailSubject(model()), emailSubject(model({}, '${repository.full_name} ${status_text}'))]).toEqual([
      '❌ acme/api · main · CI #128 failed (was passing)',
      'acme/api Failed',
    ]);
  });

  it('lays the HTML out fluid (max-width 600 px, nothing fixed wider), inline-styled, with a colour scheme and no images', () => {
    const html = renderEmailHtml(model());
    expect({
      images: /<img/i.test(html),
      fluid: html.includes('width:100%;max-width:600px'),
      fixedWidths: [...html.matchAll(/(?<!max-)width(?:="|:)(\d+)(?:px)?/g)]
        .map((m) => Number(m[1]))
        .filter((w) => w > 320),
      colorScheme: html.includes('<meta name="color-scheme" content="light dark">'),
      darkBlock: html.includes('@media (prefers-color-scheme: dark)'),
      statusBar: html.includes('background-color:#cf222e;height:6px'),
      button:
        /<a href="https:\/\/github\.com\/acme\/api\/actions\/runs\/4242" style="display:inline-block;[^"]*background-color:#cf222e;[^"]*">View run<\/a>/.test(
          html,
        ),
      footer: html.includes('>sent by ci-notify</td>'),
    }).toEqual({
      images: false,
      fluid: true,
      fixedWidths: [],
      colorScheme: true,
      darkBlock: true,
      statusBar: true,
      button: true,
      footer: true,
    });
  });

  it('puts the same facts in the text part, in the same order, each URL on its own line', () => {
    expect(renderEmailText(model())).toBe(EXPECTED_TEXT);
  });

  it('shows a green bar and no button for a success without a run URL', () => {
    const m = model({ status: 'success', pipeline: { ...sampleEvent().pipeline, url: null }, job: null });
    const html = renderEmailHtml(m);
    expect([html.includes('background-color:#1a7f37;height:6px'), /View run/.test(html), m.link]).toEqual([
      true,
      false,
      null,
    ]);
  });
});
