/**
 * Throw-away GitLab projects run by gitlab-ci-local with its shell executor, for the component
 * tests and the README's GitLab examples: a git repository (gitlab.example.com/acme/api, so
 * CI_PROJECT_PATH acme/api and CI_PROJECT_ID 1217) with the component files at templates/ and the
 * built bundle at ci-notify/, so `component: $CI_SERVER_FQDN/acme/api/notify@$CI_COMMIT_SHA` is this
 * repository's component at its own commit.
 *
 * Needs: dist/ built (`npm run build`), rsync (gitlab-ci-local copies the workspace with it) and
 * Node ≥ 22 for gitlab-ci-local (scripts/node24.mjs installs one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NODE24 } from './bundle.js';

export const ROOT = process.cwd();
/**
 * gitlab-ci-local needs Node >= 22: this Node if it is, else the Actions runtime that
 * scripts/node24.mjs (npm pretest) installs or CI_NOTIFY_NODE24 names. The jobs run on it too.
 */
export const GCL_NODE = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : NODE24;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
/** The bundle under test; CI_NOTIFY_TEST_BUNDLE_DIR lets a developer try a bundle built elsewhere. */
export const BUNDLE_DIR = process.env.CI_NOTIFY_TEST_BUNDLE_DIR ?? join(ROOT, 'dist');
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
export const COMPONENT = 'component: $CI_SERVER_FQDN/acme/api/notify@$CI_COMMIT_SHA';

export interface PipelineRun {
  code: number | null;
  output: string;
}

export interface Project {
  dir: string;
  headSha: string;
  /** Commits the changed .gitlab-ci.yml (a later pipeline of the same project and branch). */
  update(pipeline: string): void;
  /** `path`: directories ahead of the PATH of the jobs; `args`: more gitlab-ci-local arguments (--list-json). */
  run(variables?: Record<string, string>, options?: { path?: string[]; args?: string[] }): Promise<PipelineRun>;
}

/** Every directory made, for `removeProjects`. */
export const projects: string[] = [];

/** Throws, naming what is missing and how to get it, instead of letting a test pass without running. */
export function requireGitLabCiLocal(): void {
  const missing: string[] = [];
  if (!existsSync(join(BUNDLE_DIR, 'index.js'))) missing.push(`${join(BUNDLE_DIR, 'index.js')} (run npm run build)`);
  if (!existsSync(GCL_NODE)) missing.push(`Node >= 22 at ${GCL_NODE} (npm run pretest, or set CI_NOTIFY_NODE24)`);
  if (!existsSync(GITLAB_CI_LOCAL)) missing.push(`${GITLAB_CI_LOCAL} (npm ci)`);
  if (spawnSync('rsync', ['--version']).status !== 0) missing.push('rsync (apt-get install -y rsync)');
  if (missing.length) throw new Error(`gitlab-ci-local tests need: ${missing.join('; ')}`);
}

export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A project gitlab-ci-local accepts: a git repository with a commit and an `origin` remote (which
 * gives CI_PROJECT_PATH acme/api, CI_PROJECT_ID 1217 and CI_SERVER_URL https://gitlab.example.com),
 * the component files at templates/ and the bundle at ci-notify/. `files` adds or replaces files;
 * Mona Lisa <mona@example.com> commits them on main with `message`.
 */
export function makeProject(
  pipeline: string,
  files: Record<string, string> = {},
  message = 'Fix payment path',
): Project {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-gitlab-'));
  projects.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'mona@example.com');
  git(dir, 'config', 'user.name', 'Mona Lisa');
  git(dir, 'config', 'commit.gpgsign', 'false');
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(BUNDLE_DIR, join(dir, 'ci-notify'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, '.gitlab-ci.yml'), pipeline);
  writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n.gcl-home/\n.gcl-tmp/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:acme/api.git');
  mkdirSync(join(dir, '.gcl-tmp'));
  const project: Project = {
    dir,
    headSha: git(dir, 'rev-parse', 'HEAD'),
    update(next) {
      writeFileSync(join(dir, '.gitlab-ci.yml'), next);
      git(dir, 'commit', '-q', '-am', 'Change the pipeline');
      project.headSha = git(dir, 'rev-parse', 'HEAD');
    },
    run: (variables = {}, options = {}) => runPipeline(dir, variables, options.path ?? [], options.args ?? []),
  };
  return project;
}

export function runPipeline(
  dir: string,
  variables: Record<string, string>,
  pathPrefix: string[],
  extraArgs: string[] = [],
): Promise<PipelineRun> {
  const args = [
    GITLAB_CI_LOCAL,
    // The component names an image; here node comes from the PATH, as on a shell runner.
    '--force-shell-executor',
    '--home',
    join(dir, '.gcl-home'),
    // gitlab-ci-local says GITLAB_CI=false; a GitLab runner says true, and that picks the platform.
    '--variable',
    'GITLAB_CI=true',
    '--ignore-predefined-vars',
    'GITLAB_CI,CI_API_V4_URL,CI_SERVER_HOST,CI_SERVER_PORT,CI_JOB_TOKEN',
  ];
  for (const [name, value] of Object.entries(variables)) args.push('--variable', `${name}=${value}`);
  args.push(...extraArgs);
  // A clean environment: nothing of the outer CI (GITHUB_ACTIONS, NOTIFY_*) may leak into the jobs.
  const env = {
    PATH: [...pathPrefix, dirname(GCL_NODE), process.env.PATH ?? ''].join(':'),
    HOME: join(dir, '.gcl-home'),
    // The component puts a downloaded or copied bundle under TMPDIR: keep it inside the project.
    TMPDIR: join(dir, '.gcl-tmp'),
    LANG: 'C.UTF-8',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(GCL_NODE, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export function removeProjects(): void {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
}
