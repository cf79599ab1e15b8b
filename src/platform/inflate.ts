/**
 * zlib inflate (RFC 1950 around RFC 1951 DEFLATE) in plain code, for git's loose objects.
 *
 * Why not node:zlib: loading it, with node:stream that it pulls in, costs ~3.5 ms on Node 24 in a
 * run that otherwise never touches a stream — a tenth of the floor program the bench compares
 * with (issue 14, scripts/bench.mjs) — to inflate one commit of a few hundred bytes, which this
 * does in well under 0.1 ms. It follows zlib's reference decoder `puff.c` (Mark Adler).
 *
 * Anything unexpected gives null, and the caller asks `git` instead: a malformed stream, a preset
 * dictionary, a wrong Adler-32, or an output over `limit`.
 */

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which a dynamic block sends its code-length code lengths (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const MAX_BITS = 15;

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

class Malformed extends Error {}

class Inflater {
  private pos: number;
  private bitBuffer = 0;
  private bitCount = 0;
  private out: Uint8Array;
  private length = 0;

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly limit: number,
  ) {
    this.pos = start;
    this.out = new Uint8Array(Math.min(limit, Math.max(1024, input.length * 4)));
  }

  run(): { output: Uint8Array; end: number } {
    let last: number;
    do {
      last = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) this.codes(fixedCodes().lengths, fixedCodes().distances);
      else if (type === 2) this.dynamic();
      else throw new Malformed('block type 3');
    } while (!last);
    return { output: this.out.subarray(0, this.length), end: this.pos };
  }

  private bits(need: number): number {
    let value = this.bitBuffer;
    while (this.bitCount < need) {
      if (this.pos >= this.input.length) throw new Malformed('input ends early');
      value |= this.input[this.pos++]! << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuffer = value >>> need;
    this.bitCount -= need;
    return value & ((1 << need) - 1);
  }

  private put(byte: number): void {
    if (this.length === this.out.length) {
      if (this.length >= this.limit) throw new Malformed('output over the limit');
      const bigger = new Uint8Array(Math.min(this.limit, this.out.length * 2));
      bigger.set(this.out);
      this.out = bigger;
    }
    this.out[this.length++] = byte;
  }

  private stored(): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.input.length) throw new Malformed('input ends early');
    const input = this.input;
    const len = input[this.pos]! | (input[this.pos + 1]! << 8);
    const check = input[this.pos + 2]! | (input[this.pos + 3]! << 8);
    if (len !== (~check & 0xffff)) throw new Malformed('stored length check');
    this.pos += 4;
    if (this.pos + len > input.length) throw new Malformed('input ends early');
    for (let i = 0; i < len; i++) this.put(input[this.pos + i]!);
    this.pos += len;
  }

  /**
   * The next symbol of `code`, a bit at a time (puff.c's decode), with the bit buffer in locals: the
   * few hundred symbols of a commit run in the interpreter, where a call per bit costs most.
   */
  private decode(code: Huffman): number {
    const { count, symbol } = code;
    let buffer = this.bitBuffer;
    let left = this.bitCount;
    let bits = 0; // the bits read so far, first bit most significant
    let first = 0; // the first code of the current length
    let index = 0; // where the current length's symbols start
    for (let len = 1; len <= MAX_BITS; len++) {
      if (left === 0) {
        if (this.pos >= this.input.length) throw new Malformed('input ends early');
        buffer = this.input[this.pos++]!;
        left = 8;
      }
      bits |= buffer & 1;
      buffer >>>= 1;
      left--;
      const n = count[len]!;
      if (bits - n < first) {
        this.bitBuffer = buffer;
        this.bitCount = left;
        return symbol[index + (bits - first)]!;
      }
      index += n;
      first = (first + n) << 1;
      bits <<= 1;
    }
    throw new Malformed('no such code');
  }

  private codes(lengths: Huffman, distances: Huffman): void {
    for (;;) {
      let symbol = this.decode(lengths);
      if (symbol < 256) {
        this.put(symbol);
        continue;
      }
      if (symbol === 256) return;
      symbol -= 257;
      if (symbol >= 29) throw new Malformed('length symbol');
      const len = LENGTH_BASE[symbol]! + this.bits(LENGTH_EXTRA[symbol]!);
      const d = this.decode(distances);
      if (d >= 30) throw new Malformed('distance symbol');
      const distance = DIST_BASE[d]! + this.bits(DIST_EXTRA[d]!);
      if (distance > this.length) throw new Malformed('distance too far back');
      for (let i = 0; i < len; i++) this.put(this.out[this.length - distance]!);
    }
  }

  private dynamic(): void {
    const nLengths = this.bits(5) + 257;
    const nDistances = this.bits(5) + 1;
    const nCodes = this.bits(4) + 4;
    if (nLengths > 286 || nDistances > 30) throw new Malformed('too many codes');
    const lengths = new Uint8Array(nLengths + nDistances);
    const codeLengths = new Uint8Array(19);
    for (let i = 0; i < nCodes; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = this.bits(3);
    const lengthCode = huffman(codeLengths, true);
    for (let index = 0; index < nLengths + nDistances;) {
      let symbol = this.decode(lengthCode);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let repeat = 0;
      if (symbol === 16) {
        if (index === 0) throw new Malformed('repeat with no first length');
        repeat = lengths[index - 1]!;
        symbol = 3 + this.bits(2);
      } else if (symbol === 17) symbol = 3 + this.bits(3);
      else symbol = 11 + this.bits(7);
      if (index + symbol > nLengths + nDistances) throw new Malformed('too many lengths');
      while (symbol--) lengths[index++] = repeat;
    }
    if (lengths[256] === 0) throw new Malformed('no end-of-block code');
    this.codes(huffman(lengths.subarray(0, nLengths), false), huffman(lengths.subarray(nLengths), false));
  }
}

/**
 * The canonical code of a list of code lengths. An over-subscribed set is malformed; an incomplete
 * one is refused only where `complete` is asked for (zlib allows incomplete literal and distance
 * codes, and a symbol outside them fails to decode).
 */
function huffman(lengths: Uint8Array | number[], complete: boolean): Huffman {
  const count = new Uint16Array(MAX_BITS + 1);
  for (const len of lengths) count[len]!++;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len]!;
    if (left < 0) throw new Malformed('over-subscribed code');
  }
  if (complete && left > 0 && count[0] !== lengths.length) throw new Malformed('incomplete code');
  const offsets = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offsets[len + 1] = offsets[len]! + count[len]!;
  const symbol = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) symbol[offsets[lengths[s]!]!++] = s;
  return { count, symbol };
}

let fixed: { lengths: Huffman; distances: Huffman } | undefined;
function fixedCodes(): { lengths: Huffman; distances: Huffman } {
  if (!fixed) {
    const lengths: number[] = [];
    for (let s = 0; s < 288; s++) lengths.push(s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
    fixed = { lengths: huffman(lengths, false), distances: huffman(new Array<number>(30).fill(5), false) };
  }
  return fixed;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    // 5552 bytes keep the sums below 2^32 before the modulo (zlib's NMAX).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The inflated bytes of a zlib stream, or null (see above). Bytes after the stream are ignored. */
export function inflateZlib(data: Uint8Array, limit = 16 * 1024 * 1024): Buffer | null {
  if (data.length < 6) return null;
  const cmf = data[0]!;
  const flg = data[1]!;
  // Method 8 (deflate), a window of at most 32 KiB, the header check, and no preset dictionary.
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) return null;
  try {
    const { output, end } = new Inflater(data, 2, limit).run();
    if (end + 4 > data.length) return null;
    const expected = ((data[end]! << 24) | (data[end + 1]! << 16) | (data[end + 2]! << 8) | data[end + 3]!) >>> 0;
    if (adler32(output) !== expected) return null;
    return Buffer.from(output.buffer, output.byteOffset, output.length);
  } catch (error) {
    if (error instanceof Malformed) return null;
    throw error;
  }
}
