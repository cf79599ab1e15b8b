/**
 * What `npm publish` ships: exactly what `npx ci-notify` and the GitLab component need (the bundle,
 * action.yml, templates/, README, LICENSE), and the packed tarball installs without the network and
 * runs `--help`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INPUTS } from '../src/inputs.js';
import { parse as parseYaml } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';

interface PackedFile {
  path: string;
}
interface PackResult {
  filename: string;
  files: PackedFile[];
}
interface PackageJson {
  bin: Record<string, string>;
  engines?: { node?: string };
  files?: string[];
  dependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** npm, with a cache of its own so the test neither reads nor pollutes the user's cache. */
function npm(args: string[], cwd: string, cache: string): SpawnSyncReturns<string> {
  // npm's own options go through the environment: after `npm exec --` every argument is the command's.
  const result = spawnSync(isWindows ? 'npm.cmd' : 'npm', args, {
    cwd,
    encoding: 'utf8',
    shell: isWindows,
    timeout: 120_000,
    env: {
      ...process.env,
      npm_config_cache: cache,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  if (result.error) throw new Error(`npm ${args.join(' ')} could not run: ${result.error.message}`);
  return result;
}

function packJson(stdout: string): PackResult {
  // npm may print lifecycle noise before the JSON; the JSON array is the last thing it writes.
  const start = stdout.indexOf('[\n');
  return (JSON.parse(stdout.slice(start >= 0 ? start : 0)) as PackResult[])[0]!;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'ci-notify-pack-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('package.json', () => {
  it('says which Node versions work: 20 and newer (the action itself runs on node24)', () => {
    expect(pkg.engines?.node).toBe('>=20');
    const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string };
    };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('has a ci-notify bin that is the bundle', () => {
    expect(pkg.bin).toEqual({ 'ci-notify': 'dist/index.js' });
  });

  it('declares no runtime dependencies, because the bundle carries them (npx then downloads one package)', () => {
    // Anything in "dependencies" is fetched by every `npx ci-notify`, though dist/index.js never
    // requires it. Runtime libraries belong in devDependencies; ncc bundles them into dist/.
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe('npm pack', () => {
  it('ships the bundle, action.yml, the GitLab component, README and LICENSE, and nothing else', () => {
    const result = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT, join(scratch, 'cache'));
    expect(result.status).toBe(0);
    const paths = packJson(result.stdout)
      .files.map((f) => f.path.split('\\').join('/'))
      .sort();

    const required = [
      'LICENSE',
      'README.md',
      'action.yml',
      'dist/index.js',
      'package.json',
      'templates/notify-pinned.yml',
      'templates/notify.yml',
    ];
    expect(paths).toEqual(expect.arrayContaining(required));
    const unexpected = paths.filter((p) => !required.includes(p) && !p.startsWith('dist/'));
    expect(unexpected).toEqual([]);
    // Source maps would double the download and are not needed to run.
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
  });

  it('packs a tarball that installs offline and answers `npx ci-notify --help`', () => {
    const cache = join(scratch, 'cache');
    const bundle = join(ROOT, 'dist', 'index.js');
    if (!existsSync(bundle)) throw new Error('dist/index.js is missing: run `npm run build` first');
    expect(readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);

    const packed = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], ROOT, cache);
    expect(packed.status).toBe(0);
    const tarball = join(scratch, packJson(packed.stdout).filename);

    const project = join(scratch, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));

    // --offline: a package whose bundle carries everything needs nothing from the registry.
    const install = npm(['install', '--offline', '--ignore-scripts', tarball], project, cache);
    if (install.status !== 0) {
      throw new Error(`npm install --offline of the tarball failed:\n${install.stdout}\n${install.stderr}`);
    }

    const help = npm(['exec', '--offline', '--', 'ci-notify', '--help'], project, cache);
    if (help.status !== 0)
      throw new Error(`npx ci-notify --help exited ${help.status}:\n${help.stdout}\n${help.stderr}`);

    // Every input of the action is a flag of the CLI (`--notify-on` or `--notify_on`), except the
    // secrets, which the help shows as NOTIFY_* variables only (a flag shows up in process lists).
    const inputs = Object.keys(
      (parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs,
    );
    const secrets = INPUTS.filter((i) => i.secret).map((i) => i.name);
    const asFlag = (name: string) => new RegExp(`--${name.replace(/_/g, '[-_]')}\\b`).test(help.stdout);
    expect(inputs.filter((name) => !secrets.includes(name) && !asFlag(name))).toEqual([]);
    expect(secrets.filter((name) => asFlag(name))).toEqual([]);
    expect(secrets.filter((name) => !help.stdout.includes(`NOTIFY_${name.toUpperCase()} `))).toEqual([]);
  });
});
