import crypto from 'node:crypto';
import request, { type Response } from 'supertest';
import { pdftotext } from '../helpers/poppler';
import { auth, createLoaded, makeApp, openCeremony, ownConnection, type TestApp } from '../helpers/app';

/**
 * The attacks of the ceremony issue (lottery-draw/v2), each reproduced against the API: they must now fail to
 * attack. Times are fixed: the meeting is on 2026-01-22 (Asia/Taipei).
 */
let now = new Date('2026-01-22T06:30:00.000Z'); // 14:30 in Taipei
let t: TestApp;
let id: string;
beforeEach(async () => {
  now = new Date('2026-01-22T06:30:00.000Z');
  t = makeApp({ clock: () => now });
  id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: { date: '2026-01-22T14:30' } });
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
});
afterEach(() => t.close());

const api = (): ReturnType<typeof request> => request(t.app);
const code = (r: Response): unknown => (r.body as { code?: unknown }).code;
const draw1 = (token: string, body: Record<string, unknown>): request.Test =>
  api()
    .post(`/api/v1/lotteries/${id}/stages/1/draw`)
    .set(...auth(token))
    .send(body);

describe('when the entropy is spelled to steer the draw', () => {
  it.each([
    ['variation selectors after digits', '6\ufe01 2\ufe00 5 1 3 4 1 2 3 4'],
    ['commas', '6,2,5,1,3,4,1,2,3,4'],
    ['hyphens', '6-2-5-1-3-4-1-2-3-4'],
    ['a zero-width space', '625134\u200b1234'],
    ['one die', '3'],
    ['nine digits', '625134123'],
    ['letters', '62513a41234'],
    ['an emoji', '6251341234🎲'],
  ])(
    '%s are refused with ENTROPY_INVALID in Chinese and English, and nothing is written',
    async (_, entropy) => {
      const c = await openCeremony(t, id);
      const head = t.store.journalHead();
      const r = await draw1(t.tokens.drawer, {
        ceremonyToken: c.ceremonyToken,
        commitment: c.commitment,
        entropy,
      });
      expect(r.status).toBe(422);
      expect(code(r)).toBe('ENTROPY_INVALID');
      expect(r.body.message.zh).toMatch(/10 至 64 個數字/);
      expect(r.body.message.en).toMatch(/10 to 64 digits/);
      const rb = await api()
        .post(`/api/v1/lotteries/${id}/stages/1/entropy`)
        .set(...auth(t.tokens.drawer))
        .send({ entropy })
        .expect(422);
      expect(code(rb)).toBe('ENTROPY_INVALID');
      expect(t.store.journalHead()).toEqual(head);
    },
  );

  it('full-width digits and ideographic spaces read back as the same canonical digits, grouped in fives', async () => {
    for (const entropy of ['６２５１３　４１２３４', '6251341234', ' 6 2 5 1 3 4 1 2 3 4 '])
      expect(
        (
          await api()
            .post(`/api/v1/lotteries/${id}/stages/1/entropy`)
            .set(...auth(t.tokens.drawer))
            .send({ entropy })
            .expect(200)
        ).body,
      ).toEqual({ digits: '6251341234', grouped: '62513 41234', count: 10 });
  });
});

describe('when a second credential races the minister', () => {
  it('cannot draw during an open ceremony, even holding the token, and cannot take it over by reopening', async () => {
    const c = await openCeremony(t, id, t.tokens.drawer);
    const body = { ceremonyToken: c.ceremonyToken, commitment: c.commitment, entropy: '1234567890' };
    const stolen = await draw1(t.tokens.ethics, body).expect(403);
    expect(code(stolen)).toBe('CEREMONY_TOKEN_REQUIRED');
    const noToken = await draw1(t.tokens.ethics, { commitment: c.commitment, entropy: '1234567890' }).expect(
      403,
    );
    expect(code(noToken)).toBe('CEREMONY_TOKEN_REQUIRED');
    const takeover = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.ethics))
      .expect(409);
    expect(code(takeover)).toBe('CEREMONY_OPEN');
    expect(takeover.body.openedBy).toBe('minister');
    // The minister's own press still works, and a second press is answered with what was journalled.
    const ok = await draw1(t.tokens.drawer, body).expect(200);
    expect(ok.body).toMatchObject({ digits: '1234567890', drawnBy: 'minister' });
    const again = await draw1(t.tokens.drawer, body).expect(409);
    expect(again.body).toMatchObject({
      code: 'STAGE_ALREADY_DRAWN',
      digits: '1234567890',
      drawnBy: 'minister',
      drawnAt: ok.body.drawnAt,
    });
  });

  it('reopening by the opener voids the earlier token, and the journal lists both openings', async () => {
    const first = await openCeremony(t, id);
    const second = await openCeremony(t, id);
    expect(second.ceremonyToken).not.toBe(first.ceremonyToken);
    expect(
      code(
        await draw1(t.tokens.drawer, {
          ceremonyToken: first.ceremonyToken,
          commitment: first.commitment,
          entropy: '1234567890',
        }).expect(403),
      ),
    ).toBe('CEREMONY_TOKEN_REQUIRED');
    const view = await api()
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.drawer))
      .expect(200);
    expect(view.body.ceremony.open).toMatchObject({ openedAt: second.openedAt, openedBy: 'minister' });
    expect(view.body.ceremony.history.map((h: { kind: string }) => h.kind)).toEqual(['opened', 'opened']);
  });

  it('the projector draws against the commitment it showed: another commitment is COMMITMENT_MISMATCH', async () => {
    const c = await openCeremony(t, id);
    const r = await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: 'f'.repeat(64),
      entropy: '1234567890',
    }).expect(409);
    expect(code(r)).toBe('COMMITMENT_MISMATCH');
  });
});

describe('when the draw is attempted on another day', () => {
  it('opening before the meeting day is refused with NOT_MEETING_DAY', async () => {
    now = new Date('2026-01-21T06:30:00.000Z');
    const r = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer))
      .expect(409);
    expect(code(r)).toBe('NOT_MEETING_DAY');
  });

  it('opening at 23:59 Taipei time does not allow a draw at 00:01', async () => {
    now = new Date('2026-01-22T15:59:00.000Z'); // 23:59 in Taipei
    const c = await openCeremony(t, id);
    now = new Date('2026-01-22T16:01:00.000Z'); // 00:01 the next day in Taipei
    const r = await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(409);
    expect(code(r)).toBe('NOT_MEETING_DAY');
  });

  it('a lottery without a meeting date cannot open a ceremony', async () => {
    const created = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 115, agency: 'X' })
      .expect(201);
    const other = created.body.id as string;
    await api()
      .put(`/api/v1/lotteries/${other}/roster`)
      .set(...auth(t.tokens.ethics))
      .send({ entries: [{ id: 'A1', name: '甲' }] })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${other}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const r = await api()
      .post(`/api/v1/lotteries/${other}/ceremony`)
      .set(...auth(t.tokens.drawer))
      .expect(409);
    expect(code(r)).toBe('MEETING_DATE_REQUIRED');
  });
});

describe('adjourning and unlocking', () => {
  it('unlock is refused while a ceremony is open; after an adjournment the token is void and unlock is allowed', async () => {
    const c = await openCeremony(t, id);
    const refused = await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '名冊漏列一人' })
      .expect(409);
    expect(code(refused)).toBe('CEREMONY_OPEN');
    await api()
      .post(`/api/v1/lotteries/${id}/ceremony/adjourn`)
      .set(...auth(t.tokens.ethics))
      .send({})
      .expect(422);
    const adj = await api()
      .post(`/api/v1/lotteries/${id}/ceremony/adjourn`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '會議延期' })
      .expect(200);
    expect(adj.body.ceremony.open).toBeNull();
    expect(adj.body.ceremony.history.at(-1)).toMatchObject({ kind: 'adjourned', reason: '會議延期' });
    const r = await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(409);
    expect(code(r)).toBe('CEREMONY_NOT_OPEN');
    // Anyone may open it again after an adjournment.
    await openCeremony(t, id, t.tokens.ethics);
    await api()
      .post(`/api/v1/lotteries/${id}/ceremony/adjourn`)
      .set(...auth(t.tokens.drawer))
      .send({ reason: '再延期' })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '名冊漏列一人' })
      .expect(200);
    const pub = await api().get(`/api/v1/public/lotteries/${id}`).expect(200);
    expect(pub.body.ceremony.map((x: { kind: string }) => x.kind)).toEqual([
      'opened',
      'adjourned',
      'opened',
      'adjourned',
    ]);
    expect(pub.body.locks).toHaveLength(1);
    expect(pub.body.locks[0].unlockedAt).toBeDefined();
  });

  it('cannot adjourn after stage 1 was drawn', async () => {
    const c = await openCeremony(t, id);
    await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(200);
    const r = await api()
      .post(`/api/v1/lotteries/${id}/ceremony/adjourn`)
      .set(...auth(t.tokens.drawer))
      .send({ reason: 'x' })
      .expect(409);
    expect(code(r)).toBe('ALREADY_DRAWN');
  });
});

describe('a lottery locked under lottery-draw/v1', () => {
  it('is refused the draw with RELOCK_REQUIRED until it is unlocked and locked again under v2', async () => {
    ownConnection(t.dbFile, (own) =>
      own.prepare("UPDATE lotteries SET protocol = 'lottery-draw/v1' WHERE id = ?").run(id),
    );
    const open = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer))
      .expect(409);
    expect(code(open)).toBe('RELOCK_REQUIRED');
    expect(code(await draw1(t.tokens.drawer, { entropy: '1234567890' }).expect(409))).toBe('RELOCK_REQUIRED');
    await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '改用 lottery-draw/v2' })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(t.store.lottery(id)?.protocol).toBe('lottery-draw/v2');
    await openCeremony(t, id);
  });
});

describe("when the server's own state was edited behind its back", () => {
  it('a secret that does not hash to the commitment stops the draw with STATE_INTEGRITY and writes nothing', async () => {
    const c = await openCeremony(t, id);
    ownConnection(t.dbFile, (own) =>
      own.prepare('UPDATE lotteries SET secret = ? WHERE id = ?').run('a'.repeat(64), id),
    );
    const head = t.store.journalHead();
    const r = await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(500);
    expect(code(r)).toBe('STATE_INTEGRITY');
    expect(t.store.journalHead()).toEqual(head);
    expect(t.store.results(id)).toEqual([]);
  });

  it('is logged loudly, as an error naming what disagrees', async () => {
    const errors: Array<[string, Record<string, unknown> | undefined]> = [];
    const quiet = (): void => undefined;
    const logged = makeApp({
      clock: () => now,
      log: { info: quiet, warn: quiet, error: (msg, fields) => errors.push([msg, fields]) },
    });
    try {
      const lid = await createLoaded(logged, { year: 115, agency: 'X', meeting: { date: '2026-01-22' } });
      await request(logged.app)
        .post(`/api/v1/lotteries/${lid}/lock`)
        .set(...auth(logged.tokens.ethics))
        .expect(200);
      const c = await openCeremony(logged, lid);
      ownConnection(logged.dbFile, (own) =>
        own.prepare('UPDATE lotteries SET secret = ? WHERE id = ?').run('c'.repeat(64), lid),
      );
      await request(logged.app)
        .post(`/api/v1/lotteries/${lid}/stages/1/draw`)
        .set(...auth(logged.tokens.drawer))
        .send({ ceremonyToken: c.ceremonyToken, commitment: c.commitment, entropy: '1234567890' })
        .expect(500);
      expect(errors.map(([m]) => m)).toEqual([expect.stringMatching(/^STATE_INTEGRITY/)]);
      expect(JSON.stringify(errors[0]?.[1])).toMatch(/secret does not hash to the commitment/);
      expect(JSON.stringify(errors)).not.toContain('c'.repeat(64));
    } finally {
      logged.close();
    }
  });

  it('a roster shrunk after the lock stops the draw with STATE_INTEGRITY', async () => {
    const c = await openCeremony(t, id);
    ownConnection(t.dbFile, (own) =>
      own.prepare("DELETE FROM roster_entries WHERE lottery_id = ? AND id > 'D005'").run(id),
    );
    const r = await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(500);
    expect(code(r)).toBe('STATE_INTEGRITY');
    expect(r.body.problems.join(' ')).toMatch(/roster/);
  });
});

const binary = (res: request.Response, cb: (err: Error | null, body: unknown) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('the pre-meeting notice', () => {
  it('is issued after the lock as a signed PDF naming the commitment and fingerprint, journalled and public', async () => {
    const r = await api()
      .post(`/api/v1/lotteries/${id}/notice`)
      .set(...auth(t.tokens.ethics))
      .buffer(true)
      .parse(binary)
      .expect(201);
    const pdf = r.body as Buffer;
    const sha = crypto.createHash('sha256').update(pdf).digest('hex');
    const entry = t.store.journalPage({ limit: 10, lottery: id, type: 'notice.issued' })[0];
    expect(entry?.data).toEqual({ lottery: id, sha256: sha });
    const lottery = t.store.lottery(id);
    const text = pdftotext(pdf);
    expect(text).toContain(lottery?.commitment ?? 'none');
    expect(text).toContain(t.services.keyFingerprint());
    const pub = await api()
      .get(`/api/v1/public/lotteries/${id}/notice.pdf`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(
      crypto
        .createHash('sha256')
        .update(pub.body as Buffer)
        .digest('hex'),
    ).toBe(sha);
  });
});

describe('ceremonies that would otherwise never finish (found from outside)', () => {
  it('a meeting that runs past midnight finishes: stage 1 at 23:59:57, stage 2 at 00:00:05', async () => {
    now = new Date('2026-01-22T15:59:50.000Z');
    const c = await openCeremony(t, id);
    now = new Date('2026-01-22T15:59:57.000Z');
    await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(200);
    now = new Date('2026-01-22T16:00:05.000Z');
    // The projector crashed at midnight: the opener reopens and reveals the rest.
    const again = await openCeremony(t, id);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: again.ceremonyToken })
      .expect(200);
    expect(t.store.lottery(id)?.status).toBe('drawn');
  });

  it('a ceremony whose opener was revoked halfway can be reopened by another user and finished', async () => {
    const c = await openCeremony(t, id);
    await draw1(t.tokens.drawer, {
      ceremonyToken: c.ceremonyToken,
      commitment: c.commitment,
      entropy: '1234567890',
    }).expect(200);
    const before = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.ethics))
      .expect(409);
    expect(code(before)).toBe('CEREMONY_OPEN');
    t.services.revokeUser('cli', 'minister');
    const taken = await openCeremony(t, id, t.tokens.ethics);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(t.tokens.ethics))
      .send({ ceremonyToken: taken.ceremonyToken })
      .expect(200);
    expect(t.store.lottery(id)?.status).toBe('drawn');
  });
});
