import { LotteryError } from '../domain/errors';
import { nameSkeleton, normalizeName } from '../domain/input/account';
import { parseNewUser } from '../domain/input/body';
import { ROLES, type Role } from '../domain/model';
import type { UserRow } from '../store/store';
import { checkPasswordRule, hashPassword } from './auth';
import { notFound, type Context } from './context';
import type { UserView } from './views';

/**
 * Accounts: added, changed and deactivated by an admin (on the web) or on the server's command line, each change
 * journalled in the transaction that makes it, and never deleted (the journal names actors by id).
 */

/** What the admin page shows of an account: never a hash or a token. */
export interface AccountView extends UserView {
  display: string | null;
  deactivated: boolean;
  hasPassword: boolean;
  lockedUntil: string | null;
}

/**
 * The last active admin cannot be deactivated or demoted: nobody could then manage users on the web, and the
 * journal would show the service run without one. Read inside the write transaction (BEGIN IMMEDIATE), so two
 * admins demoting each other at the same moment cannot both succeed.
 */
function keepAnAdmin(c: Context, u: UserRow): void {
  if (u.role === 'admin' && !u.revoked_at && c.store.signIn.activeAdminCount() <= 1)
    throw new LotteryError('CONFLICT', {
      zh: `${u.name} 是最後一位有效的系統管理員，不能停用或變更其角色；請先新增另一位管理員`,
      en: `${u.name} is the last active admin and cannot be deactivated or demoted: add another admin first`,
    });
}

function userNamed(c: Context, name: string): UserRow {
  // NFKC as names are stored (issue 12); NFC for a name stored before that rule.
  const u = c.store.userByName(normalizeName(name)) ?? c.store.userByName(name.normalize('NFC'));
  if (!u) throw notFound(`帳號 ${name}`, `User ${name}`);
  return u;
}

/**
 * A deactivated account stays deactivated (there is no reactivation): it is not made admin, given a token or a
 * password, which would arm an account nobody watches (issue 12).
 */
function activeNamed(c: Context, name: string): UserRow {
  const u = userNamed(c, name);
  if (u.revoked_at)
    throw new LotteryError('CONFLICT', {
      zh: `帳號 ${u.name} 已停用，不能變更角色、權杖或密碼`,
      en: `user ${u.name} is deactivated: its role, token and password cannot be changed`,
    });
  return u;
}

/** A new name that looks like an existing one (ａｄｍｉｎ１, аdmin1 beside admin1) would be read as it. */
function refuseLookAlike(c: Context, name: string): void {
  const skeleton = nameSkeleton(name);
  const other = c.store.listUsers().find((u) => u.name === name || nameSkeleton(u.name) === skeleton);
  if (other)
    throw new LotteryError('CONFLICT', {
      zh:
        other.name === name ? `帳號 ${name} 已存在` : `帳號名稱 ${name} 與既有帳號 ${other.name} 看起來相同`,
      en:
        other.name === name
          ? `user ${name} already exists`
          : `the name ${name} looks like the existing user ${other.name}`,
    });
}

function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role))
    throw new LotteryError('VALIDATION_FAILED', {
      zh: `角色須為 ${ROLES.join('、')} 之一`,
      en: `role must be one of ${ROLES.join(', ')}`,
    });
  return role as Role;
}

/**
 * A new account, with its API token (shown once) and, if given, its sign-in password: one transaction, so a
 * refusal (a short password, a name taken) creates nothing. The password is checked before anything is written.
 */
export function addUser(
  c: Context,
  actor: string,
  input: { name: string; role: string; display?: string; password?: string },
): UserView & { token: string } {
  const { name, role } = parseNewUser(input);
  if (input.password !== undefined) checkPasswordRule(input.password);
  const passwordHash =
    input.password === undefined ? undefined : hashPassword(input.password, c.d.randomBytes(16));
  const token = c.d.randomBytes(32).toString('base64url');
  return c.store.write((tx) => {
    refuseLookAlike(c, name);
    const id = c.newId('u');
    c.store.insertUser({
      id,
      name,
      role,
      tokenHash: c.d.sha256(token),
      createdAt: c.now(),
      ...(input.display ? { display: input.display } : {}),
    });
    c.journal(tx, { type: 'user.added', data: { user: id, role } }, actor);
    if (passwordHash !== undefined) {
      c.store.signIn.setPassword(id, passwordHash);
      c.journal(tx, { type: 'user.password.set', data: { user: id } }, actor);
    }
    return { id, name, role, token };
  });
}

/** Deactivates the account (`user.revoked`): its token, password and sessions stop working. */
export function revokeUser(c: Context, actor: string, name: string): void {
  c.store.write((tx) => {
    const u = userNamed(c, name);
    if (u.revoked_at)
      throw new LotteryError('CONFLICT', {
        zh: `帳號 ${u.name} 已停用`,
        en: `user ${u.name} is already deactivated`,
      });
    keepAnAdmin(c, u);
    c.store.revokeUser(u.id, c.now());
    c.store.signIn.deleteSessionsOf(u.id);
    c.journal(tx, { type: 'user.revoked', data: { user: u.id } }, actor);
  });
}

/** Sets (or resets) the account's password: its sessions end, so whoever held one signs in again. */
export function setUserPassword(c: Context, actor: string, name: string, password: string): void {
  checkPasswordRule(password);
  const hash = hashPassword(password, c.d.randomBytes(16));
  c.store.write((tx) => {
    const u = activeNamed(c, name);
    c.store.signIn.setPassword(u.id, hash);
    c.store.signIn.deleteSessionsOf(u.id);
    c.journal(tx, { type: 'user.password.set', data: { user: u.id } }, actor);
  });
}

export function changeRole(c: Context, actor: string, name: string, roleInput: string): void {
  const role = parseRole(roleInput);
  c.store.write((tx) => {
    const u = activeNamed(c, name);
    if (u.role === role) return;
    if (role !== 'admin') keepAnAdmin(c, u);
    c.store.signIn.setRole(u.id, role);
    c.journal(tx, { type: 'user.role.changed', data: { user: u.id, role, previousRole: u.role } }, actor);
  });
}

/** Lifts every sign-in lockout of the account (every address), journalled; the next lock is journalled anew. */
export function unlockUser(c: Context, actor: string, name: string): void {
  c.store.write((tx) => {
    const u = userNamed(c, name);
    c.store.signIn.clearLoginFailures(u.id);
    c.store.signIn.setLockJournalledUntil(u.id, null);
    c.journal(tx, { type: 'user.unlocked', data: { user: u.id } }, actor);
  });
}

/** Replaces the API token: the old one and the account's web sessions stop working, and the new one is returned to be shown once. */
export function revokeToken(c: Context, actor: string, name: string): { name: string; token: string } {
  const token = c.d.randomBytes(32).toString('base64url');
  return c.store.write((tx) => {
    const u = activeNamed(c, name);
    c.store.signIn.setTokenHash(u.id, c.d.sha256(token));
    // A token is replaced because it leaked: whoever had it may have signed in on the web too, so the account's
    // sessions end with it (a fresh sign-in is cheap).
    c.store.signIn.deleteSessionsOf(u.id);
    c.journal(tx, { type: 'user.token.revoked', data: { user: u.id } }, actor);
    return { name: u.name, token };
  });
}

/** Every account, revoked ones too: the journal names actors by id, and auditors read names. */
export function listUsers(c: Context): Array<UserView & { display: string | null }> {
  return c.store.read(() =>
    c.store.listUsers().map((u) => ({ id: u.id, name: u.name, display: u.display, role: u.role })),
  );
}

/** The admin page's list: each account's role and state (active, deactivated, locked out until). */
export function listAccounts(c: Context): AccountView[] {
  return c.store.read(() => {
    const states = c.store.signIn.accountStates(c.now());
    return c.store.listUsers().map((u) => ({
      id: u.id,
      name: u.name,
      display: u.display,
      role: u.role,
      deactivated: u.revoked_at !== null,
      hasPassword: states.get(u.id)?.hasPassword ?? false,
      lockedUntil: states.get(u.id)?.lockedUntil ?? null,
    }));
  });
}

/** Bearer token → user. Lookup by SHA-256 of the token: the table never holds a usable credential. */
export function authenticate(c: Context, token: string): UserView | undefined {
  const u = c.store.userByTokenHash(c.d.sha256(token));
  if (!u || u.revoked_at) return undefined;
  return { id: u.id, name: u.name, role: u.role };
}
