/**
 * A loopback server that misbehaves on purpose, at the byte level (plain TCP or TLS), for the
 * fault matrix: it resets before reading, resets after reading the whole request, never answers,
 * trickles the headers or the body forever, or answers like a chat robot. It records every
 * connection and every request it read in full, so a test can count duplicates.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';

export type ServerFault =
  'answers' | 'reset-before-answer' | 'reset-after-request' | 'never-answers' | 'slow-headers' | 'slow-body';

export interface FaultServer {
  /** `http://127.0.0.1:<port>` or `https://localhost:<port>`. */
  origin: string;
  port: number;
  connections: number;
  /** Bodies of the requests read in full (the platform "has" these). */
  requests: string[];
  close(): Promise<void>;
}

/** A robot's success answer (WeCom/DingTalk shape). */
const OK_BODY = '{"errcode":0,"errmsg":"ok"}';
/** Trickling stops on its own after this, so a broken client cannot keep a test server busy forever. */
const TRICKLE_MS = 60_000;

export async function startFaultServer(fault: ServerFault, tls?: { key: string; cert: string }): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const state: FaultServer = { origin: '', port: 0, connections: 0, requests: [], close: async () => {} };

  const onSocket = (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const body = completeRequestBody(buffered);
      if (body === null) return;
      socket.off('data', onData);
      state.requests.push(body);
      misbehave(fault, socket);
    };
    socket.on('data', onData);
  };

  const server: Server = tls ? createTlsServer(tls, onSocket) : createTcpServer(onSocket);
  server.on('tlsClientError', () => {});
  if (fault === 'reset-before-answer') {
    // Before anything is read, TLS handshake included: the TCP connection is reset as it is accepted.
    server.removeAllListeners(tls ? 'secureConnection' : 'connection');
    server.prependListener('connection', (socket: Socket) => {
      state.connections++;
      socket.resetAndDestroy();
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = tls ? `https://localhost:${state.port}` : `http://127.0.0.1:${state.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

function misbehave(fault: ServerFault, socket: Socket): void {
  switch (fault) {
    case 'reset-after-request':
      // A TLS socket cannot send a TCP reset itself; closing it is the same to the client: no answer.
      if (socket instanceof TLSSocket) socket.destroy();
      else socket.resetAndDestroy();
      return;
    case 'never-answers':
      return;
    case 'slow-headers':
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      trickle(socket, 'a');
      return;
    case 'slow-body':
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
      trickle(socket, ' ');
      return;
    default:
      socket.end(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${OK_BODY.length}\r\nConnection: close\r\n\r\n${OK_BODY}`,
      );
  }
}

function trickle(socket: Socket, byte: string): void {
  const timer = setInterval(() => socket.write(byte), 100);
  const stop = setTimeout(() => socket.destroy(), TRICKLE_MS);
  socket.on('close', () => {
    clearInterval(timer);
    clearTimeout(stop);
  });
}

/** The body once the request's headers and Content-Length bytes are all in, else null. */
function completeRequestBody(data: Buffer): string | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = data.subarray(0, end).toString('latin1');
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const body = data.subarray(end + 4);
  return body.length >= length ? body.subarray(0, length).toString('utf8') : null;
}
