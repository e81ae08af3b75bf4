import type Database from 'better-sqlite3';
import { toSession, type SessionDbRow, type SessionRow } from './rows';

/**
 * The web sign-in's tables: password hashes, sessions (by the hash of their id) and lockouts. Only
 * services/auth.ts reads them, through `store.signIn`; none of it is journalled except the lockouts, which
 * auth.ts journals itself.
 */
export class SignInTables {
  constructor(private readonly stmt: (sql: string) => Database.Statement) {}

  setPassword(userId: string, hash: string): void {
    this.stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, userId);
  }

  passwordHash(userId: string): string | null {
    const r = this.stmt('SELECT password_hash FROM users WHERE id = ?').get(userId) as
      { password_hash: string | null } | undefined;
    return r?.password_hash ?? null;
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

  session(idHash: string): SessionRow | undefined {
    const r = this.stmt(
      'SELECT user_id, csrf, created_at, last_seen, expires_at FROM sessions WHERE id_hash = ?',
    ).get(idHash) as SessionDbRow | undefined;
    return r ? toSession(r) : undefined;
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

  /** Until when the account's lockout has been journalled (migration 007): one user.locked per lock period. */
  lockJournalledUntil(userId: string): string | null {
    const r = this.stmt('SELECT locked_journalled_until AS u FROM users WHERE id = ?').get(userId) as
      { u: string | null } | undefined;
    return r?.u ?? null;
  }

  setLockJournalledUntil(userId: string, until: string | null): void {
    this.stmt('UPDATE users SET locked_journalled_until = ? WHERE id = ?').run(until, userId);
  }

  /** Each account's sign-in state for the admin page: whether it has a password, and its latest live lock. */
  accountStates(now: string): Map<string, { hasPassword: boolean; lockedUntil: string | null }> {
    const rows = this.stmt(
      'SELECT u.id, u.password_hash IS NOT NULL AS has_password, ' +
        '(SELECT MAX(locked_until) FROM login_failures f WHERE f.user_id = u.id AND f.locked_until > ?) AS locked_until ' +
        'FROM users u',
    ).all(now) as Array<{ id: string; has_password: number; locked_until: string | null }>;
    return new Map(
      rows.map((r) => [r.id, { hasPassword: r.has_password === 1, lockedUntil: r.locked_until }]),
    );
  }

  /** The active (not deactivated) admins: read inside the write transaction that would remove one. */
  activeAdminCount(): number {
    const r = this.stmt(
      "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND revoked_at IS NULL",
    ).get() as {
      n: number;
    };
    return r.n;
  }

  setRole(userId: string, role: string): void {
    this.stmt('UPDATE users SET role = ? WHERE id = ?').run(role, userId);
  }

  /** A new API token's hash: the old bearer token stops working at once (token_hash is NOT NULL UNIQUE). */
  setTokenHash(userId: string, tokenHash: string): void {
    this.stmt('UPDATE users SET token_hash = ? WHERE id = ?').run(tokenHash, userId);
  }

  /** Ends the user's sessions, but for one (the session changing its own password), if given. */
  deleteSessionsExcept(userId: string, keepIdHash: string): void {
    this.stmt('DELETE FROM sessions WHERE user_id = ? AND id_hash != ?').run(userId, keepIdHash);
  }

  clearLoginFailures(userId: string, address?: string): void {
    if (address === undefined) this.stmt('DELETE FROM login_failures WHERE user_id = ?').run(userId);
    else this.stmt('DELETE FROM login_failures WHERE user_id = ? AND address = ?').run(userId, address);
  }
}
