/**
 * Part of the build (scripts/minify-chunks.mjs), in a file of its own so that a test can feed it
 * shapes the current bundle does not have.
 */
import { parse } from 'acorn';

/**
 * Every module function of a file (webpack's `{id: (e, t, n) => {…}}` table) as a parenthesized
 * function expression: V8 compiles a `(function …)` eagerly, with the file, instead of pre-parsing
 * it then parsing it again when the module first runs — and every module of the entry and of a
 * loaded chunk does run. Measured (`--cpu-prof`, a dry run, Node 20): the lazy compiles attributed
 * to `__nccwpck_require__` fell 4.2 → 1.0 ms, the file's own compile did not grow. Arrow
 * functions get no such treatment from V8, hence `function`; module functions never use `this`.
 */
export function eagerModuleFunctions(source, file) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  const tables = moduleTables(ast);
  if (tables.length !== 1) throw new Error(`${file}: expected one table of module functions, found ${tables.length}`);
  const edits = [];
  for (const { key, value: fn } of tables[0].properties) {
    if (fn.type !== 'ArrowFunctionExpression') {
      edits.push([fn.start, fn.start, '('], [fn.end, fn.end, ')']);
      continue;
    }
    // An arrow sees its surroundings' `this` and `arguments`; a function has its own. Webpack's
    // module functions use neither (checked here, so a dependency that starts to fails the build).
    if ([...fn.params, fn.body].some(usesOwnThisOrArguments))
      throw new Error(`${file}: module ${key.value} uses this or arguments; it cannot become a function expression`);
    const params = fn.params.map((p) => source.slice(p.start, p.end)).join(',');
    const head = `(${fn.async ? 'async ' : ''}function(${params})`;
    if (fn.body.type === 'BlockStatement') {
      edits.push([fn.start, fn.body.start, head], [fn.end, fn.end, ')']);
    } else {
      // A concise body, parenthesized or not (`e=>({…})`): everything after the arrow is returned.
      const arrow = source.indexOf('=>', fn.params.length ? fn.params[fn.params.length - 1].end : fn.start);
      edits.push([fn.start, fn.end, `${head}{return ${source.slice(arrow + 2, fn.end)}})`]);
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
  if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') return false;
  // Inside a class body `this` is the class or its instance, except in computed member names.
  if (node.type === 'ClassBody')
    return node.body.some((member) => member.computed && usesOwnThisOrArguments(member.key));
  return Object.values(node).some((value) =>
    Array.isArray(value)
      ? value.some(usesOwnThisOrArguments)
      : value && typeof value === 'object' && usesOwnThisOrArguments(value),
  );
}

/** webpack's `{id: function…}` tables of module functions in a parsed file (a bundle file has one). */
export function moduleTables(ast) {
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
  return tables;
}
