import request from 'supertest';
import { verifyBundle, verifyDatabase } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { sheetDigest, sheetEntries } from '../../src/domain/physical';
import { initialPool } from '../../src/domain/protocol';
import { sha256 } from '../helpers/crypto';
import {
  auth,
  createLoaded,
  example,
  makeApp,
  openCeremony,
  ownConnection,
  type TestApp,
} from '../helpers/app';

/**
 * issue 11, attacked from outside: what the meeting's life (meeting.updated, rehearsals, cancelling, copying) and
 * physical draws let an operator or a hostile client do to the v2 ceremony. The clock is 2026-01-22 14:30 Taipei.
 */
let now = new Date('2026-01-22T06:30:00.000Z');
let t: TestApp;
beforeEach(() => {
  now = new Date('2026-01-22T06:30:00.000Z');
  t = makeApp({ clock: () => now });
});
afterEach(() => t.close());

const api = (): ReturnType<typeof request> => request(t.app);
const as = (): [string, string] => auth(t.tokens.ethics);

describe('when an operator moves the meeting day after the lock to draw on another day', () => {
  it('the draw is allowed (a postponed meeting) but the verifier warns that the day moved', async () => {
    const id = await createLoaded(t, {
      year: 115,
      agency: '數位發展部',
      meeting: { date: '2026-01-30T10:00' },
    });
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...as())
      .expect(200);
    await api()
      .patch(`/api/v1/lotteries/${id}/meeting`)
      .set(...as())
      .send({ date: '2026-01-22T14:30' })
      .expect(200);
    const c = await openCeremony(t, id);
    for (const [n, body] of [
      [1, { ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment }],
      [2, { ceremonyToken: c.ceremonyToken }],
    ] as const)
      await api()
        .post(`/api/v1/lotteries/${id}/stages/${n}/draw`)
        .set(...auth(t.tokens.drawer))
        .send(body)
        .expect(200);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...as())
      .expect(200);
    const rep = await verifyBundle(b.body, nodeVerifyDeps, { trustedFingerprint: c.keyFingerprint });
    expect(rep.ok).toBe(true);
    expect(rep.warnings.join('\n')).toMatch(/meeting day moved at seq \d+ .* from 2026-01-30 to 2026-01-22/);
  });

  it('once stage 1 is drawn the day cannot move any more, so the draw cannot be re-dated', async () => {
    const id = await createLoaded(t, {
      year: 115,
      agency: '數位發展部',
      meeting: { date: '2026-01-22T14:30' },
    });
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...as())
      .expect(200);
    const c = await openCeremony(t, id);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment })
      .expect(200);
    const r = await api()
      .patch(`/api/v1/lotteries/${id}/meeting`)
      .set(...as())
      .send({ date: '2026-01-23T14:30' });
    expect([r.status, (r.body as { code?: string }).code]).toEqual([409, 'ALREADY_DRAWN']);
  });
});

/** A lottery loaded with the example roster and locked; its meeting is on `date`. */
async function lockedLottery(body: Record<string, unknown> = {}, date = '2026-01-22T14:30'): Promise<string> {
  const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: { date }, ...body });
  await api()
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...as())
    .expect(200);
  return id;
}

const sql = (text: string, ...args: unknown[]): void =>
  ownConnection(t.dbFile, (own) => {
    own.prepare(text).run(...args);
  });

describe('when the database is edited behind the service to dodge the ceremony', () => {
  it('a real lottery flipped to a rehearsal in the table cannot open its ceremony on another day', async () => {
    const id = await lockedLottery({}, '2026-01-30T10:00');
    ownConnection(t.dbFile, (own) => {
      own.exec('DROP TRIGGER lotteries_rehearsal_fixed');
      own.prepare('UPDATE lotteries SET rehearsal = 1 WHERE id = ?').run(id);
    });
    const r = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer));
    expect([r.status, (r.body as { code?: string }).code]).toEqual([500, 'STATE_INTEGRITY']);
  });

  it('a random lottery flipped to physical in the table, with a sheet slipped in, takes no ball', async () => {
    const id = await lockedLottery();
    const c = await openCeremony(t, id);
    const pool = sheetEntries(initialPool(example.roster));
    sql("UPDATE lotteries SET method = 'physical' WHERE id = ?", id);
    sql(
      'INSERT INTO pool_sheets (lottery_id, stage, entries, sha256, issued_at) VALUES (?, 1, ?, ?, ?)',
      id,
      JSON.stringify(pool),
      sheetDigest(id, 1, pool, sha256),
      now.toISOString(),
    );
    const r = await api()
      .post(`/api/v1/lotteries/${id}/stages/1/balls`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, number: 1 });
    expect([r.status, (r.body as { code?: string }).code]).toEqual([500, 'STATE_INTEGRITY']);
    const reopen = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer));
    expect(reopen.status).toBe(500);
  });

  it('a physical lottery whose stage 1 sheet was replaced in the table (two numbers swapped) takes no ball', async () => {
    const id = await lockedLottery({ method: 'physical' });
    const pool = sheetEntries(initialPool(example.roster));
    const swapped = [pool[1], pool[0], ...pool.slice(2)] as string[];
    sql('DELETE FROM pool_sheets WHERE lottery_id = ?', id);
    sql(
      'INSERT INTO pool_sheets (lottery_id, stage, entries, sha256, issued_at) VALUES (?, 1, ?, ?, ?)',
      id,
      JSON.stringify(swapped),
      sheetDigest(id, 1, swapped, sha256),
      now.toISOString(),
    );
    const c = await openCeremony(t, id);
    const r = await api()
      .post(`/api/v1/lotteries/${id}/stages/1/balls`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, number: 1 });
    expect([r.status, (r.body as { code?: string }).code]).toEqual([500, 'STATE_INTEGRITY']);
  });
});

describe('when a physical rehearsal is copied into a real lottery', () => {
  it('the real lottery is drawn with balls too, as the office rehearsed it', async () => {
    const id = await createLoaded(t, {
      year: 115,
      agency: '新北市政府',
      method: 'physical',
      rehearsal: true,
    });
    const r = await api()
      .post(`/api/v1/lotteries/${id}/copy`)
      .set(...as())
      .expect(201);
    const to = (r.body as { id: string }).id;
    expect(t.store.lottery(to)?.method).toBe('physical');
    const created = t.store.journalPage({ limit: 1, lottery: to, type: 'lottery.created' })[0];
    expect(created?.data.method).toBe('physical');
    expect(created?.data.rehearsal).toBeUndefined();
  });
});

describe('when verify --db reads a table whose method was flipped', () => {
  it('a random lottery marked physical in the table is reported against lottery.created', async () => {
    const id = await lockedLottery();
    sql("UPDATE lotteries SET method = 'physical' WHERE id = ?", id);
    const r = await verifyDatabase(t.store.snapshot(), nodeVerifyDeps);
    const check = r.checks.find((c) => c.name === `tables.lottery:${id}`);
    expect(check?.ok).toBe(false);
    expect(check?.detail).toMatch(/method is physical in the table, the journal created it random/);
  });
});
