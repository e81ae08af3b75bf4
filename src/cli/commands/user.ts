/** `lottery user add | unlock | list | revoke`: the accounts, from the machine the service runs on. */
import { openDatabase, type Opened } from '../../compose';
import { dbPath, str, UsageError, type Flags, type Out } from '../args';
import { safeText } from '../escape';

/** The password from standard input (one line), so it never appears in the shell history or process list. */
async function readPassword(io: Out): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin ?? process.stdin) chunks.push(Buffer.from(c as Buffer));
  const pw = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (pw === '') throw new UsageError('--password-stdin read an empty password');
  return pw;
}

/** Runs fn on the database of --db (or LOTTERY_DB), closing it afterwards whatever happens. */
function withDatabase(flags: Flags, fn: (db: Opened) => void): number {
  const db = openDatabase(dbPath(flags));
  try {
    fn(db);
  } finally {
    db.store.close();
  }
  return 0;
}

async function addUser(flags: Flags, json: boolean, io: Out): Promise<number> {
  const name = str(flags, 'name');
  const role = str(flags, 'role');
  if (!name || !role) throw new UsageError('user add needs --name and --role');
  const display = str(flags, 'display');
  const password = flags.get('password-stdin') === true ? await readPassword(io) : undefined;
  return withDatabase(flags, ({ services, auth }) => {
    const u = services.addUser('cli', display ? { name, role, display } : { name, role });
    if (password !== undefined) auth.setPassword(u.id, password);
    if (json) io.out(JSON.stringify(u) + '\n');
    else io.out(`user ${u.name} (${u.role}) created, id ${u.id}\ntoken (shown once): ${u.token}\n`);
  });
}

function listUsers(flags: Flags, json: boolean, io: Out): number {
  return withDatabase(flags, ({ store }) => {
    const users = store
      .listUsers()
      .map((u) => ({ id: u.id, name: u.name, role: u.role, revoked: u.revoked_at !== null }));
    io.out(
      json
        ? JSON.stringify(users) + '\n'
        : users
            .map((u) => `${u.id}\t${safeText(u.name)}\t${u.role}${u.revoked ? '\trevoked' : ''}\n`)
            .join(''),
    );
  });
}

export async function userCommand(positional: string[], flags: Flags, io: Out): Promise<number> {
  const sub = positional[0];
  const json = flags.get('json') === true;
  if (sub === 'add') return addUser(flags, json, io);
  if (sub === 'unlock') {
    const name = positional[1];
    if (!name) throw new UsageError('user unlock needs a NAME');
    return withDatabase(flags, ({ auth }) => {
      auth.unlock('cli', name);
      io.out(`sign-in lockouts of ${safeText(name)} lifted\n`);
    });
  }
  if (sub === 'list') return listUsers(flags, json, io);
  if (sub === 'revoke') {
    const name = positional[1];
    if (!name) throw new UsageError('user revoke needs a NAME');
    return withDatabase(flags, ({ services }) => {
      services.revokeUser('cli', name);
      io.out(`user ${safeText(name)} revoked\n`);
    });
  }
  throw new UsageError(`unknown user command ${sub ?? ''}`);
}
