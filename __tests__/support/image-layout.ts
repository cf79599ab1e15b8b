/**
 * The ci-notify image without Docker: reads the repository's Dockerfile and carries out its COPY and
 * ENV instructions under a directory, so tests run exactly the files, modes and PATH the image gets.
 * The Dockerfile may use only FROM, LABEL, COPY, ENV, USER, WORKDIR and CMD: an instruction this
 * cannot reproduce (RUN, ADD, …) throws, so the image can never drift from what the tests run.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ROOT = process.cwd();

export interface Instruction {
  keyword: string;
  /** The arguments, continuation lines joined. */
  args: string;
}

/** Dockerfile → instructions: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const m = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (!m) throw new Error(`Dockerfile: cannot read "${full.slice(0, 60)}"`);
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  return instructions;
}

export interface ImageLayout {
  /** The directory standing for the image's `/`. */
  root: string;
  /** The image's PATH entries that point into the layout, under `root`, ahead of this machine's PATH. */
  path: string;
  from: string;
  user: string | null;
  workdir: string | null;
  cmd: string[];
  /** Every instruction, in order (for checks on the Dockerfile itself). */
  instructions: Instruction[];
}

/** The base image's PATH (node:24-alpine), which `ENV PATH=…:$PATH` extends. */
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const REPRODUCIBLE = new Set(['FROM', 'LABEL', 'COPY', 'ENV', 'USER', 'WORKDIR', 'CMD']);

export function layOutImage(root: string, dockerfile = join(ROOT, 'Dockerfile')): ImageLayout {
  const instructions = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  let from = '';
  let user: string | null = null;
  let workdir: string | null = null;
  let cmd: string[] = [];
  let imagePath = BASE_PATH;
  for (const { keyword, args } of instructions) {
    if (!REPRODUCIBLE.has(keyword)) {
      throw new Error(`Dockerfile: ${keyword} runs inside the image; the tests (and an unprivileged buildah) cannot`);
    }
    if (keyword === 'FROM') from = args;
    if (keyword === 'USER') user = args;
    if (keyword === 'WORKDIR') workdir = args;
    if (keyword === 'CMD') cmd = JSON.parse(args) as string[];
    if (keyword === 'ENV') {
      const m = /^PATH=(.*)$/.exec(args);
      if (!m) throw new Error(`Dockerfile: only ENV PATH=… is reproduced, not "${args}"`);
      imagePath = m[1]!.replace('$PATH', imagePath).replace('${PATH}', imagePath);
    }
    if (keyword === 'COPY') copy(args, root);
  }
  // The entries the Dockerfile added live under the layout; the base image's are this machine's.
  const added = imagePath
    .split(':')
    .filter((entry) => !BASE_PATH.split(':').includes(entry))
    .map((entry) => join(root, entry));
  return { root, path: [...added, process.env.PATH ?? ''].join(':'), from, user, workdir, cmd, instructions };
}

function copy(args: string, root: string): void {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const dest = paths.pop()!;
  const mode = flags.map((f) => /^--chmod=([0-7]{3,4})$/.exec(f)?.[1]).find(Boolean);
  for (const flag of flags) if (!/^--chmod=/.test(flag)) throw new Error(`Dockerfile: COPY ${flag} is not reproduced`);
  for (const source of paths) {
    const from = join(ROOT, source);
    if (!existsSync(from)) throw new Error(`Dockerfile: COPY ${source}: no such file in the repository`);
    const target = join(root, dest);
    if (statSync(from).isDirectory()) {
      // COPY dir/ /x/ copies the directory's contents into /x/.
      mkdirSync(target, { recursive: true });
      cpSync(from, target, { recursive: true });
    } else {
      const file = dest.endsWith('/') ? join(target, source.split('/').pop()!) : target;
      mkdirSync(dirname(file), { recursive: true });
      cpSync(from, file);
      if (mode) chmodSync(file, parseInt(mode, 8));
    }
  }
}
