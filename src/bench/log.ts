/**
 * consistencyProofMs and treeAppendUs (issue 13, docs/performance.md): the witnessed log's proofs on a
 * 1,000,000-entry tree, and the per-entry cost of keeping the tree in the journal writer's transaction.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  consistencyProof,
  nodesCompletedBy,
  rootAt,
  verifyConsistency,
  type TreeNodes,
} from '../domain/log/merkle';
import { openStore } from '../compose';
import { openBenchTree } from '../store/log-table';
import { sha256Bytes } from '../util/sha256';
import { fillJournal } from './journal';
import { median } from './stats';

export const TREE_SIZE = 1_000_000;

/** Synthetic leaf i: SHA-256 of its decimal, 32 bytes like an entry hash. */
const leaf = (i: number): Uint8Array => sha256Bytes(new TextEncoder().encode(String(i)));

/**
 * Every node of a `size`-leaf tree in append order, computed with the store's own nodesCompletedBy: only the
 * frontier (the last node of each level) is held, which is all an append reads.
 */
function* treeNodes(size: number): Generator<{ level: number; index: number; hash: Uint8Array }> {
  const frontier: Array<{ index: number; hash: Uint8Array }> = [];
  const t: TreeNodes = {
    node: (level, index) => {
      const f = frontier[level];
      if (!f || f.index !== index) throw new RangeError(`no frontier node ${level}/${index}`);
      return f.hash;
    },
  };
  for (let i = 0; i < size; i++)
    for (const n of nodesCompletedBy(sha256Bytes, t, i, leaf(i))) {
      frontier[n.level] = { index: n.index, hash: n.hash };
      yield n;
    }
}

/** A deterministic spread of sizes (a small LCG): the same pairs on every run. */
function pairs(n: number, size: number): Array<[number, number]> {
  let x = 12345;
  const next = (m: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 + (x % m);
  };
  const out: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const to = k % 2 === 0 ? size : next(size);
    out.push([next(to), to]);
  }
  return out;
}

/** Median of 1,000 consistency proofs (from < to ≤ 1,000,000, half of them to the head) read from SQLite. */
export function consistencyProofFigure(dir: string): { ms: number; buildMs: number; proofLength: number } {
  const t0 = process.hrtime.bigint();
  const tree = openBenchTree(path.join(dir, 'tree.sqlite'), treeNodes(TREE_SIZE));
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    const ps = pairs(1000, TREE_SIZE);
    const runs: number[] = [];
    let longest = 0;
    for (const [from, to] of ps) {
      const t = process.hrtime.bigint();
      const proof = consistencyProof(sha256Bytes, tree.table.nodes, from, to);
      runs.push(Number(process.hrtime.bigint() - t) / 1e6);
      longest = Math.max(longest, proof.length);
    }
    // One proof checked, so that the figure is of a right answer.
    const [from, to] = ps[1] as [number, number];
    const a = rootAt(sha256Bytes, tree.table.nodes, from);
    const b = rootAt(sha256Bytes, tree.table.nodes, to);
    if (
      !verifyConsistency(
        sha256Bytes,
        from,
        to,
        a,
        b,
        consistencyProof(sha256Bytes, tree.table.nodes, from, to),
      )
    )
      throw new Error('bench consistency proof does not verify');
    return { ms: Math.round(median(runs) * 1000) / 1000, buildMs: Math.round(buildMs), proofLength: longest };
  } finally {
    tree.close();
  }
}

/**
 * treeAppendUs: `store.log.appendLeaf` alone (what the journal writer adds per entry: the leaf hash, up to log₂ n
 * node reads and hashes, the inserts), timed over 20,000 appends in one transaction after 20,000 journal
 * entries; beside it the whole journal append (entry, chain and tree) per entry, for scale.
 */
export function treeAppendFigure(dir: string): { us: number; journalAppendUs: number } {
  const s = openStore(path.join(dir, 'append.sqlite'));
  try {
    const N = 20_000;
    let t = process.hrtime.bigint();
    fillJournal(s, N, undefined);
    const journalAppendUs = Number(process.hrtime.bigint() - t) / 1e3 / N;
    const start = s.log.size();
    const leaves = Array.from({ length: N }, (_, i) => leaf(start + i));
    t = process.hrtime.bigint();
    s.write(() => {
      for (let i = 0; i < N; i++) s.log.appendLeaf(start + i, leaves[i] as Uint8Array);
    });
    const us = Number(process.hrtime.bigint() - t) / 1e3 / N;
    return { us: Math.round(us * 10) / 10, journalAppendUs: Math.round(journalAppendUs * 10) / 10 };
  } finally {
    s.close();
  }
}

// `node dist/bench/log.js`: these two figures alone.
if (require.main === module) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-log-'));
  const c = consistencyProofFigure(dir);
  console.log(
    `consistencyProofMs: ${c.ms} (median of 1,000 proofs on a ${TREE_SIZE}-leaf tree; built in ${c.buildMs} ms; longest proof ${c.proofLength} hashes)`,
  );
  const a = treeAppendFigure(dir);
  console.log(
    `treeAppendUs: ${a.us} (appendLeaf alone; a whole journal append ${a.journalAppendUs} µs per entry)`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}
