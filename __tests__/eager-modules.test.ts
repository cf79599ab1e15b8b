/**
 * The build step that writes webpack's module functions as `(function(…){…})` (scripts/eager-modules.mjs),
 * fed the shapes a dependency could bring: each result must parse, mean the same when run as
 * webpack runs it (`table[id](module, exports, require)`), or stop the build.
 */
import { createContext, runInContext } from 'node:vm';
// @ts-expect-error -- a build script in plain JavaScript, without types
import { eagerModuleFunctions } from '../scripts/eager-modules.mjs';

const rewrite = eagerModuleFunctions as (source: string, file: string) => string;

/** Runs module `id` of a table `var t = {…}` as webpack does and returns what it exported. */
function runModule(source: string, id: number): unknown {
  const context = createContext({});
  const exported = runInContext(
    `${source}; (async () => { const m = { exports: {} }; const r = t[${id}](m, m.exports, () => 0); const isPromise = Boolean(r && r.then); if (isPromise) await r; return [m.exports, isPromise ? 'a promise' : r === undefined ? null : r]; })()`,
    context,
  ) as Promise<unknown>;
  return exported;
}

describe('eagerModuleFunctions', () => {
  it('turns block, concise, parenthesized-object and async arrows into parenthesized functions that do the same', async () => {
    const source = [
      'var t={',
      '1:(e,t)=>{e.exports={one:1}},',
      '2:e=>e.exports.two=2,',
      '3:e=>({ignored:e.exports.three=3}),',
      '4:async(e)=>{await 0;e.exports.four=4},',
      '5:function(e){e.exports.five=5},',
      '6:e=>(e.exports.a=1,e.exports.b=2)',
      '};',
    ].join('');
    const out = rewrite(source, 't.js');
    expect(out).toBe(
      [
        'var t={',
        '1:(function(e,t){e.exports={one:1}}),',
        '2:(function(e){return e.exports.two=2}),',
        '3:(function(e){return ({ignored:e.exports.three=3})}),',
        '4:(async function(e){await 0;e.exports.four=4}),',
        '5:(function(e){e.exports.five=5}),',
        '6:(function(e){return (e.exports.a=1,e.exports.b=2)})',
        '};',
      ].join(''),
    );
    for (const [id, before] of [1, 2, 3, 4, 5, 6].map((id) => [id, runModule(source, id)] as const))
      expect([id, await runModule(out, id)]).toEqual([id, await before]);
  });

  it.each([
    ['this in the body', 'var t={1:e=>{e.exports=this}};'],
    ['arguments in the body', 'var t={1:e=>{e.exports=arguments}};'],
    ['this in a default parameter', 'var t={1:(e,t=this)=>{}};'],
    ['this in a computed class member name', 'var t={1:e=>{class A{[this.k](){}}}};'],
  ])('stops the build on a module arrow with %s (a function has its own)', (_, source) => {
    expect(() => rewrite(source, 't.js')).toThrow('t.js: module 1 uses this or arguments');
  });

  it('leaves this inside nested functions and class bodies alone', () => {
    const source = 'var t={1:e=>{function f(){return this}class A{m(){return this}}e.exports=[f,A]}};';
    expect(rewrite(source, 't.js')).toBe(
      'var t={1:(function(e){function f(){return this}class A{m(){return this}}e.exports=[f,A]})};',
    );
  });
});
