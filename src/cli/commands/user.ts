/**
 * `lottery user add | passwd | role | unlock | list | revoke | deactivate`: the accounts, from the machine the
 * service runs on (the first admin is made here; later ones on the admin page, /admin/users). Each change is one
 * transaction with its journal entry, and a refusal leaves nothing behind.
 */
import fs from 'node:fs';
import { openDatabase, type Opened } from '../../compose';
import { checkPasswordRule } from '../../services/auth';
import { dbPath, str, UsageError, type Flags, type Out } from '../args';
import { safeText } from '../escape';

/** A usage error in both languages, as every other message of this command. */
const usage = (zh: string, en: string): UsageError => new UsageError(`${zh}／${en}`);

/** The password from standard input (one line), so it never appears in the shell history or process list. */
async function readPassword(io: Out): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin ?? process.stdin) chunks.push(Buffer.from(c as Buffer));
  const pw = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (pw === '') throw usage('標準輸入讀到的密碼是空的', '--password-stdin read an empty password');
  // Checked before the database is even opened: a short password creates nothing (issue 12).
  checkPasswordRule(pw);
  return pw;
}

/**
 * Runs fn on the database of --db (or LOTTERY_DB), closing it afterwards whatever happens. Only `user add` may
 * create the file (the first admin is made on a new database); any other command on a missing file is a typo in
 * the path, and must not leave a new empty database behind and exit 0 (issue 12).
 */
function withDatabase(flags: Flags, fn: (db: Opened) => void, create = false): number {
  const file = dbPath(flags);
  if (!create && !fs.existsSync(file))
    throw usage(
      `找不到資料庫檔案 ${safeText(file)}（只有 user add 會建立新的資料庫）`,
      `no database file ${safeText(file)} (only user add creates one)`,
    );
  const db = openDatabase(file);
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
  if (!name || !role) throw usage('user add 需要 --name 與 --role', 'user add needs --name and --role');
  const display = str(flags, 'display');
  const password = flags.get('password-stdin') === true ? await readPassword(io) : undefined;
  return withDatabase(
    flags,
    ({ services }) => {
      // One transaction: the user, its password and their journal entries, or nothing.
      const u = services.addUser('cli', {
        name,
        role,
        ...(display ? { display } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      if (json) io.out(JSON.stringify(u) + '\n');
      else
        io.out(
          `已建立帳號 ${safeText(u.name)}（${u.role}）／user ${safeText(u.name)} (${u.role}) created, id ${u.id}\n` +
            `API 權杖（僅顯示這一次）／token (shown once): ${u.token}\n` +
            (password !== undefined ? '已設定登入密碼／sign-in password set\n' : ''),
        );
    },
    true,
  );
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
            .map((u) => `${u.id}\t${safeText(u.name)}\t${u.role}${u.revoked ? '\t已停用 revoked' : ''}\n`)
            .join(''),
    );
  });
}

/** The NAME after the subcommand, or a bilingual usage error naming what is missing. */
function nameArg(positional: string[], sub: string, more = ''): string {
  const name = positional[1];
  if (!name) throw usage(`user ${sub} 需要帳號名稱 NAME${more}`, `user ${sub} needs a NAME${more}`);
  return name;
}

export async function userCommand(positional: string[], flags: Flags, io: Out): Promise<number> {
  const sub = positional[0];
  const json = flags.get('json') === true;
  if (sub === 'add') return addUser(flags, json, io);
  if (sub === 'list') return listUsers(flags, json, io);
  if (sub === 'unlock') {
    const name = nameArg(positional, 'unlock');
    return withDatabase(flags, ({ services }) => {
      services.unlockUser('cli', name);
      io.out(`已解除 ${safeText(name)} 的登入鎖定／sign-in lockouts of ${safeText(name)} lifted\n`);
    });
  }
  if (sub === 'passwd') {
    const name = nameArg(positional, 'passwd');
    const password = await readPassword(io);
    return withDatabase(flags, ({ services }) => {
      services.setUserPassword('cli', name, password);
      io.out(`已設定 ${safeText(name)} 的密碼／password of ${safeText(name)} set\n`);
    });
  }
  if (sub === 'role') {
    const name = nameArg(positional, 'role', ' 與角色 ROLE');
    const role = positional[2];
    if (!role) throw usage('user role 需要帳號名稱 NAME 與角色 ROLE', 'user role needs a NAME and a ROLE');
    return withDatabase(flags, ({ services }) => {
      services.changeRole('cli', name, role);
      io.out(`${safeText(name)} 的角色為 ${role}／role of ${safeText(name)} is ${role}\n`);
    });
  }
  if (sub === 'revoke' || sub === 'deactivate') {
    const name = nameArg(positional, sub);
    return withDatabase(flags, ({ services }) => {
      services.revokeUser('cli', name);
      io.out(`已停用帳號 ${safeText(name)}／user ${safeText(name)} deactivated\n`);
    });
  }
  throw usage(`沒有 user ${sub ?? ''} 這個指令`, `unknown user command ${sub ?? ''}`);
}
