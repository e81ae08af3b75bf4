import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { sheetDigest } from '../../src/domain/physical';
import { initialPool } from '../../src/domain/protocol';
import { sha256 as sha256Hex } from '../helpers/crypto';
import { auth, createLoaded, example, makeApp, openCeremony, type TestApp } from '../helpers/app';

// Physical draws (實體抽籤, protocol.md §6.1): the pool sheet, each ball journalled as it is entered, undo with a
// reason, the stage recorded at its quota, and every refusal writing nothing.

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(() => t.close());

const PHYSICAL = { year: 113, agency: '新北市政府', method: 'physical' };
/** Half the pool at each stage: room for several balls, and for mistakes. */
const HALF = {
  ...PHYSICAL,
  stages: [
    { label: '實質審查', percent: '50' },
    { label: '前後年度申報財產比對', percent: '50' },
  ],
};

async function lockedPhysical(body: Record<string, unknown> = HALF): Promise<{ id: string; token: string }> {
  const id = await createLoaded(t, body);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  const c = await openCeremony(t, id);
  return { id, token: c.ceremonyToken };
}

const ball = (id: string, stage: number, body: Record<string, unknown>): request.Test =>
  request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/${stage}/balls`)
    .set(...auth(t.tokens.drawer))
    .send(body);
const undo = (id: string, stage: number, body: Record<string, unknown>): request.Test =>
  request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/${stage}/balls/undo`)
    .set(...auth(t.tokens.drawer))
    .send(body);

async function journal(id: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const r = await request(t.app)
    .get(`/api/v1/journal?lottery=${id}&limit=1000`)
    .set(...auth(t.tokens.auditor))
    .expect(200);
  return (r.body as { entries: Array<{ type: string; data: Record<string, unknown> }> }).entries;
}

const sortedIds: string[] = [...initialPool(example.roster)];
/** The example's pool: its entries not excluded. Stage 1 at 10% draws 2 of them, stage 2 at 2% one. */
const N = sortedIds.length;

describe('a physical draw', () => {
  it('when created with method "physical" › lottery.created says so; a random one does not', async () => {
    const id = await createLoaded(t, PHYSICAL);
    const rid = await createLoaded(t);
    const created = (await journal(id)).find((e) => e.type === 'lottery.created');
    const rcreated = (await journal(rid)).find((e) => e.type === 'lottery.created');
    expect(created?.data.method).toBe('physical');
    expect(rcreated?.data).not.toHaveProperty('method');
  });

  it('when method is neither random nor physical › 422 naming the field, nothing created', async () => {
    const r = await request(t.app)
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ ...PHYSICAL, method: 'dice' })
      .expect(422);
    expect(JSON.stringify(r.body)).toContain('method');
    const list = await request(t.app)
      .get('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics));
    expect(list.body.lotteries).toHaveLength(0);
  });

  it('when locked › stage 1 has a pool sheet in id order, journalled by its digest, with its quota shown', async () => {
    const { id } = await lockedPhysical(PHYSICAL);
    const entries = await journal(id);
    const issued = entries.find((e) => e.type === 'poolsheet.issued');
    expect(issued?.data).toEqual({
      lottery: id,
      stage: 1,
      poolSize: sortedIds.length,
      sha256: sheetDigest(id, 1, sortedIds, sha256Hex),
    });
    const v = await request(t.app)
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(v.body.method).toBe('physical');
    expect(v.body.physical.sheets).toEqual([
      expect.objectContaining({ stage: 1, poolSize: N, quota: 2, sha256: issued?.data.sha256 }),
    ]);
  });

  it('when the balls are entered › each is journalled at once, and the quota-th records the stage', async () => {
    const { id, token } = await lockedPhysical(PHYSICAL);
    const one = await ball(id, 1, { ceremonyToken: token, number: N }).expect(201);
    expect(one.body.recorded).toBe(false);
    expect(one.body.balls.map((b: { number: number }) => b.number)).toEqual([N]);
    const two = await ball(id, 1, { ceremonyToken: token, number: 1 }).expect(201);
    expect(two.body.balls.map((b: { number: number }) => b.number)).toEqual([N, 1]);
    expect(two.body.recorded).toBe(true);
    expect(two.body.status).toBe('drawing');
    const winners = [sortedIds[N - 1] as string, sortedIds[0] as string];
    const entries = await journal(id);
    const balls = entries.filter((e) => e.type === 'stage.ball').map((e) => e.data);
    expect(balls).toEqual([
      { lottery: id, stage: 1, number: N, entry: winners[0] },
      { lottery: id, stage: 1, number: 1, entry: winners[1] },
    ]);
    const rec = entries.find((e) => e.type === 'stage.recorded');
    expect(rec?.data).toEqual({
      lottery: id,
      stage: 1,
      method: 'physical',
      poolSize: N,
      quota: 2,
      winners,
      session: expect.stringMatching(/^[0-9a-f]{64}$/), // issue 13: the session the closing ball came from
    });
    // Stage 2's sheet numbers stage 1's winners, in id order.
    const sheet2 = entries.filter((e) => e.type === 'poolsheet.issued')[1];
    expect(sheet2?.data).toEqual({
      lottery: id,
      stage: 2,
      poolSize: 2,
      sha256: sheetDigest(id, 2, [...winners].sort(), sha256Hex),
    });
    const last = await ball(id, 2, { ceremonyToken: token, number: 2 }).expect(201);
    expect(last.body).toMatchObject({ recorded: true, status: 'drawn', quota: 1 });
    const v = await request(t.app)
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(v.body.results.map((r: { winners: Array<{ id: string }> }) => r.winners.map((w) => w.id))).toEqual(
      [winners, [[...winners].sort()[1]]],
    );
  });

  it.each([
    ['a number not on the sheet', { number: 21 }, 422, 'BALL_NOT_ON_SHEET', '沒有 21 號'],
    ['number zero', { number: 0 }, 422, 'BALL_NOT_ON_SHEET', '沒有 0 號'],
    ['a number that is not whole', { number: 2.5 }, 422, 'VALIDATION_FAILED', '整數'],
    ['a number as text', { number: '7' }, 422, 'VALIDATION_FAILED', '整數'],
    ['an unknown field', { number: 7, extra: 1 }, 422, 'VALIDATION_FAILED', 'extra'],
  ])(
    'when a ball is %s › refused with a clear bilingual error, nothing written',
    async (_, body, status, code, zh) => {
      const { id, token } = await lockedPhysical();
      const before = (await journal(id)).length;
      const r = await ball(id, 1, { ceremonyToken: token, ...body }).expect(status);
      expect(r.body.code).toBe(code);
      expect(JSON.stringify(r.body)).toContain(zh);
      expect(typeof r.body.title).toBe('string');
      expect((await journal(id)).length).toBe(before);
    },
  );

  it('when a ball already drawn is entered again › 409 BALL_ALREADY_DRAWN, nothing written', async () => {
    const { id, token } = await lockedPhysical();
    await ball(id, 1, { ceremonyToken: token, number: 7 }).expect(201);
    const before = (await journal(id)).length;
    const r = await ball(id, 1, { ceremonyToken: token, number: 7 }).expect(409);
    expect(r.body.code).toBe('BALL_ALREADY_DRAWN');
    expect(r.body.detail ?? r.body.title).toBeTruthy();
    expect((await journal(id)).length).toBe(before);
  });

  it('when there is no ceremony token, or another user enters › 403, nothing written', async () => {
    const { id, token } = await lockedPhysical();
    const before = (await journal(id)).length;
    expect((await ball(id, 1, { number: 3 }).expect(403)).body.code).toBe('CEREMONY_TOKEN_REQUIRED');
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/stages/1/balls`)
      .set(...auth(t.tokens.ethics))
      .send({ ceremonyToken: token, number: 3 })
      .expect(403);
    expect((await journal(id)).length).toBe(before);
  });

  it('when the ceremony is not open › 409 CEREMONY_NOT_OPEN', async () => {
    const id = await createLoaded(t, PHYSICAL);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect((await ball(id, 1, { ceremonyToken: 'x', number: 3 }).expect(409)).body.code).toBe(
      'CEREMONY_NOT_OPEN',
    );
  });

  it('when a ball is entered for stage 2 first, or for a stage that does not exist › refused', async () => {
    const { id, token } = await lockedPhysical();
    expect((await ball(id, 2, { ceremonyToken: token, number: 1 }).expect(409)).body.code).toBe(
      'STAGE_OUT_OF_ORDER',
    );
    expect((await ball(id, 3, { ceremonyToken: token, number: 1 }).expect(404)).body.code).toBe('NOT_FOUND');
  });

  it('when the computer is asked to draw a physical lottery, or balls are entered for a random one › 409 WRONG_METHOD', async () => {
    const { id, token } = await lockedPhysical();
    const r = await request(t.app)
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: token, entropy: example.entropy, commitment: 'x' })
      .expect(409);
    expect(r.body.code).toBe('WRONG_METHOD');
    const rid = await createLoaded(t);
    expect((await ball(rid, 1, { number: 1 }).expect(409)).body.code).toBe('WRONG_METHOD');
  });

  it('when the last ball is undone with a reason › journalled, and the number may be drawn again', async () => {
    const { id, token } = await lockedPhysical();
    await ball(id, 1, { ceremonyToken: token, number: 12 }).expect(201);
    const u = await undo(id, 1, { ceremonyToken: token, number: 12, reason: '誤植，球號為 21' }).expect(200);
    expect(u.body.balls).toEqual([]);
    const entries = await journal(id);
    expect(entries.filter((e) => e.type === 'stage.ball.undone').map((e) => e.data)).toEqual([
      { lottery: id, stage: 1, number: 12, reason: '誤植，球號為 21' },
    ]);
    await ball(id, 1, { ceremonyToken: token, number: 12 }).expect(201);
    const v = await request(t.app)
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(v.body.physical.balls).toEqual([
      expect.objectContaining({ number: 12, undoReason: '誤植，球號為 21' }),
      expect.not.objectContaining({ undoReason: expect.anything() }),
    ]);
  });

  it('when an undo has no reason › 422, nothing written', async () => {
    const { id, token } = await lockedPhysical();
    await ball(id, 1, { ceremonyToken: token, number: 12 }).expect(201);
    const before = (await journal(id)).length;
    const r = await undo(id, 1, { ceremonyToken: token, number: 12 }).expect(422);
    expect(JSON.stringify(r.body)).toContain('reason');
    expect((await journal(id)).length).toBe(before);
  });

  it('when the ball to undo is not the last one, or a later ball came after it › 409 NO_BALL_TO_UNDO', async () => {
    const { id, token } = await lockedPhysical();
    await ball(id, 1, { ceremonyToken: token, number: 4 }).expect(201);
    await ball(id, 1, { ceremonyToken: token, number: 9 }).expect(201);
    const before = (await journal(id)).length;
    const r = await undo(id, 1, { ceremonyToken: token, number: 4, reason: 'x' }).expect(409);
    expect(r.body.code).toBe('NO_BALL_TO_UNDO');
    expect((await journal(id)).length).toBe(before);
    // Undoing 9 makes 4 the last one standing, but a ball came after it: it stays.
    await undo(id, 1, { ceremonyToken: token, number: 9, reason: '誤植' }).expect(200);
    expect((await undo(id, 1, { ceremonyToken: token, number: 4, reason: 'x' }).expect(409)).body.code).toBe(
      'NO_BALL_TO_UNDO',
    );
  });

  it('when a stage is recorded › its last ball cannot be undone, and no more balls go in', async () => {
    const { id, token } = await lockedPhysical(PHYSICAL);
    for (const n of [1, 2]) await ball(id, 1, { ceremonyToken: token, number: n }).expect(201);
    expect((await undo(id, 1, { ceremonyToken: token, number: 2, reason: 'x' }).expect(409)).body.code).toBe(
      'STAGE_ALREADY_DRAWN',
    );
    expect((await ball(id, 1, { ceremonyToken: token, number: 4 }).expect(409)).body.code).toBe(
      'STAGE_ALREADY_DRAWN',
    );
  });

  it('when a ball is in › the ceremony cannot be adjourned', async () => {
    const { id, token } = await lockedPhysical();
    await ball(id, 1, { ceremonyToken: token, number: 1 }).expect(201);
    const r = await request(t.app)
      .post(`/api/v1/lotteries/${id}/ceremony/adjourn`)
      .set(...auth(t.tokens.drawer))
      .send({ reason: '停電' })
      .expect(409);
    expect(r.body.code).toBe('ALREADY_DRAWN');
  });

  it('when unlocked and locked again › a new sheet is issued for stage 1', async () => {
    const id = await createLoaded(t, PHYSICAL);
    const lock = (): request.Test =>
      request(t.app)
        .post(`/api/v1/lotteries/${id}/lock`)
        .set(...auth(t.tokens.ethics));
    await lock().expect(200);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '名冊更正' })
      .expect(200);
    await lock().expect(200);
    expect((await journal(id)).filter((e) => e.type === 'poolsheet.issued')).toHaveLength(2);
  });

  it('when the pool sheet PDF is fetched › it lists 號次 and names in id order, with the digest', async () => {
    const { id } = await lockedPhysical(PHYSICAL);
    const r = await request(t.app)
      .get(`/api/v1/lotteries/${id}/stages/1/pool-sheet.pdf`)
      .set(...auth(t.tokens.ethics))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    const file = path.join(t.dir, 'sheet.pdf');
    fs.writeFileSync(file, r.body as Buffer);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('實體抽籤號次表');
    expect(text).toContain(sheetDigest(id, 1, sortedIds, sha256Hex));
    const byId = new Map(example.roster.map((e) => [e.id, e.name]));
    // Every name, once each, in id order: 號次 n is the n-th id.
    const at = sortedIds.map((i) => text.indexOf(` ${i} `));
    expect(at.every((x, k) => x > 0 && (k === 0 || x > (at[k - 1] as number)))).toBe(true);
    expect(text).toContain(byId.get(sortedIds[0] as string) as string);
    expect(text).toMatch(new RegExp(`\\n\\s*${N}\\s+${sortedIds[N - 1] as string}\\s`));
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/stages/2/pool-sheet.pdf`)
      .set(...auth(t.tokens.ethics))
      .expect(404);
  });
});
