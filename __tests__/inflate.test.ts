/**
 * The plain-code inflate of git's loose objects (src/platform/inflate.ts) against node:zlib, the
 * reference: every compression level and strategy, window size, stored/fixed/dynamic blocks, text
 * and random bytes, empty and large inputs give exactly zlib's bytes; damaged streams give null
 * wherever zlib refuses them (and never bytes zlib would not give); a preset dictionary, a wrong
 * Adler-32, a truncated stream and an output over the limit give null.
 */
import { constants, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { inflateZlib } from '../src/platform/inflate.js';

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const commit = Buffer.from(
  'commit 245\0tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Mona Lisa <mona@example.com> 1764756000 +0000\n' +
    'committer Mona Lisa <mona@example.com> 1764756000 +0000\n\nFix the payment path 修复支付 🚀\n\nCo-authored-by: Hubot <hubot@example.com>\n',
);

function samples(): Array<[string, Buffer]> {
  const next = random(7);
  const bytes = (n: number, alphabet = 256) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(next() * alphabet)));
  const words = ['fix', 'the', 'payment', 'path', '\n', 'refs/heads/main', '支付', ' '];
  const text = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(''));
  return [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['a commit object', commit],
    ['text, 40 KiB (matches beyond the first 1 KiB and the initial output buffer)', text(10_000)],
    ['random bytes, 5000', bytes(5000)],
    ['four-letter bytes, 70 KiB (long distances, all length codes)', bytes(70_000, 4)],
    ['one byte repeated 100 000 times (length 258 runs)', Buffer.alloc(100_000, 0x61)],
  ];
}

/** Bits first-bit-first into bytes (RFC 1951 §3.1.1); Huffman codes go most significant bit first. */
class BitWriter {
  private bytes: number[] = [];
  private bits = 0;
  private count = 0;
  value(value: number, n: number): this {
    for (let i = 0; i < n; i++) this.bit((value >> i) & 1);
    return this;
  }
  code(code: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.bit((code >> i) & 1);
    return this;
  }
  align(): this {
    while (this.count !== 0) this.bit(0);
    return this;
  }
  raw(data: Buffer): this {
    this.align();
    this.bytes.push(...data);
    return this;
  }
  done(): Buffer {
    return Buffer.from(this.align().bytes);
  }
  private bit(b: number): void {
    this.bits |= b << this.count;
    if (++this.count === 8) {
      this.bytes.push(this.bits);
      this.bits = 0;
      this.count = 0;
    }
  }
}

/** The canonical codes of a list of code lengths (RFC 1951 §3.2.2). */
function canonical(lengths: number[]): number[] {
  const codes: number[] = [];
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    lengths.forEach((l, symbol) => {
      if (l === len) codes[symbol] = code++;
    });
    code <<= 1;
  }
  return codes;
}

/** The Adler-32 that ends a zlib stream of `data`, as zlib (the reference) writes it. */
function adler32Of(data: Buffer): Buffer {
  return deflateSync(data).subarray(-4);
}

/**
 * A dynamic block written by hand, where end-of-block has a 1-bit code and the longest literal a
 * 9-bit one: a decoder that reads ahead for the long codes holds whole bytes of what follows (a
 * stored block, or the Adler-32) when the block ends. (A table-driven decoder was measured and not
 * kept: a commit's inflate is a few hundred symbols, and it saved nothing in a run.)
 */
function shortEndBlock(w: BitWriter, text: string, final: boolean): void {
  const litLengths = new Array<number>(257).fill(0);
  litLengths[256] = 1;
  [...'abcdefghi'].forEach((c, i) => (litLengths[c.charCodeAt(0)] = Math.min(i + 2, 9)));
  const lengths = [...litLengths, 1]; // one distance code, unused
  // The code-length code: 0..12 in 4 bits, 13..18 in 5 (complete), sent in RFC order.
  const clLengths = Array.from({ length: 19 }, (_, s) => (s <= 12 ? 4 : 5));
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  const clCodes = canonical(clLengths);
  const litCodes = canonical(litLengths);
  w.value(final ? 1 : 0, 1).value(2, 2);
  // HLIT: 257 literal/length codes, HDIST: 1 distance code, HCLEN: all 19 code-length codes.
  w.value(257 - 257, 5)
    .value(1 - 1, 5)
    .value(19 - 4, 4);
  for (const s of order) w.value(clLengths[s]!, 3);
  for (const l of lengths) w.code(clCodes[l]!, clLengths[l]!);
  for (const c of text) w.code(litCodes[c.charCodeAt(0)]!, litLengths[c.charCodeAt(0)]!);
  w.code(litCodes[256]!, 1);
}

describe('inflateZlib', () => {
  const cases: Array<[string, Buffer, Parameters<typeof deflateSync>[1]]> = [];
  for (const [name, data] of samples()) {
    for (const level of [0, 1, 6, 9]) cases.push([`${name}, level ${level}`, data, { level }]);
    for (const [s, strategy] of Object.entries({
      fixed: constants.Z_FIXED,
      'huffman only': constants.Z_HUFFMAN_ONLY,
      rle: constants.Z_RLE,
      filtered: constants.Z_FILTERED,
    }))
      cases.push([`${name}, strategy ${s}`, data, { strategy }]);
    cases.push([`${name}, 512-byte window`, data, { windowBits: 9 }]);
  }

  it.each(cases)('gives zlib’s bytes: %s', (_name, data, options) => {
    const compressed = deflateSync(data, options);
    const out = inflateZlib(compressed);
    expect(out).not.toBeNull();
    expect(Buffer.compare(out!, data)).toBe(0);
  });

  it('ignores bytes after the stream (as git does not write any, but zlib allows them)', () => {
    const out = inflateZlib(Buffer.concat([deflateSync(commit), Buffer.from('trailing')]));
    expect(out?.toString('latin1')).toBe(commit.toString('latin1'));
  });

  it('never gives bytes zlib would not: damaged streams are null wherever zlib refuses them', () => {
    const next = random(11);
    const sources = samples().filter(([, d]) => d.length < 20_000);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const [, data] = sources[i % sources.length]!;
      const damaged = Buffer.from(deflateSync(data, { level: [0, 1, 6, 9][i % 4]! }));
      const flips = 1 + Math.floor(next() * 3);
      for (let f = 0; f < flips; f++) damaged[Math.floor(next() * damaged.length)]! ^= 1 << Math.floor(next() * 8);
      let reference: Buffer | null;
      try {
        reference = inflateSync(damaged);
      } catch {
        reference = null;
      }
      const out = inflateZlib(damaged);
      if (out === null) refused++;
      else expect(reference !== null && Buffer.compare(out, reference) === 0).toBe(true);
      if (reference === null) expect(out).toBeNull();
    }
    expect(refused).toBeGreaterThan(2500);
  });

  it('refuses what it does not handle: a preset dictionary, a wrong check, a cut stream, too much output, not zlib', () => {
    const good = deflateSync(commit);
    const withDictionary = deflateSync(commit, { dictionary: Buffer.from('author committer tree') });
    const wrongCheck = Buffer.from(good);
    wrongCheck[wrongCheck.length - 1]! ^= 0xff;
    expect({
      dictionary: inflateZlib(withDictionary),
      wrongCheck: inflateZlib(wrongCheck),
      cutInTheData: inflateZlib(good.subarray(0, good.length - 10)),
      cutInTheCheck: inflateZlib(good.subarray(0, good.length - 2)),
      overTheLimit: inflateZlib(deflateSync(Buffer.alloc(5000, 0x61)), 4096),
      atTheLimit: inflateZlib(deflateSync(Buffer.alloc(4096, 0x61)), 4096)?.length,
      rawDeflate: inflateZlib(deflateRawSync(commit)),
      gzip: inflateZlib(Buffer.from('1f8b0800000000000003', 'hex')),
      tooShort: inflateZlib(Buffer.from('7801', 'hex')),
    }).toEqual({
      dictionary: null,
      wrongCheck: null,
      cutInTheData: null,
      cutInTheCheck: null,
      overTheLimit: null,
      atTheLimit: 4096,
      rawDeflate: null,
      gzip: null,
      tooShort: null,
    });
  });

  /**
   * Huffman-coded blocks, then a stored block, which starts on the byte after the coded ones (and
   * the Adler-32 after the last block): a decoder that reads input ahead (a table-driven one would)
   * must give back what it read past them. zlib writes this for a sync flush: the coded blocks,
   * then an empty stored block on the byte boundary; a stored final block with more data follows.
   */
  it.each([
    ['fixed codes', { strategy: constants.Z_FIXED }],
    ['dynamic codes', { level: 9 }],
    ['huffman only', { strategy: constants.Z_HUFFMAN_ONLY }],
    ['stored', { level: 0 }],
  ])('gives the bytes of coded blocks followed by stored ones: %s', (_name, options) => {
    const next = random(23);
    const pairs: Array<[Buffer, Buffer]> = [
      [commit, Buffer.from('x')],
      [Buffer.from('fix the payment path '.repeat(40)), Buffer.alloc(3000, 0x62)],
      [Buffer.from(Array.from({ length: 700 }, () => Math.floor(next() * 256))), commit],
      [Buffer.from('a'), Buffer.alloc(0)],
    ];
    for (const [a, b] of pairs) {
      const data = Buffer.concat([a, b]);
      const stream = Buffer.concat([
        Buffer.from('789c', 'hex'),
        deflateRawSync(a, { ...options, finishFlush: constants.Z_SYNC_FLUSH }),
        deflateRawSync(b, { level: 0 }),
        adler32Of(data),
      ]);
      expect(inflateSync(stream).equals(data)).toBe(true); // the stream is what zlib reads as data
      expect(inflateZlib(stream)?.equals(data)).toBe(true);
      // One byte of the check missing: the check must be read where the last block ends.
      expect(inflateZlib(stream.subarray(0, stream.length - 1))).toBeNull();
    }
  });
});

describe('inflateZlib, blocks that end with bits read ahead', () => {
  const texts = ['', 'a', 'ab', 'abc', 'ihgfedcba', 'aaaaaaab', 'hhhhhhhhhhhhhhhhhhh', 'abcdefghiabcdefghi'];

  it.each(texts)('a final coded block: the Adler-32 is read where the block ends (%j)', (text) => {
    const w = new BitWriter().raw(Buffer.from('789c', 'hex'));
    shortEndBlock(w, text, true);
    const stream = Buffer.concat([w.done(), adler32Of(Buffer.from(text))]);
    expect(inflateSync(stream).toString('latin1')).toBe(text); // zlib reads the same stream
    expect(inflateZlib(stream)?.toString('latin1')).toBe(text);
    expect(inflateZlib(Buffer.concat([stream, Buffer.from('more')]))?.toString('latin1')).toBe(text);
    expect(inflateZlib(stream.subarray(0, stream.length - 1))).toBeNull();
  });

  it.each(texts)('a coded block, then a stored one that starts on the next byte (%j)', (text) => {
    const stored = Buffer.from('stored block after it');
    const w = new BitWriter().raw(Buffer.from('789c', 'hex'));
    shortEndBlock(w, text, false);
    w.value(1, 1).value(0, 2).align();
    const length = Buffer.alloc(4);
    length.writeUInt16LE(stored.length, 0);
    length.writeUInt16LE(~stored.length & 0xffff, 2);
    w.raw(length).raw(stored);
    const data = Buffer.concat([Buffer.from(text), stored]);
    const stream = Buffer.concat([w.done(), adler32Of(data)]);
    expect(inflateSync(stream).equals(data)).toBe(true);
    expect(inflateZlib(stream)?.equals(data)).toBe(true);
  });
});
