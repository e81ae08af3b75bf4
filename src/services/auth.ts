import crypto from 'node:crypto';
import { LotteryError } from '../domain/errors';
import type { Sha256 } from '../domain/canonical';
import type { Role } from '../domain/model';
import type { Store } from '../store/store';

/**
 * Web sign-in. Passwords are hashed with scrypt and a per-user salt; sessions and lockouts live in SQLite, so any
 * server process answers alike. Tokens, CSRF values and password hashes are compared in constant time.
 *
 * Lockout: five failed sign-ins in a row for one account from one address lock that pair for 15 minutes. It is
 * per address, so a stranger elsewhere cannot lock the minister out before the ceremony; and `lottery user unlock
 * NAME` (or the admin page) lifts it. It is journalled (user.locked) once per account per lock period, whoever is
 * knocking: addresses are cheap to vary (issue 12: 135 entries in 25 s from spoofed addresses), the journal is not.
 */
export const SESSION_HOURS = 12;
export const IDLE_MINUTES = 60;
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;

/** Sign-in passwords: at least 10 characters, checked before anything is written (issue 12). */
export const MIN_PASSWORD = 10;

export function checkPasswordRule(password: string): void {
  if ([...password].length < MIN_PASSWORD)
    throw new LotteryError('VALIDATION_FAILED', {
      zh: `密碼至少 ${MIN_PASSWORD} 個字元`,
      en: `The password must have at least ${MIN_PASSWORD} characters`,
    });
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashPassword(password: string, salt: Uint8Array = crypto.randomBytes(16)): string {
  const h = crypto.scryptSync(password.normalize('NFC'), salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
  });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.from(salt).toString('base64')}$${h.toString('base64')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = crypto.scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export interface SessionUser {
  id: string;
  name: string;
  display: string | null;
  role: Role;
}

export interface Session {
  user: SessionUser;
  csrf: string;
  idHash: string;
}

// One answer for a wrong name, a wrong password and a locked pair, so that sign-in does not tell a stranger which
// accounts exist. The lockout itself is journalled (user.locked) for the administrator.
const badLogin = (): LotteryError =>
  new LotteryError('UNAUTHENTICATED', {
    zh: '帳號或密碼不正確，或連續失敗過多已暫停 15 分鐘',
    en: 'Wrong user name or password, or too many failures: paused for 15 minutes',
  });

export class Auth {
  // A fixed hash to compare against when the user does not exist, so that timing does not tell which names exist.
  private readonly dummy = hashPassword('no such user', Buffer.alloc(16));

  constructor(
    private readonly d: {
      store: Store;
      clock: () => Date;
      randomBytes: (n: number) => Buffer;
      sha256: Sha256;
    },
  ) {}

  private now(): Date {
    return this.d.clock();
  }

  /** Sets a password unjournalled: for tests' fixtures only; the CLI and the pages go through services/users.ts. */
  setPassword(userId: string, password: string): void {
    checkPasswordRule(password);
    this.d.store.write(() =>
      this.d.store.signIn.setPassword(userId, hashPassword(password, this.d.randomBytes(16))),
    );
  }

  /** Checks the password and opens a session (a fresh id: never reuse one from before sign-in). */
  signIn(name: string, password: string, address: string): { sessionId: string; session: Session } {
    const user = this.d.store.userByName(name.normalize('NFC'));
    const now = this.now();
    if (!user || user.revoked_at) {
      checkPassword(password, this.dummy);
      throw badLogin();
    }
    const state = this.d.store.signIn.loginFailures(user.id, address);
    if (state?.lockedUntil && new Date(state.lockedUntil) > now) {
      checkPassword(password, this.dummy);
      throw badLogin();
    }
    const stored = this.d.store.signIn.passwordHash(user.id);
    const ok = stored !== null && checkPassword(password, stored);
    if (!ok) {
      this.d.store.write((tx) => {
        const failures = (this.d.store.signIn.loginFailures(user.id, address)?.failures ?? 0) + 1;
        if (failures >= MAX_FAILURES) {
          const until = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
          this.d.store.signIn.setLoginFailures(user.id, address, 0, until);
          // One entry per account per lock period: a lock from another address within it is not journalled again.
          const journalled = this.d.store.signIn.lockJournalledUntil(user.id);
          if (!journalled || new Date(journalled) <= now) {
            this.d.store.signIn.setLockJournalledUntil(user.id, until);
            tx.appendJournal(
              { type: 'user.locked', data: { user: user.id, until } },
              { actor: 'system', at: now.toISOString() },
              this.d.sha256,
            );
          }
        } else this.d.store.signIn.setLoginFailures(user.id, address, failures, null);
      });
      throw badLogin();
    }
    const sessionId = this.d.randomBytes(32).toString('base64url');
    const csrf = this.d.randomBytes(32).toString('base64url');
    const idHash = this.d.sha256(sessionId);
    this.d.store.write((tx) => {
      this.d.store.signIn.clearLoginFailures(user.id, address);
      this.d.store.signIn.insertSession({
        idHash,
        userId: user.id,
        csrf,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
      });
      // issue 13: the sign-in is journalled with the session row, so that a row written by other hands has none.
      tx.appendJournal(
        { type: 'session.started', data: { user: user.id, session: idHash } },
        { actor: `user:${user.id}`, at: now.toISOString() },
        this.d.sha256,
      );
    });
    return {
      sessionId,
      session: {
        user: { id: user.id, name: user.name, display: user.display, role: user.role },
        csrf,
        idHash,
      },
    };
  }

  /** The session for a cookie value, if it is live: 12 hours at most, and 1 hour idle. */
  session(sessionId: string): Session | undefined {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return undefined;
    const idHash = this.d.sha256(sessionId);
    const s = this.d.store.signIn.session(idHash);
    if (!s) return undefined;
    const now = this.now();
    const idleLimit = new Date(new Date(s.lastSeen).getTime() + IDLE_MINUTES * 60_000);
    const user = this.d.store.userById(s.userId);
    if (!user || user.revoked_at || new Date(s.expiresAt) <= now || idleLimit <= now) {
      this.d.store.write(() => this.d.store.signIn.deleteSession(idHash));
      return undefined;
    }
    // Touch at most once a minute: every page load would otherwise be a write.
    if (now.getTime() - new Date(s.lastSeen).getTime() > 60_000)
      this.d.store.write(() => this.d.store.signIn.touchSession(idHash, now.toISOString()));
    return {
      user: { id: user.id, name: user.name, display: user.display, role: user.role },
      csrf: s.csrf,
      idHash,
    };
  }

  signOut(idHash: string): void {
    this.d.store.write(() => this.d.store.signIn.deleteSession(idHash));
  }

  /** The sign-in form's CSRF value (double-submit: the same value in a cookie and a hidden field). */
  loginToken(): string {
    return this.d.randomBytes(32).toString('base64url');
  }

  /**
   * A person changes their own password, knowing the old one. Their other sessions end (whoever else held one is
   * out); this one stays. Journalled as user.password.set, never with any hash.
   */
  changeOwnPassword(s: Session, oldPassword: string, newPassword: string): void {
    checkPasswordRule(newPassword);
    const stored = this.d.store.signIn.passwordHash(s.user.id);
    if (stored === null || !checkPassword(oldPassword, stored))
      throw new LotteryError('VALIDATION_FAILED', {
        zh: '目前的密碼不正確',
        en: 'The current password is wrong',
      });
    const hash = hashPassword(newPassword, this.d.randomBytes(16));
    this.d.store.write((tx) => {
      this.d.store.signIn.setPassword(s.user.id, hash);
      this.d.store.signIn.deleteSessionsExcept(s.user.id, s.idHash);
      tx.appendJournal(
        { type: 'user.password.set', data: { user: s.user.id } },
        { actor: `user:${s.user.id}`, at: this.now().toISOString() },
        this.d.sha256,
      );
    });
  }
}
