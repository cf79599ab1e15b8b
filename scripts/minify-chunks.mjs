#!/usr/bin/env node
/**
 * Minifies dist/: the entry and the chunks ncc splits off for lazy imports (each channel,
 * nodemailer, yaml). Node reads, decodes and compiles every byte of an ES module before running
 * it, so smaller files start faster (measured by `npm run bench`). ncc's own --minify covers the
 * entry only, and renames the chunk loader inside module functions; here every file calls it
 * `__nccwpck_require__` (chunks name it `__webpack_require__`), and the name is kept, so
 * `__nccwpck_require__.e(N)` marks each chunk a file loads (the GitLab component's https:// bundle
 * download follows those marks to fetch N.index.js).
 * Deterministic: same input, same output, so the dist/ check still holds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';
import { eagerModuleFunctions } from './eager-modules.mjs';

/**
 * ncc's ES module output starts with `import { createRequire } from "module"` to load Node's own
 * modules (the externals). Importing `module` loads it and internal/source_map with it on every
 * run; process.getBuiltinModule (Node ≥ 20.16) loads only the module asked for, and the banner's
 * import remains for the Node 20 releases before it.
 */
function withoutModuleBanner(source) {
  const banner = 'import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";';
  if (!source.includes(banner)) throw new Error(`ncc's banner changed; update ${import.meta.url}`);
  return source.replace(
    banner,
    'const __WEBPACK_EXTERNAL_createRequire = process.getBuiltinModule ? () => process.getBuiltinModule : (await import("node:module")).createRequire;',
  );
}

const dist = new URL('../dist/', import.meta.url).pathname;
for (const file of readdirSync(dist).filter((f) => /^(\d+\.)?index\.js$/.test(f))) {
  const path = join(dist, file);
  // Only ever an identifier (the module functions' parameter) in webpack's output.
  let source = readFileSync(path, 'utf8').replace(/\b__webpack_require__\b/g, '__nccwpck_require__');
  if (file === 'index.js') source = withoutModuleBanner(source);
  const result = await minify(source, {
    module: true,
    ecma: 2022,
    compress: { passes: 1 },
    mangle: { reserved: ['__nccwpck_require__'] },
    format: { comments: false },
  });
  if (typeof result.code !== 'string') throw new Error(`terser produced nothing for ${file}`);
  writeFileSync(path, eagerModuleFunctions(result.code, file));
}
