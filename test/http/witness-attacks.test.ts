import crypto from 'node:crypto';
import request from 'supertest';
import { formatVerifierKey, SIG_COSIGNATURE_V1 } from '../../src/domain/log/note';
import { sha256Bytes } from '../../src/util/sha256';
import {
  cosign,
  device,
  invite,
  logSigner,
  logView,
  postNote,
  register,
  ORIGIN,
} from '../helpers/witness-device';
import { auth, createLoaded, lockAndDraw, makeApp, type TestApp } from '../helpers/app';

/**
 * issue 13: what an attacker tries against the witness endpoints, each refused: a code used twice, expired,
 * or of another lottery; a key nobody registered; a cosignature over another tree, from the future, or forged;
 * a key name taken or one that looks like another; a revoked witness.
 */

let now = Date.now();
const clock = (): Date => new Date(now);
const seconds = (): number => Math.floor(now / 1000);

describe('witness attacks', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  const alice = device('alice');
  const bob = device('bob.of.b');

  beforeAll(async () => {
    t = makeApp({ clock, logSigner });
    a = await createLoaded(t);
    b = await createLoaded(t);
    await register(t, await invite(t, a, 'Alice'), alice).expect(201);
    await register(t, await invite(t, b, 'Bob'), bob).expect(201);
  });
  afterAll(() => t.close());

  it('when the log view is asked for before the last stage › 409 NOT_DRAWN', async () => {
    const r = await request(t.app).get(`/api/v1/lotteries/${a}/log`).expect(409);
    expect(r.body.code).toBe('NOT_DRAWN');
    await lockAndDraw(t, a);
    await lockAndDraw(t, b);
  });

  it('when a code is used a second time › 401, and nothing is written', async () => {
    const code = await invite(t, a, 'Carol');
    await register(t, code, device('carol')).expect(201);
    const head = t.store.journalHead()?.seq;
    const r = await register(t, code, device('carol2')).expect(401);
    expect(r.body.message.en).toMatch(/already been used/);
    expect(t.store.journalHead()?.seq).toBe(head);
  });

  it('when a code has expired (after the meeting day) › 401', async () => {
    const inv = await request(t.app)
      .post(`/api/v1/lotteries/${a}/witnesses/invitations`)
      .set(...auth(t.tokens.ethics))
      .send({ name: 'Dave', role: 'witness' })
      .expect(201);
    // The meeting is today (Taipei): the code lasts until midnight there, 16:00 UTC.
    const day = t.store.lottery(a)?.meeting.date as string;
    expect(inv.body.expiresAt).toBe(`${day}T16:00:00.000Z`);
    const code = (inv.body as { code: string }).code;
    const saved = now;
    now += 86_400_000; // the next day: the meeting day is over, long before the seven days
    try {
      const r = await register(t, code, device('dave')).expect(401);
      expect(r.body.message.en).toMatch(/expired/);
    } finally {
      now = saved;
    }
  });

  // (Every app now has a log key: buildApp makes one when none is given, so there is no "no log key" state to test.)
  it('when a code is guessed or malformed › 401', async () => {
    await register(t, 'A'.repeat(22), device('guess')).expect(401);
    await register(t, 'short', device('guess')).expect(401);
  });

  it('when codes are tried in a burst › the eleventh in a minute is refused with 429', async () => {
    const burst = makeApp({ clock: () => new Date(now), logSigner });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await register(burst, 'B'.repeat(22), device('x'))).status);
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    } finally {
      burst.close();
    }
  });

  it('when the CLI registers a remote witness without the log key › it works', () => {
    const bare = makeApp({ clock });
    try {
      const office = device('office.example/w');
      const vkey = formatVerifierKey(sha256Bytes, office.keyName, SIG_COSIGNATURE_V1, office.pub);
      expect(bare.services.registerRemoteWitness('cli', { name: '監察院', vkey }).keyName).toBe(
        office.keyName,
      );
    } finally {
      bare.close();
    }
  });

  it('when a key name is taken, even in another case, or the key itself is › 409', async () => {
    expect((await register(t, await invite(t, a, 'Eve'), device('ALICE')).expect(409)).body.code).toBe(
      'CONFLICT',
    );
    const again = { ...device('alice-second'), pub: alice.pub, b64: alice.b64 };
    await register(t, await invite(t, a, 'Eve'), again).expect(409);
  });

  it.each([
    ['a Cyrillic look-alike', '\u0430lice'],
    ['a space', 'alice bob'],
    ['a plus sign', 'alice+1'],
    ['a zero-width space', 'alice\u200b'],
    ["the log's own name", ORIGIN.toUpperCase()],
  ])('when the key name has %s › 422', async (_what, keyName) => {
    const r = await register(t, await invite(t, a, 'Mallory'), device(keyName)).expect(422);
    expect(r.body.code).toBe('VALIDATION_FAILED');
  });

  it('when a key nobody registered cosigns › 403', async () => {
    const view = await logView(t, a);
    const r = await postNote(t, cosign(device('stranger'), view.checkpoint, seconds())).expect(403);
    expect(r.body.code).toBe('FORBIDDEN');
  });

  it('when the signature is forged (another key under a registered name) › 403', async () => {
    const view = await logView(t, a);
    const forger = crypto.generateKeyPairSync('ed25519').privateKey;
    await postNote(t, cosign(alice, view.checkpoint, seconds(), forger)).expect(403);
    expect(t.store.cosignatures.get('alice', view.size)).toBeUndefined();
  });

  it('when the cosignature is over another tree › 409 with the server’s own note', async () => {
    const view = await logView(t, a);
    const lines = view.checkpoint.split('\n');
    const forged = crypto.createHash('sha256').update('another history').digest('base64');
    const text = `${lines[0]}\n${lines[1]}\n${forged}\n`;
    const r = await postNote(t, cosign(alice, `${text}\n— x AAAAAAA=\n`, seconds())).expect(409);
    expect(r.body.message.zh).toMatch(/不同/);
    expect(r.body.checkpoint).toBe(view.checkpoint);
  });

  it('when the cosignature is stamped more than 10 minutes ahead › 422; 5 minutes is accepted', async () => {
    const view = await logView(t, a);
    const r = await postNote(t, cosign(alice, view.checkpoint, seconds() + 11 * 60)).expect(422);
    expect(r.body.message.en).toMatch(/ahead/);
    await postNote(t, cosign(alice, view.checkpoint, seconds() + 5 * 60)).expect(200);
  });

  it('when a witness of another lottery cosigns this one › stored, but not this lottery’s cosigner', async () => {
    const view = await logView(t, a);
    await postNote(t, cosign(bob, view.checkpoint, seconds())).expect(200);
    const e = t.store
      .journalPage({ type: 'checkpoint.cosigned', limit: 10 })
      .find((x) => x.data.keyName === 'bob.of.b');
    expect(e?.data.lottery).toBeUndefined();
    const pub = await request(t.app).get(`/api/v1/public/lotteries/${a}`).expect(200);
    expect((pub.body.cosigners as Array<{ keyName: string }>).map((c) => c.keyName)).toEqual(['alice']);
  });

  it('when a witness is revoked › its cosignatures are refused (403), its stored ones stay', async () => {
    const revoked = await request(t.app)
      .post('/api/v1/log/witnesses/bob.of.b/revoke')
      .set(...auth(t.tokens.ethics))
      .send({ reason: '裝置遺失' })
      .expect(200);
    expect(revoked.body.keyName).toBe('bob.of.b');
    const view = await logView(t, b);
    await postNote(t, cosign(bob, view.checkpoint, seconds())).expect(403);
    expect(t.store.cosignatures.get('bob.of.b', (await logView(t, a)).size)).toBeDefined();
    expect(t.store.journalPage({ type: 'witness.revoked', limit: 5 })[0]?.data).toEqual({
      keyName: 'bob.of.b',
      reason: '裝置遺失',
    });
  });

  it('when a drawer invites, or the lottery is cancelled › 403, 409 CANCELLED', async () => {
    await request(t.app)
      .post(`/api/v1/lotteries/${a}/witnesses/invitations`)
      .set(...auth(t.tokens.drawer))
      .send({ name: 'X', role: 'witness' })
      .expect(403);
    const c = await createLoaded(t);
    await request(t.app)
      .post(`/api/v1/lotteries/${c}/cancel`)
      .set(...auth(t.tokens.ethics))
      .send({ reason: '重複建立' })
      .expect(200);
    const r = await request(t.app)
      .post(`/api/v1/lotteries/${c}/witnesses/invitations`)
      .set(...auth(t.tokens.ethics))
      .send({ name: 'X', role: 'witness' })
      .expect(409);
    expect(r.body.code).toBe('CANCELLED');
  });

  it('when the ethics office registers a remote witness by its vkey › it may cosign any checkpoint', async () => {
    const office = device('oversight.example.gov.tw/witness');
    const vkey = formatVerifierKey(sha256Bytes, office.keyName, SIG_COSIGNATURE_V1, office.pub);
    const r = await request(t.app)
      .post('/api/v1/log/witnesses')
      .set(...auth(t.tokens.ethics))
      .send({ name: '監察院', vkey })
      .expect(201);
    expect(r.body).toMatchObject({ role: 'remote', keyName: office.keyName, vkey });
    const logVkey = formatVerifierKey(sha256Bytes, 'x', 0x01, office.pub);
    await request(t.app)
      .post('/api/v1/log/witnesses')
      .set(...auth(t.tokens.ethics))
      .send({ name: 'wrong type', vkey: logVkey })
      .expect(422);
    const note = (await logView(t, a)).checkpoint; // any size of the tree is witnessable; take N_L of a
    await postNote(t, cosign(office, note, seconds())).expect(200);
    const e = t.store.journalPage({ type: 'witness.registered', limit: 20 }).pop();
    expect(e?.data).toEqual({
      name: '監察院',
      role: 'remote',
      keyName: office.keyName,
      publicKey: office.b64,
    });
  });
});
