import request, { type Response } from 'supertest';
import { rosterDigest } from '../../src/domain/protocol';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import {
  auth,
  createLoaded,
  example,
  lockAndDraw,
  makeApp,
  openCeremony,
  type TestApp,
} from '../helpers/app';
import { sha256 } from '../helpers/crypto';
import type { RosterEntry } from '../../src/domain/protocol';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(() => t.close());

const api = (): ReturnType<typeof request> => request(t.app);
const code = (r: Response): unknown => (r.body as { code?: unknown }).code;

describe('the whole ceremony through the API', () => {
  it('creates, loads, locks, draws both stages and exports a bundle that verifies', async () => {
    const created = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({
        year: 113,
        agency: '數位發展部',
        meeting: { date: t.today(), chair: '部長', monitor: '政風處長', witnesses: ['甲', '乙'] },
      })
      .expect(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(created.body.status).toBe('draft');
    expect(created.body.stages.map((s: { label: string; percent: string }) => [s.label, s.percent])).toEqual([
      ['實質審查', '10'],
      ['前後年度申報財產比對', '2'],
    ]);

    const loaded = await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .send({ entries: example.roster })
      .expect(200);
    expect(loaded.body).toMatchObject({ count: 21, poolSize: 20, rosterDigest: example.expect.rosterDigest });

    const locked = await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(locked.body).toMatchObject({
      status: 'locked',
      rosterDigest: example.expect.rosterDigest,
      quotas: [
        { stage: 1, poolSize: 20, quota: 2 },
        { stage: 2, poolSize: 2, quota: 1 },
      ],
    });
    expect(locked.body.commitment).toMatch(/^[0-9a-f]{64}$/);

    const c = await openCeremony(t, id);
    expect(c.commitment).toBe(locked.body.commitment);
    expect(c.keyFingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    const s1 = await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, entropy: ' 6 2 5 1 3  4 1 2 3 4 ', commitment: c.commitment })
      .expect(200);
    expect(s1.body).toMatchObject({
      stage: 1,
      poolSize: 20,
      quota: 2,
      digits: '6251341234',
      drawnBy: 'minister',
    });
    expect(s1.body.winners).toHaveLength(2);
    expect(s1.body.winners[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        name: expect.any(String),
        unit: expect.any(String),
        title: expect.any(String),
      }),
    );
    const mid = await api()
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.drawer))
      .expect(200);
    expect(mid.body.status).toBe('drawing');

    const s2 = await api()
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken })
      .expect(200);
    expect(s2.body.quota).toBe(1);
    expect(s1.body.winners.map((w: { id: string }) => w.id)).toContain(s2.body.winners[0].id);

    const got = await api()
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(got.body.status).toBe('drawn');
    expect(got.body.results).toHaveLength(2);
    expect(got.body.entropy).toBe('6251341234');
    expect(got.body.protocol).toBe('lottery-draw/v2');

    const bundle = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(bundle.body.format).toBe('lottery-audit-bundle/v2');
    const report = await verifyBundle(bundle.body, nodeVerifyDeps, {
      trustedFingerprint: c.keyFingerprint,
      observedCommitment: c.commitment.slice(0, 16),
    });
    expect(report.checks.filter((x) => !x.ok)).toEqual([]);
    expect(report.protocol).toBe('lottery-draw/v2');
    expect(report.checks.map((x) => x.name)).toEqual(
      expect.arrayContaining([
        'entropy.form',
        'ceremony.opened',
        'ceremony.date',
        'key.pinned',
        'commitment.observed',
      ]),
    );

    const pub = await api().get(`/api/v1/public/lotteries/${id}`).expect(200);
    expect(pub.body).toMatchObject({
      year: 113,
      agency: '數位發展部',
      count: 21,
      poolSize: 20,
      rosterDigest: example.expect.rosterDigest,
    });
    expect(pub.body.results[0].winners[0]).toHaveProperty('name');
    expect(JSON.stringify(pub.body)).not.toContain('本部首長'); // an exclusion reason is not public
    expect(pub.body).not.toHaveProperty('meeting');
  });

  it('journals every state change, and a later stage in the journal has no secret', async () => {
    const id = await createLoaded(t);
    await lockAndDraw(t, id);
    const j = await api()
      .get(`/api/v1/journal?lottery=${id}`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    const types = j.body.entries.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'lottery.created',
      'roster.loaded',
      'lottery.locked',
      'ceremony.opened',
      'stage.drawn',
      'stage.drawn',
    ]);
    // The page ending before the second draw, newest first in the query but answered in seq order.
    const seqOf = (r: request.Response): number[] => r.body.entries.map((e: { seq: number }) => e.seq);
    const all = seqOf(j);
    const before = await api()
      .get(`/api/v1/journal?lottery=${id}&before=${all[4]}&limit=2`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(seqOf(before)).toEqual([all[2], all[3]]);
    const [d1, d2] = j.body.entries.slice(4) as Array<{ data: Record<string, unknown> }>;
    expect(d1?.data).toEqual(
      expect.objectContaining({
        lottery: id,
        stage: 1,
        entropy: example.entropy,
        secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    );
    expect(d2?.data).not.toHaveProperty('secret');
    expect(JSON.stringify(j.body)).not.toContain('申報人'); // ids only, never names
    const v = await api()
      .get('/api/v1/journal/verify')
      .set(...auth(t.tokens.auditor))
      .expect(200);
    // log.key, four user.added, the lottery's six, and the drawer token's session.started (issue 13).
    expect(v.body).toEqual({ ok: true, length: 1 + 4 + 6 + 1, head: j.body.head });
  });
});

describe('lottery definitions', () => {
  it('refuses a first-stage rate below the legal floor of 5%', async () => {
    const r = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 113, agency: 'X', stages: [{ label: 'a', percent: '4.9999' }] })
      .expect(422);
    expect(code(r)).toBe('RATE_BELOW_LEGAL_FLOOR');
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.message.zh).toMatch(/第7條/);
  });

  it('accepts exactly 5% and a second stage below it, and stores each percent in one written form', async () => {
    const r = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({
        year: 113,
        agency: 'X',
        stages: [
          { label: 'a', percent: '010.50' },
          { label: 'b', percent: '2.0' },
        ],
      })
      .expect(201);
    expect(r.body.stages.map((s: { percent: string }) => s.percent)).toEqual(['10.5', '2']);
    await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({
        year: 113,
        agency: 'X',
        stages: [
          { label: 'a', percent: '5' },
          { label: 'b', percent: '0.5' },
        ],
      })
      .expect(201);
  });

  it.each([
    [{ agency: 'X' }, 'year'],
    [{ year: 113.5, agency: 'X' }, 'year'],
    [{ year: 113 }, 'agency'],
    [{ year: 113, agency: 7 }, 'agency'],
    [{ year: 113, agency: 'X', stages: [] }, 'stages'],
    [{ year: 113, agency: 'X', stages: Array(6).fill({ label: 'a', percent: '10' }) }, 'stages'],
    [{ year: 113, agency: 'X', stages: [{ label: 'a', percent: 10 }] }, 'stages[0].percent'],
    [{ year: 113, agency: 'X', stages: [{ label: 'a', percent: '100.5' }] }, 'stages[0].percent'],
    [{ year: 113, agency: 'X', stages: [{ label: 'a', percent: '0' }] }, 'stages[0].percent'],
    [{ year: 113, agency: 'X', meeting: { date: 'tomorrow' } }, 'meeting.date'],
    [{ year: 113, agency: 'X', colour: 'red' }, 'colour'],
  ])('refuses %j with VALIDATION_FAILED naming %s', async (body, field) => {
    const r = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send(body)
      .expect(422);
    expect(code(r)).toBe('VALIDATION_FAILED');
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('edits the meeting while in draft, journalled, and refuses it after lock', async () => {
    const id = await createLoaded(t);
    const p = await api()
      .patch(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .send({ meeting: { date: t.today(), venue: '第一會議室', witnesses: ['甲'] } })
      .expect(200);
    expect(p.body.meeting).toEqual({ date: t.today(), venue: '第一會議室', witnesses: ['甲'] });
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const r = await api()
      .patch(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .send({ meeting: { venue: 'B' } })
      .expect(409);
    expect(code(r)).toBe('NOT_DRAFT');
    const j = await api()
      .get(`/api/v1/journal?type=lottery.updated`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(j.body.entries).toHaveLength(1);
  });
});

describe('the roster', () => {
  let id: string;
  beforeEach(async () => {
    const c = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 113, agency: 'X' })
      .expect(201);
    id = c.body.id;
  });
  const put = (body: unknown) =>
    api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .send(body as object);

  it('lists every bad row and changes nothing', async () => {
    await put({ entries: [{ id: 'A1', name: '甲' }] }).expect(200);
    const r = await put({
      entries: [
        { id: 'B1', name: '乙' },
        { id: 'bad id', name: '丙' },
        { id: 'B3' },
        { id: 'B1', name: '丁' },
        { id: 'B5', name: 5 },
        { id: 'B6', name: 'a\u202eb' },
      ],
    }).expect(422);
    expect(r.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [2, 'id'],
      [3, 'name'],
      [4, 'id'],
      [5, 'name'],
      [6, 'name'],
    ]);
    const after = await api()
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(after.body.entries).toEqual([{ id: 'A1', name: '甲' }]);
    const j = await api()
      .get(`/api/v1/journal?lottery=${id}&type=roster.loaded`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(j.body.entries).toHaveLength(1);
  });

  it('numbers missing ids by data row, padded to at least three digits, and refuses a clash', async () => {
    const ok = await put({ entries: [{ name: '甲' }, { id: 'X9', name: '乙' }, { name: '丙' }] }).expect(200);
    expect(ok.body.count).toBe(3);
    const got = await api()
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(got.body.entries.map((e: { id: string }) => e.id)).toEqual(['001', '003', 'X9']);
    const clash = await put({ entries: [{ name: '甲' }, { id: '001', name: '乙' }] }).expect(422);
    expect(clash.body.errors[0]).toMatchObject({ row: 2, field: 'id', code: 'DUPLICATE_ID' });
  });

  it('pads generated ids to the digits of the row count', async () => {
    const entries = Array.from({ length: 1200 }, (_, i) => ({ name: `人${i}` }));
    await put({ entries }).expect(200);
    const got = await api()
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(got.body.entries[0].id).toBe('0001');
  });

  it('trims, NFC-normalises and omits empty optional fields', async () => {
    const r = await put({
      entries: [{ id: 'A', name: ' \u5eb7\u0301 ', unit: '  ', title: 'e\u0301' }],
    }).expect(200);
    const got = await api()
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(got.body.entries).toEqual([{ id: 'A', name: '\u5eb7\u0301', title: '\u00e9' }]);
    expect(r.body.rosterDigest).toBe(rosterDigest(got.body.entries as RosterEntry[], sha256));
  });

  it('loads a UTF-8 CSV with a header row, reporting rows as the file’s lines and columns as letters', async () => {
    const csv =
      'id,name,unit,title,excluded,備註\nD001,王小明,秘書處,科長,,x\n\nD002,李大華,人事室,主任,本部首長,\nbad id,張三,人事室,,,\n';
    const r = await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ row: 5, column: 'A', field: 'id', code: 'BAD_ID' }),
    ]);
    const ok = await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send(csv.replace('bad id,', 'D003,'))
      .expect(200);
    expect(ok.body).toMatchObject({ count: 3, poolSize: 2, format: 'csv', encoding: 'utf-8' });
    expect(ok.body.warnings[0]).toMatchObject({ code: 'UNKNOWN_COLUMN', column: 'F', row: 1 });
  });

  it('a dry run validates and saves nothing', async () => {
    const r = await api()
      .put(`/api/v1/lotteries/${id}/roster?dryRun=1`)
      .set(...auth(t.tokens.ethics))
      .send({ entries: example.roster })
      .expect(200);
    expect(r.body).toMatchObject({ dryRun: true, rosterDigest: example.expect.rosterDigest });
    const got = await api()
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(got.body.entries).toEqual([]);
  });

  it('refuses a wrong content type with 415 and an oversized JSON body with 413', async () => {
    const r = await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', 'image/png')
      .send('x')
      .expect(415);
    expect(code(r)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 113, agency: 'x'.repeat(200 * 1024) })
      .expect(413);
    expect(code(big)).toBe('PAYLOAD_TOO_LARGE');
    const form = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .type('form')
      .send('year=113')
      .expect(415);
    expect(code(form)).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses malformed JSON with 400 and no stack trace', async () => {
    const r = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', 'application/json')
      .send('{"year":')
      .expect(400);
    expect(code(r)).toBe('MALFORMED_BODY');
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.js/);
  });
});

describe('state rules', () => {
  it('an empty pool cannot be locked', async () => {
    const c = await api()
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 113, agency: 'X' })
      .expect(201);
    const r = await api()
      .post(`/api/v1/lotteries/${c.body.id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(422);
    expect(code(r)).toBe('EMPTY_POOL');
    await api()
      .put(`/api/v1/lotteries/${c.body.id}/roster`)
      .set(...auth(t.tokens.ethics))
      .send({ entries: [{ name: '甲', excluded: '首長' }] })
      .expect(200);
    expect(
      code(
        await api()
          .post(`/api/v1/lotteries/${c.body.id}/lock`)
          .set(...auth(t.tokens.ethics))
          .expect(422),
      ),
    ).toBe('EMPTY_POOL');
  });

  it('answers the 409s and 404s of the state machine, writing nothing', async () => {
    const id = await createLoaded(t);
    let cer = { ceremonyToken: '', commitment: '' };
    const draw = (n: number | string, body?: object) =>
      api()
        .post(`/api/v1/lotteries/${id}/stages/${n}/draw`)
        .set(...auth(t.tokens.drawer))
        .send(body ?? { ...cer, entropy: '1234567890' });
    expect(code(await draw(1).expect(409))).toBe('NOT_LOCKED');
    expect(
      code(
        await api()
          .get(`/api/v1/lotteries/${id}/bundle`)
          .set(...auth(t.tokens.auditor))
          .expect(409),
      ),
    ).toBe('NOT_DRAWN');
    expect(
      code(
        await api()
          .post(`/api/v1/lotteries/${id}/unlock`)
          .set(...auth(t.tokens.ethics))
          .send({ reason: 'x' })
          .expect(409),
      ),
    ).toBe('NOT_LOCKED');
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const head = t.store.journalHead();
    expect(
      code(
        await api()
          .post(`/api/v1/lotteries/${id}/lock`)
          .set(...auth(t.tokens.ethics))
          .expect(409),
      ),
    ).toBe('NOT_DRAFT');
    expect(
      code(
        await api()
          .put(`/api/v1/lotteries/${id}/roster`)
          .set(...auth(t.tokens.ethics))
          .send({ entries: [{ name: '甲' }] })
          .expect(409),
      ),
    ).toBe('NOT_DRAFT');
    expect(code(await draw(2, {}).expect(409))).toBe('STAGE_OUT_OF_ORDER');
    expect(code(await draw(3, {}).expect(404))).toBe('NOT_FOUND');
    expect(code(await draw('0').expect(404))).toBe('NOT_FOUND');
    expect(code(await draw(1).expect(409))).toBe('CEREMONY_NOT_OPEN');
    expect(t.store.journalHead()).toEqual(head);
    const opened = await openCeremony(t, id);
    cer = { ceremonyToken: opened.ceremonyToken, commitment: opened.commitment };
    const head2 = t.store.journalHead();
    expect(code(await draw(1, { entropy: '1234567890', commitment: cer.commitment }).expect(403))).toBe(
      'CEREMONY_TOKEN_REQUIRED',
    );
    for (const entropy of ['', '1\u202e2', 'x'.repeat(201), '123456789', '1,2,3,4,5,6,7,8,9,0'])
      expect(code(await draw(1, { ...cer, entropy }).expect(422))).toBe('ENTROPY_INVALID');
    expect(
      code(await draw(1, { ceremonyToken: cer.ceremonyToken, commitment: cer.commitment }).expect(422)),
    ).toBe('ENTROPY_INVALID');
    expect(
      code(await draw(1, { ...cer, commitment: '0'.repeat(64), entropy: '1234567890' }).expect(409)),
    ).toBe('COMMITMENT_MISMATCH');
    expect(t.store.journalHead()).toEqual(head2);
    await draw(1).expect(200);
    expect(code(await draw(2, { ceremonyToken: cer.ceremonyToken, extra: 1 }).expect(422))).toBe(
      'VALIDATION_FAILED',
    );
    expect(code(await draw(1).expect(409))).toBe('STAGE_ALREADY_DRAWN');
    expect(
      code(
        await api()
          .post(`/api/v1/lotteries/${id}/unlock`)
          .set(...auth(t.tokens.ethics))
          .send({ reason: 'x' })
          .expect(409),
      ),
    ).toBe('ALREADY_DRAWN');
    expect(
      code(
        await api()
          .get('/api/v1/lotteries/nope')
          .set(...auth(t.tokens.auditor))
          .expect(404),
      ),
    ).toBe('NOT_FOUND');
  });

  it('unlock needs a reason, is journalled, and the next lock makes a new commitment that the verifier notes', async () => {
    const id = await createLoaded(t);
    const first = await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(
      code(
        await api()
          .post(`/api/v1/lotteries/${id}/unlock`)
          .set(...auth(t.tokens.ethics))
          .send({})
          .expect(422),
      ),
    ).toBe('VALIDATION_FAILED');
    await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '名冊漏列一人' })
      .expect(200);
    await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .send({ entries: [...example.roster, { id: 'D022', name: '申報人22' }] })
      .expect(200);
    const second = await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect(second.body.commitment).not.toBe(first.body.commitment);
    const cer = await openCeremony(t, id);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({
        ...cer,
        keyFingerprint: undefined,
        openedAt: undefined,
        openedBy: undefined,
        entropy: '4242424242',
      })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: cer.ceremonyToken })
      .expect(200);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    const r = await verifyBundle(b.body, nodeVerifyDeps, { trustedFingerprint: cer.keyFingerprint });
    expect(r.ok).toBe(true);
    expect(r.warnings.join('\n')).toContain(first.body.commitment);
  });

  // One in-process app: supertest sends the 50 requests at once, but the handlers run one after another on this
  // process's one thread, so this checks the answers a losing press gets (409 STAGE_ALREADY_DRAWN, with the
  // digits, who drew and when) and that one draw is journalled, not a race. The real race, 4 server processes
  // on one database file, is test/http/multiprocess.test.ts.
  it('50 concurrent in-process stage-1 draws produce exactly one draw, and tell every loser what was drawn', async () => {
    const id = await createLoaded(t);
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const cer = await openCeremony(t, id);
    const before = t.store.journalHead()?.seq ?? 0;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api()
          .post(`/api/v1/lotteries/${id}/stages/1/draw`)
          .set(...auth(t.tokens.drawer))
          .send({
            ceremonyToken: cer.ceremonyToken,
            commitment: cer.commitment,
            entropy: `12345 678${String(i).padStart(2, '0')}`,
          }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(answers.filter((a) => a.status === 409).every((a) => code(a) === 'STAGE_ALREADY_DRAWN')).toBe(
      true,
    );
    // Every refused press is told what the server journalled: the digits, who drew and when.
    const won = answers.find((a) => a.status === 200);
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body).toMatchObject({
        digits: won?.body.digits,
        drawnBy: 'minister',
        drawnAt: won?.body.drawnAt,
      });
    expect((t.store.journalHead()?.seq ?? 0) - before).toBe(1);
  });
});

// Access control (who may call which route, and how each is refused) is test/http/access.test.ts, listed from
// the router itself.
describe('the checkpoint', () => {
  it('the public endpoints and the checkpoint need no login; an empty journal checkpoints seq 0', async () => {
    // A database with users has journal entries, and an app journals its log key (issue 13): this one is new
    // and empty, under services alone.
    const { Store } = await import('../../src/store/store');
    const { composeServices } = await import('../../src/compose');
    const { testSigner, tempDir } = await import('../helpers/app');
    const store = Store.open(`${tempDir()}/empty.sqlite`);
    expect(composeServices({ store, signer: testSigner() }).checkpoint()).toMatchObject({
      seq: 0,
      hash: '0'.repeat(64),
      alg: 'RS256',
    });
    store.close();
    const cp = await request(t.app).get('/api/v1/journal/checkpoint').expect(200);
    expect(cp.body).toMatchObject({ seq: t.store.journalHead()?.seq, alg: 'RS256' });
  });
});

describe('the secret before the draw', () => {
  it('appears in no answer of any endpoint until stage 1 is drawn', async () => {
    const seen: string[] = [];
    const keep = (r: Response): Response => {
      seen.push(JSON.stringify(r.headers) + r.text);
      return r;
    };
    const id = await createLoaded(t);
    keep(
      await api()
        .post(`/api/v1/lotteries/${id}/lock`)
        .set(...auth(t.tokens.ethics)),
    );
    const secret = t.store.lottery(id)?.secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const opened = keep(
      await api()
        .post(`/api/v1/lotteries/${id}/ceremony`)
        .set(...auth(t.tokens.drawer))
        .expect(201),
    ).body as { ceremonyToken: string; commitment: string };
    keep(
      await api()
        .post(`/api/v1/lotteries/${id}/stages/1/entropy`)
        .set(...auth(t.tokens.drawer))
        .send({ entropy: '3 3 3 3 3 3 3 3 3 3' })
        .expect(200),
    );
    for (const token of Object.values(t.tokens)) {
      keep(
        await api()
          .get(`/api/v1/lotteries/${id}`)
          .set(...auth(token)),
      );
      keep(
        await api()
          .get('/api/v1/lotteries')
          .set(...auth(token)),
      );
      keep(
        await api()
          .get(`/api/v1/lotteries/${id}/roster`)
          .set(...auth(token)),
      );
      keep(
        await api()
          .get(`/api/v1/lotteries/${id}/bundle`)
          .set(...auth(token)),
      );
      keep(
        await api()
          .get('/api/v1/journal?limit=1000')
          .set(...auth(token)),
      );
      keep(
        await api()
          .get('/api/v1/journal/verify')
          .set(...auth(token)),
      );
    }
    keep(await api().get(`/api/v1/public/lotteries/${id}`));
    keep(await api().get('/api/v1/journal/checkpoint'));
    keep(
      await api()
        .post(`/api/v1/lotteries/${id}/stages/2/draw`)
        .set(...auth(t.tokens.drawer)),
    );
    const s = secret as string;
    const forms = [
      s,
      s.toUpperCase(),
      Buffer.from(s, 'hex').toString('base64'),
      Buffer.from(s, 'hex').toString('base64url'),
    ];
    for (const text of seen) for (const f of forms) expect(text).not.toContain(f);
    const after = await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({
        ceremonyToken: opened.ceremonyToken,
        commitment: opened.commitment,
        entropy: '3 3 3 3 3 3 3 3 3 3',
      })
      .expect(200);
    const pub = await api().get(`/api/v1/public/lotteries/${id}`).expect(200);
    expect(pub.body.secret).toBe(s);
    expect(after.body.seed).toBe(pub.body.seed);
  });
});

describe('query strings and headers, as a hostile client sends them', () => {
  it('refuses an unknown or repeated query parameter instead of ignoring it, so no preview is saved by mistake', async () => {
    const id = await createLoaded(t);
    const head = t.store.journalHead();
    for (const q of ['?dryRun=1&dryRun=1', '?dryRun[]=1', '?dryRun=yes', '?dryrun=1']) {
      const r = await api()
        .put(`/api/v1/lotteries/${id}/roster${q}`)
        .set(...auth(t.tokens.ethics))
        .send({ entries: [{ name: '甲' }] });
      expect([q, r.status]).toEqual([q, 422]);
    }
    expect(t.store.journalHead()).toEqual(head);
    for (const q of ['?lottery[]=x', '?after[]=2', '?limit=1&limit=2', '?colour=red'])
      expect(
        (
          await api()
            .get(`/api/v1/journal${q}`)
            .set(...auth(t.tokens.auditor))
        ).status,
      ).toBe(422);
  });

  it('public endpoints ignore a stale token; the Bearer scheme is case-insensitive', async () => {
    const id = await createLoaded(t);
    await api()
      .get(`/api/v1/public/lotteries/${id}`)
      .set('Authorization', 'Bearer stale-token-of-someone-gone')
      .expect(200);
    await api()
      .get('/api/v1/journal/checkpoint')
      .set('Authorization', 'Bearer stale-token-of-someone-gone')
      .expect(200);
    await api().get('/api/v1/journal').set('Authorization', `bearer ${t.tokens.auditor}`).expect(200);
  });

  it('a roster without a Content-Type is 415', async () => {
    const id = await createLoaded(t);
    const r = await api()
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .unset('Content-Type')
      .send(Buffer.from('姓名\n甲\n'));
    expect(r.status).toBe(415);
  });
});

describe('bodies that say more than they should', () => {
  it('a draw with a field besides entropy is refused, and writes nothing', async () => {
    const id = await createLoaded(t);
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const cer = await openCeremony(t, id);
    const head = t.store.journalHead();
    const r = await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({
        ceremonyToken: cer.ceremonyToken,
        commitment: cer.commitment,
        entropy: '1234567890',
        secret: '00',
      })
      .expect(422);
    expect(t.store.journalHead()).toEqual(head);
    expect(r.body.errors[0]).toMatchObject({ field: 'secret', code: 'UNKNOWN_FIELD' });
  });

  it('PATCH {} changes nothing and says so; impossible meeting dates are refused', async () => {
    const id = await createLoaded(t);
    await api()
      .patch(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .send({})
      .expect(422);
    for (const date of ['2025-02-30', '2025-01-22T25:00', '2025-13-01'])
      await api()
        .patch(`/api/v1/lotteries/${id}`)
        .set(...auth(t.tokens.ethics))
        .send({ meeting: { date } })
        .expect(422);
    await api()
      .patch(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .send({ meeting: { date: '2024-02-29T09:30' } })
      .expect(200);
  });

  it('an unlock reason with a bidi override is named as such', async () => {
    const id = await createLoaded(t);
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const r = await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: 'a\u202eb' })
      .expect(422);
    expect(r.body.errors[0].code).toBe('CONTROL_CHARACTER');
  });
});
