/**
 * A loopback forward HTTP proxy for tests: forwards absolute-form requests (`POST http://host/x`)
 * and tunnels CONNECT, and records what went through it. It can misbehave on CONNECT (close it
 * without an answer, or never answer), and listen over TLS (an `https://` proxy URL).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Absolute URL for forwarded requests; `host:port` for CONNECT. */
  target: string;
  headers: IncomingHttpHeaders;
}

export interface Proxy {
  /** `http://127.0.0.1:<port>` — the value for HTTP_PROXY. */
  url: string;
  seen: ProxiedRequest[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** What the proxy does with a CONNECT: open the tunnel (default), close it unanswered, or never answer. */
  connect?: 'tunnels' | 'drops' | 'never-answers';
  /** Listen over TLS with this key and certificate (the proxy URL is then https://localhost:<port>). */
  tls?: { key: string; cert: string };
}

export async function startProxy(options: ProxyOptions = {}): Promise<Proxy> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const forward: Parameters<typeof createServer>[1] = (req, res) => {
    const target = req.url ?? '';
    seen.push({ method: req.method ?? '', target, headers: req.headers });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      res.writeHead(400).end('a forward proxy needs an absolute URL');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = httpRequest(
      { host: url.hostname, port: url.port || 80, method: req.method, path: `${url.pathname}${url.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, forward) : createServer(forward);

  server.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push({ method: 'CONNECT', target, headers: req.headers });
    sockets.add(clientSocket);
    clientSocket.on('error', () => {});
    if (options.connect === 'drops') return void clientSocket.destroy();
    if (options.connect === 'never-answers') return;
    const [host, port] = target.split(':');
    let established = false;
    const upstream = connect(Number(port), host === 'localhost' ? '127.0.0.1' : (host ?? '127.0.0.1'), () => {
      established = true;
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    // Like squid or tinyproxy: an upstream that cannot be reached is a 502 answer to the CONNECT.
    upstream.on('error', () =>
      established ? clientSocket.destroy() : clientSocket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'),
    );
    clientSocket.on('error', () => upstream.destroy());
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
