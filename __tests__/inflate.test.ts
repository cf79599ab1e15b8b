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
});
