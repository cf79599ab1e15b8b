#!/usr/bin/env node
/**
 * ncc minifies the entry file only; the chunks it splits off for lazy imports (nodemailer,
 * yaml) stay as written. Those are what a delivery loads, and Node reads, decodes and compiles every
 * byte of an ES module before running it, so they are minified here too (about 60% smaller, measured
 * by `npm run bench`). Deterministic: same input, same output, so the dist/ check still holds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const dist = new URL('../dist/', import.meta.url).pathname;
for (const file of readdirSync(dist).filter((f) => /^\d+\.index\.js$/.test(f))) {
  const path = join(dist, file);
  const source = readFileSync(path, 'utf8');
  const result = await minify(source, {
    module: true,
    ecma: 2022,
    compress: { passes: 1 },
    mangle: true,
    format: { comments: false },
  });
  if (typeof result.code !== 'string') throw new Error(`terser produced nothing for ${file}`);
  writeFileSync(path, result.code);
}
