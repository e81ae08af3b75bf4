/**
 * issue 12: `lottery user` on the server's command line. `user add --password-stdin` is one transaction (a short
 * password creates nothing), `user passwd`, `user role`, `user deactivate`, the last-admin rule, and messages in
 * Chinese with English beside them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { Store } from '../../src/store/store';
import { tempDir } from '../helpers/app';

function run(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(args, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  }).then((code) => ({ code, out, err }));
}

let db: string;
beforeEach(() => {
  db = path.join(tempDir(), 'u.sqlite');
});

function withStore<T>(fn: (s: Store) => T): T {
  const s = Store.open(db);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

describe('lottery user add --password-stdin', () => {
  it('when the password is shorter than 10 characters › exit 1, bilingual, and nothing is created', async () => {
    const r = await run(
      ['user', 'add', '--name', '林怡芬', '--role', 'ethics', '--password-stdin', '--db', db],
      '123456789\n',
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('密碼至少 10 個字元');
    expect(r.err).toContain('at least 10 characters');
    // Not even the database file: the password is checked before anything is opened.
    expect(fs.existsSync(db)).toBe(false);
    // The name is not lost: a retry with a good password works.
    const ok = await run(
      ['user', 'add', '--name', '林怡芬', '--role', 'ethics', '--password-stdin', '--db', db],
      'a long enough password\n',
    );
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^已建立帳號 林怡芬（ethics）／user 林怡芬 \(ethics\) created, id u\w+$/m);
    expect(ok.out).toMatch(/^API 權杖（僅顯示這一次）／token \(shown once\): [A-Za-z0-9_-]{40,}$/m);
    withStore((s) => {
      const types = s.journalPage({ limit: 10 }).map((e) => e.type);
      expect(types).toEqual(['user.added', 'user.password.set']);
      expect(s.signIn.passwordHash(s.userByName('林怡芬')?.id ?? '')).toMatch(/^scrypt\$/);
    });
  });

  it('when the name is taken › exit 1 and nothing more is written', async () => {
    await run(['user', 'add', '--name', 'admin', '--role', 'admin', '--db', db]);
    const r = await run(
      ['user', 'add', '--name', 'admin', '--role', 'ethics', '--password-stdin', '--db', db],
      'a long enough password',
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('帳號 admin 已存在');
    withStore((s) => expect(s.journalPage({ limit: 10 })).toHaveLength(1));
  });
});

describe('lottery user passwd | role | deactivate', () => {
  beforeEach(async () => {
    await run(['user', 'add', '--name', 'admin', '--role', 'admin', '--db', db]);
    await run(['user', 'add', '--name', 'minister', '--role', 'drawer', '--db', db]);
  });

  it('passwd NAME sets a password from stdin (≥ 10), journalled', async () => {
    const short = await run(['user', 'passwd', 'minister', '--db', db], 'short\n');
    expect(short.code).toBe(1);
    withStore((s) => expect(s.journalPage({ limit: 10, type: 'user.password.set' })).toHaveLength(0));
    const r = await run(['user', 'passwd', 'minister', '--db', db], 'drum-and-balls-2026\n');
    expect(r.code).toBe(0);
    expect(r.out).toBe('已設定 minister 的密碼／password of minister set\n');
    withStore((s) => expect(s.journalPage({ limit: 10, type: 'user.password.set' })).toHaveLength(1));
    expect((await run(['user', 'passwd', 'nobody', '--db', db], 'drum-and-balls-2026\n')).code).toBe(1);
  });

  it('role NAME ROLE changes the role, journalled with the previous one; never the last admin’s', async () => {
    const r = await run(['user', 'role', 'minister', 'auditor', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('minister 的角色為 auditor／role of minister is auditor\n');
    withStore((s) =>
      expect(s.journalPage({ limit: 10, type: 'user.role.changed' })[0]?.data).toMatchObject({
        role: 'auditor',
        previousRole: 'drawer',
      }),
    );
    const last = await run(['user', 'role', 'admin', 'ethics', '--db', db]);
    expect(last.code).toBe(1);
    expect(last.err).toMatch(/CONFLICT: .*最後一位有效的系統管理員.* \/ .*last active admin/);
    expect((await run(['user', 'role', 'minister', 'king', '--db', db])).code).toBe(1);
    const missing = await run(['user', 'role', 'minister', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(
      'user role 需要帳號名稱 NAME 與角色 ROLE／user role needs a NAME and a ROLE',
    );
  });

  it('deactivate NAME (alias of revoke) is user.revoked; never the last active admin', async () => {
    const r = await run(['user', 'deactivate', 'minister', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('已停用帳號 minister／user minister deactivated\n');
    expect((await run(['user', 'revoke', 'admin', '--db', db])).code).toBe(1);
    withStore((s) => {
      expect(s.journalPage({ limit: 10, type: 'user.revoked' })).toHaveLength(1);
      expect(s.userByName('admin')?.revoked_at).toBeNull();
    });
    const unknown = await run(['user', 'frobnicate', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('沒有 user frobnicate 這個指令／unknown user command frobnicate');
  });
});

describe('when --db names a file that does not exist (a typo in the path)', () => {
  it('every user command but add refuses it (exit 2, bilingual) and creates no file; add creates it', async () => {
    const typo = path.join(tempDir(), 'typo.sqlite');
    for (const [args, stdin] of [
      [['user', 'list'], undefined],
      [['user', 'passwd', 'admin'], 'a long enough password\n'],
      [['user', 'role', 'admin', 'ethics'], undefined],
      [['user', 'unlock', 'admin'], undefined],
      [['user', 'deactivate', 'admin'], undefined],
      [['user', 'revoke', 'admin'], undefined],
    ] as Array<[string[], string | undefined]>) {
      const r = await run([...args, '--db', typo], stdin);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.err).toContain('找不到資料庫檔案');
      expect(r.err).toContain('no database file');
      expect(fs.existsSync(typo)).toBe(false);
    }
    expect((await run(['user', 'add', '--name', 'admin', '--role', 'admin', '--db', typo])).code).toBe(0);
    expect(fs.existsSync(typo)).toBe(true);
  });
});

describe('when the password read from stdin has a newline in the middle', () => {
  it('user passwd refuses it (exit 1) and sets nothing', async () => {
    await run(['user', 'add', '--name', 'admin', '--role', 'admin', '--db', db]);
    const r = await run(['user', 'passwd', 'admin', '--db', db], 'first-line-pw\nsecond-line\n');
    expect(r.code).toBe(1);
    expect(r.err).toContain('控制字元');
    withStore((s) => expect(s.signIn.passwordHash(s.userByName('admin')?.id ?? '')).toBeNull());
  });
});
