/**
 * The git facts of src/platform/git.ts read from the repository's files instead of from `git`
 * child processes. Spawning git five times costs ~15 ms of wall time and loads child_process (and
 * with it dgram and the socket list) on every CLI run inside a checkout; reading HEAD, a ref, the
 * config and one commit object costs well under a millisecond.
 *
 * Only the plain layouts are read here: a `.git` directory or a `.git` file (`gitdir: …`, linked
 * worktrees and submodules, with `commondir`), loose or packed refs, a detached HEAD, a loose or
 * packed commit object (zlib; packs in git-pack.ts), `remote.origin.url` in the repository's config.
 * Anything else — an object in an alternate, reftable, config includes, `insteadOf` rewrites, an
 * owner other than us (git's safe.directory check), a GIT_DIR-like variable, two tags on one
 * commit — answers `undefined`, and the caller asks git itself, which stays the reference for
 * every fact.
 */
import { accessSync, constants, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { GitFacts } from '../event/local.js';
import { NO_GIT_FACTS } from './git.js';
import { readPackedObject, type GitObject } from './git-pack.js';
import { inflateZlib } from './inflate.js';

/** "Ask git": the files cannot answer this simply. */
type Unsure = undefined;

/** Variables that move or reshape the repository git would find (git(1), ENVIRONMENT). */
const LAYOUT_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_REPLACE_REF_BASE',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_PARAMETERS',
];

const SHA1 = /^[0-9a-f]{40}$/;
/** Objects a tag lookup may open before it leaves the question to git. */
const MAX_TAG_OBJECTS = 64;
/** An object (or a delta) larger than this, inflated, is left to git (a commit is a few hundred bytes). */
const MAX_OBJECT_BYTES = 4 * 1024 * 1024;

interface Repository {
  /** HEAD lives here (a linked worktree has its own). */
  gitDir: string;
  /** Refs, objects and config live here. */
  commonDir: string;
}

type Want = { commit: boolean; ref: boolean; remote: boolean };

/**
 * The facts `readGitFacts` would give for `sha` (HEAD when null), from the files; `undefined` when
 * git must be asked. Not being in a repository at all is an answer (NO_GIT_FACTS), as is git not
 * being installed: the facts then stay null, as they do when the git command is missing.
 */
export async function readGitFactsFromFiles(
  cwd: string,
  env: NodeJS.ProcessEnv,
  sha: string | null,
  want: Want,
): Promise<GitFacts | Unsure> {
  try {
    if (process.platform === 'win32') return undefined; // git.exe, PATHEXT, drive letters: git knows
    if (LAYOUT_VARIABLES.some((name) => env[name] !== undefined)) return undefined;
    const repository = findRepository(cwd);
    if (repository === undefined) return undefined;
    if (repository === null || !gitOnPath(env)) return NO_GIT_FACTS;
    return await readFacts(repository, env, sha, want);
  } catch {
    // An unreadable file, an unexpected layout: git knows better.
    return undefined;
  }
}

async function readFacts(
  repo: Repository,
  env: NodeJS.ProcessEnv,
  sha: string | null,
  want: Want,
): Promise<GitFacts | Unsure> {
  const config = parseConfig(readText(join(repo.commonDir, 'config')) ?? '');
  if (!config || !plainRepository(config)) return undefined;

  const head = readHead(repo);
  if (head === undefined) return undefined;
  let resolved: string | null;
  if (sha === null) resolved = head.sha;
  else if (SHA1.test(sha)) resolved = sha;
  else return undefined; // an abbreviation or a name: git resolves those

  const ref = want.ref && sha === null;
  const branch = ref ? head.branch : null;
  let tag: string | null = null;
  if (ref && !branch && resolved) {
    const found = await tagOf(repo, resolved);
    if (found === undefined) return undefined;
    tag = found;
  }

  let message: string | null = null;
  let author: GitFacts['author'] = null;
  // `rev-parse --verify <sha>^{commit}` and `git log -1` both need the commit object itself.
  if (resolved && (want.commit || sha !== null)) {
    const commit = await readCommit(repo, resolved);
    if (commit === undefined) return undefined;
    if (want.commit) ({ message, author } = commit);
  }

  let remote: string | null = null;
  if (want.remote) {
    const url = remoteUrl(repo, config, env);
    if (url === undefined) return undefined;
    remote = url;
  }
  return { sha: resolved, branch, tag, message, author, remote };
}

/** Whether `git` can be run: without it the facts are null, exactly as when execFile fails. */
function gitOnPath(env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'git'), constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/**
 * git's discovery (setup.c): from `cwd` upwards, the first `.git` directory or `gitdir:` file.
 * null: no repository up to the root. undefined: something git decides differently (a bare
 * repository or the inside of a .git directory, another file system, another owner).
 */
function findRepository(cwd: string): Repository | null | Unsure {
  let dir = resolve(cwd);
  const device = statSync(dir).dev;
  for (;;) {
    const dot = join(dir, '.git');
    const st = statOrNull(dot);
    let gitDir: string | null = null;
    if (st?.isDirectory()) gitDir = dot;
    else if (st?.isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dot, 'utf8'));
      if (!pointer) return undefined;
      gitDir = resolve(dir, pointer[1]!.trim());
    } else if (statOrNull(join(dir, 'HEAD'))?.isFile() && statOrNull(join(dir, 'objects'))?.isDirectory()) {
      return undefined; // a bare repository, or cwd inside .git: not a work tree, git says how
    }
    if (gitDir) {
      if (!statOrNull(join(gitDir, 'HEAD'))?.isFile()) return undefined;
      const common = readText(join(gitDir, 'commondir'));
      const commonDir = common === null ? gitDir : resolve(gitDir, common.trim());
      // safe.directory: git refuses a repository another user owns, unless configured to trust it.
      const uid = process.getuid?.();
      if (uid !== undefined && [dir, gitDir].some((p) => statSync(p).uid !== uid)) return undefined;
      return { gitDir, commonDir };
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    // git stops at a file-system boundary unless told otherwise.
    if (statSync(parent).dev !== device) return undefined;
    dir = parent;
  }
}

/** HEAD: the branch it names (null when detached) and the commit (null on an unborn branch). */
function readHead(repo: Repository): { branch: string | null; sha: string | null } | Unsure {
  const head = readText(join(repo.gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (SHA1.test(head)) return { branch: null, sha: head };
  const symbolic = /^ref: (refs\/heads\/.+)$/.exec(head);
  if (!symbolic) return undefined;
  const sha = resolveRef(repo, symbolic[1]!);
  if (sha === undefined) return undefined;
  return { branch: symbolic[1]!.slice('refs/heads/'.length), sha };
}

/** A ref → its sha: the loose file first, then packed-refs; null when it does not exist (yet). */
function resolveRef(repo: Repository, ref: string, depth = 0): string | null | Unsure {
  if (depth > 5) return undefined;
  const loose = readText(join(repo.commonDir, ref));
  if (loose !== null) {
    const value = loose.trim();
    if (SHA1.test(value)) return value;
    const next = /^ref: (refs\/.+)$/.exec(value);
    return next ? resolveRef(repo, next[1]!, depth + 1) : undefined;
  }
  return packedRefs(repo).refs.get(ref)?.sha ?? null;
}

interface PackedRefs {
  /** The file says every annotated tag carries its `^peeled` line. */
  peeled: boolean;
  refs: Map<string, { sha: string; peeled: string | null }>;
}

function packedRefs(repo: Repository): PackedRefs {
  const text = readText(join(repo.commonDir, 'packed-refs')) ?? '';
  const refs: PackedRefs['refs'] = new Map();
  let last: { sha: string; peeled: string | null } | null = null;
  for (const line of text.split('\n')) {
    const entry = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
    if (entry) {
      last = { sha: entry[1]!, peeled: null };
      refs.set(entry[2]!, last);
    } else if (last && /^\^[0-9a-f]{40}$/.test(line)) last.peeled = line.slice(1);
  }
  return { peeled: /^# pack-refs with:.*\bpeeled\b/.test(text), refs };
}

/**
 * `git describe --tags --exact-match <sha>`: the one tag, lightweight or annotated, that points at
 * the commit. null: none; undefined: several (git's order decides) or an object only git can read.
 */
async function tagOf(repo: Repository, sha: string): Promise<string | null | Unsure> {
  const packed = packedRefs(repo);
  const tags = new Map<string, { sha: string; peeled: string | null | Unsure }>();
  for (const [name, entry] of packed.refs) {
    if (name.startsWith('refs/tags/'))
      tags.set(name, { sha: entry.sha, peeled: packed.peeled ? entry.peeled : undefined });
  }
  for (const name of looseRefs(repo.commonDir, 'refs/tags')) {
    const target = readText(join(repo.commonDir, name))?.trim() ?? '';
    if (!SHA1.test(target)) return undefined;
    tags.set(name, { sha: target, peeled: undefined }); // a loose ref wins over its packed copy
  }
  const found: string[] = [];
  let opened = 0;
  for (const [name, tag] of tags) {
    let points = tag.sha === sha || tag.peeled === sha;
    if (!points && tag.peeled === undefined) {
      if (++opened > MAX_TAG_OBJECTS) return undefined;
      const object = readObject(repo, tag.sha);
      if (object === undefined) return undefined;
      if (object.type === 'tag') {
        const target = /^object ([0-9a-f]{40})\ntype (\w+)\n/.exec(object.body.toString('latin1'));
        if (!target) return undefined;
        if (target[2] !== 'commit') return undefined; // a tag of a tag: git peels it
        points = target[1] === sha;
      }
    }
    if (points) found.push(name.slice('refs/tags/'.length));
  }
  if (found.length > 1) return undefined;
  return found[0] ?? null;
}

function looseRefs(commonDir: string, under: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(commonDir, under), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) =>
    entry.isDirectory()
      ? looseRefs(commonDir, `${under}/${entry.name}`)
      : entry.isFile()
        ? [`${under}/${entry.name}`]
        : [],
  );
}

/** The author and message of `git log -1 --format=%an%x00%ae%x00%B`, from the commit object. */
async function readCommit(
  repo: Repository,
  sha: string,
): Promise<{ message: string | null; author: GitFacts['author'] } | Unsure> {
  const object = readObject(repo, sha);
  if (object?.type !== 'commit') return undefined;
  const text = object.body.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 2);
  // A commit in another encoding is re-encoded by git log; leave that to git.
  const encoding = /^encoding (.*)$/m.exec(headers)?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding.trim())) return undefined;
  const ident = /^author ([^\n]*)$/m.exec(headers)?.[1];
  let author: GitFacts['author'] = null;
  if (ident !== undefined) {
    const open = ident.indexOf('<');
    const close = ident.lastIndexOf('>');
    if (open === -1 || close < open) return undefined;
    author = { name: ident.slice(0, open).trim() || null, email: ident.slice(open + 1, close) || null };
  }
  return { message: body.trim() || null, author };
}

/** An object, loose (objects/xx/yyyy…, zlib) or packed (git-pack.ts): its type and body. */
function readObject(repo: Repository, sha: string): GitObject | Unsure {
  let compressed: Buffer;
  try {
    compressed = readFileSync(join(repo.commonDir, 'objects', sha.slice(0, 2), sha.slice(2)));
  } catch {
    // Packed, as in nearly every CI checkout; in an alternate, git reads it.
    return readPackedObject(join(repo.commonDir, 'objects'), sha, MAX_OBJECT_BYTES);
  }
  // Not node:zlib: loading it costs more than the rest of this file (inflate.ts).
  const raw = inflateZlib(compressed, MAX_OBJECT_BYTES);
  if (!raw) return undefined;
  const nul = raw.indexOf(0);
  const header = /^(commit|tree|blob|tag) (\d+)$/.exec(raw.subarray(0, nul).toString('latin1'));
  if (nul === -1 || !header || Number(header[2]) !== raw.length - nul - 1) return undefined;
  return { type: header[1] as GitObject['type'], body: raw.subarray(nul + 1) };
}

interface ConfigEntry {
  section: string;
  subsection: string | null;
  key: string;
  value: string | null;
}

/**
 * A git config file, the plain subset: `[section]`, `[section "sub"]`, `key = value` with comments.
 * null for anything beyond it (quotes, escapes, continuation lines), which git then reads itself.
 */
function parseConfig(text: string): ConfigEntry[] | null {
  const entries: ConfigEntry[] = [];
  let section = '';
  let subsection: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z0-9.-]+)(?:\s+"([^"\\]*)")?\]\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      subsection = header[2] ?? null;
      continue;
    }
    if (line.startsWith('[')) return null;
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*([^"\\#;]*?))?\s*(?:[#;].*)?$/.exec(line);
    if (!entry) return null;
    entries.push({ section, subsection, key: entry[1]!.toLowerCase(), value: entry[2] ?? null });
  }
  return entries;
}

/** A repository with a work tree whose refs and objects are the plain files read here. */
function plainRepository(config: ConfigEntry[]): boolean {
  return !config.some(
    (e) =>
      e.section === 'include' ||
      e.section === 'includeif' ||
      e.section === 'extensions' ||
      (e.section === 'core' && (e.key === 'worktree' || (e.key === 'bare' && e.value !== 'false'))),
  );
}

/** `git remote get-url origin`: the first `remote.origin.url`, unless a rewrite rule applies. */
function remoteUrl(repo: Repository, config: ConfigEntry[], env: NodeJS.ProcessEnv): string | null | Unsure {
  // url.<base>.insteadOf in any config git reads rewrites the answer.
  const home = env.HOME ?? '';
  const others = [
    join(home, '.gitconfig'),
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config'),
    '/etc/gitconfig',
  ];
  for (const file of others) {
    const text = home || file === '/etc/gitconfig' ? readText(file) : null;
    if (text !== null && /insteadof|\[\s*include/i.test(text)) return undefined;
  }
  if (config.some((e) => e.section === 'url')) return undefined;
  const url = config.find((e) => e.section === 'remote' && e.subsection === 'origin' && e.key === 'url');
  if (url) return url.value || null;
  // The remote may still be defined the old ways (.git/remotes/origin, .git/branches/origin).
  if (statOrNull(join(repo.commonDir, 'remotes', 'origin')) || statOrNull(join(repo.commonDir, 'branches', 'origin')))
    return undefined;
  return null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw error;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
