/**
 * Tampering with the triggers dropped, on the SQLite file itself: every kind of edit to the journal is reported
 * at the first broken seq by both GET /api/v1/journal/verify and `lottery verify --db`.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import request from 'supertest';
import { main } from '../../src/cli/main';
import { buildApp } from '../../src/http/app';
import { Store } from '../../src/store/store';
import { drawnLottery, makeApp, ownConnection, tempDir, testSigner, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = makeApp();
  await drawnLottery(t);
});
afterAll(() => t.close());

// Each edit changes the row for certain: hashes are random, so a fixed digit written over one could be a no-op.
const EDITS: Array<[string, string, number]> = [
  ['seq', 'UPDATE journal SET seq = 1000 WHERE seq = 6', 6],
  ['at', "UPDATE journal SET at = '2000-01-01T00:00:00.000Z' WHERE seq = 6", 6],
  ['type', "UPDATE journal SET type = 'lottery.updated' WHERE seq = 6", 6],
  ['actor', "UPDATE journal SET actor = 'system' WHERE seq = 6", 6],
  ['data', `UPDATE journal SET data = replace(data, '"lottery"', '"lottery" ') WHERE seq = 6`, 6],
  [
    'prev',
    "UPDATE journal SET prev = (CASE WHEN substr(prev, 1, 1) = 'f' THEN 'e' ELSE 'f' END) || substr(prev, 2) WHERE seq = 6",
    6,
  ],
  [
    'hash',
    "UPDATE journal SET hash = (CASE WHEN substr(hash, 1, 1) = 'e' THEN 'd' ELSE 'e' END) || substr(hash, 2) WHERE seq = 6",
    6,
  ],
  ['a deleted row', 'DELETE FROM journal WHERE seq = 6', 6],
  [
    'an inserted row',
    "UPDATE journal SET seq = seq + 100000 WHERE seq >= 6; UPDATE journal SET seq = seq - 99999 WHERE seq > 100000; INSERT INTO journal SELECT 6, at, type, actor, data, prev, printf('%064d', 7) FROM journal WHERE seq = 2",
    6,
  ],
  [
    'two rows swapped',
    'UPDATE journal SET seq = -1 WHERE seq = 6; UPDATE journal SET seq = 6 WHERE seq = 7; UPDATE journal SET seq = 7 WHERE seq = -1',
    6,
  ],
];

describe.each(EDITS)('when %s was tampered with', (_what, sql, brokenAt) => {
  it('GET /api/v1/journal/verify and lottery verify --db report the first broken seq', async () => {
    const copy = path.join(tempDir(), 'tampered.sqlite');
    ownConnection(t.dbFile, (own) => own.exec(`VACUUM INTO '${copy}'`));
    const db = new Database(copy);
    db.exec(
      'DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; DROP TRIGGER journal_append_only',
    );
    db.exec(sql);
    db.close();
    const store = Store.open(copy);
    try {
      const { app, services } = buildApp({ store, signer: testSigner() });
      const auditor = services.addUser('cli', { name: 'auditor2', role: 'auditor' }).token;
      const r = await request(app)
        .get('/api/v1/journal/verify')
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(r.body).toMatchObject({ ok: false, brokenAt });
    } finally {
      store.close();
    }
    let out = '';
    const code = await main(['verify', '--db', copy, '--json'], {
      out: (s) => (out += s),
      err: () => undefined,
    });
    expect(code).toBe(1);
    expect((JSON.parse(out) as { brokenAt: number }).brokenAt).toBe(brokenAt);
  });
});
