/**
 * The build step that compiles the functions a typical run calls eagerly (scripts/eager-functions.mjs):
 * every rewrite must mean what the code meant (hoisting, `this`, `arguments`, directives, blocks),
 * and the bundle as built must have most of a delivery's functions eager — a list of hints that no
 * longer matches the code (scripts/eager-hints.txt) fails here, not silently in the bench.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { parse } from 'acorn';
import { BUNDLE, ROOT, runCli } from './support/bundle.js';
// @ts-expect-error -- a build script in plain JavaScript, without types
import { convertibleFunctions, eagerFunctions } from '../scripts/eager-functions.mjs';

type Convertible = (source: string) => [{ start: number; end: number; type: string }, string][];
const convertible = convertibleFunctions as Convertible;
const rewrite = eagerFunctions as (source: string, hints: Set<string>) => string;

/** The source with every function that can be made eager made eager. */
function allEager(source: string): string {
  return rewrite(source, new Set(convertible(source).map(([, key]) => key)));
}

/** Runs a script and returns the value of its last expression, as JSON. */
function run(source: string): string {
  return JSON.stringify(runInContext(source, createContext({})));
}

/** Where every parenthesized function expression (what V8 compiles eagerly) starts. */
function eagerRanges(source: string): number[] {
  const out: number[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; start: number; end: number };
    if (n.type === 'FunctionExpression' && source[n.start - 1] === '(' && source[n.end] === ')') out.push(n.start);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object' && 'type' in value) walk(value);
    }
  };
  walk(parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true }));
  return out;
}

describe('eagerFunctions: the same meaning', () => {
  const programs: [string, string][] = [
    [
      'declarations called before their place, at the top and in a body',
      `"use strict"; const a = f(2); function f(x) { return g(x) + 1; } function g(y) { return y * 10; }
       function outer() { const r = inner(); return r; function inner() { return 'in'; } }
       [a, outer()]`,
    ],
    [
      'a later declaration of the same name wins, as before',
      `function same() { return 1; } const seen = same(); function same() { return 2; } [seen, same()]`,
    ],
    [
      'a parameter shadowed by a declaration in the body',
      `function p(f) { function f() { return 'declared'; } return f(); } p(() => 'param')`,
    ],
    [
      'arrows: concise bodies, object literals, defaults, rest, async',
      `const obj = (x, y = 1) => ({ x, y, z: { y } }); const pat = ({ a, b = 2 }) => a + b; const seq = (a) => (a++, a * 2); const def = (a, b = () => a + 1) => b();
       const rest = (...xs) => xs.length; const asy = async (v) => v;
       [obj(1), pat({ a: 1 }), seq(1), def(4), rest(1, 2, 3), typeof asy(1).then]`,
    ],
    [
      'arrows that use this, arguments or new.target of their surroundings keep them',
      `function Box(v) { this.v = v; this.get = () => this.v; this.args = () => arguments[0]; }
       const b = new Box(7); function who() { return (() => new.target === undefined)(); }
       [b.get(), b.args(), who()]`,
    ],
    [
      'declarations in blocks stay block-scoped',
      `"use strict"; let out = [top()]; function top() { return 't'; } { function inBlock() { return 'b'; } out.push(inBlock()); }
       out.push(typeof inBlock); if (true) { function inIf() { return 'i'; } out.push(inIf()); } out`,
    ],
    [
      'methods, getters, classes and generators',
      `class C { constructor() { this.n = 1; } m() { return this.n; } get g() { return 2; } static s() { return 3; } }
       const o = { m() { return 4; }, f: function () { return 5; }, a: () => 6 };
       function* gen() { yield 7; } [new C().m(), new C().g, C.s(), o.m(), o.f(), o.a(), [...gen()][0]]`,
    ],
    [
      'function expressions: named, recursive, immediately called, as arguments',
      `const fact = function f(n) { return n < 2 ? 1 : n * f(n - 1); };
       const iife = (function () { return 'iife'; })(); [fact(5), iife, [1, 2].map(function (x) { return x * 3; })]`,
    ],
  ];

  it.each(programs)('%s', (_name, source) => {
    const eager = allEager(source);
    expect(run(eager)).toBe(run(source));
    // Something was made eager (the cases are about functions).
    expect(eagerRanges(eager).length).toBeGreaterThan(eagerRanges(source).length);
  });

  it('keeps directives first, so strict mode still applies', () => {
    const source = `"use strict"; function f() { "use strict"; return this; } [f() === undefined, (function () { return this; })() === undefined]`;
    const eager = allEager(source);
    expect(eager.startsWith('"use strict";')).toBe(true);
    expect(run(eager)).toBe('[true,true]');
  });

  it('makes only the hinted functions eager, by shape and module, whatever their names', () => {
    const source =
      'var t={1:(function(e){const a=x=>x.name;function b(y){return y+1}}),2:(function(e){const c=x=>x.name})};';
    const keys = convertible(source).map(([node, key]): [string, string] => [source.slice(node.start, node.end), key]);
    // The same shape in modules 1 and 2 has two keys; the same shape renamed has the same key.
    expect(keys.map(([text]) => text)).toEqual(['x=>x.name', 'function b(y){return y+1}', 'x=>x.name']);
    expect(keys[0]?.[1]).not.toBe(keys[2]?.[1]);
    const renamed =
      'var t={1:(function(e){const q=z=>z.name;function w(v){return v+1}}),2:(function(e){const c=x=>x.name})};';
    expect(convertible(renamed).map(([, key]) => key)).toEqual(keys.map(([, key]) => key));
    expect(rewrite(source, new Set([keys[0]?.[1] ?? '']))).toBe(
      'var t={1:(function(e){const a=(function(x){return x.name});function b(y){return y+1}}),2:(function(e){const c=x=>x.name})};',
    );
  });
});

describe('the bundle as built', () => {
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('compiles eagerly at least 90% of the functions a one-webhook delivery calls (else: npm run eager-hints)', async () => {
    const coverage = mkdtempSync(join(tmpdir(), 'ci-notify-coverage-'));
    try {
      const result = await runCli(['--channel', 'webhook', '--status', 'failure'], {
        NOTIFY_URL: `${origin}/hook`,
        NODE_V8_COVERAGE: coverage,
      });
      expect([result.code, result.stderr]).toEqual([0, '']);
      const dist = join(ROOT, 'dist');
      let eager = 0;
      let lazy = 0;
      for (const file of readdirSync(coverage)) {
        const scripts = (
          JSON.parse(readFileSync(join(coverage, file), 'utf8')) as {
            result: { url: string; functions: { ranges: { startOffset: number; count: number }[] }[] }[];
          }
        ).result;
        for (const script of scripts) {
          if (!script.url.startsWith(`file://${dist}/`)) continue;
          const source = readFileSync(script.url.slice('file://'.length), 'utf8');
          const called = new Set(
            script.functions.filter((f) => f.ranges[0]!.count > 0).map((f) => f.ranges[0]!.startOffset),
          );
          const eagerStarts = new Set(eagerRanges(source));
          for (const start of called) if (eagerStarts.has(start)) eager++;
          // Called and could have been eager, but is not.
          for (const [node] of convertible(source)) if (called.has(node.start)) lazy++;
        }
      }
      expect(BUNDLE.startsWith(dist)).toBe(true);
      expect(eager + lazy).toBeGreaterThan(100);
      expect(eager / (eager + lazy)).toBeGreaterThanOrEqual(0.9);
    } finally {
      rmSync(coverage, { recursive: true, force: true });
    }
  });
});
