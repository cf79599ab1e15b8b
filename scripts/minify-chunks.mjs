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
import { parse } from 'acorn';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

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

/**
 * Every module function of a file (webpack's `{id: (e, t, n) => {…}}` table) as a parenthesized
 * function expression: V8 compiles a `(function …)` eagerly, with the file, instead of pre-parsing
 * it then parsing it again when the module first runs — and every module of the entry and of a
 * loaded chunk does run. Measured (`--cpu-prof`, a dry run, Node 20): the lazy compiles attributed
 * to `__nccwpck_require__` fell 4.2 → 1.0 ms, the file's own compile did not grow. Arrow
 * functions get no such treatment from V8, hence `function`; module functions never use `this`.
 */
function eagerModuleFunctions(source, file) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
  const tables = [];
  (function walk(node) {
    if (!node || typeof node.type !== 'string') return;
    if (
      node.type === 'ObjectExpression' &&
      node.properties.length > 0 &&
      node.properties.every(
        (p) =>
          p.type === 'Property' &&
          p.key.type === 'Literal' &&
          typeof p.key.value === 'number' &&
          /Function/.test(p.value.type),
      )
    ) {
      tables.push(node);
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value.type === 'string') walk(value);
    }
  })(ast);
  if (tables.length !== 1) throw new Error(`${file}: expected one table of module functions, found ${tables.length}`);
  const edits = [];
  for (const { key, value: fn } of tables[0].properties) {
    // An arrow sees its surroundings' `this` and `arguments`; a function has its own. Webpack's
    // module functions use neither (checked here, so a dependency that starts to fails the build).
    if (fn.type === 'ArrowFunctionExpression' && usesOwnThisOrArguments(fn.body))
      throw new Error(`${file}: module ${key.value} uses this or arguments; it cannot become a function expression`);
    if (fn.type === 'ArrowFunctionExpression' && fn.body.type === 'BlockStatement') {
      const params = fn.params.map((p) => source.slice(p.start, p.end)).join(',');
      edits.push([fn.start, fn.body.start, `(function(${params})`], [fn.end, fn.end, ')']);
    } else if (fn.type === 'ArrowFunctionExpression') {
      const params = fn.params.map((p) => source.slice(p.start, p.end)).join(',');
      edits.push([fn.start, fn.body.start, `(function(${params}){return `], [fn.end, fn.end, '})']);
    } else {
      edits.push([fn.start, fn.start, '('], [fn.end, fn.end, ')']);
    }
  }
  let out = source;
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]))
    out = out.slice(0, start) + text + out.slice(end);
  return out;
}

/** Whether `this` or `arguments` occur in `node` outside the functions (not arrows) and classes within it. */
function usesOwnThisOrArguments(node) {
  if (!node || typeof node.type !== 'string') return false;
  if (node.type === 'ThisExpression' || (node.type === 'Identifier' && node.name === 'arguments')) return true;
  if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ClassBody')
    return false;
  return Object.values(node).some((value) =>
    Array.isArray(value)
      ? value.some(usesOwnThisOrArguments)
      : value && typeof value === 'object' && usesOwnThisOrArguments(value),
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
