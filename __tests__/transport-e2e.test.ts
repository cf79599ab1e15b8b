/**
 * The transport through the bundle: a direct delivery loads only the socket module its URL needs
 * (`node:net` or `node:tls`, never `node:http`/`node:https`, which cost more than the request), a
 * private CA is trusted through NODE_EXTRA_CA_CERTS with certificate checks always on, and a
 * retry goes on the kept-alive connection or resumes the TLS session.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBinaries, runCli } from './support/bundle.js';
import { localCa } from './support/tls.js';

/**
 * A preload that prints, at exit, every builtin module the process loaded (process.moduleLoadList:
 * the truth, however the bundle asked — require, import or process.getBuiltinModule).
 */
function moduleRecorder(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ci-notify-modules-')), 'record.cjs');
  writeFileSync(
    file,
    `process.on('exit', () => {
  const seen = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  process.stderr.write('MODULES ' + JSON.stringify(seen.sort()) + '\\n');
});
`,
  );
  return file;
}

const answer: RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}'));
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe.each(nodeBinaries())('the transport through the bundle ($label)', ({ path: node }) => {
  const ca = localCa();
  const recorder = moduleRecorder();
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function deliver(url: string, env: Record<string, string> = {}) {
    const run = await runCli(
      ['--channel', 'wecom', '--url', url, '--status', 'failure', '--timeout', '5', '--retries', '0'],
      { NODE_OPTIONS: `--require ${recorder}`, NODE_EXTRA_CA_CERTS: ca.caFile, ...env },
      node,
    );
    const line = run.stderr.split('\n').find((l) => l.startsWith('MODULES ')) ?? 'MODULES []';
    return {
      code: run.code,
      modules: JSON.parse(line.slice('MODULES '.length)) as string[],
      out: run.stdout + run.stderr,
    };
  }

  it('delivers over https with the private CA on node:tls, never loading node:https, node:http or undici', async () => {
    const server = createHttpsServer({ key: ca.key, cert: ca.cert }, answer);
    servers.push(server);
    const port = await listen(server);
    const run = await deliver(`https://localhost:${port}/cgi-bin/webhook/send?key=k`);
    expect(run.code).toBe(0);
    expect([
      run.modules.includes('tls'),
      run.modules.includes('https'),
      run.modules.includes('http'),
      run.modules.some((m) => /undici/.test(m)),
    ]).toEqual([true, false, false, false]);
  });

  it('delivers over http on node:net, never loading node:http, node:https or node:tls', async () => {
    const server = createHttpServer(answer);
    servers.push(server);
    const port = await listen(server);
    const run = await deliver(`http://127.0.0.1:${port}/cgi-bin/webhook/send?key=k`);
    expect(run.code).toBe(0);
    expect(['net', 'http', 'https', 'tls'].map((m) => run.modules.includes(m))).toEqual([true, false, false, false]);
  });

  it('sends a retry over https on the kept-alive connection, and resumes the TLS session on a new one', async () => {
    // Three attempts: 503 (connection kept), 503 with Connection: close, then 200.
    const seen: { connection: number; resumed: boolean }[] = [];
    const connections = new Map<object, number>();
    const server = createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
      const socket = req.socket as import('node:tls').TLSSocket;
      if (!connections.has(socket)) connections.set(socket, connections.size);
      seen.push({ connection: connections.get(socket)!, resumed: socket.isSessionReused() });
      req.resume();
      req.on('end', () => {
        const n = seen.length;
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (n === 2) headers.Connection = 'close';
        res.writeHead(n < 3 ? 503 : 200, headers).end(n < 3 ? 'busy' : '{"errcode":0,"errmsg":"ok"}');
      });
    });
    servers.push(server);
    const port = await listen(server);
    const run = await runCli(
      ['--channel', 'wecom', '--url', `https://localhost:${port}/cgi-bin/webhook/send?key=k`, '--status', 'failure'],
      { NOTIFY_RETRIES: '2', NOTIFY_TIMEOUT: '5', NODE_EXTRA_CA_CERTS: ca.caFile },
      node,
    );
    expect([run.code, seen]).toEqual([
      0,
      [
        { connection: 0, resumed: false },
        { connection: 0, resumed: false },
        { connection: 1, resumed: true },
      ],
    ]);
  }, 20_000);

  it('refuses a certificate from a CA it was not told to trust, once, without sending', async () => {
    const server = createHttpsServer({ key: ca.untrustedKey, cert: ca.untrustedCert }, answer);
    servers.push(server);
    const port = await listen(server);
    const run = await deliver(`https://localhost:${port}/cgi-bin/webhook/send?key=k`, {
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
    });
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      'TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS?) (UNABLE_TO_VERIFY_LEAF_SIGNATURE); not retried',
    );
  });
});
