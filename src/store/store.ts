import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Json } from '../domain/canonical';
import { jcs } from '../domain/canonical';
import type { JournalEntry, RawEntry } from '../domain/journal';
import type { Protocol, RosterEntry } from '../domain/protocol';
import type { LotteryStatus, StageDef } from '../domain/replay';
import { meetingJson, type Meeting } from '../domain/lottery';
import type { DatabaseSnapshot } from '../domain/verify';

/**
 * The only module with SQL. Every write goes through `write()`, a BEGIN IMMEDIATE transaction: a deferred
 * one upgrades its lock at the first write and fails with SQLITE_BUSY when another process got there first,
 * which under concurrent draws from several processes turns into spurious 500s.
 */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'db', 'migrations');

import { ROLES, type Role } from '../domain/model';
export { ROLES, type Role };

export interface UserRow {
  id: string;
  name: string;
  display: string | null;
  role: Role;
  created_at: string;
  revoked_at: string | null;
}

export interface LotteryRow {
  id: string;
  year: number;
  agency: string;
  title: string;
  stages: StageDef[];
  meeting: Meeting;
  status: LotteryStatus;
  rosterDigest: string | null;
  secret: string | null;
  commitment: string | null;
  entropy: string | null;
  seed: string | null;
  /** The protocol it was locked under; null in draft. */
  protocol: Protocol | null;
  createdAt: string;
}

export interface CeremonyRow {
  lotteryId: string;
  seq: number;
  tokenHash: string;
  userId: string;
  commitment: string;
  openedAt: string;
  endedAt: string | null;
  endedHow: 'reopened' | 'adjourned' | null;
  endReason: string | null;
  endedBy: string | null;
}

export interface ResultRow {
  stage: number;
  poolSize: number;
  quota: number;
  winners: string[];
  drawnAt: string;
}

interface LotteryDbRow {
  id: string;
  year: number;
  agency: string;
  title: string;
  stages: string;
  meeting: string;
  status: LotteryStatus;
  roster_digest: string | null;
  secret: string | null;
  commitment: string | null;
  entropy: string | null;
  seed: string | null;
  protocol: Protocol | null;
  created_at: string;
}

function toLottery(r: LotteryDbRow): LotteryRow {
  return {
    id: r.id,
    year: r.year,
    agency: r.agency,
    title: r.title,
    stages: JSON.parse(r.stages) as StageDef[],
    meeting: JSON.parse(r.meeting) as Meeting,
    status: r.status,
    rosterDigest: r.roster_digest,
    secret: r.secret,
    commitment: r.commitment,
    entropy: r.entropy,
    seed: r.seed,
    protocol: r.protocol,
    createdAt: r.created_at,
  };
}

export interface JournalFilter {
  after?: number;
  /** The page that ends just before this seq (the newest entries below it), still returned in seq order. */
  before?: number;
  limit: number;
  lottery?: string;
  type?: string;
}

interface CeremonyDbRow {
  lottery_id: string;
  seq: number;
  token_hash: string;
  user_id: string;
  commitment: string;
  opened_at: string;
  ended_at: string | null;
  ended_how: 'reopened' | 'adjourned' | null;
  end_reason: string | null;
  ended_by: string | null;
}

function toCeremony(r: CeremonyDbRow): CeremonyRow {
  return {
    lotteryId: r.lottery_id,
    seq: r.seq,
    tokenHash: r.token_hash,
    userId: r.user_id,
    commitment: r.commitment,
    openedAt: r.opened_at,
    endedAt: r.ended_at,
    endedHow: r.ended_how,
    endReason: r.end_reason,
    endedBy: r.ended_by,
  };
}

export class Store {
  readonly db: Database.Database;
  readonly path: string;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.path = file;
  }

  /** Opens (creating with mode 0600 if new: the file holds pre-draw secrets and token hashes) and migrates. */
  static open(file: string): Store {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
      if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const store = new Store(db, file);
    store.migrate();
    return store;
  }

  /** Opens an existing file read-only, for the offline verifier. Never creates or migrates. */
  static openReadOnly(file: string): Store {
    if (!fs.existsSync(file)) throw new Error(`no such database: ${file}`);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    return new Store(db, file);
  }

  private migrate(): void {
    const files = fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{3}_.+\.sql$/.test(f))
      .sort();
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (const f of files) {
      const n = Number(f.slice(0, 3));
      if (n <= current) continue;
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8');
      this.db
        .transaction(() => {
          this.db.exec(sql);
          this.db.pragma(`user_version = ${n}`);
        })
        .immediate();
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements, prepared once per connection. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  close(): void {
    this.db.close();
  }

  /** One write transaction, BEGIN IMMEDIATE. A thrown error rolls everything back. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** A consistent read across several statements. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  // ---- journal ----

  journalHead(): { seq: number; hash: string } | undefined {
    return this.stmt('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
  }

  appendJournal(e: JournalEntry): void {
    this.stmt(
      'INSERT INTO journal (seq, at, type, actor, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(e.seq, e.at, e.type, e.actor, jcs(e.data), e.prev, e.hash);
  }

  /** Every row as stored, data as its text, in seq order: the verifier's input. */
  *journalRows(): Generator<RawEntry> {
    const stmt = this.stmt('SELECT seq, at, type, actor, data, prev, hash FROM journal ORDER BY seq');
    for (const r of stmt.iterate()) yield r as RawEntry;
  }

  journalPage(f: JournalFilter): JournalEntry[] {
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
    const rows = this.stmt(
      `SELECT seq, at, type, actor, data, prev, hash FROM journal WHERE ${where.join(' AND ')} ORDER BY seq ${order} LIMIT ?`,
    ).all(...args, f.limit) as Array<Omit<JournalEntry, 'data'> & { data: string }>;
    if (f.before !== undefined) rows.reverse();
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as { [key: string]: Json } }));
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

  userByTokenHash(tokenHash: string): UserRow | undefined {
    return this.stmt(
      'SELECT id, name, display, role, created_at, revoked_at FROM users WHERE token_hash = ?',
    ).get(tokenHash) as UserRow | undefined;
  }

  userByName(name: string): UserRow | undefined {
    return this.stmt('SELECT id, name, display, role, created_at, revoked_at FROM users WHERE name = ?').get(
      name,
    ) as UserRow | undefined;
  }

  listUsers(): UserRow[] {
    return this.stmt(
      'SELECT id, name, display, role, created_at, revoked_at FROM users ORDER BY created_at, id',
    ).all() as UserRow[];
  }

  revokeUser(id: string, at: string): void {
    this.stmt('UPDATE users SET revoked_at = ? WHERE id = ?').run(at, id);
  }

  // ---- web sign-in ----

  setPassword(userId: string, hash: string): void {
    this.stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, userId);
  }

  passwordHash(userId: string): string | null {
    const r = this.stmt('SELECT password_hash FROM users WHERE id = ?').get(userId) as
      { password_hash: string | null } | undefined;
    return r?.password_hash ?? null;
  }

  userById(id: string): UserRow | undefined {
    return this.stmt('SELECT id, name, display, role, created_at, revoked_at FROM users WHERE id = ?').get(
      id,
    ) as UserRow | undefined;
  }

  insertSession(s: {
    idHash: string;
    userId: string;
    csrf: string;
    createdAt: string;
    expiresAt: string;
  }): void {
    this.stmt(
      'INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(s.idHash, s.userId, s.csrf, s.createdAt, s.createdAt, s.expiresAt);
  }

  session(
    idHash: string,
  ): { userId: string; csrf: string; createdAt: string; lastSeen: string; expiresAt: string } | undefined {
    const r = this.stmt(
      'SELECT user_id, csrf, created_at, last_seen, expires_at FROM sessions WHERE id_hash = ?',
    ).get(idHash) as
      | { user_id: string; csrf: string; created_at: string; last_seen: string; expires_at: string }
      | undefined;
    return r
      ? {
          userId: r.user_id,
          csrf: r.csrf,
          createdAt: r.created_at,
          lastSeen: r.last_seen,
          expiresAt: r.expires_at,
        }
      : undefined;
  }

  touchSession(idHash: string, at: string): void {
    this.stmt('UPDATE sessions SET last_seen = ? WHERE id_hash = ?').run(at, idHash);
  }

  deleteSession(idHash: string): void {
    this.stmt('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteSessionsOf(userId: string): void {
    this.stmt('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  loginFailures(
    userId: string,
    address: string,
  ): { failures: number; lockedUntil: string | null } | undefined {
    const r = this.stmt(
      'SELECT failures, locked_until FROM login_failures WHERE user_id = ? AND address = ?',
    ).get(userId, address) as { failures: number; locked_until: string | null } | undefined;
    return r ? { failures: r.failures, lockedUntil: r.locked_until } : undefined;
  }

  setLoginFailures(userId: string, address: string, failures: number, lockedUntil: string | null): void {
    this.stmt(
      'INSERT INTO login_failures (user_id, address, failures, locked_until) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (user_id, address) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until',
    ).run(userId, address, failures, lockedUntil);
  }

  clearLoginFailures(userId: string, address?: string): void {
    if (address === undefined) this.stmt('DELETE FROM login_failures WHERE user_id = ?').run(userId);
    else this.stmt('DELETE FROM login_failures WHERE user_id = ? AND address = ?').run(userId, address);
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

  // ---- lotteries ----

  insertLottery(l: {
    id: string;
    year: number;
    agency: string;
    title: string;
    stages: StageDef[];
    meeting: Meeting;
    createdAt: string;
  }): void {
    this.stmt(
      "INSERT INTO lotteries (id, year, agency, title, stages, meeting, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?)",
    ).run(l.id, l.year, l.agency, l.title, JSON.stringify(l.stages), JSON.stringify(l.meeting), l.createdAt);
  }

  lottery(id: string): LotteryRow | undefined {
    const r = this.stmt('SELECT * FROM lotteries WHERE id = ?').get(id) as LotteryDbRow | undefined;
    return r ? toLottery(r) : undefined;
  }

  listLotteries(): LotteryRow[] {
    return (
      this.stmt('SELECT * FROM lotteries ORDER BY year DESC, created_at DESC').all() as LotteryDbRow[]
    ).map(toLottery);
  }

  updateDefinition(id: string, d: { title: string; stages: StageDef[]; meeting: Meeting }): void {
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

  roster(id: string): RosterEntry[] {
    const rows = this.stmt(
      'SELECT id, name, unit, title, category, excluded FROM roster_entries WHERE lottery_id = ? ORDER BY id',
    ).all(id) as Array<Record<string, string | null>>;
    return rows.map((r) => {
      const e: Record<string, string> = {};
      for (const [k, v] of Object.entries(r)) if (v !== null) e[k] = v;
      return e as unknown as RosterEntry;
    });
  }

  rosterCount(id: string): number {
    return (
      this.stmt('SELECT count(*) AS n FROM roster_entries WHERE lottery_id = ?').get(id) as {
        n: number;
      }
    ).n;
  }

  /**
   * What `lottery verify --db` checks, read in one transaction: every journal row as stored, and each lottery as
   * the tables hold it. The verifier compares the two and recomputes the draws; it never trusts either alone.
   */
  snapshot(): DatabaseSnapshot {
    return this.read(() => ({
      journal: [...this.journalRows()],
      lotteries: this.listLotteries().map((l) => ({
        id: l.id,
        status: l.status,
        rosterDigest: l.rosterDigest,
        roster: this.roster(l.id),
        results: this.results(l.id).map((r) => ({
          stage: r.stage,
          winners: r.winners,
          poolSize: r.poolSize,
          quota: r.quota,
        })),
        // A database from before lottery-draw/v2 has no protocol column: the replay's lock decides alone.
        ...(l.protocol === undefined ? {} : { protocol: l.protocol }),
        year: l.year,
        agency: l.agency,
        title: l.title,
        stages: l.stages,
        meeting: meetingJson(l.meeting),
        commitment: l.commitment,
        secret: l.secret,
        entropy: l.entropy,
        seed: l.seed,
      })),
    }));
  }

  // ---- the ceremony (v2) ----

  openCeremony(c: {
    lotteryId: string;
    seq: number;
    tokenHash: string;
    userId: string;
    commitment: string;
    openedAt: string;
  }): void {
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
    const r = this.stmt('SELECT * FROM ceremonies WHERE lottery_id = ? AND ended_at IS NULL').get(
      lotteryId,
    ) as CeremonyDbRow | undefined;
    return r ? toCeremony(r) : undefined;
  }

  ceremonies(lotteryId: string): CeremonyRow[] {
    return (
      this.stmt('SELECT * FROM ceremonies WHERE lottery_id = ? ORDER BY seq').all(
        lotteryId,
      ) as CeremonyDbRow[]
    ).map(toCeremony);
  }

  // ---- the notice (v2) ----

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
  notice(
    lotteryId: string,
  ): { seq: number; commitment: string; pdf: Buffer; sha256: string; issuedAt: string } | undefined {
    const r = this.stmt(
      'SELECT seq, commitment, pdf, sha256, issued_at FROM notices WHERE lottery_id = ? ORDER BY seq DESC LIMIT 1',
    ).get(lotteryId) as
      { seq: number; commitment: string; pdf: Buffer; sha256: string; issued_at: string } | undefined;
    return r
      ? { seq: r.seq, commitment: r.commitment, pdf: r.pdf, sha256: r.sha256, issuedAt: r.issued_at }
      : undefined;
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

  results(id: string): ResultRow[] {
    const rows = this.stmt(
      'SELECT stage, pool_size, quota, winners, drawn_at FROM results WHERE lottery_id = ? ORDER BY stage',
    ).all(id) as Array<{
      stage: number;
      pool_size: number;
      quota: number;
      winners: string;
      drawn_at: string;
    }>;
    return rows.map((r) => ({
      stage: r.stage,
      poolSize: r.pool_size,
      quota: r.quota,
      winners: JSON.parse(r.winners) as string[],
      drawnAt: r.drawn_at,
    }));
  }
}
