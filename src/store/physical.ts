import type Database from 'better-sqlite3';

/** A stage's numbered pool sheet (protocol.md §6.1): number n is entries[n - 1]. */
export interface PoolSheetRow {
  stage: number;
  entries: string[];
  sha256: string;
  issuedAt: string;
}

/** One ball entered, undone or not. */
export interface BallRow {
  stage: number;
  position: number;
  number: number;
  entry: string;
  seq: number;
  drawnAt: string;
  undoneAt: string | null;
  undoReason: string | null;
}

interface BallDbRow {
  stage: number;
  position: number;
  number: number;
  entry: string;
  seq: number;
  drawn_at: string;
  undone_at: string | null;
  undo_reason: string | null;
}

/** The physical draw's tables (db/migrations/006_physical.sql): pool sheets and balls. */
export class PhysicalTables {
  constructor(private readonly stmt: (sql: string) => Database.Statement) {}

  /** Whether the file has these tables: one not yet migrated to 006, read as it is by verify --db, has not. */
  present(): boolean {
    return (
      this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'balls'").get() !== undefined
    );
  }

  setMethod(lotteryId: string, method: 'random' | 'physical'): void {
    this.stmt('UPDATE lotteries SET method = ? WHERE id = ?').run(method, lotteryId);
  }

  insertSheet(lotteryId: string, s: PoolSheetRow): void {
    this.stmt(
      'INSERT INTO pool_sheets (lottery_id, stage, entries, sha256, issued_at) VALUES (?, ?, ?, ?, ?)',
    ).run(lotteryId, s.stage, JSON.stringify(s.entries), s.sha256, s.issuedAt);
  }

  /** An unlock voids the sheet issued at the lock (the journal keeps its digest). */
  voidSheets(lotteryId: string): void {
    this.stmt('DELETE FROM pool_sheets WHERE lottery_id = ?').run(lotteryId);
  }

  sheets(lotteryId: string): PoolSheetRow[] {
    const rows = this.stmt(
      'SELECT stage, entries, sha256, issued_at FROM pool_sheets WHERE lottery_id = ? ORDER BY stage',
    ).all(lotteryId) as Array<{ stage: number; entries: string; sha256: string; issued_at: string }>;
    return rows.map((r) => ({
      stage: r.stage,
      entries: JSON.parse(r.entries) as string[],
      sha256: r.sha256,
      issuedAt: r.issued_at,
    }));
  }

  insertBall(lotteryId: string, b: Omit<BallRow, 'undoneAt' | 'undoReason'>): void {
    this.stmt(
      'INSERT INTO balls (lottery_id, stage, position, number, entry, seq, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(lotteryId, b.stage, b.position, b.number, b.entry, b.seq, b.drawnAt);
  }

  undoBall(lotteryId: string, stage: number, position: number, at: string, reason: string): void {
    this.stmt(
      'UPDATE balls SET undone_at = ?, undo_reason = ? WHERE lottery_id = ? AND stage = ? AND position = ?',
    ).run(at, reason, lotteryId, stage, position);
  }

  /** Every ball of the lottery, stage by stage, in the order entered. */
  balls(lotteryId: string): BallRow[] {
    const rows = this.stmt(
      'SELECT stage, position, number, entry, seq, drawn_at, undone_at, undo_reason FROM balls WHERE lottery_id = ? ORDER BY stage, position',
    ).all(lotteryId) as BallDbRow[];
    return rows.map((r) => ({
      stage: r.stage,
      position: r.position,
      number: r.number,
      entry: r.entry,
      seq: r.seq,
      drawnAt: r.drawn_at,
      undoneAt: r.undone_at,
      undoReason: r.undo_reason,
    }));
  }
}
