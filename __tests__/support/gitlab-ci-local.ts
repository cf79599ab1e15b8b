/**
 * A throw-away GitLab project run by gitlab-ci-local with its shell executor, as
 * gitlab-component.test.ts does: a git repository (remote acme/api on gitlab.example.com) with the
 * component at templates/notify.yml, the built bundle at ci-notify/, the given files, and the given
 * CI/CD variables — predefined ones (CI_API_V4_URL, CI_PIPELINE_ID) included, which override
 * gitlab-ci-local's own. Needs dist/ built, rsync and Node >= 22.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NODE24 } from './bundle.js';

const ROOT = process.cwd();
const GCL_NODE = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : NODE24;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');

/** Throws, naming what is missing, instead of letting a test pass without running. */
export function requireGitLabCiLocal(): void {
  const missing = [join(ROOT, 'dist', 'index.js'), GCL_NODE, GITLAB_CI_LOCAL].filter((p) => !existsSync(p));
  if (spawnSync('rsync', ['--version']).status !== 0) missing.push('rsync (apt-get install -y rsync)');
  if (missing.length) throw new Error(`gitlab-ci-local tests need: ${missing.join('; ')}`);
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface GitLabProject {
  dir: string;
  /** The commit the pipeline runs for (CI_COMMIT_SHA). */
  head: string;
  /** Runs the pipeline; resolves with everything gitlab-ci-local printed. */
  run(variables: Record<string, string>): Promise<string>;
  remove(): void;
}

/** Commits `.gitlab-ci.yml` and `files` as Mona Lisa <mona@example.com> on main. */
export function gitlabProject(pipeline: string, files: Record<string, string> = {}): GitLabProject {
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-gcl-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'mona@example.com');
  git(dir, 'config', 'user.name', 'Mona Lisa');
  git(dir, 'config', 'commit.gpgsign', 'false');
  cpSync(join(ROOT, 'templates', 'notify.yml'), join(dir, 'templates', 'notify.yml'));
  cpSync(join(ROOT, 'dist'), join(dir, 'ci-notify'), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, '.gitlab-ci.yml'), pipeline);
  writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n.gcl-home/\n.gcl-tmp/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Break the payment path');
  git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:acme/api.git');
  const head = git(dir, 'rev-parse', 'HEAD');

  return {
    dir,
    head,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    run(variables) {
      const all: Record<string, string> = { GITLAB_CI: 'true', ...variables };
      const args = [GITLAB_CI_LOCAL, '--force-shell-executor', '--home', join(dir, '.gcl-home')];
      for (const [name, value] of Object.entries(all)) args.push('--variable', `${name}=${value}`);
      args.push('--ignore-predefined-vars', Object.keys(all).join(','));
      mkdirSync(join(dir, '.gcl-tmp'), { recursive: true });
      // A clean environment: nothing of the outer CI may leak into the jobs.
      const env = {
        PATH: `${dirname(GCL_NODE)}:${process.env.PATH ?? ''}`,
        HOME: join(dir, '.gcl-home'),
        TMPDIR: join(dir, '.gcl-tmp'),
        LANG: 'C.UTF-8',
      };
      return new Promise((resolve, reject) => {
        const child = spawn(GCL_NODE, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', () => resolve(output));
      });
    },
  };
}
