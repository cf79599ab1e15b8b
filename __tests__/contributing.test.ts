/**
 * CONTRIBUTING.md's worked example is real code: the `ntfy` channel it shows is
 * __tests__/support/toy-channel.ts, its test is the end of this file (both run here), and the
 * three touches it describes type-check when applied, literally, to a copy of src/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHANNEL_FILE = 'src/channels/ntfy.ts';
const TEST_FILE = '__tests__/ntfy.test.ts';
const REGISTRY_FILE = 'src/channels/index.ts';
/** A registry line: `  dingtalk: (): Promise<AnyChannel> => import('./dingtalk.js').then((m) => m.dingtalk),` */
const REGISTRY_LINE = /^ {2}\w+: \(\): Promise<AnyChannel> => import\('\.\/[\w-]+\.js'\)\.then\(\(m\) => m\.\w+\),$/;
const LOADERS = /(export const CHANNEL_LOADERS = \{\n)([\s\S]*?)(\n\};)/;
const THIS_FILE_MARKER = '// ── the test shown in CONTRIBUTING.md (as __tests__/ntfy.test.ts) ──';

/** ```ts blocks of CONTRIBUTING.md by the path in their first line (`// src/channels/ntfy.ts`). */
function contributingBlocks(): Map<string, string> {
  const markdown = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const blocks = new Map<string, string>();
  const fence = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    const text = m[1]!;
    const path = /^\/\/ (\S+\.ts)\n/.exec(text)?.[1];
    if (!path) throw new Error(`a ts block in CONTRIBUTING.md does not start with "// <path>":\n${text.slice(0, 200)}`);
    blocks.set(path, text);
  }
  return blocks;
}

function block(path: string): string {
  const text = contributingBlocks().get(path);
  if (text === undefined) throw new Error(`CONTRIBUTING.md has no ts block for ${path}`);
  return text;
}

/** The block's code lines after its `// path` line. */
function codeOf(text: string): string {
  return text.slice(text.indexOf('\n') + 1);
}

describe('CONTRIBUTING.md', () => {
  it('shows the ntfy channel file, and it is __tests__/support/toy-channel.ts with its imports pointed at src/', () => {
    const support = readFileSync(join(ROOT, '__tests__/support/toy-channel.ts'), 'utf8')
      .split('\n')
      .filter((line, i) => !(i < 2 && /^(\/\* eslint-disable|\/\/ @ts-nocheck)/.test(line)))
      .join('\n')
      .replace(/from '\.\.\/\.\.\/src\/channels\//g, "from './")
      .replace(/from '\.\.\/\.\.\/src\//g, "from '../");
    expect(block(CHANNEL_FILE)).toBe(support);
  });

  it('shows the ntfy test, and it is the test at the end of this file', () => {
    const self = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const start = self.indexOf(`${THIS_FILE_MARKER}\n`);
    expect(start).toBeGreaterThan(0);
    const tail = self
      .slice(start + THIS_FILE_MARKER.length + 1)
      .replace("'./support/toy-channel.js'", "'../src/channels/ntfy.js'");
    expect(codeOf(block(TEST_FILE))).toBe(tail);
  });

  it('shows a registry line written like every line of the registry today', () => {
    const shown = codeOf(block(REGISTRY_FILE)).replace(/\n$/, '');
    expect(shown).toMatch(REGISTRY_LINE);
    const lines = LOADERS.exec(readFileSync(join(ROOT, REGISTRY_FILE), 'utf8'))?.[2]?.split('\n') ?? [];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(REGISTRY_LINE);
  });

  it('describes three touches that type-check when applied to a copy of src/', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ci-notify-contributing-'));
    try {
      cpSync(join(ROOT, 'src'), join(scratch, 'src'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'junction');

      // Touch 1: the channel file.
      writeFileSync(join(scratch, CHANNEL_FILE), block(CHANNEL_FILE));
      // Touch 3: the registry line, at the end of the registry.
      const registryPath = join(scratch, REGISTRY_FILE);
      const registry = readFileSync(registryPath, 'utf8');
      const patched = registry.replace(
        LOADERS,
        (_all, open: string, body: string, close: string) =>
          `${open}${body}\n${codeOf(block(REGISTRY_FILE)).replace(/\n$/, '')}${close}`,
      );
      expect(patched).not.toBe(registry);
      writeFileSync(registryPath, patched);

      const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src'] }));
      const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
        cwd: scratch,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (tsc.error) throw new Error(`tsc could not run: ${tsc.error.message}`);
      // Only the files the newcomer touches: other files of src/ may be mid-edit by someone else.
      const touched = [CHANNEL_FILE, REGISTRY_FILE];
      const problems = tsc.stdout.split('\n').filter((line) => touched.some((f) => line.startsWith(f)));
      expect(problems).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

// ── the test shown in CONTRIBUTING.md (as __tests__/ntfy.test.ts) ──
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ntfy, ntfyOptions, type NtfyOptions } from './support/toy-channel.js';
import type { SendContext } from '../src/channels/types.js';
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import type { Logger } from '../src/logger.js';
import { buildMessage } from '../src/render/message.js';
import { sampleEvent } from './support/fixtures.js';

interface Publish {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in for an ntfy server: records every publish; /protected answers like a topic we may not write to. */
async function startNtfyServer() {
  const received: Publish[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const forbidden = req.url === '/protected';
      res.writeHead(forbidden ? 403 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(forbidden ? { code: 40301, http: 403, error: 'forbidden' } : { id: 'm1', event: 'message' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** What the core hands a channel: parsed options, the default message, the one HTTP client. */
function contextFor(url: string, lines: string[]): SendContext<NtfyOptions> {
  const log: Logger = {
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
    debug: (m) => lines.push(m),
    group: (_title, body) => body(),
  };
  const redactor = new Redactor();
  redactor.add(url);
  const event = sampleEvent();
  const message = buildMessage(event, { locale: 'en', fields: null, title: '', template: '', env: {}, warn: log.warn });
  return {
    options: ntfyOptions.parse({ url }),
    target: {
      name: 'ntfy',
      index: 0,
      channel: ntfy.type,
      notify_on: ['always'],
      mention_on: ['always'],
      title: '',
      template: '',
      msg_type: '',
      fields: null,
      locale: 'en',
      keyword: '',
      at_mobiles: [],
      at_user_ids: [],
      at_all: false,
      timeout_ms: 5000,
      retries: 2,
      raw: { url },
    },
    event,
    message,
    render: (template) => template,
    mention: false,
    http: createHttpClient({
      timeoutMs: 5000,
      retries: 2,
      log,
      redactor,
      dryRun: false,
      env: {},
      sleep: async () => {},
    }),
    now: () => new Date('2026-12-01T10:00:00Z'),
    log,
    dryRun: false,
    env: {},
    registerSecret: (value) => void redactor.add(value),
  };
}

describe('ntfy', () => {
  let server: Awaited<ReturnType<typeof startNtfyServer>>;
  beforeAll(async () => {
    server = await startNtfyServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.received.length = 0;
  });

  it('publishes the title and the body as plain text, with a status tag, a priority and the run link', async () => {
    const ctx = contextFor(`${server.base}/team-ci`, []);
    const result = await ntfy.send(ctx);
    await ctx.http.close();

    expect(result).toEqual(expect.objectContaining({ ok: true, attempts: 1, status_code: 200, error: null }));
    expect(server.received).toEqual([
      {
        method: 'POST',
        path: '/team-ci',
        headers: expect.objectContaining({
          'content-type': 'text/plain; charset=utf-8',
          tags: 'x',
          priority: 'high',
          click: 'https://github.com/acme/api/actions/runs/4242',
        }),
        body: [
          '❌ acme/api · main · CI #128 failed (was passing)',
          '',
          '2 of 3 jobs failed',
          '• test → https://github.com/acme/api/actions/runs/4242/job/90001',
          '• lint → https://github.com/acme/api/actions/runs/4242/job/90002',
          '9f8e7d6 Fix payment path · Mona Lisa → https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
          'push · 1m 33s',
          'Params: env=prod',
        ].join('\n'),
      },
    ]);
  });

  it('reports a topic it may not publish to as a failure with a hint, and does not retry it', async () => {
    const lines: string[] = [];
    const ctx = contextFor(`${server.base}/protected`, lines);
    const result = await ntfy.send(ctx);
    await ctx.http.close();

    expect(result).toEqual(
      expect.objectContaining({
        ok: false,
        attempts: 1,
        status_code: 403,
        error: 'HTTP 403 forbidden — the topic is protected: publish to a topic you may write to',
      }),
    );
    expect(server.received).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('/protected');
  });

  it('rejects an option that is not a topic URL, naming the input', () => {
    const parsed = ntfyOptions.safeParse({ url: 'team-ci' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'url: expected the topic URL, e.g. https://ntfy.sh/my-team-ci',
    ]);
  });
});
