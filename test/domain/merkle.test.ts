import crypto from 'node:crypto';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  memoryTree,
  nodeHash,
  nodesCompletedBy,
  rootAt,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
  type TreeNodes,
} from '../../src/domain/log/merkle';

const H = (d: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash('sha256').update(d).digest());
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 6962 / RFC 9162 reference leaves and tree heads (Certificate Transparency's test data, as published by
// transparency-dev/merkle). A tree no other implementation agrees with proves nothing to anyone else.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  {
    from: 2,
    to: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** RFC 9162's MTH written as the recursion in the text, to hold the stored-subtree version to. */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return H(new Uint8Array(0));
  if (leaves.length === 1) return leafHash(H, leaves[0] as Uint8Array);
  const k = splitPoint(leaves.length);
  return nodeHash(H, mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const ref = memoryTree(H, LEAVES);

describe('the Merkle tree (RFC 9162 §2.1)', () => {
  it('gives the reference tree heads for 0 to 8 entries', () => {
    expect(hex(emptyRoot(H))).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect([n, hex(rootAt(H, ref, n))]).toEqual([n, ROOTS[n]]);
  });

  it('splits at the largest power of two below n, not the midpoint', () => {
    expect([2, 3, 4, 5, 8, 9, 1000, 2 ** 40 + 1].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 512, 2 ** 40]);
  });

  it('gives the reference inclusion proofs, and they verify', () => {
    for (const v of INCLUSION) {
      const proof = inclusionProof(H, ref, v.index, v.size);
      expect(proof.map(hex)).toEqual(v.proof);
      const leaf = leafHash(H, LEAVES[v.index] as Uint8Array);
      expect(verifyInclusion(H, v.index, v.size, leaf, proof, unhex(ROOTS[v.size] as string))).toBe(true);
    }
  });

  it('gives the reference consistency proofs, and they verify', () => {
    for (const v of CONSISTENCY) {
      const proof = consistencyProof(H, ref, v.from, v.to);
      expect(proof.map(hex)).toEqual(v.proof);
      expect(
        verifyConsistency(
          H,
          v.from,
          v.to,
          unhex(ROOTS[v.from] as string),
          unhex(ROOTS[v.to] as string),
          proof,
        ),
      ).toBe(true);
    }
  });

  const many = Array.from({ length: 40 }, (_, i) => H(Uint8Array.of(i, i * 7)));
  const big = memoryTree(H, many);

  it('agrees with the plain recursion for every size up to 40', () => {
    for (let n = 1; n <= 40; n++)
      expect([n, hex(rootAt(H, big, n))]).toEqual([n, hex(mth(many.slice(0, n)))]);
  });

  it('when a proof, leaf, index or size is wrong › inclusion fails', () => {
    for (let n = 1; n <= 20; n++)
      for (let i = 0; i < n; i++) {
        const root = rootAt(H, big, n);
        const leaf = leafHash(H, many[i] as Uint8Array);
        const proof = inclusionProof(H, big, i, n);
        expect(verifyInclusion(H, i, n, leaf, proof, root)).toBe(true);
        expect(verifyInclusion(H, i, n, leafHash(H, many[i + 1] as Uint8Array), proof, root)).toBe(false);
        // The root of a larger tree does not take this proof. (The same root under another size can: RFC 9162
        // roots do not commit to the size, which is why a checkpoint signs the size beside the root.)
        expect(verifyInclusion(H, i, n + 1, leaf, proof, rootAt(H, big, n + 1))).toBe(false);
        expect(verifyInclusion(H, n, n, leaf, proof, root)).toBe(false);
        if (proof.length > 0) {
          const bad = proof.map((p, j) => (j === 0 ? H(p) : p));
          expect(verifyInclusion(H, i, n, leaf, bad, root)).toBe(false);
          expect(verifyInclusion(H, i, n, leaf, proof.slice(1), root)).toBe(false);
          if (n > 1) expect(verifyInclusion(H, i ^ 1, n, leaf, proof, root)).toBe(false);
        }
        expect(verifyInclusion(H, i, n, leaf, [...proof, root], root)).toBe(false);
      }
  });

  it('when a history was rewritten › consistency fails', () => {
    const rewritten = memoryTree(
      H,
      many.map((l, i) => (i === 3 ? H(l) : l)),
    );
    for (let m = 1; m <= 20; m++)
      for (let n = m; n <= 24; n++) {
        const proof = consistencyProof(H, big, m, n);
        const first = rootAt(H, big, m);
        const second = rootAt(H, big, n);
        expect(verifyConsistency(H, m, n, first, second, proof)).toBe(true);
        // The same proof against a rewritten later tree, or a proof from the rewritten tree, fails once entry
        // 4 (index 3) is inside the first tree.
        if (m > 3) {
          expect(verifyConsistency(H, m, n, first, rootAt(H, rewritten, n), proof)).toBe(false);
          expect(
            verifyConsistency(H, m, n, first, rootAt(H, rewritten, n), consistencyProof(H, rewritten, m, n)),
          ).toBe(false);
        }
        if (proof.length > 0) {
          expect(verifyConsistency(H, m, n, first, second, proof.slice(1))).toBe(false);
          expect(verifyConsistency(H, m, n, first, second, [...proof, first])).toBe(false);
        }
      }
  });

  it('refuses from = 0, from > to, and sizes that are not safe integers', () => {
    expect(() => consistencyProof(H, big, 0, 3)).toThrow(RangeError);
    expect(() => consistencyProof(H, big, 4, 3)).toThrow(RangeError);
    expect(() => inclusionProof(H, big, 3, 3)).toThrow(RangeError);
    const r = rootAt(H, big, 3);
    expect(verifyConsistency(H, 0, 3, r, r, [r])).toBe(false);
    expect(verifyConsistency(H, 3, 3, r, r, [])).toBe(true);
    expect(verifyConsistency(H, 3, 3, r, r, [r])).toBe(false);
    expect(verifyInclusion(H, 2 ** 53, 2 ** 53 + 2, r, [], r)).toBe(false);
  });

  it('appending leaf by leaf stores exactly the perfect subtrees the tree has', () => {
    const stored = new Map<string, Uint8Array>();
    const t: TreeNodes = {
      node(level, index) {
        const v = stored.get(`${level}/${index}`);
        if (!v) throw new Error(`missing ${level}/${index}`);
        return v;
      },
    };
    many.forEach((leaf, i) => {
      for (const n of nodesCompletedBy(H, t, i, leaf)) stored.set(`${n.level}/${n.index}`, n.hash);
      expect(hex(rootAt(H, t, i + 1))).toBe(hex(mth(many.slice(0, i + 1))));
    });
    // 40 leaves: 40 + 20 + 10 + 5 + 2 + 1 perfect subtrees.
    expect(stored.size).toBe(78);
  });
});
