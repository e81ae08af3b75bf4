import crypto from 'node:crypto';
import request, { type Response } from 'supertest';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { verifyBundle, verifyDatabase } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import {
  auth,
  createLoaded,
  example,
  lockAndDraw,
  makeApp,
  openCeremony,
  ownConnection,
  type TestApp,
  sessionCookie,
} from '../helpers/app';

/**
 * issue 11, the lottery's life on the meeting day: the meeting particulars amended after the lock, rehearsals
 * (演練), cancelling (作廢), and a real lottery created from a rehearsal's roster. The meeting is on 2026-01-22
 * (Asia/Taipei); the clock is 14:30 that day unless a test moves it.
 */
let now = new Date('2026-01-22T06:30:00.000Z');
let t: TestApp;
beforeEach(() => {
  now = new Date('2026-01-22T06:30:00.000Z');
  t = makeApp({ clock: () => now });
});
afterEach(() => t.close());

const api = (): ReturnType<typeof request> => request(t.app);
const code = (r: Response): unknown => (r.body as { code?: unknown }).code;
const as = (): [string, string] => auth(t.tokens.ethics);

const MEETING = {
  date: '2026-01-22T14:30',
  venue: '第一會議室',
  chair: '主任委員',
  drawer: '部長',
  monitor: '監察員甲',
  recorder: '林怡芬',
  witnesses: ['王大明', '陳小華'],
};

async function locked(body: Record<string, unknown> = {}): Promise<string> {
  const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING, ...body });
  await api()
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...as())
    .expect(200);
  return id;
}

const entries = (id: string, type?: string): Array<{ type: string; data: Record<string, unknown> }> =>
  t.store.journalPage({ limit: 1000, lottery: id, ...(type ? { type } : {}) });

const patchMeeting = (id: string, body: unknown): request.Test =>
  api()
    .patch(`/api/v1/lotteries/${id}/meeting`)
    .set(...as())
    .send(body as object);

async function dbReport(): Promise<{ ok: boolean; failing: string[] }> {
  const r = await verifyDatabase(t.store.snapshot(), nodeVerifyDeps);
  return { ok: r.ok, failing: r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`) };
}

describe('when the meeting particulars are amended after the lock', () => {
  it('a replaced witness is journalled as meeting.updated, and digest, commitment and secret stay as they were', async () => {
    const id = await locked();
    const before = t.store.lottery(id);
    const r = await patchMeeting(id, { witnesses: ['王大明', '張三'] }).expect(200);
    expect(r.body.meeting.witnesses).toEqual(['王大明', '張三']);
    expect(r.body.meeting.chair).toBe('主任委員');
    const after = t.store.lottery(id);
    expect([after?.rosterDigest, after?.commitment, after?.secret, after?.status]).toEqual([
      before?.rosterDigest,
      before?.commitment,
      before?.secret,
      'locked',
    ]);
    const upd = entries(id, 'meeting.updated');
    expect(upd).toHaveLength(1);
    expect(upd[0]?.data).toEqual({ lottery: id, meeting: { ...MEETING, witnesses: ['王大明', '張三'] } });
    expect(r.body.meetingAmendedAt).toEqual([now.toISOString()]);
    expect(await dbReport()).toEqual({ ok: true, failing: [] });
  });

  it('the time within the meeting day may change while a ceremony is open, the day may not (adjourn first)', async () => {
    const id = await locked();
    await openCeremony(t, id);
    await patchMeeting(id, { date: '2026-01-22T15:00' }).expect(200);
    const head = t.store.journalHead()?.seq;
    const r = await patchMeeting(id, { date: '2026-01-23T14:30' });
    expect(r.status).toBe(409);
    expect(code(r)).toBe('CEREMONY_OPEN');
    expect(r.body.message.zh).toMatch(/請先休會/);
    expect(r.body.message.en).toMatch(/adjourn it before changing the meeting date/);
    expect(t.store.journalHead()?.seq).toBe(head);
    expect(t.store.lottery(id)?.meeting.date).toBe('2026-01-22T15:00');
  });

  it('with no ceremony open the meeting may be postponed to another day', async () => {
    const id = await locked();
    await patchMeeting(id, { date: '2026-01-29T10:00' }).expect(200);
    expect(t.store.lottery(id)?.meeting.date).toBe('2026-01-29T10:00');
  });

  it('once stage 1 is drawn the day is fixed (ALREADY_DRAWN), the recorder may still change', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await lockAndDraw(t, id);
    const r = await patchMeeting(id, { date: '2026-01-23T14:30' });
    expect([r.status, code(r)]).toEqual([409, 'ALREADY_DRAWN']);
    await patchMeeting(id, { recorder: '李四' }).expect(200);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...as())
      .expect(200);
    const rep = await verifyBundle(b.body, nodeVerifyDeps);
    expect(rep.checks.find((c) => c.name === 'journal.lottery')?.ok).toBe(true);
    expect(rep.checks.find((c) => c.name === 'ceremony.date')?.ok).toBe(true);
  });

  it('once the record is issued the particulars are final (ALREADY_ISSUED), and nothing is written', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await lockAndDraw(t, id);
    await patchMeeting(id, { witnesses: ['王大明'] }).expect(200);
    await api()
      .post(`/api/v1/lotteries/${id}/record`)
      .set(...as())
      .expect((x) => expect(x.status).toBeLessThan(300));
    const head = t.store.journalHead()?.seq;
    const r = await patchMeeting(id, { witnesses: ['張三'] });
    expect([r.status, code(r)]).toEqual([409, 'ALREADY_ISSUED']);
    expect(r.body.message.en).toMatch(/final/);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it.each([
    ['an empty body', {}, 'NOTHING_TO_CHANGE'],
    ['an unknown field', { mood: 'happy' }, 'UNKNOWN_FIELD'],
    ['a date that is no date', { date: '2026-02-30' }, 'BAD_DATE'],
    ['witnesses that are not a list', { witnesses: '王大明' }, 'NOT_ARRAY'],
  ])('%s is refused with 422 in Chinese and English, and nothing is written', async (_, body, problem) => {
    const id = await locked();
    const head = t.store.journalHead()?.seq;
    const r = await patchMeeting(id, body);
    expect([r.status, code(r)]).toEqual([422, 'VALIDATION_FAILED']);
    expect((r.body.errors as Array<{ code: string }>).map((e) => e.code)).toContain(problem);
    expect(r.body.message.zh).toBeTruthy();
    expect(r.body.message.en).toBeTruthy();
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('in draft PATCH …/meeting is the definition’s PATCH: lottery.updated, no meeting.updated', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await patchMeeting(id, { venue: '第二會議室' }).expect(200);
    expect(entries(id, 'meeting.updated')).toHaveLength(0);
    expect(entries(id, 'lottery.updated').at(-1)?.data.meeting).toEqual({ ...MEETING, venue: '第二會議室' });
  });

  it('the same particulars again write nothing', async () => {
    const id = await locked();
    const head = t.store.journalHead()?.seq;
    await patchMeeting(id, { venue: MEETING.venue }).expect(200);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('the drawer and the auditor may not amend it (403)', async () => {
    const id = await locked();
    for (const tok of [t.tokens.drawer, t.tokens.auditor])
      await api()
        .patch(`/api/v1/lotteries/${id}/meeting`)
        .set(...auth(tok))
        .send({ venue: 'x' })
        .expect(403);
  });
});

describe('when a rehearsal (演練) is run', () => {
  it('it is drawn on a day that is not its meeting day, and the bundle and the verifier say rehearsal first', async () => {
    const id = await locked({ rehearsal: true, meeting: { ...MEETING, date: '2026-03-01T10:00' } });
    expect(entries(id, 'lottery.created')[0]?.data.rehearsal).toBe(true);
    const c = await openCeremony(t, id);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken })
      .expect(200);
    const view = await api()
      .get(`/api/v1/lotteries/${id}`)
      .set(...as())
      .expect(200);
    expect([view.body.rehearsal, view.body.status]).toEqual([true, 'drawn']);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...as())
      .expect(200);
    expect(b.body.lottery.rehearsal).toBe(true);
    const rep = await verifyBundle(b.body, nodeVerifyDeps, { trustedFingerprint: c.keyFingerprint });
    expect(rep.checks[1]).toEqual({
      name: 'lottery.rehearsal',
      ok: true,
      detail: expect.stringMatching(/^演練 REHEARSAL/) as unknown,
    });
    expect(rep.checks.filter((x) => !x.ok)).toEqual([]);
    expect(await dbReport()).toEqual({ ok: true, failing: [] });
  });

  it('the table keeps the mark for good: a rehearsal never turns into a real lottery, nor the reverse', async () => {
    const id = await locked({ rehearsal: true });
    const real = await locked();
    ownConnection(t.dbFile, (db) => {
      for (const [l, v] of [
        [id, 0],
        [real, 1],
      ] as const)
        expect(() => db.prepare('UPDATE lotteries SET rehearsal = ? WHERE id = ?').run(v, l)).toThrow(
          /rehearsal and copied_from are fixed at creation/,
        );
    });
  });

  it('a real lottery still opens on its meeting day only (NOT_MEETING_DAY)', async () => {
    const id = await locked({ meeting: { ...MEETING, date: '2026-03-01T10:00' } });
    const r = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer));
    expect([r.status, code(r)]).toEqual([409, 'NOT_MEETING_DAY']);
  });

  it('a real lottery’s bundle has no rehearsal key (existing bundles stay byte for byte)', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await lockAndDraw(t, id);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...as())
      .expect(200);
    expect(Object.keys(b.body.lottery as object)).not.toContain('rehearsal');
    expect(entries(id, 'lottery.created')[0]?.data).not.toHaveProperty('rehearsal');
  });

  it.each([['yes'], [1], [null]])('rehearsal: %j is refused with 422 and nothing is created', async (v) => {
    const head = t.store.journalHead()?.seq;
    const r = await api()
      .post('/api/v1/lotteries')
      .set(...as())
      .send({ year: 115, agency: '數位發展部', rehearsal: v });
    expect([r.status, code(r)]).toEqual([422, 'VALIDATION_FAILED']);
    expect(r.body.errors[0].field).toBe('rehearsal');
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('its public view says rehearsal, and its pages carry the watermark 「演練 REHEARSAL」', async () => {
    const id = await locked({ rehearsal: true });
    const p = await api().get(`/api/v1/public/lotteries/${id}`).expect(200);
    expect(p.body.rehearsal).toBe(true);
    const page = await api().get(`/verify/${id}`).expect(200);
    expect(page.text).toContain('class="rehearsal-mark"');
    expect(page.text).toContain('演練 REHEARSAL');
    const real = await locked();
    const realPage = await api().get(`/verify/${real}`).expect(200);
    expect(realPage.text).not.toContain('rehearsal-mark');
  });
});

describe('when a lottery is cancelled (作廢)', () => {
  const cancel = (id: string, body: unknown = { reason: '名冊有誤，重新辦理' }): request.Test =>
    api()
      .post(`/api/v1/lotteries/${id}/cancel`)
      .set(...as())
      .send(body as object);

  it('it is journalled with its reason, leaves the default list, and is listed under ?status=cancelled', async () => {
    const id = await locked();
    const other = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    const r = await cancel(id).expect(200);
    expect(r.body.cancelled).toEqual({ at: now.toISOString(), reason: '名冊有誤，重新辦理' });
    expect(entries(id, 'lottery.cancelled')[0]?.data).toEqual({ lottery: id, reason: '名冊有誤，重新辦理' });
    const list = async (q: string): Promise<string[]> =>
      (
        (
          await api()
            .get(`/api/v1/lotteries${q}`)
            .set(...as())
            .expect(200)
        ).body.lotteries as Array<{ id: string }>
      ).map((l) => l.id);
    expect(await list('')).toEqual([other]);
    expect(await list('?status=cancelled')).toEqual([id]);
    expect((await list('?status=all')).sort()).toEqual([id, other].sort());
    const bad = await api()
      .get('/api/v1/lotteries?status=gone')
      .set(...as());
    expect([bad.status, code(bad)]).toEqual([422, 'VALIDATION_FAILED']);
    expect(await dbReport()).toEqual({ ok: true, failing: [] });
  });

  it('it refuses every further action with 409 CANCELLED, in Chinese and English, writing nothing', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await cancel(id).expect(200);
    const head = t.store.journalHead()?.seq;
    const tries: request.Test[] = [
      api()
        .post(`/api/v1/lotteries/${id}/lock`)
        .set(...as()),
      api()
        .patch(`/api/v1/lotteries/${id}`)
        .set(...as())
        .send({ title: 'x' }),
      api()
        .put(`/api/v1/lotteries/${id}/roster`)
        .set(...as())
        .send({ entries: example.roster }),
      api()
        .patch(`/api/v1/lotteries/${id}/roster/${example.roster[0]?.id ?? ''}`)
        .set(...as())
        .send({ excluded: '留職停薪' }),
      patchMeeting(id, { venue: 'x' }),
      cancel(id),
    ];
    for (const tr of tries) {
      const r = await tr;
      expect([r.status, code(r)]).toEqual([409, 'CANCELLED']);
      expect(r.body.message).toEqual({
        zh: '此抽籤已作廢，不能再進行任何操作',
        en: 'This lottery was cancelled: nothing more can be done with it',
      });
    }
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('a locked one refuses the ceremony and the notice too', async () => {
    const id = await locked();
    await cancel(id).expect(200);
    const open = await api()
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer));
    expect([open.status, code(open)]).toEqual([409, 'CANCELLED']);
    const notice = await api()
      .post(`/api/v1/lotteries/${id}/notice`)
      .set(...as());
    expect([notice.status, code(notice)]).toEqual([409, 'CANCELLED']);
    const unlock = await api()
      .post(`/api/v1/lotteries/${id}/unlock`)
      .set(...as())
      .send({ reason: 'x' });
    expect([unlock.status, code(unlock)]).toEqual([409, 'CANCELLED']);
  });

  it('once a stage is drawn it cannot be cancelled (409 ALREADY_DRAWN)', async () => {
    const id = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING });
    await lockAndDraw(t, id);
    const r = await cancel(id);
    expect([r.status, code(r)]).toEqual([409, 'ALREADY_DRAWN']);
    expect(r.body.message.zh).toBe('已開始抽籤，不能作廢');
  });

  it('while a ceremony is open it is refused (adjourn first), and nothing is written', async () => {
    const id = await locked();
    await openCeremony(t, id);
    const head = t.store.journalHead()?.seq;
    const r = await cancel(id);
    expect([r.status, code(r)]).toEqual([409, 'CEREMONY_OPEN']);
    expect(r.body.message.en).toMatch(/adjourn it before cancelling/);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it.each([
    ['no reason', {}],
    ['an empty reason', { reason: '' }],
    ['another field', { reason: 'x', why: 'y' }],
  ])('%s is refused with 422, and nothing is written', async (_, body) => {
    const id = await locked();
    const head = t.store.journalHead()?.seq;
    const r = await cancel(id, body);
    expect([r.status, code(r)]).toEqual([422, 'VALIDATION_FAILED']);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('the table refuses to un-cancel it, and verify --db names a table edited behind the journal’s back', async () => {
    const id = await locked();
    await cancel(id).expect(200);
    ownConnection(t.dbFile, (db) => {
      expect(() =>
        db.prepare('UPDATE lotteries SET cancelled_at = NULL, cancel_reason = NULL WHERE id = ?').run(id),
      ).toThrow(/a cancelled lottery is final/);
      db.exec('DROP TRIGGER lotteries_cancel_final');
      db.prepare('UPDATE lotteries SET cancelled_at = NULL, cancel_reason = NULL WHERE id = ?').run(id);
    });
    const rep = await dbReport();
    expect(rep.ok).toBe(false);
    expect(rep.failing.join('\n')).toMatch(/cancelled is false in the table, the journal says true/);
  });

  it('a rehearsal can be cancelled too', async () => {
    const id = await locked({ rehearsal: true });
    await cancel(id).expect(200);
  });
});

describe('when a real lottery is created from a rehearsal (以此名冊建立正式抽籤)', () => {
  const copy = (id: string): request.Test =>
    api()
      .post(`/api/v1/lotteries/${id}/copy`)
      .set(...as());

  it('a new real draft has the same roster, exclusions and definition, journalled on both sides', async () => {
    const reh = await createLoaded(t, { year: 115, agency: '數位發展部', meeting: MEETING, rehearsal: true });
    const first = example.roster[0]?.id ?? '';
    await api()
      .patch(`/api/v1/lotteries/${reh}/roster/${first}`)
      .set(...as())
      .send({ excluded: '留職停薪' })
      .expect(200);
    await api()
      .post(`/api/v1/lotteries/${reh}/lock`)
      .set(...as())
      .expect(200);
    const r = await copy(reh).expect(201);
    const to = r.body.id as string;
    expect(to).not.toBe(reh);
    expect([r.body.status, r.body.rehearsal, r.body.copiedFrom]).toEqual(['draft', undefined, reh]);
    expect(r.body.rosterDigest).toBe(t.store.lottery(reh)?.rosterDigest);
    expect(t.store.roster(to)).toEqual(t.store.roster(reh));
    expect(t.store.roster(to).find((e) => e.id === first)?.excluded).toBe('留職停薪');
    expect([r.body.title, r.body.meeting, r.body.stages]).toEqual([
      t.store.lottery(reh)?.title,
      MEETING,
      expect.any(Array) as unknown,
    ]);
    const created = entries(to, 'lottery.created')[0]?.data;
    expect(created?.from).toBe(reh);
    expect(created).not.toHaveProperty('rehearsal');
    expect(entries(to, 'roster.loaded')[0]?.data.rosterDigest).toBe(r.body.rosterDigest);
    expect(entries(reh, 'lottery.copied').map((e) => e.data)).toEqual([{ lottery: reh, to }]);
    // The rehearsal stays a rehearsal, locked as it was.
    const rv = await api()
      .get(`/api/v1/lotteries/${reh}`)
      .set(...as())
      .expect(200);
    expect([rv.body.rehearsal, rv.body.status, rv.body.copiedTo]).toEqual([true, 'locked', [to]]);
    expect(await dbReport()).toEqual({ ok: true, failing: [] });
  });

  it('a real lottery cannot be copied (409 NOT_REHEARSAL), and nothing is written', async () => {
    const id = await locked();
    const head = t.store.journalHead()?.seq;
    const r = await copy(id);
    expect([r.status, code(r)]).toEqual([409, 'NOT_REHEARSAL']);
    expect(r.body.message.zh).toMatch(/只有演練/);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('a rehearsal with no roster cannot be copied (409 CONFLICT)', async () => {
    const r0 = await api()
      .post('/api/v1/lotteries')
      .set(...as())
      .send({ year: 115, agency: '數位發展部', rehearsal: true })
      .expect(201);
    const r = await copy(r0.body.id as string);
    expect([r.status, code(r)]).toEqual([409, 'CONFLICT']);
  });

  it('a cancelled rehearsal cannot be copied (409 CANCELLED)', async () => {
    const id = await locked({ rehearsal: true });
    await api()
      .post(`/api/v1/lotteries/${id}/cancel`)
      .set(...as())
      .send({ reason: 'x' })
      .expect(200);
    const r = await copy(id);
    expect([r.status, code(r)]).toEqual([409, 'CANCELLED']);
  });

  it('a body is refused (422)', async () => {
    const id = await locked({ rehearsal: true });
    const r = await copy(id).send({ title: 'x' });
    expect([r.status, code(r)]).toEqual([422, 'VALIDATION_FAILED']);
  });
});

describe('when the office works from the pages', () => {
  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const a = new Auth({
      store: t.store,
      clock: () => now,
      randomBytes: (n) => crypto.randomBytes(n),
      sha256: sha256Node,
    });
    const u = t.store.userByName('林怡芬');
    if (!u) throw new Error('no ethics user');
    a.setPassword(u.id, 'password-ethics-0123');
    const cookie = await sessionCookie(t.app, '林怡芬', 'password-ethics-0123');
    const page = await api().get('/lotteries').set('Cookie', cookie);
    return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '' };
  }
  const form = (
    s: { cookie: string; csrf: string },
    path: string,
    body: Record<string, string>,
  ): request.Test =>
    api()
      .post(path)
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf, ...body });

  it('the new-lottery form’s 演練 box creates a rehearsal, marked on its pages and in the list', async () => {
    const s = await signIn();
    const r = await form(s, '/lotteries', { year: '115', agency: '數位發展部', rehearsal: 'on' }).expect(303);
    const id = /\/lotteries\/([^/#?]+)/.exec(String(r.headers.location))?.[1] ?? '';
    expect(t.store.lottery(id)?.rehearsal).toBe(true);
    const page = await api().get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('演練 REHEARSAL');
    expect(page.text).toContain('id="rehearsal-banner"');
    const list = await api().get('/lotteries').set('Cookie', s.cookie).expect(200);
    expect(list.text).toContain('class="tag-rehearsal"');
    const draw = await api().get(`/lotteries/${id}/draw`).set('Cookie', s.cookie).expect(200);
    expect(draw.text).toContain('class="rehearsal-mark"');
  });

  it('after the lock the meeting form amends the particulars (a witness replaced), and the page says when', async () => {
    const s = await signIn();
    const id = await locked();
    const page = await api().get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('id="amend-meeting"');
    await form(s, `/lotteries/${id}/meeting`, {
      meeting_date: '2026-01-22T14:30',
      meeting_chair: '主任委員',
      meeting_venue: '',
      witnesses: '王大明、張三',
    }).expect(303);
    const l = t.store.lottery(id);
    expect(l?.meeting.witnesses).toEqual(['王大明', '張三']);
    expect(l?.meeting.venue).toBeUndefined();
    expect(l?.meeting.chair).toBe('主任委員');
    const after = await api().get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(after.text).toContain('id="meeting-amended"');
  });

  it('cancelling from the page moves the lottery under 「已作廢」, and its page offers nothing more', async () => {
    const s = await signIn();
    const id = await locked();
    await form(s, `/lotteries/${id}/cancel`, { reason: '會議取消' }).expect(303);
    const list = await api().get('/lotteries').set('Cookie', s.cookie).expect(200);
    expect(list.text).not.toContain(`/lotteries/${id}"`);
    expect(list.text).toContain('href="/lotteries?status=cancelled"');
    const cancelled = await api().get('/lotteries?status=cancelled').set('Cookie', s.cookie).expect(200);
    expect(cancelled.text).toContain(`/lotteries/${id}"`);
    const page = await api().get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('id="cancelled-banner"');
    expect(page.text).toContain('會議取消');
    expect(page.text).not.toContain(`action="/lotteries/${id}/unlock"`);
    expect(page.text).not.toContain(`action="/lotteries/${id}/cancel"`);
  });

  it('「以此名冊建立正式抽籤」 opens the new real lottery, whose page names the rehearsal', async () => {
    const s = await signIn();
    const reh = await locked({ rehearsal: true });
    const page = await api().get(`/lotteries/${reh}`).set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain(`action="/lotteries/${reh}/copy"`);
    const r = await form(s, `/lotteries/${reh}/copy`, {}).expect(303);
    const to = /\/lotteries\/([^/#?]+)/.exec(String(r.headers.location))?.[1] ?? '';
    expect(to).not.toBe(reh);
    const newPage = await api().get(`/lotteries/${to}`).set('Cookie', s.cookie).expect(200);
    expect(newPage.text).toContain(`href="/lotteries/${reh}"`);
    expect(newPage.text).not.toContain('演練 REHEARSAL');
  });
});
