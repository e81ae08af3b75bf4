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

  clearLoginFailures(userId: string, address?: string): void {
    if (address === undefined) this.stmt('DELETE FROM login_failures WHERE user_id = ?').run(userId);
    else this.stmt('DELETE FROM login_failures WHERE user_id = ? AND address = ?').run(userId, address);
  }
}
