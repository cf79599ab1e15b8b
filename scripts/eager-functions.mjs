/**
 * Part of the build (scripts/minify-chunks.mjs): the functions a typical run calls, compiled by V8
 * with their file instead of on their first call.
 *
 * V8 compiles a function lazily: loading a file pre-parses it, and its first call parses it again
 * in full and compiles it (Builtins_CompileLazy). A parenthesized function expression is compiled
 * eagerly, with the code around it, once. For a function that is called that saves the second
 * parse and the lazy-compile entry: ~36,000 instructions each on Node 24; for one that is never
 * called, eager compiling costs ~50,000 more than pre-parsing it (300 synthetic functions of ~160
 * bytes, callgrind). So only the functions the bench's runs call are made eager: a one-webhook run
 * went from 179.9 M to 169.5 M instructions (scripts/bench.mjs, "Tenth round").
 *
 * Which functions: scripts/eager-hints.txt, a list of keys that scripts/eager-hints.mjs writes from
 * the V8 coverage of representative runs of the bundle. A key is a hash of the function's tokens
 * with identifiers blanked out (minified names change with any edit of their scope; the shape of a
 * function does not), so a list stays right for every function that did not change; a changed one
 * is compiled lazily, as before, until the list is written again. __tests__/eager-functions.test.ts
 * fails when too few of the functions a delivery calls are eager.
 *
 * How, keeping what the code means:
 *  - a function expression: put in parentheses;
 *  - an arrow function that uses no `this`, `arguments`, `super` or `new.target` of its
 *    surroundings: `(function(params){body})` (an arrow gets no eager compile of its own);
 *  - a function declaration directly in a function body or at the top of the file: removed, and
 *    `var name=(function name(…){…});` put at the top of that body, where the declaration's
 *    binding was already initialized (hoisting); declarations inside blocks stay as they are;
 *  - methods, getters, setters and class members stay lazy (there is no syntax to make them eager).
 */
import { createHash } from 'node:crypto';
import { parse, tokenizer } from 'acorn';
import { moduleTables } from './eager-modules.mjs';

const ACORN = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true };

/**
 * The key of the function `source.slice(start, end)` in `module`: its tokens, identifiers blanked
 * out except property names after `.`/`?.`, hashed.
 */
export function functionKey(source, start, end, module) {
  const parts = [module];
  let previous = null;
  for (const token of tokenizer(source.slice(start, end), { ecmaVersion: 'latest' })) {
    const label = token.type.label;
    if (label === 'name' && previous !== '.' && previous !== '?.') parts.push('_');
    else parts.push(`${label}:${token.value ?? ''}`);
    previous = label;
  }
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/**
 * Every function of a file that could be made eager: [node, key]. The key includes the webpack
 * module the function is in (its id, stable across builds; "top" outside the module table), so
 * that one small shape called in one module (`e=>e.name`) does not make its twins eager in all
 * the others.
 */
export function convertibleFunctions(source) {
  return keyedFunctions(parse(source, ACORN), source);
}

function keyedFunctions(ast, source) {
  markBodies(ast);
  const found = [];
  const scan = (node, parent, module) =>
    walk(node, parent, (child, childParent) => {
      if (child !== node && moduleIds.has(child)) {
        scan(child, childParent, moduleIds.get(child));
        return false;
      }
      if (convertible(child, childParent, source))
        found.push([child, functionKey(source, child.start, child.end, module)]);
    });
  const moduleIds = new Map();
  for (const table of moduleTables(ast))
    for (const property of table.properties) moduleIds.set(property.value, `m${property.key.value}`);
  scan(ast, null, 'top');
  return found;
}

/** `source` with the functions whose key is in `hints` made eager (see above). */
export function eagerFunctions(source, hints) {
  const ast = parse(source, ACORN);
  const eager = new Set(
    keyedFunctions(ast, source)
      .filter(([, key]) => hints.has(key))
      .map(([node]) => node),
  );
  const wanted = (node) => eager.has(node);

  const text = (node, hoists) => {
    let out = '';
    let pos = node.start;
    for (const child of children(node)) {
      out += source.slice(pos, child.start) + render(child, node, hoists);
      pos = child.end;
    }
    return out + source.slice(pos, node.end);
  };
  // A function body or the file: the declarations made eager in it go to its top, after its directives.
  const body = (node) => {
    const hoists = [];
    const inner = text(node, hoists);
    if (hoists.length === 0) return inner;
    const directives = node.body.filter((statement) => statement.directive !== undefined);
    const at =
      directives.length > 0
        ? directives[directives.length - 1].end - node.start
        : node.type === 'Program'
          ? source.startsWith('#!')
            ? source.indexOf('\n') + 1
            : 0
          : 1;
    return inner.slice(0, at) + hoists.join('') + inner.slice(at);
  };
  const render = (node, parent, hoists) => {
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') {
      const whole = source.slice(node.start, node.body.start) + body(node.body);
      if (!wanted(node)) return whole;
      if (node.type === 'FunctionExpression') return `(${whole})`;
      hoists.push(`var ${node.id.name}=(${whole});`);
      return '';
    }
    if (node.type === 'ArrowFunctionExpression' && wanted(node)) {
      const params = node.params.map((param) => text(param, hoists)).join(',');
      const inner = node.body.type === 'BlockStatement' ? body(node.body) : `{return ${text(node.body, hoists)}}`;
      return `(${node.async ? 'async ' : ''}function(${params})${inner})`;
    }
    if (node.type === 'BlockStatement' && node.isFunctionBody) return body(node);
    return text(node, hoists);
  };
  return body(ast);
}

function convertible(node, parent, source) {
  if (node.type === 'FunctionExpression') {
    if (node.generator) return false;
    if (parent && (parent.type === 'Property' || parent.type === 'MethodDefinition')) return false;
    // Already parenthesized (the module functions, IIFEs): already eager.
    return !(source[node.start - 1] === '(' && source[node.end] === ')');
  }
  if (node.type === 'FunctionDeclaration')
    return !node.generator && parent !== null && (parent.type === 'Program' || parent.isFunctionBody === true);
  if (node.type === 'ArrowFunctionExpression')
    return !usesSurroundings(node.body) && !node.params.some((param) => usesSurroundings(param));
  return false;
}

/** Whether code refers to `this`, `arguments`, `super` or `new.target` of the function around it. */
function usesSurroundings(node) {
  let found = false;
  walk(node, null, (child) => {
    if (
      child.type === 'ThisExpression' ||
      child.type === 'Super' ||
      child.type === 'MetaProperty' ||
      (child.type === 'Identifier' && child.name === 'arguments')
    )
      found = true;
    // A function (not an arrow) or a class has its own; conservative: a class body counts as use.
    return child.type === 'FunctionExpression' || child.type === 'FunctionDeclaration' ? false : !found;
  });
  return found;
}

function markBodies(ast) {
  walk(ast, null, (node) => {
    if (/Function/.test(node.type) && node.body.type === 'BlockStatement') node.body.isFunctionBody = true;
  });
}

function children(node) {
  const out = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'isFunctionBody') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === 'string') out.push(item);
    } else if (value && typeof value.type === 'string') out.push(value);
  }
  // A shorthand property's key and value are one node twice ({ x }, { x = 1 }): the longer is kept.
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  for (const node of out) if (kept.length === 0 || node.start >= kept[kept.length - 1].end) kept.push(node);
  return kept;
}

/** Calls `visit(node, parent)` on every node; a visit that returns false skips the node's children. */
function walk(node, parent, visit) {
  if (!node || typeof node.type !== 'string') return;
  if (visit(node, parent) === false) return;
  for (const child of children(node)) walk(child, node, visit);
}
