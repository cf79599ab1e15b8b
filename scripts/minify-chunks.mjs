#!/usr/bin/env node
/**
 * Makes dist/ CommonJS and minifies it: the entry and the chunks ncc splits off for lazy imports
 * (each channel, nodemailer, yaml). Node reads, decodes and compiles every byte of a file before
 * running it, so smaller files start faster (measured by `npm run bench`). ncc's own --minify covers the
 * entry only, and renames the chunk loader inside module functions; here every file calls it
 * `__nccwpck_require__` (chunks name it `__webpack_require__`), and the name is kept, so
 * `__nccwpck_require__.e(N)` marks each chunk a file loads (the GitLab component's https:// bundle
 * download follows those marks to fetch N.index.js).
 * Deterministic: same input, same output, so the dist/ check still holds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';
import { eagerFunctions } from './eager-functions.mjs';
import { eagerModuleFunctions } from './eager-modules.mjs';

/**
 * The functions a typical run calls, compiled eagerly (eager-functions.mjs). Off only for
 * scripts/eager-hints.mjs, which profiles the bundle without them to write the list.
 */
const hints =
  process.env.CI_NOTIFY_EAGER_HINTS === 'off'
    ? new Set()
    : new Set(
        readFileSync(new URL('./eager-hints.txt', import.meta.url), 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '' && !line.startsWith('#')),
      );

/**
 * ncc writes ES modules (the package is `"type": "module"`); dist/ is CommonJS instead. A run then
 * never starts Node's ES module loader — resolving, translating, linking and evaluating the entry
 * and every chunk through it cost ~3–5 ms of CPU per run on Node 20 and ~1 ms on Node 24 (perf
 * stat task-clock, a dry run, 30 interleaved runs; scripts/bench.mjs) — and each chunk is a plain
 * `require()`. Only webpack's own scaffolding changes, so every change is a fixed text that must be
 * found (a new ncc that writes it differently fails the build here, not a run):
 *  - the entry's `import { createRequire } from "module"` and its `createRequire(import.meta.url)`
 *    for Node's own modules become the module's `require` (no `module` builtin loaded either);
 *  - the asset base `new URL('.', import.meta.url)` becomes `__dirname`;
 *  - the chunk loader's `import("./N.index.js")` becomes `require("./N.index.js")`, still settled
 *    in a promise as before (a chunk that fails to load rejects, it does not throw);
 *  - a chunk's `export const id/ids/modules` become `exports.id/ids/modules`;
 *  - every file starts with "use strict": ES modules are strict, and the code was written for that.
 */
function toCommonJs(source, file) {
  const replace = (from, to) => {
    if (!source.includes(from))
      throw new Error(`${file}: ncc's output changed (no ${JSON.stringify(from)}); update ${import.meta.url}`);
    source = source.split(from).join(to);
  };
  if (file === 'index.js') {
    replace(
      '#!/usr/bin/env node\nimport { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";\n',
      '#!/usr/bin/env node\n"use strict";\n',
    );
    replace('__WEBPACK_EXTERNAL_createRequire(import.meta.url)', 'require');
    replace(
      'decodeURIComponent(new URL(\'.\', import.meta.url).pathname).slice(import.meta.url.match(/^file:\\/\\/\\/\\w:/) ? 1 : 0, -1) + "/"',
      '__dirname + "/"',
    );
    replace(
      'import("./" + __nccwpck_require__.u(chunkId))',
      'Promise.resolve().then(() => require("./" + __nccwpck_require__.u(chunkId)))',
    );
  } else {
    const head = /^export const id = (\d+);\nexport const ids = (\[[\d,]+\]);\nexport const modules = /.exec(source);
    if (!head) throw new Error(`${file}: ncc's chunk header changed; update ${import.meta.url}`);
    source = `"use strict";\nexports.id = ${head[1]};\nexports.ids = ${head[2]};\nexports.modules = ${source.slice(head[0].length)}`;
  }
  if (/\bimport\.meta\b|^\s*(import|export)\s/m.test(source))
    throw new Error(`${file}: ES module syntax is left after the conversion to CommonJS`);
  return source;
}

const dist = new URL('../dist/', import.meta.url).pathname;
for (const file of readdirSync(dist).filter((f) => /^(\d+\.)?index\.js$/.test(f))) {
  const path = join(dist, file);
  // Only ever an identifier (the module functions' parameter) in webpack's output.
  let source = readFileSync(path, 'utf8').replace(/\b__webpack_require__\b/g, '__nccwpck_require__');
  source = toCommonJs(source, file);
  const result = await minify(source, {
    module: false,
    toplevel: true,
    ecma: 2022,
    compress: { passes: 1 },
    mangle: { reserved: ['__nccwpck_require__'] },
    // Non-ASCII characters written as \u escapes: V8 then decodes the file to a one-byte string and
    // scans one-byte source, not two-byte (callgrind, a Node 24 dry run: −4% instructions).
    format: { comments: false, ascii_only: true },
  });
  if (typeof result.code !== 'string') throw new Error(`terser produced nothing for ${file}`);
  writeFileSync(path, eagerFunctions(eagerModuleFunctions(result.code, file), hints));
}
// ncc wrote `"type": "module"` here; the files are CommonJS now, wherever the package is installed.
writeFileSync(join(dist, 'package.json'), '{\n  "type": "commonjs"\n}\n');
