/**
 * A real SMTP server on loopback (`smtp-server`), for the e-mail channel's tests and the demo:
 * STARTTLS (or implicit TLS) on a self-signed certificate generated here, AUTH PLAIN/LOGIN with a
 * user/password, recipients it refuses with 550, and greylisting-style 451 answers on request.
 * Every accepted message is kept raw; parse it with mailparser's `simpleParser`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface SmtpServerOptions {
  /** user → password; AUTH is required when given (and only allowed after TLS). */
  users?: Record<string, string>;
  /** Implicit TLS from the first byte (smtps, like port 465). Default false: STARTTLS. */
  implicitTls?: boolean;
  /** Offer STARTTLS on a plain connection (default true). */
  starttls?: boolean;
  /** Recipients answered `550 5.1.1 mailbox unavailable`. */
  rejectRecipients?: string[];
  /** Refuses every message once its data has been sent (a content filter: "554 5.7.1 … spam"). */
  rejectMessage?: { code: number; text: string };
  /** The first N transactions are answered `451 4.7.1 try again later` at MAIL FROM (greylisting). */
  transientFailures?: number;
  /**
   * Misbehave in the first N transactions (`times`, default 1): at MAIL FROM (before the message)
   * or after receiving the whole message (after the final dot), either never answer ('stall') or
   * close the connection without an answer ('drop').
   */
  fault?: { at: 'mail-from' | 'after-data'; does: 'stall' | 'drop'; times?: number };
}

export interface ReceivedMail {
  /** Envelope sender and recipients (Bcc recipients appear here, never in the headers). */
  envelope: { from: string; to: string[] };
  /** The message as it arrived (headers + body). */
  raw: string;
  /** TLS was active when the message was sent. */
  secure: boolean;
  /** The authenticated user, or null. */
  user: string | null;
}

export interface SmtpStandIn {
  host: string;
  port: number;
  /** PEM of the self-signed certificate (the CA to trust). */
  ca: string;
  /** The same PEM in a file: point NODE_EXTRA_CA_CERTS at it. */
  caFile: string;
  received: ReceivedMail[];
  /** AUTH attempts (successful or not). */
  authAttempts: { method: string; username: string; ok: boolean }[];
  close(): Promise<void>;
}

/** A certificate for "localhost" and 127.0.0.1, so host name verification stays on. */
async function loopbackCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<SmtpStandIn> {
  const { key, cert } = await loopbackCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-smtp-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert);

  const users = opts.users ?? null;
  const rejected = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  let transientLeft = opts.transientFailures ?? 0;
  let faultsLeft = opts.fault ? (opts.fault.times ?? 1) : 0;
  const sockets = new Set<Socket>();
  /** True when this transaction misbehaves at `at`; then it stalls (never calls back) or drops every connection. */
  const misbehaves = (at: 'mail-from' | 'after-data'): boolean => {
    if (!opts.fault || opts.fault.at !== at || faultsLeft <= 0) return false;
    faultsLeft--;
    if (opts.fault.does === 'drop') for (const socket of sockets) socket.destroy();
    return true;
  };
  const received: ReceivedMail[] = [];
  const authAttempts: SmtpStandIn['authAttempts'] = [];

  const withCode = (message: string, responseCode: number): Error =>
    Object.assign(new Error(message), { responseCode });

  const options: SMTPServerOptions = {
    secure: opts.implicitTls ?? false,
    key,
    cert,
    ...(opts.starttls === false ? { disabledCommands: ['STARTTLS'] } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: users === null,
    // AUTH over a plain connection is refused, as real submission servers do (unless there is no TLS at all).
    allowInsecureAuth: opts.starttls === false && !opts.implicitTls,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      const ok = users !== null && auth.username !== undefined && users[auth.username] === auth.password;
      authAttempts.push({ method: auth.method, username: auth.username ?? '', ok });
      if (!ok) return callback(withCode('5.7.8 Authentication credentials invalid', 535));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      if (misbehaves('mail-from')) return;
      if (transientLeft > 0) {
        transientLeft--;
        return callback(withCode('4.7.1 Greylisted, try again later', 451));
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) return callback(withCode('5.1.1 Mailbox unavailable', 550));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        if (misbehaves('after-data')) return;
        if (opts.rejectMessage) return callback(withCode(opts.rejectMessage.text, opts.rejectMessage.code));
        callback();
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => {
    /* a client that drops the connection (a failed TLS handshake) is not a server error */
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    ca: cert,
    caFile,
    received,
    authAttempts,
    close: () =>
      new Promise<void>((resolve) => {
        // A stalled transaction would hold a graceful close for smtp-server's 30 s.
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
