/**
 * The test harness and CI script fail loudly: a missing Node 24 fails the end-to-end tests instead
 * of dropping them, and `.ci/run` stops at the first failing step.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBinaries, ROOT, runAction, runCli } from './support/bundle.js';

describe('the end-to-end harness', () => {
  const missing = join(tmpdir(), 'no-such-dir', 'node');

  it('lists Node 24 even when its binary is missing, so its tests run and fail', () => {
    const labels = nodeBinaries(missing).map((n) => n.label);
    if (process.versions.node.startsWith('24.')) expect(labels).toEqual([`node ${process.versions.node}`]);
    else
      expect(nodeBinaries(missing)).toEqual([
        { label: `node ${process.versions.node}`, path: process.execPath },
        { label: 'node 24', path: missing },
      ]);
  });

  it('fails a bundle run on a missing Node binary with what to do', async () => {
    await expect(runAction({ node: missing })).rejects.toThrow(/no Node binary at .*CI_NOTIFY_NODE24/);
    await expect(runCli(['--version'], {}, missing)).rejects.toThrow(/node scripts\/node24\.mjs/);
  });
});

describe('.ci/run', () => {
  it('stops when npm ci fails, before npm test and everything after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-run-'));
    mkdirSync(join(dir, '.ci'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, '.ci', 'run'), join(dir, '.ci', 'run'));
    const calls = join(dir, 'calls.txt');
    // A stand-in npm that records each call and fails `npm ci` (an install that broke).
    const npm = join(dir, 'bin', 'npm');
    writeFileSync(npm, `#!/bin/sh\necho "npm $*" >> "${calls}"\n[ "$1" = ci ] && exit 7\nexit 0\n`);
    chmodSync(npm, 0o755);
    // rsync "present", so the script does not try apt-get.
    writeFileSync(join(dir, 'bin', 'rsync'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'bin', 'rsync'), 0o755);
    const result = spawnSync('bash', [join(dir, '.ci', 'run')], {
      env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect({ status: result.status, calls: readFileSync(calls, 'utf8') }).toEqual({ status: 7, calls: 'npm ci\n' });
  });
});
