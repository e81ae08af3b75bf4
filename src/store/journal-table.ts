import type Database from 'better-sqlite3';
import { jcs, type Json, type Sha256 } from '../domain/canonical';
import { eventData, type JournalEvent } from '../domain/events';
import { makeEntry, type JournalEntry, type RawEntry } from '../domain/journal';
import { LogTable } from './log-table';
import type { JournalFilter } from './rows';

type Stmt = (sql: string) => Database.Statement;

/** Who wrote an entry and when: the two fields of an entry that are not the event itself. */
export interface Stamp {
  actor: string;
  at: string;
}

/**
 * What `store.write(fn)` hands its callback. `appendJournal` is the only way an entry enters the journal, so
 * every entry is built the same way (head, then makeEntry, then the insert) and only inside a write
 * transaction, where the head it chains to cannot move under it. The object is dead once the transaction
 * ends: one kept past it refuses to write.
 */
export interface WriteTx {
  appendJournal(event: JournalEvent, stamp: Stamp, sha256: Sha256): JournalEntry;
}

export function journalHead(stmt: Stmt): { seq: number; hash: string } | undefined {
  return stmt('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
}

/** The transaction object of one write; `end()` is called by the store when the transaction is over. */
export function openWriteTx(db: Database.Database, stmt: Stmt): { tx: WriteTx; end: () => void } {
  let live = true;
  const log = new LogTable(stmt);
  const tx: WriteTx = {
    appendJournal(event, stamp, sha256) {
      // A journal entry written outside BEGIN IMMEDIATE could chain to a head another process is replacing.
      if (!live || !db.inTransaction) throw new Error('appendJournal outside its write transaction');
      const e = makeEntry(
        journalHead(stmt),
        { at: stamp.at, type: event.type, actor: stamp.actor, data: eventData(event) },
        sha256,
      );
      stmt('INSERT INTO journal (seq, at, type, actor, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        e.seq,
        e.at,
        e.type,
        e.actor,
        jcs(e.data),
        e.prev,
        e.hash,
      );
      // The Merkle tree over the journal (migration 008) grows in the same transaction as the entry. catchUp,
      // not one leaf: a row another writer put in the journal table directly is covered too (verify --db
      // compares the tree with the journal), rather than leaving the tree short of it.
      log.catchUp();
      return e;
    },
  };
  return {
    tx,
    end: () => {
      live = false;
    },
  };
}

/** Every row as stored, data as its text, in seq order: the verifier's input. */
export function* journalRows(stmt: Stmt): Generator<RawEntry> {
  const st = stmt('SELECT seq, at, type, actor, data, prev, hash FROM journal ORDER BY seq');
  for (const r of st.iterate()) yield r as RawEntry;
}

export function journalPage(stmt: Stmt, f: JournalFilter): JournalEntry[] {
  const where: string[] = ['seq > ?'];
  const args: Array<string | number> = [f.after ?? 0];
  if (f.lottery !== undefined) {
    where.push("json_extract(data, '$.lottery') = ?");
    args.push(f.lottery);
  }
  if (f.type !== undefined) {
    where.push('type = ?');
    args.push(f.type);
  }
  if (f.before !== undefined) {
    where.push('seq < ?');
    args.push(f.before);
  }
  const order = f.before === undefined ? 'ASC' : 'DESC';
  const rows = stmt(
    `SELECT seq, at, type, actor, data, prev, hash FROM journal WHERE ${where.join(' AND ')} ORDER BY seq ${order} LIMIT ?`,
  ).all(...args, f.limit) as Array<Omit<JournalEntry, 'data'> & { data: string }>;
  if (f.before !== undefined) rows.reverse();
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as { [key: string]: Json } }));
}
