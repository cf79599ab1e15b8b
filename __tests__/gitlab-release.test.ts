/**
 * ci-notify's own GitLab pipeline (.gitlab-ci.yml): the tag form of a release is the version the
 * README's includes name; the image job builds with buildah on every pipeline and pushes
 * $CI_REGISTRY_IMAGE:<version> and :<major> on a release tag only (run for real by gitlab-ci-local
 * with a stand-in `buildah` that records what it is asked); the component's default image is what
 * that push makes; the release runs in the GitLab CLI image, after the push.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { NODE24 } from './support/bundle.js';

const ROOT = process.cwd();
const GCL_NODE = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : NODE24;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Job {
  stage?: string;
  image?: string;
  needs?: string[];
  rules?: { if?: string; when?: string; variables?: Record<string, string> }[];
  script?: string[];
  release?: Record<string, string>;
}
const pipeline = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')) as Record<string, Job> & {
  include: { component: string; inputs: Record<string, unknown> }[];
};
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The regex of `$CI_COMMIT_TAG =~ /…/` in a job's rules. */
function tagPatterns(job: Job): string[] {
  return (job.rules ?? []).flatMap((rule) => {
    const m = /\$CI_COMMIT_TAG =~ \/(.*)\/$/.exec(rule.if ?? '');
    return m ? [m[1]!] : [];
  });
}

describe("ci-notify's GitLab pipeline", () => {
  const release = pipeline.release!;
  const imageBuild = pipeline['image-build']!;

  it('releases on plain semantic version tags, the form the README includes name (notify@1.2.3, and @1 or @~latest)', () => {
    const patterns = [...tagPatterns(release), ...tagPatterns(imageBuild)];
    expect(patterns).toHaveLength(2);
    expect(new Set(patterns).size).toBe(1);
    const tag = new RegExp(patterns[0]!);
    // The includes of the README's YAML examples (`- component: …/notify@<version>`).
    const included = [...readme.matchAll(/^\s*- component: \S+\/notify(?:-pinned)?@(\S+)$/gm)].map((m) => m[1]!);
    expect(included.length).toBeGreaterThanOrEqual(3);
    for (const version of included) expect({ version, matches: tag.test(version) }).toEqual({ version, matches: true });
    expect(tag.test(VERSION)).toBe(true);
    for (const other of ['v1.2.3', '1.2', 'latest', '1.2.3-rc.1']) expect(tag.test(other)).toBe(false);
    expect(readme).toContain('notify@~latest');
    expect(readme).toMatch(/notify@1\b(?!\.)/);
  });

  it('publishes in the GitLab CLI image (not the deprecated release-cli), after the image is pushed', () => {
    expect(release.image).toBe('registry.gitlab.com/gitlab-org/cli:latest');
    expect(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')).not.toContain('release-cli:');
    expect(release.needs).toEqual(['test', 'image-build']);
    expect(release.release).toEqual(expect.objectContaining({ tag_name: '$CI_COMMIT_TAG' }));
  });

  it('names, as the default image of the component, the repository the release pushes to on gitlab.com', () => {
    // $CI_REGISTRY_IMAGE of gitlab.com/<path> is registry.gitlab.com/<path>; the README includes that path.
    const path = /component: gitlab\.com\/(\S+)\/notify@/.exec(readme)![1]!;
    const template = readFileSync(join(ROOT, 'templates', 'notify.yml'), 'utf8');
    const images = [...template.matchAll(/registry\.gitlab\.com\/([\w./-]+):/g)].map((m) => m[1]);
    expect(new Set(images)).toEqual(new Set([path]));
  });

  it('tries both components at the commit being tested, with declared inputs only', () => {
    const declared = (file: string) =>
      Object.keys(
        (
          parseAllDocuments(readFileSync(join(ROOT, 'templates', file), 'utf8'))[0]!.toJS() as {
            spec: { inputs: Record<string, unknown> };
          }
        ).spec.inputs,
      );
    expect(pipeline.include.map((i) => i.component)).toEqual([
      '$CI_SERVER_FQDN/$CI_PROJECT_PATH/notify@$CI_COMMIT_SHA',
      '$CI_SERVER_FQDN/$CI_PROJECT_PATH/notify-pinned@$CI_COMMIT_SHA',
    ]);
    for (const include of pipeline.include) {
      const file = `${/\/([\w-]+)@/.exec(include.component)![1]}.yml`;
      for (const input of Object.keys(include.inputs)) expect(declared(file)).toContain(input);
    }
  });

  describe('under gitlab-ci-local', () => {
    let dir: string;
    let bin: string;
    beforeAll(() => {
      if (!existsSync(GCL_NODE)) throw new Error(`gitlab-ci-local needs Node >= 22 at ${GCL_NODE} (npm run pretest)`);
      dir = mkdtempSync(join(tmpdir(), 'ci-notify-selfci-'));
      const git = (...args: string[]) => {
        const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      };
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'maintainer@example.com');
      git('config', 'user.name', 'Maintainer');
      git('config', 'commit.gpgsign', 'false');
      for (const path of ['.gitlab-ci.yml', 'templates', 'Dockerfile', '.dockerignore']) {
        cpSync(join(ROOT, path), join(dir, path), { recursive: true });
      }
      writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n.gcl/\n');
      git('add', '-A');
      git('commit', '-q', '-m', 'Release');
      git('remote', 'add', 'origin', 'git@gitlab.com:ci-notify/ci-notify.git');
      // A stand-in buildah: records each call, one per line.
      bin = join(dir, '.gcl', 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        join(bin, 'buildah'),
        `#!/bin/sh\necho "$*" >> "${join(dir, '.gcl', 'buildah.log')}"\ncat > /dev/null\n`,
      );
      chmodSync(join(bin, 'buildah'), 0o755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function gitlabCiLocal(args: string[]): Promise<{ code: number | null; output: string }> {
      return new Promise((resolve, reject) => {
        const child = spawn(GCL_NODE, [GITLAB_CI_LOCAL, '--home', join(dir, '.gcl', 'home'), ...args], {
          cwd: dir,
          env: { PATH: `${bin}:${dirname(GCL_NODE)}:${process.env.PATH ?? ''}`, HOME: join(dir, '.gcl', 'home') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
        child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output }));
      });
    }
    const pushes = () => {
      const log = join(dir, '.gcl', 'buildah.log');
      const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
      rmSync(log, { force: true });
      return lines;
    };
    const imageJob = (tag: string | null) =>
      gitlabCiLocal([
        '--force-shell-executor',
        ...(tag ? ['--variable', `CI_COMMIT_TAG=${tag}`] : []),
        '--variable',
        'CI_REGISTRY=registry.gitlab.com',
        '--variable',
        'CI_REGISTRY_IMAGE=registry.gitlab.com/ci-notify/ci-notify',
        '--variable',
        'CI_REGISTRY_USER=gitlab-ci-token',
        '--variable',
        'CI_REGISTRY_PASSWORD=not-a-real-password',
        'image-build',
      ]);

    it('reads the whole pipeline, the components included at this commit among it', async () => {
      const { code, output } = await gitlabCiLocal(['--list-json']);
      expect(code).toBe(0);
      const jobs = JSON.parse(output.slice(output.indexOf('['))) as { name: string; when: string }[];
      expect(jobs.map((j) => `${j.name}:${j.when}`)).toEqual([
        'self-test-success:on_success',
        'self-test-failure:on_failure',
        'self-test-pinned-success:on_success',
        'self-test-pinned-failure:on_failure',
        'test:on_success',
        'image-build:on_success',
        'release:never',
      ]);
    }, 120_000);

    it('builds the image on a branch and pushes nothing', async () => {
      const { output } = await imageJob(null);
      expect(output).toMatch(/PASS\s+image-build/);
      expect(pushes()).toEqual([expect.stringMatching(/^build --pull --tag ci-notify:[0-9a-f]{8} \.$/)]);
    }, 120_000);

    it(`pushes :${VERSION} and :${VERSION.split('.')[0]} on the release tag ${VERSION}, logged in with the job's registry credentials`, async () => {
      const { output } = await imageJob(VERSION);
      expect(output).toMatch(/PASS\s+image-build/);
      const calls = pushes();
      const image = /--tag (\S+)/.exec(calls[0] ?? '')?.[1];
      expect(calls).toEqual([
        `build --pull --tag ${image} .`,
        'login --username gitlab-ci-token --password-stdin registry.gitlab.com',
        `push ${image} docker://registry.gitlab.com/ci-notify/ci-notify:${VERSION}`,
        `push ${image} docker://registry.gitlab.com/ci-notify/ci-notify:${VERSION.split('.')[0]}`,
      ]);
      expect(output).not.toContain('not-a-real-password');
    }, 120_000);

    it('pushes nothing for a tag that is not a release (v1.2.3)', async () => {
      await imageJob(`v${VERSION}`);
      expect(pushes()).toHaveLength(1);
    }, 120_000);
  });
});
