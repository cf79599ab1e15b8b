/**
 * The ci-notify image without a Docker daemon: the Dockerfile's own COPY/ENV instructions carried out
 * under a temporary directory (support/image-layout.ts), then `ci-notify` run from the PATH they give,
 * as a GitLab job in that image would. Needs dist/ built (npm run build).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { VERSION } from '../src/version.js';
import { nodeBinaries } from './support/bundle.js';
import { layOutImage, ROOT, type ImageLayout } from './support/image-layout.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
let layout: ImageLayout;
let workdir: string;

beforeAll(() => {
  layout = layOutImage(mkdtempSync(join(tmpdir(), 'ci-notify-image-')));
  // A project checkout whose package.json says "module", as many do: the image's bundle must not care.
  workdir = mkdtempSync(join(tmpdir(), 'ci-notify-project-'));
  writeFileSync(join(workdir, 'package.json'), '{"name": "app", "type": "module"}\n');
});
afterAll(() => {
  rmSync(layout.root, { recursive: true, force: true });
  rmSync(workdir, { recursive: true, force: true });
});

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the ci-notify image (Dockerfile)', () => {
  it('starts from Node 24 on Alpine pinned by digest, and says how to move the digest', () => {
    expect(layout.from).toMatch(/^docker\.io\/library\/node:24-alpine@sha256:[0-9a-f]{64}$/);
    expect(dockerfile).toContain('docker buildx imagetools inspect docker.io/library/node:24-alpine');
    const dependabot = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string; directory: string }[];
    };
    expect(dependabot.updates).toContainEqual(
      expect.objectContaining({ 'package-ecosystem': 'docker', directory: '/' }),
    );
  });

  it('runs as the unprivileged node user and runs nothing inside the image while it is built', () => {
    expect(layout.user).toBe('node');
    expect([...new Set(layout.instructions.map((i) => i.keyword))].sort()).toEqual(
      ['CMD', 'COPY', 'ENV', 'FROM', 'LABEL', 'USER', 'WORKDIR'].sort(),
    );
  });

  it('sends the builder only the files it copies (.dockerignore)', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    expect(ignore).toEqual(['*', '!dist/', '!image/']);
    const sources = layout.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .slice(0, -1),
      );
    for (const source of sources) expect(['dist/', 'image/']).toContain(`${source.split('/')[0]}/`);
  });

  it('puts ci-notify on the PATH, executable, with the bundle, its chunks and its package.json beside it', () => {
    const opt = join(layout.root, 'opt', 'ci-notify');
    expect(statSync(join(opt, 'bin', 'ci-notify')).mode & 0o111).toBe(0o111);
    expect(readdirSync(opt).sort()).toEqual(readdirSync(join(ROOT, 'dist')).concat('bin').sort());
    expect(JSON.parse(readFileSync(join(opt, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('carries every chunk exactly as the checksums at the end of index.js list them', () => {
    const opt = join(layout.root, 'opt', 'ci-notify');
    const manifest = /^\/\/ ci-notify-chunks (.*)$/m.exec(readFileSync(join(opt, 'index.js'), 'utf8'));
    expect(manifest).not.toBeNull();
    const listed = Object.fromEntries(manifest![1]!.split(' ').map((entry) => entry.split(':')));
    const chunks = readdirSync(opt).filter((f) => /^\d+\.index\.js$/.test(f));
    expect(Object.keys(listed).sort()).toEqual(chunks.map((f) => f.split('.')[0]).sort());
    for (const file of chunks) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(opt, file)))
          .digest('hex'),
      ).toBe(listed[file.split('.')[0]!]);
    }
  });

  it('answers its default command (CMD: the help) and --version, from a project whose package.json says "module"', async () => {
    const env = { PATH: layout.path, HOME: workdir };
    const help = await run(layout.cmd[0]!, layout.cmd.slice(1), env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ci-notify \d+\.\d+\.\d+ — /);
    const version = await run('ci-notify', ['--version'], env);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  describe.each(nodeBinaries())('delivers with the Node on the PATH ($label)', ({ path: node }) => {
    let receiver: Receiver;
    beforeEach(async () => {
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await receiver.close();
    });

    it('sends one notification and exits 0', async () => {
      const result = await run('ci-notify', ['--channel', 'webhook', '--status', 'failure', '--retries', '0'], {
        PATH: `${join(layout.root, 'opt', 'ci-notify', 'bin')}:${dirname(node)}:${process.env.PATH ?? ''}`,
        HOME: workdir,
        NOTIFY_URL: `${receiver.origin}/hook`,
      });
      expect(result.code).toBe(0);
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]!.json()).toEqual(
        expect.objectContaining({ schema: 'ci-notify.event/v1', provider: 'local', status: 'failure' }),
      );
    });
  });
});
