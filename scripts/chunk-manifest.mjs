#!/usr/bin/env node
/**
 * Ends dist/index.js with one comment line naming the sha256 of every chunk it loads lazily:
 *
 *   // ci-notify-chunks 137:<sha256> 405:<sha256> …
 *
 * The GitLab component copies or downloads index.js together with its chunks (templates/notify.yml);
 * with this line it can tell a chunk of another build or a changed one, and `bundle_sha256` (the
 * sha256 of index.js) then vouches for every file of the bundle, not only for the entry. Node
 * ignores the comment. Runs after scripts/minify-chunks.mjs, on the chunks' final bytes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const entry = join(dist, 'index.js');
const chunks = readdirSync(dist)
  .map((file) => /^(\d+)\.index\.js$/.exec(file)?.[1])
  .filter((id) => id !== undefined)
  .sort((a, b) => Number(a) - Number(b));
const hashes = chunks.map(
  (id) =>
    `${id}:${createHash('sha256')
      .update(readFileSync(join(dist, `${id}.index.js`)))
      .digest('hex')}`,
);
const source = readFileSync(entry, 'utf8').replace(/\n\/\/ ci-notify-chunks [^\n]*\n?$/, '');
writeFileSync(entry, `${source.replace(/\n?$/, '\n')}// ci-notify-chunks ${hashes.join(' ')}\n`);
