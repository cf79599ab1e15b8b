/**
 * The git facts read from the repository's files (src/platform/git-files.ts) against git itself
 * (src/platform/git.ts, the reference): real repositories made by real git in every layout the
 * reader claims — branch, unborn branch, detached HEAD, packed refs, lightweight and annotated
 * tags (loose and packed), loose and packed commits (whole, OFS_DELTA and REF_DELTA chains, two
 * packs), a linked worktree, a subdirectory — give exactly what git says; the layouts it leaves to
 * git (alternates, damaged packs, two tags, abbreviations, rewrites, other encodings) answer
 * undefined, and the facts still arrive through git.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitFacts } from '../src/event/local.js';
import { readGitFactsFromFiles } from '../src/platform/git-files.js';
import { gitRunner, NO_GIT_FACTS, readGitFacts } from '../src/platform/git.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** git's own configuration stays out: a HOME of our own, no system config. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: home, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
}

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

interface Repo {
  dir: string;
  env: NodeJS.ProcessEnv;
  sha: string;
  git: (...args: string[]) => string;
}

/** A repository on branch feature/login with one commit (author Mona Lisa) and remote origin. */
function repository(options: { commit?: boolean } = {}): Repo {
  const root = mkdtempSync(join(tmpdir(), 'ci-notify-gitfiles-'));
  scratch.push(root);
  const home = join(root, 'home');
  const dir = join(root, 'repo');
  mkdirSync(home);
  mkdirSync(dir);
  const env = gitEnv(home);
  const run = (...args: string[]) => git(dir, env, ...args);
  run('init', '-q', '-b', 'feature/login');
  run('config', 'user.email', 'mona@example.com');
  run('config', 'user.name', 'Mona Lisa');
  run('config', 'commit.gpgsign', 'false');
  run('config', 'tag.gpgsign', 'false');
  run('remote', 'add', 'origin', 'https://ci:s3cret@gitlab.example.com/acme/api.git');
  if (options.commit === false) return { dir, env, sha: '', git: run };
  writeFileSync(join(dir, 'README.md'), '# api\n');
  run('add', '-A');
  run('commit', '-q', '-m', 'Fix "payment" $(id) ünïcode\n\nThe amount was rounded twice.\n\nSigned-off-by: Mona');
  return { dir, env, sha: run('rev-parse', 'HEAD'), git: run };
}

const ALL = { commit: true, ref: true, remote: true };

const OFS_DELTA = 6;
const REF_DELTA = 7;

/**
 * What `git verify-pack` says of the repository's commits: how many are deltas, the deepest chain,
 * and the kinds of delta entry (the type bits of each entry's first byte in the pack).
 */
function deltaKinds(repo: Repo): { deltas: number; maxDepth: number; entryTypes: Set<number> } {
  const pack = join(repo.dir, '.git', 'objects', 'pack');
  let deltas = 0;
  let maxDepth = 0;
  const entryTypes = new Set<number>();
  for (const idx of readdirSync(pack).filter((f) => f.endsWith('.idx'))) {
    const bytes = readFileSync(join(pack, idx.replace(/\.idx$/, '.pack')));
    for (const line of repo.git('verify-pack', '-v', join(pack, idx)).split('\n')) {
      const delta = /^[0-9a-f]{40} commit \d+ \d+ (\d+) (\d+) [0-9a-f]{40}$/.exec(line);
      if (delta) {
        deltas++;
        maxDepth = Math.max(maxDepth, Number(delta[2]));
        entryTypes.add((bytes[Number(delta[1])]! >> 4) & 7);
      }
    }
  }
  return { deltas, maxDepth, entryTypes };
}

/** Where git's index says `sha` starts in the (one) pack. */
function packedOffset(repo: Repo, sha: string): number {
  const pack = join(repo.dir, '.git', 'objects', 'pack');
  const idx = readdirSync(pack).find((f) => f.endsWith('.idx'))!;
  const line = repo
    .git('verify-pack', '-v', join(pack, idx))
    .split('\n')
    .find((l) => l.startsWith(sha));
  return Number(line!.split(/\s+/)[4]);
}

/** What the files say and what git says, for the same question. */
async function both(
  cwd: string,
  env: NodeJS.ProcessEnv,
  sha: string | null = null,
  want = ALL,
): Promise<{ files: GitFacts | undefined; git: GitFacts }> {
  const files = await readGitFactsFromFiles(cwd, env, sha, want);
  const reference = await readGitFacts(gitRunner(cwd, env), sha, want);
  return { files, git: reference };
}

const MESSAGE = 'Fix "payment" $(id) ünïcode\n\nThe amount was rounded twice.\n\nSigned-off-by: Mona';
const REMOTE = 'https://ci:s3cret@gitlab.example.com/acme/api.git';

describe('git facts from the repository files', () => {
  it('reads a branch: sha, branch, message, author and remote, exactly as git says them', async () => {
    const repo = repository();
    const { files, git: reference } = await both(repo.dir, repo.env);
    expect(files).toEqual({
      sha: repo.sha,
      branch: 'feature/login',
      tag: null,
      message: MESSAGE,
      author: { name: 'Mona Lisa', email: 'mona@example.com' },
      remote: REMOTE,
    });
    expect(files).toEqual(reference);
  });

  it('reads from a subdirectory, and only what is wanted', async () => {
    const repo = repository();
    const sub = join(repo.dir, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const want = { commit: false, ref: true, remote: false };
    const { files, git: reference } = await both(sub, repo.env, null, want);
    expect(files).toEqual({ ...NO_GIT_FACTS, sha: repo.sha, branch: 'feature/login' });
    expect(files).toEqual(reference);
  });

  it('reads packed refs (git pack-refs) and an unborn branch', async () => {
    const repo = repository();
    repo.git('pack-refs', '--all');
    const packed = await both(repo.dir, repo.env);
    expect(packed.files?.sha).toBe(repo.sha);
    expect(packed.files).toEqual(packed.git);

    const empty = repository({ commit: false });
    const unborn = await both(empty.dir, empty.env);
    expect(unborn.files).toEqual({ ...NO_GIT_FACTS, branch: 'feature/login', remote: REMOTE });
    expect(unborn.files).toEqual(unborn.git);
  });

  it('reads a detached HEAD: no branch; a lightweight or an annotated tag, loose or packed', async () => {
    const repo = repository();
    repo.git('checkout', '-q', '--detach');
    const bare = await both(repo.dir, repo.env);
    expect(bare.files).toEqual({ ...bare.git, branch: null, tag: null });
    expect(bare.files).toEqual(bare.git);

    repo.git('tag', 'v1.2.3');
    const light = await both(repo.dir, repo.env);
    expect(light.files?.tag).toBe('v1.2.3');
    expect(light.files).toEqual(light.git);

    const annotated = repository();
    annotated.git('tag', '-a', '-m', 'Release 2.0', 'v2.0.0');
    annotated.git('checkout', '-q', '--detach');
    const loose = await both(annotated.dir, annotated.env);
    expect(loose.files?.tag).toBe('v2.0.0');
    expect(loose.files).toEqual(loose.git);

    annotated.git('pack-refs', '--all');
    const packed = await both(annotated.dir, annotated.env);
    expect(packed.files?.tag).toBe('v2.0.0');
    expect(packed.files).toEqual(packed.git);
  });

  it('reads a linked worktree (.git is a gitdir: file; refs and objects in the common directory)', async () => {
    const repo = repository();
    const tree = join(repo.dir, '..', 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'hotfix/rounding', tree);
    const { files, git: reference } = await both(tree, repo.env);
    expect(files).toEqual({
      sha: repo.sha,
      branch: 'hotfix/rounding',
      tag: null,
      message: MESSAGE,
      author: { name: 'Mona Lisa', email: 'mona@example.com' },
      remote: REMOTE,
    });
    expect(files).toEqual(reference);
  });

  it('reads a given full sha of a loose commit; leaves an abbreviation to git', async () => {
    const repo = repository();
    const full = await both(repo.dir, repo.env, repo.sha);
    expect(full.files).toEqual({ ...full.git, branch: null, tag: null });
    expect(full.files).toEqual(full.git);
    expect(full.files?.message).toBe(MESSAGE);
    expect(await readGitFactsFromFiles(repo.dir, repo.env, repo.sha.slice(0, 7), ALL)).toBeUndefined();
  });

  it('reads a packed commit (git gc, as a clone or fetch leaves it), whole or as a delta of either kind', async () => {
    const gc = repository();
    gc.git('gc', '-q');
    expect(existsSync(join(gc.dir, '.git', 'objects', gc.sha.slice(0, 2), gc.sha.slice(2)))).toBe(false);
    const packed = await both(gc.dir, gc.env);
    expect(packed.files).toEqual({
      sha: gc.sha,
      branch: 'feature/login',
      tag: null,
      message: MESSAGE,
      author: { name: 'Mona Lisa', email: 'mona@example.com' },
      remote: REMOTE,
    });
    expect(packed.files).toEqual(packed.git);

    // Thirty commits whose messages overlap their neighbours' (a sliding window of lines): git
    // stores most as deltas of a neighbour, in chains many deep.
    const chain = repository();
    for (let i = 1; i <= 30; i++) {
      writeFileSync(join(chain.dir, 'n.txt'), `${i}\n`);
      chain.git('add', '-A');
      const lines = Array.from(
        { length: 9 },
        (_, k) => `Line ${i + k}: the amount was rounded twice, see #${(i + k) * 111}.`,
      );
      chain.git('commit', '-q', '-m', `Fix the rounding, try ${i} ü\n\n${lines.join('\n')}`);
    }
    const shas = chain.git('rev-list', 'HEAD').split('\n');
    for (const offsets of [true, false]) {
      // OFS_DELTA (the default) or REF_DELTA (the base named by its sha), in one pack or in two.
      chain.git('-c', `repack.useDeltaBaseOffset=${offsets}`, 'repack', '-adfq', '--depth=50', '--window=250');
      const kinds = deltaKinds(chain);
      expect(kinds.deltas).toBeGreaterThan(20);
      expect(kinds.maxDepth).toBeGreaterThan(5);
      expect(kinds.entryTypes).toEqual(new Set([offsets ? OFS_DELTA : REF_DELTA]));
      for (const sha of shas) {
        const one = await both(chain.dir, chain.env, sha);
        expect(one.files).toEqual(one.git);
        if (sha === shas.at(-1)) expect(one.files?.message).toBe(MESSAGE);
        else
          expect(one.files?.message).toMatch(
            /^Fix the rounding, try \d+ ü\n\n(Line \d+: the amount was rounded twice, see #\d+\.\n?){9}$/,
          );
      }
    }
    // A second pack beside the first (a later fetch): HEAD in the new one, its parent in the old.
    writeFileSync(join(chain.dir, 'n.txt'), 'last\n');
    chain.git('add', '-A');
    chain.git('commit', '-q', '-m', 'Last one');
    chain.git('repack', '-dq');
    expect(readdirSync(join(chain.dir, '.git', 'objects', 'pack')).filter((f) => f.endsWith('.idx'))).toHaveLength(2);
    for (const sha of [null, shas[0]!, shas[29]!]) {
      const one = await both(chain.dir, chain.env, sha);
      expect(one.files).toEqual(one.git);
      expect(one.files?.message).toBeTruthy();
    }
  });

  it('reads an annotated tag object from a pack when packed-refs does not peel it', async () => {
    const repo = repository();
    repo.git('tag', '-a', '-m', 'Release 1.0', 'v1.0.0');
    writeFileSync(join(repo.dir, 'b.txt'), 'b\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'Second');
    repo.git('tag', '-a', '-m', 'Release 2.0', 'v2.0.0');
    repo.git('checkout', '-q', '--detach');
    repo.git('gc', '-q');
    // An older git wrote packed-refs without the `peeled` trait: every tag object must be read.
    const refs = join(repo.dir, '.git', 'packed-refs');
    const unpeeled = readFileSync(refs, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#') && !line.startsWith('^'))
      .join('\n');
    writeFileSync(refs, unpeeled);
    const { files, git: reference } = await both(repo.dir, repo.env);
    expect(files?.tag).toBe('v2.0.0');
    expect(files).toEqual(reference);
  });

  it('a damaged or unusual pack is never read wrong: it is left to git', async () => {
    const repo = repository();
    repo.git('gc', '-q');
    const pack = join(repo.dir, '.git', 'objects', 'pack');
    const idx = readdirSync(pack).find((f) => f.endsWith('.idx'))!;
    const packFile = join(pack, idx.replace(/\.idx$/, '.pack'));
    const original = readFileSync(packFile);
    const offset = packedOffset(repo, repo.sha);
    // Every single byte of the commit's entry changed in turn: the answer is git's or undefined.
    const entryEnd = Math.min(original.length - 20, offset + 200);
    let refused = 0;
    for (let at = offset; at < entryEnd; at++) {
      const damaged = Buffer.from(original);
      damaged[at] = damaged[at]! ^ 0x5a;
      writeFileSync(packFile, damaged);
      const files = await readGitFactsFromFiles(repo.dir, repo.env, null, ALL);
      if (files === undefined) refused++;
      else expect(files.message).toBe(MESSAGE);
    }
    expect(refused).toBeGreaterThan((entryEnd - offset) / 2);
    // A truncated pack, and an index of version 1 (git before 1.5.2).
    writeFileSync(packFile, original.subarray(0, offset + 5));
    expect(await readGitFactsFromFiles(repo.dir, repo.env, null, ALL)).toBeUndefined();
    writeFileSync(packFile, original);
    expect((await readGitFactsFromFiles(repo.dir, repo.env, null, ALL))?.message).toBe(MESSAGE);
    const index = readFileSync(join(pack, idx));
    writeFileSync(join(pack, idx), index.subarray(8));
    expect(await readGitFactsFromFiles(repo.dir, repo.env, null, ALL)).toBeUndefined();
    writeFileSync(join(pack, idx), index);

    // An index left from before a repack, beside the new pack under its name: its offsets point
    // into other bytes; the pack's trailing checksum is not the one it names, so git is asked.
    const stale = repository();
    stale.git('gc', '-q');
    const stalePack = join(stale.dir, '.git', 'objects', 'pack');
    const oldIndex = readFileSync(
      join(
        stalePack,
        readdirSync(stalePack).find((f) => f.endsWith('.idx'))!,
      ),
    );
    writeFileSync(join(stale.dir, 'c.txt'), 'c\n');
    stale.git('add', '-A');
    stale.git('commit', '-q', '-m', 'Another');
    stale.git('repack', '-adfq');
    const newIndex = readdirSync(stalePack).find((f) => f.endsWith('.idx'))!;
    expect((await readGitFactsFromFiles(stale.dir, stale.env, stale.sha, ALL))?.message).toBe(MESSAGE);
    writeFileSync(join(stalePack, newIndex), oldIndex);
    expect(await readGitFactsFromFiles(stale.dir, stale.env, stale.sha, ALL)).toBeUndefined();

    // An object only in an alternate object store: git reads it.
    const borrower = join(repo.dir, '..', 'borrower');
    git(join(repo.dir, '..'), repo.env, 'clone', '-q', '--shared', repo.dir, borrower);
    expect(existsSync(join(borrower, '.git', 'objects', 'info', 'alternates'))).toBe(true);
    const shared = await both(borrower, repo.env);
    expect(await readGitFactsFromFiles(borrower, repo.env, null, ALL)).toBeUndefined();
    expect(shared.git.message).toBe(MESSAGE);
  });

  it('leaves to git what only git can read; the facts still come through git', async () => {
    // Two tags on the detached commit: git's order picks one.
    const two = repository();
    two.git('tag', 'a-tag');
    two.git('tag', 'b-tag');
    two.git('checkout', '-q', '--detach');
    expect(await readGitFactsFromFiles(two.dir, two.env, null, ALL)).toBeUndefined();

    // url.<base>.insteadOf rewrites what `git remote get-url` answers, from the repository or HOME.
    const rewritten = repository();
    writeFileSync(
      join(rewritten.env.HOME!, '.gitconfig'),
      '[url "https://mirror.example.com/"]\n\tinsteadOf = https://ci:s3cret@gitlab.example.com/\n',
    );
    const viaGit = await both(rewritten.dir, rewritten.env);
    expect(viaGit.files).toBeUndefined();
    expect(viaGit.git.remote).toBe('https://mirror.example.com/acme/api.git');

    // A commit in another encoding: git log re-encodes it.
    const latin = repository();
    latin.git('config', 'i18n.commitEncoding', 'ISO-8859-1');
    writeFileSync(join(latin.dir, 'b.txt'), 'b\n');
    latin.git('add', '-A');
    latin.git('commit', '-q', '-m', 'plain ascii');
    expect(await readGitFactsFromFiles(latin.dir, latin.env, null, ALL)).toBeUndefined();

    // A variable that moves the repository.
    const moved = repository();
    expect(
      await readGitFactsFromFiles(tmpdir(), { ...moved.env, GIT_DIR: join(moved.dir, '.git') }, null, ALL),
    ).toBeUndefined();
  });

  it('says nothing outside a repository, and nothing when git is not installed (like the git path)', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'ci-notify-nogit-'));
    scratch.push(outside);
    const env = gitEnv(outside);
    expect(await readGitFactsFromFiles(outside, env, null, ALL)).toEqual(NO_GIT_FACTS);
    expect(await readGitFacts(gitRunner(outside, env), null, ALL)).toEqual(NO_GIT_FACTS);

    const repo = repository();
    const noGit = { ...repo.env, PATH: '/nonexistent' };
    expect(await readGitFactsFromFiles(repo.dir, noGit, null, ALL)).toEqual(NO_GIT_FACTS);
    expect(await readGitFacts(gitRunner(repo.dir, noGit), null, ALL)).toEqual(NO_GIT_FACTS);
  });
});
