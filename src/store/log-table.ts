import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { nodesCompletedBy, type TreeNodes } from '../domain/log/merkle';
import { sha256Bytes } from '../util/sha256';
import { MIGRATIONS_DIR } from './schema';

export { sha256Bytes };

type Stmt = (sql: string) => Database.Statement;

/** A journal entry's hash (64 hex characters) as the 32 raw bytes that are its leaf input. */
export const leafInput = (hashHex: string): Uint8Array => new Uint8Array(Buffer.from(hashHex, 'hex'));

/**
 * The Merkle tree's stored perfect subtrees (migration 008). Only `appendLeaf` writes, and only from the journal
 * writer, inside the entry's own transaction: the tree can never be ahead of or behind the journal it covers.
 */
export class LogTable {
  constructor(private readonly stmt: Stmt) {}

  readonly nodes: TreeNodes = {
    node: (level, index) => {
      const r = this.stmt('SELECT hash FROM log_nodes WHERE level = ? AND idx = ?').get(level, index) as
        { hash: Buffer } | undefined;
      if (!r) throw new RangeError(`the log has no node ${level}/${index}`);
      return new Uint8Array(r.hash);
    },
  };

  /** The number of leaves the tree holds. */
  size(): number {
    const r = this.stmt('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM log_nodes WHERE level = 0').get() as {
      n: number;
    };
    return r.n;
  }

  /** The hash of the entry with `seq` (hex, as the journal shows it): the leaf input, not the leaf hash. */
  entryHash(seq: number): string {
    const r = this.stmt('SELECT hash FROM journal WHERE seq = ?').get(seq) as { hash: string } | undefined;
    if (!r) throw new RangeError(`no journal entry ${seq}`);
    return r.hash;
  }

  appendLeaf(index: number, leaf: Uint8Array): void {
    const ins = this.stmt('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)');
    for (const n of nodesCompletedBy(sha256Bytes, this.nodes, index, leaf))
      ins.run(n.level, n.index, Buffer.from(n.hash));
  }

  /**
   * A database from before migration 008 (or any entry the tree lacks): the missing leaves, in seq order.
   * Called in a write transaction at open; the journal's own hashes are not re-derived here (verify does that).
   */
  catchUp(): number {
    const from = this.size();
    let n = 0;
    // In pages: better-sqlite3 cannot write while a statement iterates, and an old journal may be long.
    for (;;) {
      const rows = this.stmt('SELECT seq, hash FROM journal WHERE seq > ? ORDER BY seq LIMIT 10000').all(
        from + n,
      ) as Array<{ seq: number; hash: string }>;
      for (const r of rows) {
        if (r.seq !== from + n + 1) throw new Error(`journal seq ${r.seq} out of order for the log`);
        this.appendLeaf(r.seq - 1, leafInput(r.hash));
        n++;
      }
      if (rows.length < 10000) return n;
    }
  }
}

/**
 * The bench only (src/bench/log.ts, `consistencyProofMs`): a file holding just migration 008's `log_nodes`,
 * filled in one transaction with one prepared statement from precomputed nodes, so that a 1,000,000-leaf tree
 * is built in seconds without a million journal entries. It is never a service's database.
 */
export function openBenchTree(
  file: string,
  nodes: Iterable<{ level: number; index: number; hash: Uint8Array }>,
): { table: LogTable; close(): void } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(fs.readFileSync(path.join(MIGRATIONS_DIR, '008_log.sql'), 'utf8'));
  const ins = db.prepare('INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const n of nodes) ins.run(n.level, n.index, Buffer.from(n.hash));
  })();
  const cache = new Map<string, Database.Statement>();
  const stmt: Stmt = (sql) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return { table: new LogTable(stmt), close: () => db.close() };
}
