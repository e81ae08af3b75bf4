import { LotteryError } from '../domain/errors';
import { parseNewUser } from '../domain/input/body';
import { notFound, type Context } from './context';
import type { UserView } from './views';

/** Accounts: added and revoked by the CLI, journalled, and never deleted (the journal names actors by id). */

export function addUser(
  c: Context,
  actor: string,
  input: { name: string; role: string; display?: string },
): UserView & { token: string } {
  const { name, role } = parseNewUser(input);
  const token = c.d.randomBytes(32).toString('base64url');
  return c.store.write((tx) => {
    if (c.store.userByName(name))
      throw new LotteryError('CONFLICT', { zh: `帳號 ${name} 已存在`, en: `user ${name} already exists` });
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
    return { id, name, role, token };
  });
}

export function revokeUser(c: Context, actor: string, name: string): void {
  c.store.write((tx) => {
    const u = c.store.userByName(name);
    if (!u) throw notFound(`帳號 ${name}`, `User ${name}`);
    c.store.revokeUser(u.id, c.now());
    c.journal(tx, { type: 'user.revoked', data: { user: u.id } }, actor);
  });
}

/** Every account, revoked ones too: the journal names actors by id, and auditors read names. */
export function listUsers(c: Context): Array<UserView & { display: string | null }> {
  return c.store.read(() =>
    c.store.listUsers().map((u) => ({ id: u.id, name: u.name, display: u.display, role: u.role })),
  );
}

/** Bearer token → user. Lookup by SHA-256 of the token: the table never holds a usable credential. */
export function authenticate(c: Context, token: string): UserView | undefined {
  const u = c.store.userByTokenHash(c.d.sha256(token));
  if (!u || u.revoked_at) return undefined;
  return { id: u.id, name: u.name, role: u.role };
}
