import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { JournalEntry, RawEntry } from '../domain/journal';
import type { Protocol, RosterEntry } from '../domain/protocol';
import type { DefinedLottery, LotteryDefinition, LotteryStatus, Meeting, Role } from '../domain/model';
import type { DatabaseSnapshot } from '../domain/verify';
import { backupTo } from './files';
import { journalHead, journalPage, journalRows, openWriteTx, type WriteTx } from './journal-table';
import {
  toCeremony,
  toLottery,
  toResult,
  toRosterEntry,
  type CeremonyDbRow,
  type CeremonyRow,
  type JournalFilter,
  type LotteryDbRow,
  type LotteryRow,
  type NoticeRow,
  type ResultDbRow,
  type ResultRow,
  type UserRow,
} from './rows';
import { migrate, MIGRATIONS_DIR, openConnection } from './schema';
import { SignInTables } from './signin';
import { LogTable } from './log-table';
import { PhysicalTables } from './physical';
import { databaseSnapshot } from './snapshot';

/**
 * The only module with SQL (with its neighbours in src/store). Every write goes through `write()`, a BEGIN
 * IMMEDIATE transaction: a deferred one upgrades its lock at the first write and fails with SQLITE_BUSY when
 * another process got there first, which under concurrent draws from several processes turns into spurious
 * 500s. The connection is private: what other modules may do with the file is a named method here.
 */
export { MIGRATIONS_DIR };

export type { CeremonyRow, JournalFilter, LotteryRow, ResultRow, UserRow } from './rows';
export type { Stamp, WriteTx } from './journal-table';
export type { BallRow, PoolSheetRow } from './physical';

const USER_COLUMNS = 'id, name, display, role, created_at, revoked_at';

export class Store {
  private readonly db: Database.Database;
  readonly path: string;
  /** Passwords, sessions and lockouts: the web sign-in's own tables (signin.ts). */
  readonly signIn: SignInTables;
  /** Pool sheets and balls: the physical draw's tables (physical.ts). */
  readonly physical: PhysicalTables;
  /** The journal's Merkle tree (log-table.ts, issue 13). */
  readonly log: LogTable;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.path = file;
    this.signIn = new SignInTables(this.stmt);
    this.physical = new PhysicalTables(this.stmt);
    this.log = new LogTable(this.stmt);
  }

  /** Opens (creating with mode 0600 if new: the file holds pre-draw secrets and token hashes) and migrates. */
  static open(file: string): Store {
    const db = openConnection(file);
    migrate(db);
    const store = new Store(db, file);
    // A journal written before migration 008 gets its tree now, once, in one transaction.
    if (store.log.size() < (store.journalHead()?.seq ?? 0)) store.write(() => store.log.catchUp());
    return store;
  }

  /** Opens an existing file read-only, for the offline verifier. Never creates or migrates. */
  static openReadOnly(file: string): Store {
    if (!fs.existsSync(file)) throw new Error(`no such database: ${file}`);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    return new Store(db, file);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements, prepared once per connection. */
  private readonly stmt = (sql: string): Database.Statement => {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  };

  close(): void {
    this.db.close();
  }

  /**
   * One write transaction, BEGIN IMMEDIATE. A thrown error rolls everything back, the tables and the journal
   * together. `fn` gets the transaction object, whose `appendJournal` is the only way to write an entry.
   */
  write<T>(fn: (tx: WriteTx) => T): T {
    return this.db
      .transaction(() => {
        const { tx, end } = openWriteTx(this.db, this.stmt);
        try {
          return fn(tx);
        } finally {
          end();
        }
      })
      .immediate();
  }

  /** A consistent read across several statements. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /** `lottery backup DEST`: one consistent copy of the live database (see files.ts). */
  backupTo(dest: string): void {
    backupTo(this.db, dest);
  }

  // ---- journal ----

  journalHead(): { seq: number; hash: string } | undefined {
    return journalHead(this.stmt);
  }

  /** Every row as stored, data as its text, in seq order: the verifier's input. */
  journalRows(): Generator<RawEntry> {
    return journalRows(this.stmt);
  }

  journalPage(f: JournalFilter): JournalEntry[] {
    return journalPage(this.stmt, f);
  }

  // ---- users ----

  insertUser(u: {
    id: string;
    name: string;
    display?: string;
    role: Role;
    tokenHash: string;
    createdAt: string;
  }): void {
    this.stmt(
      'INSERT INTO users (id, name, display, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(u.id, u.name, u.display ?? null, u.role, u.tokenHash, u.createdAt);
  }

  /** issue 13: whether the journal holds `session.started` for this user and session (services/sessions.ts). */
  hasSessionStarted(user: string, session: string): boolean {
    return (
      this.stmt(
        "SELECT 1 FROM journal WHERE type = 'session.started' AND json_extract(data, '$.session') = ? AND json_extract(data, '$.user') = ? LIMIT 1",
      ).get(session, user) !== undefined
    );
  }

  userByTokenHash(tokenHash: string): UserRow | undefined {
    return this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ?`).get(tokenHash) as
      UserRow | undefined;
  }

  userByName(name: string): UserRow | undefined {
    return this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE name = ?`).get(name) as UserRow | undefined;
  }

  userById(id: string): UserRow | undefined {
    return this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
  }

  listUsers(): UserRow[] {
    return this.stmt(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, id`).all() as UserRow[];
  }

  revokeUser(id: string, at: string): void {
    this.stmt('UPDATE users SET revoked_at = ? WHERE id = ?').run(at, id);
  }

  // ---- lotteries and their rosters ----

  insertLottery(l: DefinedLottery & { createdAt: string; copiedFrom?: string }): void {
    this.stmt(
      "INSERT INTO lotteries (id, year, agency, title, stages, meeting, status, created_at, rehearsal, copied_from) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
    ).run(
      l.id,
      l.year,
      l.agency,
      l.title,
      JSON.stringify(l.stages),
      JSON.stringify(l.meeting),
      l.createdAt,
      l.rehearsal === true ? 1 : 0,
      l.copiedFrom ?? null,
    );
    if (l.method === 'physical') this.physical.setMethod(l.id, 'physical');
  }

  /** issue 11: the meeting amended after the lock; nothing the commitment covers is touched. */
  updateMeeting(id: string, meeting: Meeting): void {
    this.stmt('UPDATE lotteries SET meeting = ? WHERE id = ?').run(JSON.stringify(meeting), id);
  }

  /** issue 11: a cancellation, final (migration 005's trigger). */
  setCancelled(id: string, at: string, reason: string): void {
    this.stmt('UPDATE lotteries SET cancelled_at = ?, cancel_reason = ? WHERE id = ?').run(at, reason, id);
  }

  lottery(id: string): LotteryRow | undefined {
    const r = this.stmt('SELECT * FROM lotteries WHERE id = ?').get(id) as LotteryDbRow | undefined;
    return r ? toLottery(r) : undefined;
  }

  listLotteries(): LotteryRow[] {
    const rows = this.stmt('SELECT * FROM lotteries ORDER BY year DESC, created_at DESC').all();
    return (rows as LotteryDbRow[]).map(toLottery);
  }

  updateDefinition(id: string, d: Pick<LotteryDefinition, 'title' | 'stages' | 'meeting'>): void {
    this.stmt('UPDATE lotteries SET title = ?, stages = ?, meeting = ? WHERE id = ?').run(
      d.title,
      JSON.stringify(d.stages),
      JSON.stringify(d.meeting),
      id,
    );
  }

  replaceRoster(id: string, entries: readonly RosterEntry[], digest: string): void {
    this.stmt('DELETE FROM roster_entries WHERE lottery_id = ?').run(id);
    const ins = this.stmt(
      'INSERT INTO roster_entries (lottery_id, id, name, unit, title, category, excluded) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of entries)
      ins.run(id, e.id, e.name, e.unit ?? null, e.title ?? null, e.category ?? null, e.excluded ?? null);
    this.stmt('UPDATE lotteries SET roster_digest = ? WHERE id = ?').run(digest, id);
  }

  updateEntryExclusion(id: string, entryId: string, excluded: string | null): number {
    return this.stmt('UPDATE roster_entries SET excluded = ? WHERE lottery_id = ? AND id = ?').run(
      excluded,
      id,
      entryId,
    ).changes;
  }

  setRosterDigest(id: string, digest: string): void {
    this.stmt('UPDATE lotteries SET roster_digest = ? WHERE id = ?').run(digest, id);
  }

  roster(id: string): RosterEntry[] {
    const rows = this.stmt(
      'SELECT id, name, unit, title, category, excluded FROM roster_entries WHERE lottery_id = ? ORDER BY id',
    ).all(id) as Array<Record<string, string | null>>;
    return rows.map(toRosterEntry);
  }

  rosterCount(id: string): number {
    const r = this.stmt('SELECT count(*) AS n FROM roster_entries WHERE lottery_id = ?').get(id);
    return (r as { n: number }).n;
  }

  setLocked(id: string, secret: string, commitment: string, protocol: Protocol): void {
    this.stmt(
      "UPDATE lotteries SET status = 'locked', secret = ?, commitment = ?, protocol = ? WHERE id = ? AND status = 'draft'",
    ).run(secret, commitment, protocol, id);
  }

  setUnlocked(id: string): void {
    this.stmt(
      "UPDATE lotteries SET status = 'draft', secret = NULL, commitment = NULL, protocol = NULL WHERE id = ? AND status = 'locked'",
    ).run(id);
  }

  setDrawn(id: string, status: LotteryStatus, entropy: string, seed: string): void {
    this.stmt('UPDATE lotteries SET status = ?, entropy = ?, seed = ? WHERE id = ?').run(
      status,
      entropy,
      seed,
      id,
    );
  }

  insertResult(id: string, r: ResultRow): void {
    this.stmt(
      'INSERT INTO results (lottery_id, stage, pool_size, quota, winners, drawn_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, r.stage, r.poolSize, r.quota, JSON.stringify(r.winners), r.drawnAt);
  }

  results(id: string): ResultRow[] {
    const rows = this.stmt(
      'SELECT stage, pool_size, quota, winners, drawn_at FROM results WHERE lottery_id = ? ORDER BY stage',
    ).all(id) as ResultDbRow[];
    return rows.map(toResult);
  }

  /**
   * What `lottery verify --db` checks, read in one transaction: every journal row as stored, and each lottery as
   * the tables hold it (see snapshot.ts).
   */
  snapshot(): DatabaseSnapshot {
    return databaseSnapshot(this);
  }

  // ---- the ceremony (v2) ----

  openCeremony(c: Omit<CeremonyRow, 'endedAt' | 'endedHow' | 'endReason' | 'endedBy'>): void {
    this.stmt(
      'INSERT INTO ceremonies (lottery_id, seq, token_hash, user_id, commitment, opened_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.lotteryId, c.seq, c.tokenHash, c.userId, c.commitment, c.openedAt);
  }

  /** Ends the open ceremony of a lottery, if any. */
  endCeremony(
    lotteryId: string,
    end: { at: string; how: 'reopened' | 'adjourned'; by: string; reason?: string },
  ): void {
    this.stmt(
      'UPDATE ceremonies SET ended_at = ?, ended_how = ?, ended_by = ?, end_reason = ? WHERE lottery_id = ? AND ended_at IS NULL',
    ).run(end.at, end.how, end.by, end.reason ?? null, lotteryId);
  }

  openCeremonyOf(lotteryId: string): CeremonyRow | undefined {
    const r = this.stmt('SELECT * FROM ceremonies WHERE lottery_id = ? AND ended_at IS NULL').get(lotteryId);
    return r ? toCeremony(r as CeremonyDbRow) : undefined;
  }

  ceremonies(lotteryId: string): CeremonyRow[] {
    const rows = this.stmt('SELECT * FROM ceremonies WHERE lottery_id = ? ORDER BY seq').all(lotteryId);
    return (rows as CeremonyDbRow[]).map(toCeremony);
  }

  // ---- the notice (v2) and the record ----

  insertNotice(n: {
    lotteryId: string;
    seq: number;
    commitment: string;
    pdf: Buffer;
    sha256: string;
    issuedAt: string;
  }): void {
    this.stmt(
      'INSERT INTO notices (lottery_id, seq, commitment, pdf, sha256, issued_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(n.lotteryId, n.seq, n.commitment, n.pdf, n.sha256, n.issuedAt);
  }

  /** The latest notice of a lottery. */
  notice(lotteryId: string): NoticeRow | undefined {
    const r = this.stmt(
      'SELECT seq, commitment, pdf, sha256, issued_at FROM notices WHERE lottery_id = ? ORDER BY seq DESC LIMIT 1',
    ).get(lotteryId) as (Omit<NoticeRow, 'issuedAt'> & { issued_at: string }) | undefined;
    return r
      ? { seq: r.seq, commitment: r.commitment, pdf: r.pdf, sha256: r.sha256, issuedAt: r.issued_at }
      : undefined;
  }

  insertRecord(id: string, kind: 'full' | 'public', pdf: Buffer, sha256: string, issuedAt: string): void {
    this.stmt('INSERT INTO records (lottery_id, kind, pdf, sha256, issued_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      kind,
      pdf,
      sha256,
      issuedAt,
    );
  }

  record(id: string, kind: 'full' | 'public'): { pdf: Buffer; sha256: string; issuedAt: string } | undefined {
    const r = this.stmt('SELECT pdf, sha256, issued_at FROM records WHERE lottery_id = ? AND kind = ?').get(
      id,
      kind,
    ) as { pdf: Buffer; sha256: string; issued_at: string } | undefined;
    return r ? { pdf: r.pdf, sha256: r.sha256, issuedAt: r.issued_at } : undefined;
  }
}
