/**
 * One object from git's pack files (gitformat-pack(5)), for the git facts of git-files.ts: the
 * commit being reported is packed in nearly every CI checkout (a clone or a fetch of more than
 * `transfer.unpackLimit` objects keeps the pack as it came), and leaving it to `git` costs five
 * child processes (~25 ms, and child_process loaded) on a run that otherwise takes ~60 ms.
 *
 * Read here: version 2 `.idx` files (the only version git has written since 1.5.2), whole objects
 * and both delta kinds (OFS_DELTA, REF_DELTA within the packs of the same directory), through a
 * bounded number of small positioned reads — never a whole pack or index. Anything else (a version
 * 1 index, a multi-pack-index without its `.idx` files, an object only in an alternate, a delta
 * chain deeper than git makes, a damaged entry) answers `undefined`, and the caller asks git.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inflateZlib } from './inflate.js';

export interface GitObject {
  type: 'commit' | 'tree' | 'blob' | 'tag';
  body: Buffer;
}

/** Pack entry types (gitformat-pack(5), "Object types"); 5 is reserved. */
const TYPES = [undefined, 'commit', 'tree', 'blob', 'tag'] as const;
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** git's default pack.depth is 50 (at most 4095, which nobody uses for commits). */
const MAX_DELTA_DEPTH = 64;
/** Index v2: "\377tOc", version 2, then 256 fan-out entries of 4 bytes. */
const IDX_MAGIC = 0xff744f63;
const FANOUT_END = 8 + 256 * 4;

interface Pack {
  idx: number;
  idxSize: number;
  /** The pack's trailing checksum is the one its index names (known once the pack is opened). */
  matches: boolean;
  /** Opened on first use. */
  pack: number | null;
  packPath: string;
  packSize: number;
  /** Objects in the pack (the last fan-out entry). */
  count: number;
  fanout: Uint32Array;
}

/**
 * The object `sha` from the packs in `objectsDir/pack`, or undefined when it is not there or is
 * not read here (see above). `limit`: the largest object (and delta) inflated.
 */
export function readPackedObject(objectsDir: string, sha: string, limit: number): GitObject | undefined {
  let names: string[];
  try {
    names = readdirSync(join(objectsDir, 'pack')).filter((name) => name.endsWith('.idx'));
  } catch {
    return undefined;
  }
  // Opened one at a time, as the search reaches them: the commit is usually in the first.
  const packs = new Packs(names.map((name) => join(objectsDir, 'pack', name)));
  try {
    return find(packs, Buffer.from(sha, 'hex'), limit, 0);
  } finally {
    packs.close();
  }
}

/** The pack indexes of one directory, each opened on first use. */
class Packs {
  private readonly opened: (Pack | undefined)[] = [];
  constructor(private readonly paths: string[]) {}

  get count(): number {
    return this.paths.length;
  }

  /** The i-th pack; undefined when its index is not one read here (the caller then asks git). */
  at(i: number): Pack | undefined {
    if (!(i in this.opened)) this.opened[i] = openIndex(this.paths[i]!);
    return this.opened[i];
  }

  close(): void {
    for (const pack of this.opened) {
      if (!pack) continue;
      closeSync(pack.idx);
      if (pack.pack !== null) closeSync(pack.pack);
    }
  }
}

function find(packs: Packs, key: Buffer, limit: number, depth: number): GitObject | undefined {
  for (let i = 0; i < packs.count; i++) {
    const pack = packs.at(i);
    if (pack === undefined) return undefined; // an index git reads and we do not
    const offset = offsetOf(pack, key);
    if (offset !== null) return offset === undefined ? undefined : readEntry(packs, pack, offset, limit, depth);
  }
  return undefined;
}

function openIndex(path: string): Pack | undefined {
  const fd = openSync(path, 'r');
  const header = readAt(fd, FANOUT_END, 0);
  if (!header || header.readUInt32BE(0) !== IDX_MAGIC) {
    closeSync(fd);
    return undefined;
  }
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = header.readUInt32BE(8 + i * 4);
  const count = fanout[255]!;
  const size = fstatSync(fd).size;
  // Names, CRCs and offsets, then the two checksums at least; anything shorter is damaged.
  if (header.readUInt32BE(4) !== 2 || size < FANOUT_END + count * 28 + 40) {
    closeSync(fd);
    return undefined;
  }
  return {
    idx: fd,
    idxSize: size,
    matches: false,
    pack: null,
    packPath: path.replace(/\.idx$/, '.pack'),
    packSize: 0,
    count,
    fanout,
  };
}

function readAt(fd: number, length: number, position: number): Buffer | undefined {
  const buffer = Buffer.alloc(length);
  return readSync(fd, buffer, 0, length, position) === length ? buffer : undefined;
}

/**
 * Where `key` starts in the pack: a binary search of the sorted names in its fan-out bucket, one
 * 20-byte read per step. null: not in this pack; undefined: an offset this code cannot use.
 */
function offsetOf(pack: Pack, key: Buffer): number | null | undefined {
  const first = key[0]!;
  let lo = first === 0 ? 0 : pack.fanout[first - 1]!;
  let hi = pack.fanout[first]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const name = readAt(pack.idx, 20, FANOUT_END + mid * 20);
    if (!name) return undefined;
    const order = name.compare(key);
    if (order === 0) {
      const small = readAt(pack.idx, 4, FANOUT_END + pack.count * 24 + mid * 4)?.readUInt32BE(0);
      if (small === undefined) return undefined;
      if (!(small & 0x80000000)) return small;
      // A pack over 2 GiB: the offset is in the table of 8-byte offsets.
      const large = readAt(pack.idx, 8, FANOUT_END + pack.count * 28 + (small & 0x7fffffff) * 8);
      if (!large) return undefined;
      const value = large.readUInt32BE(0) * 2 ** 32 + large.readUInt32BE(4);
      return Number.isSafeInteger(value) ? value : undefined;
    }
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return null;
}

/** The object at `offset` of `pack`, its deltas applied. */
function readEntry(packs: Packs, pack: Pack, offset: number, limit: number, depth: number): GitObject | undefined {
  if (depth > MAX_DELTA_DEPTH) return undefined;
  if (pack.pack === null) {
    pack.pack = openSync(pack.packPath, 'r');
    pack.packSize = fstatSync(pack.pack).size;
    // The index names its pack by the pack's trailing checksum (as git checks when it opens one):
    // an index left from before a repack must not send us to another object's bytes.
    const named = readAt(pack.idx, 20, pack.idxSize - 40);
    const trailer = pack.packSize >= 32 ? readAt(pack.pack, 20, pack.packSize - 20) : undefined;
    pack.matches = !!named && !!trailer && named.equals(trailer);
  }
  if (!pack.matches) return undefined;
  // Type and size (a varint of up to 53 bits), then an OFS_DELTA's distance or a REF_DELTA's base.
  const headLength = Math.min(32, pack.packSize - offset);
  const head = headLength >= 2 ? readAt(pack.pack, headLength, offset) : undefined;
  if (!head) return undefined;
  let at = 0;
  let byte = head[at++]!;
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  for (let shift = 4; byte & 0x80; shift += 7) {
    if (at >= head.length || shift > 46) return undefined;
    byte = head[at++]!;
    size += (byte & 0x7f) * 2 ** shift;
  }
  if (size > limit) return undefined;
  let base: GitObject | undefined;
  if (type === OFS_DELTA) {
    byte = head[at++]!;
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      if (at >= head.length) return undefined;
      byte = head[at++]!;
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    if (distance <= 0 || distance > offset) return undefined;
    base = readEntry(packs, pack, offset - distance, limit, depth + 1);
  } else if (type === REF_DELTA) {
    if (at + 20 > head.length) return undefined;
    base = find(packs, head.subarray(at, at + 20), limit, depth + 1);
    at += 20;
  } else if (TYPES[type] === undefined) return undefined;
  if ((type === OFS_DELTA || type === REF_DELTA) && base === undefined) return undefined;

  // The compressed bytes follow; zlib's compressBound() says how many there can be at most.
  const start = offset + at;
  const bound = Math.min(size + (size >>> 12) + (size >>> 14) + (size >>> 25) + 13, pack.packSize - start);
  const data = bound > 0 ? readAt(pack.pack, bound, start) : undefined;
  const inflated = data && inflateZlib(data, size);
  if (!inflated || inflated.length !== size) return undefined;
  if (base === undefined) return { type: TYPES[type]!, body: inflated };
  const body = applyDelta(base.body, inflated, limit);
  return body && { type: base.type, body };
}

/** A delta (gitformat-pack(5), "Deltified representation"): copies from the base and inserts. */
function applyDelta(base: Buffer, delta: Buffer, limit: number): Buffer | undefined {
  let at = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= delta.length || shift > 46) return undefined;
      const byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  const sourceSize = varint();
  const targetSize = varint();
  if (sourceSize !== base.length || targetSize === undefined || targetSize > limit) return undefined;
  const out = Buffer.alloc(targetSize);
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) copyOffset += delta[at++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (16 << bit)) copySize += delta[at++]! * 2 ** (8 * bit);
      if (copySize === 0) copySize = 0x10000;
      if (at > delta.length || copyOffset + copySize > base.length || written + copySize > targetSize) return undefined;
      base.copy(out, written, copyOffset, copyOffset + copySize);
      written += copySize;
    } else if (op !== 0) {
      if (at + op > delta.length || written + op > targetSize) return undefined;
      delta.copy(out, written, at, at + op);
      at += op;
      written += op;
    } else return undefined; // reserved
  }
  return written === targetSize ? out : undefined;
}
