/**
 * The journal's Merkle tree, exactly as RFC 9162 §2.1 defines it, so that any Certificate Transparency or C2SP
 * tool computes the same roots and checks the same proofs.
 *
 * Why a tree on top of the hash chain: the chain proves order to someone holding every entry, but a witness in
 * the meeting room, or an upper-level office, holds only a checkpoint (a size and a root). A consistency proof
 * lets them check, in O(log n) hashes and without reading any entry, that today's log extends the one they
 * cosigned; an inclusion proof shows one entry is in it. Once a witness holds a cosigned checkpoint, rewriting
 * anything before it changes the root and is detectable.
 *
 * Pure: the hash function is passed in (node:crypto on the server, @noble/hashes in the browser).
 *
 * - leaf hash = H(0x00 ‖ leaf), node hash = H(0x01 ‖ left ‖ right);
 * - the split of n > 1 leaves is at k, the largest power of two smaller than n (not the midpoint);
 * - the empty tree's root is H() (the SHA-256 of the empty string), as RFC 9162 says. Go's
 *   golang.org/x/mod/sumdb/tlog returns 32 zero bytes for it instead: protocol.md notes the difference.
 */
export type HashBytes = (data: Uint8Array) => Uint8Array;

/** The largest power of two strictly smaller than n (n ≥ 2). Arithmetic, not bit operators: n may exceed 2³¹. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const leafHash = (h: HashBytes, leaf: Uint8Array): Uint8Array => h(concat(Uint8Array.of(0), leaf));
export const nodeHash = (h: HashBytes, left: Uint8Array, right: Uint8Array): Uint8Array =>
  h(concat(Uint8Array.of(1), left, right));
export const emptyRoot = (h: HashBytes): Uint8Array => h(new Uint8Array(0));

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/**
 * Where the tree's hashes come from. `node(level, index)` is the hash of the perfect subtree of 2^level leaves
 * that starts at leaf index·2^level; the store keeps those, so that proofs never reread the journal.
 */
export interface TreeNodes {
  node(level: number, index: number): Uint8Array;
}

const isPow2 = (n: number): boolean => n >= 1 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;

/** MTH of leaves [start, end) (end > start), from perfect subtrees: O(log n) lookups. */
export function rangeHash(h: HashBytes, t: TreeNodes, start: number, end: number): Uint8Array {
  const n = end - start;
  if (isPow2(n) && start % n === 0) return t.node(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(h, rangeHash(h, t, start, start + k), rangeHash(h, t, start + k, end));
}

/** The root of the first `size` leaves. */
export function rootAt(h: HashBytes, t: TreeNodes, size: number): Uint8Array {
  return size === 0 ? emptyRoot(h) : rangeHash(h, t, 0, size);
}

function checkSize(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative safe integer`);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), leaf first, for the tree of leaves [start, start+n). */
function path(h: HashBytes, t: TreeNodes, m: number, start: number, n: number): Uint8Array[] {
  if (n <= 1) return [];
  const k = splitPoint(n);
  return m < k
    ? [...path(h, t, m, start, k), rangeHash(h, t, start + k, start + n)]
    : [...path(h, t, m - k, start + k, n - k), rangeHash(h, t, start, start + k)];
}

export function inclusionProof(h: HashBytes, t: TreeNodes, index: number, size: number): Uint8Array[] {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new RangeError('index must be smaller than size');
  return path(h, t, index, 0, size);
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), for the tree of leaves [start, start+n). */
function subproof(h: HashBytes, t: TreeNodes, m: number, start: number, n: number, b: boolean): Uint8Array[] {
  if (m === n) return b ? [] : [rangeHash(h, t, start, start + n)];
  const k = splitPoint(n);
  return m <= k
    ? [...subproof(h, t, m, start, k, b), rangeHash(h, t, start + k, start + n)]
    : [...subproof(h, t, m - k, start + k, n - k, false), rangeHash(h, t, start, start + k)];
}

/** PROOF(from, D[to]): that the tree of `from` leaves is a prefix of the tree of `to` (0 < from ≤ to). */
export function consistencyProof(h: HashBytes, t: TreeNodes, from: number, to: number): Uint8Array[] {
  checkSize('from', from);
  checkSize('to', to);
  if (from < 1 || from > to) throw new RangeError('need 0 < from ≤ to');
  return from === to ? [] : subproof(h, t, from, 0, to, true);
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leaf` at `index` in the tree (size, root)? */
export function verifyInclusion(
  h: HashBytes,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(h, p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else r = nodeHash(h, r, p);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (from, first) is a prefix of (to, second)? */
export function verifyConsistency(
  h: HashBytes,
  from: number,
  to: number,
  first: Uint8Array,
  second: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from > to) return false;
  if (from === to) return proof.length === 0 && equalBytes(first, second);
  if (proof.length === 0) return false;
  const path = isPow2(from) ? [first, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(h, c, fr);
      sr = nodeHash(h, c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else sr = nodeHash(h, sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, first) && equalBytes(sr, second);
}

/**
 * Appending leaf `index` (the tree had `index` leaves before): the perfect-subtree hashes it completes, level 0
 * first. The store inserts them beside the journal entry, in the same transaction, so proofs never need a
 * rescan. At most log₂(n)+1 hashes per entry; `treeAppendUs` in the bench measures the cost.
 */
export function nodesCompletedBy(
  h: HashBytes,
  t: TreeNodes,
  index: number,
  leaf: Uint8Array,
): Array<{ level: number; index: number; hash: Uint8Array }> {
  const out = [{ level: 0, index, hash: leafHash(h, leaf) }];
  let i = index;
  let level = 0;
  let hash = out[0]?.hash as Uint8Array;
  while (odd(i)) {
    hash = nodeHash(h, t.node(level, i - 1), hash);
    i = half(i);
    level++;
    out.push({ level, index: i, hash });
  }
  return out;
}

/** Perfect-subtree hashes of a list of leaves held in memory (the verifier's bundle, tests). */
export function memoryTree(h: HashBytes, leaves: readonly Uint8Array[]): TreeNodes & { size: number } {
  const levels: Uint8Array[][] = [leaves.map((l) => leafHash(h, l))];
  for (let l = 0; (levels[l]?.length ?? 0) > 1; l++) {
    const below = levels[l] as Uint8Array[];
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2)
      up.push(nodeHash(h, below[i] as Uint8Array, below[i + 1] as Uint8Array));
    levels.push(up);
  }
  return {
    size: leaves.length,
    node(level, index) {
      const v = levels[level]?.[index];
      if (!v) throw new RangeError(`no node ${level}/${index}`);
      return v;
    },
  };
}
