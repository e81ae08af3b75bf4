import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { main } from '../../src/cli/main';
import { auth, drawnLottery, makeApp, ownConnection, tempDir, type TestApp } from '../helpers/app';

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(args, { out: (s) => (out += s), err: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

let t: TestApp;
let bundleFile: string;
let bundle: Record<string, unknown>;
let fingerprint: string;
beforeAll(async () => {
  t = makeApp();
  const id = await drawnLottery(t);
  bundle = (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200)
  ).body;
  fingerprint = t.services.keyFingerprint();
  bundleFile = path.join(t.dir, 'bundle.json');
  fs.writeFileSync(bundleFile, JSON.stringify(bundle));
});
afterAll(() => t.close());

describe('lottery verify BUNDLE', () => {
  it('prints each check and exits 0 when all hold, with the pinned fingerprint', async () => {
    const r = await run(['verify', bundleFile, '--fingerprint', fingerprint]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^協定 protocol: lottery-draw\/v2$/m);
    expect(r.out).toMatch(/^通過 PASS {2}roster\.digest（[^/]+ \/ [^）]+）: /m);
    expect(r.out).toMatch(/^通過 PASS {2}key\.pinned（/m);
    expect(r.out).not.toMatch(/^失敗 FAIL/m);
    expect(r.out).toMatch(/^通過：每項檢查皆成立 OK: every check holds$/m);
  });

  it('without a trust anchor exits 1: key.pinned fails and the output says how to pin', async () => {
    const r = await run(['verify', bundleFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^失敗 FAIL {2}key\.pinned（/m);
    expect(r.out.match(/^失敗 FAIL/gm)).toHaveLength(1);
    expect(r.out).toMatch(/FAILED: at least one check does not hold/);
    expect(r.out).toMatch(/--fingerprint SHA256:/);
  });

  it('a fingerprint of another key fails key.pinned (exit 1); a malformed one is a usage error (exit 2)', async () => {
    const other = `SHA256:${'0'.repeat(64)}`;
    const r = await run(['verify', bundleFile, '--fingerprint', other]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^失敗 FAIL {2}key\.pinned（/m);
    expect((await run(['verify', bundleFile, '--fingerprint', 'SHA256:abc'])).code).toBe(2);
    expect((await run(['verify', bundleFile, '--fingerprint', fingerprint.slice(7)])).code).toBe(2);
    // With --json a usage error is answered in the unreadable-input shape too, as the reference does.
    const j = await run(['verify', bundleFile, '--fingerprint', 'SHA256:abc', '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({
      ok: false,
      protocol: null,
      checks: [],
      error: expect.any(String),
    });
    // The hex is case-insensitive, as it may be copied from a printed page.
    expect((await run(['verify', bundleFile, '--fingerprint', fingerprint.toUpperCase()])).code).toBe(0);
  });

  it('with --json prints {ok, protocol, checks, warnings}', async () => {
    const r = await run(['verify', bundleFile, '--fingerprint', fingerprint, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      ok: boolean;
      protocol: string;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
      warnings: string[];
    };
    expect(Object.keys(j).sort()).toEqual(['checks', 'ok', 'protocol', 'warnings']);
    expect(j.ok).toBe(true);
    expect(j.protocol).toBe('lottery-draw/v2');
    expect(j.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['entropy.form', 'ceremony.opened', 'ceremony.date', 'key.pinned']),
    );
    expect(j.checks.every((c) => c.ok)).toBe(true);
    expect(Array.isArray(j.warnings)).toBe(true);
  });

  it('exits 1 and names the failing check when a winner was changed', async () => {
    const b = structuredClone(bundle) as { stages: Array<{ winners: string[] }> };
    (b.stages[0] as { winners: string[] }).winners[0] = 'D021'; // excluded, so never a real winner
    const f = path.join(t.dir, 'forged.json');
    fs.writeFileSync(f, JSON.stringify(b));
    const r = await run(['verify', f, '--fingerprint', fingerprint]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^失敗 FAIL {2}winners（/m);
    expect(r.out).not.toMatch(/^失敗 FAIL {2}key\.pinned/m);
  });

  it('exits 1 with brokenAt when a journal entry was altered', async () => {
    const b = structuredClone(bundle) as { journal: Array<Record<string, unknown>> };
    (b.journal[4] as Record<string, unknown>).at = '2000-01-01T00:00:00.000Z';
    const f = path.join(t.dir, 'tampered.json');
    fs.writeFileSync(f, JSON.stringify(b));
    const r = await run(['verify', f, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).brokenAt).toBe(5);
  });

  it('exits 2 on unreadable input', async () => {
    const f = path.join(t.dir, 'junk.json');
    fs.writeFileSync(f, '{"format": ');
    expect((await run(['verify', f])).code).toBe(2);
    expect((await run(['verify', path.join(t.dir, 'missing.json')])).code).toBe(2);
    fs.writeFileSync(f, '['.repeat(50_000) + ']'.repeat(50_000));
    expect((await run(['verify', f])).code).toBe(2);
  });

  it('escapes control and bidi characters a bundle tries to print', async () => {
    const b = structuredClone(bundle) as { stages: Array<{ winners: string[] }> };
    (b.stages[0] as { winners: string[] }).winners[0] = '\u001b[1A\u001b[2KPASS  winners\u202e';
    const f = path.join(t.dir, 'ansi.json');
    fs.writeFileSync(f, JSON.stringify(b));
    const r = await run(['verify', f]);
    expect(r.out.includes('\u001b')).toBe(false);
    expect(r.out.includes('\u202e')).toBe(false);
    expect(r.out).toContain('\\u{1b}');
  });
});

describe('lottery verify --db', () => {
  it('checks the journal and the tables of a database offline', async () => {
    const r = await run(['verify', '--db', t.dbFile, '--json']);
    const j = JSON.parse(r.out) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(r.code).toBe(0);
    expect(j.checks.map((c) => c.name)).toContain('journal.chain');
  });

  it('reports the first broken seq of an altered journal, and a forged winner', async () => {
    const dir = tempDir();
    const copy = path.join(dir, 'copy.sqlite');
    ownConnection(t.dbFile, (own) => own.exec(`VACUUM INTO '${copy}'`));
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(copy);
    db.exec('DROP TRIGGER journal_no_update; DROP TRIGGER results_no_update');
    db.prepare("UPDATE journal SET actor = 'system' WHERE seq = 6").run();
    db.prepare('UPDATE results SET winners = \'["D001","D002"]\' WHERE stage = 1').run();
    db.close();
    const r = await run(['verify', '--db', copy, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as {
      brokenAt: number;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(j.brokenAt).toBe(6);
    expect(j.checks.find((c) => c.name.startsWith('tables.lottery:'))?.ok).toBe(false);
  });

  it.each([
    [
      'secret',
      "secret = (CASE WHEN substr(secret, 1, 2) = 'aa' THEN 'ab' ELSE 'aa' END) || substr(secret, 3)",
    ],
    [
      'commitment',
      "commitment = (CASE WHEN substr(commitment, 1, 2) = 'bb' THEN 'bc' ELSE 'bb' END) || substr(commitment, 3)",
    ],
    ['entropy', "entropy = '1 1 1'"],
    ['seed', "seed = (CASE WHEN substr(seed, 1, 2) = 'cc' THEN 'cd' ELSE 'cc' END) || substr(seed, 3)"],
    ['title', "title = '偽造'"],
    [
      'stages',
      `stages = '[{"stage":1,"label":"實質審查","percent":"50"},{"stage":2,"label":"前後年度申報財產比對","percent":"2"}]'`,
    ],
    ['meeting', `meeting = '{"chair":"別人"}'`],
  ])('reports a forged %s column of a drawn lottery as a mismatch with the journal', async (_col, set) => {
    const copy = path.join(tempDir(), 'forged.sqlite');
    ownConnection(t.dbFile, (own) => own.exec(`VACUUM INTO '${copy}'`));
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(copy);
    db.prepare(`UPDATE lotteries SET ${set}`).run();
    db.close();
    const r = await run(['verify', '--db', copy, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { checks: Array<{ name: string; ok: boolean }> };
    expect(j.checks.find((c) => c.name.startsWith('tables.lottery:'))?.ok).toBe(false);
  });

  it('with --checkpoint, sees a cut-off tail that the chain alone cannot', async () => {
    const dir = tempDir();
    const copy = path.join(dir, 'cut.sqlite');
    ownConnection(t.dbFile, (own) => own.exec(`VACUUM INTO '${copy}'`));
    const cp = path.join(dir, 'checkpoint.json');
    fs.writeFileSync(cp, JSON.stringify(t.services.checkpoint()));
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(copy);
    const head = (db.prepare('SELECT max(seq) AS s FROM journal').get() as { s: number }).s;
    db.exec('DROP TRIGGER journal_no_delete');
    db.prepare('DELETE FROM journal WHERE seq = ?').run(head);
    db.close();
    const chainOnly = JSON.parse((await run(['verify', '--db', copy, '--json'])).out) as {
      checks: Array<{ name: string; ok: boolean }>;
    };
    expect(chainOnly.checks.find((c) => c.name === 'journal.chain')?.ok).toBe(true);
    const r = await run(['verify', '--db', copy, '--checkpoint', cp, '--json']);
    expect(r.code).toBe(1);
    expect(
      (JSON.parse(r.out) as { checks: Array<{ name: string; ok: boolean }> }).checks.find(
        (c) => c.name === 'checkpoint.extends',
      )?.ok,
    ).toBe(false);
  });
});

describe('lottery user add', () => {
  it('prints {id, name, role, token} once and stores only the token hash', async () => {
    const db = path.join(tempDir(), 'u.sqlite');
    const r = await run(['user', 'add', '--name', '林怡芬', '--role', 'ethics', '--json', '--db', db]);
    expect(r.code).toBe(0);
    const u = JSON.parse(r.out) as { id: string; name: string; role: string; token: string };
    expect(u).toMatchObject({ name: '林怡芬', role: 'ethics' });
    expect(u.token.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(db).includes(Buffer.from(u.token))).toBe(false);
    expect((await run(['user', 'add', '--name', '林怡芬', '--role', 'ethics', '--db', db])).code).toBe(1);
    expect((await run(['user', 'add', '--name', 'x', '--role', 'king', '--db', db])).code).toBe(1);
  });
});

describe('the installed command', () => {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'lottery.js');
  // `npm test` builds first (pretest), so dist/ is there: this checks what users actually run.
  it('runs from bin/lottery.js with the documented exit codes', () => {
    expect(
      spawnSync(process.execPath, [bin, 'verify', bundleFile, '--fingerprint', fingerprint]).status,
    ).toBe(0);
    expect(spawnSync(process.execPath, [bin, 'verify', bundleFile]).status).toBe(1);
    const junk = path.join(t.dir, 'junk2.json');
    fs.writeFileSync(junk, 'not json');
    expect(spawnSync(process.execPath, [bin, 'verify', junk]).status).toBe(2);
    const out = execFileSync(process.execPath, [
      bin,
      'user',
      'add',
      '--name',
      'a',
      '--role',
      'auditor',
      '--json',
      '--db',
      path.join(tempDir(), 'x.sqlite'),
    ]).toString();
    expect(JSON.parse(out)).toHaveProperty('token');
  });
});

describe('the CLI refuses what it would otherwise ignore', () => {
  it('an unknown option, or a bundle with --db, is a usage error (exit 2)', async () => {
    expect((await run(['verify', '--db', t.dbFile, '--checkpiont', 'x.json'])).code).toBe(2);
    expect((await run(['verify', bundleFile, '--db', t.dbFile])).code).toBe(2);
  });

  it('a --key that is not an RSA public key is unreadable input (exit 2)', async () => {
    const f = path.join(t.dir, 'garbage.pem');
    fs.writeFileSync(f, 'not a key');
    expect((await run(['verify', bundleFile, '--key', f])).code).toBe(2);
    const ec = (await import('node:crypto'))
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    fs.writeFileSync(f, ec);
    expect((await run(['verify', bundleFile, '--key', f])).code).toBe(2);
  });

  it('--key also takes the office’s certificate file', async () => {
    const f = path.join(t.dir, 'cert.pem');
    const cert = (bundle as { checkpoint: { certificate?: string } }).checkpoint.certificate;
    expect(cert).toBeDefined();
    fs.writeFileSync(f, cert ?? '');
    expect((await run(['verify', bundleFile, '--key', f])).code).toBe(0);
  });

  it('a bundle with a number written as 20.0 or 2.4e1 is unreadable (exit 2), as for any other verifier', async () => {
    const f = path.join(t.dir, 'float.json');
    fs.writeFileSync(f, JSON.stringify(bundle).replace('"poolSize":20', '"poolSize":20.0'));
    expect((await run(['verify', f])).code).toBe(2);
  });

  it('--json escapes bidi characters from the bundle', async () => {
    const b = structuredClone(bundle) as { stages: Array<{ winners: string[] }> };
    (b.stages[0] as { winners: string[] }).winners[0] = 'D\u202e01';
    const f = path.join(t.dir, 'bidi.json');
    fs.writeFileSync(f, JSON.stringify(b));
    const r = await run(['verify', f, '--json']);
    expect(r.out.includes('\u202e')).toBe(false);
    expect(r.out).toContain('\\u202e');
  });
});
