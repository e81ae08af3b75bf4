import crypto from 'node:crypto';
import request from 'supertest';
import { verifyDatabase } from '../../src/domain/verify';
import { composeAuth } from '../../src/compose';
import { nodeVerifyDeps } from '../../src/keys/signer';
import type { JournalEntry } from '../../src/domain/journal';
import {
  auth,
  createLoaded,
  example,
  makeApp,
  ownConnection,
  sessionCookie,
  type TestApp,
} from '../helpers/app';

/**
 * Who pressed the button (issue 13): sign-ins are journalled (session.started), each opening and draw names its
 * session, and `verify --db` fails a draw whose session never started: a session row written straight into the
 * database, which before this left no trace at all.
 */
const sha256 = (s: string): string => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const PASSWORD = 'password-minister-0123';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
  const u = t.store.userByName('minister');
  if (!u) throw new Error('no drawer');
  composeAuth(t.store).setPassword(u.id, PASSWORD);
});
afterEach(() => t.close());

async function journal(): Promise<JournalEntry[]> {
  const r = await request(t.app)
    .get('/api/v1/journal?limit=1000')
    .set(...auth(t.tokens.auditor))
    .expect(200);
  return (r.body as { entries: JournalEntry[] }).entries;
}

async function csrfOf(cookie: string): Promise<string> {
  const page = await request(t.app).get('/lotteries').set('Cookie', cookie).expect(200);
  return /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

/** Locks as the ethics officer, then opens and draws stage 1 with the given session cookie. */
async function drawWithCookie(id: string, cookie: string): Promise<void> {
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  const csrf = await csrfOf(cookie);
  const c = await request(t.app)
    .post(`/api/v1/lotteries/${id}/ceremony`)
    .set({ Cookie: cookie, 'X-CSRF-Token': csrf })
    .expect(201);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/1/draw`)
    .set({ Cookie: cookie, 'X-CSRF-Token': csrf })
    .send({ ceremonyToken: c.body.ceremonyToken, entropy: example.entropy, commitment: c.body.commitment })
    .expect(200);
}

const sessionsCheck = async (): Promise<{ ok: boolean; detail: string } | undefined> =>
  (await verifyDatabase(t.store.snapshot(), nodeVerifyDeps)).checks.find(
    (c) => c.name === 'journal.sessions',
  );

describe('a web sign-in', () => {
  it('journals session.started {user, session = SHA-256 of the session id}, by that user', async () => {
    const cookie = await sessionCookie(t.app, 'minister', PASSWORD);
    const id = cookie.split('=')[1] ?? '';
    const u = t.store.userByName('minister');
    const started = (await journal()).filter((e) => e.type === 'session.started');
    expect(started).toEqual([
      expect.objectContaining({ actor: `user:${u?.id}`, data: { user: u?.id, session: sha256(id) } }),
    ]);
  });

  it('names its session on the opening and the draw, and verify --db passes journal.sessions', async () => {
    const cookie = await sessionCookie(t.app, 'minister', PASSWORD);
    const session = sha256(cookie.split('=')[1] ?? '');
    const id = await createLoaded(t);
    await drawWithCookie(id, cookie);
    const named = (await journal()).filter((e) => ['ceremony.opened', 'stage.drawn'].includes(e.type));
    expect(named.map((e) => [e.type, e.data.session])).toEqual([
      ['ceremony.opened', session],
      ['stage.drawn', session],
    ]);
    expect(await sessionsCheck()).toMatchObject({ ok: true });
  });
});

describe('an API token', () => {
  it('starts its session lazily, once, with its first opening: SHA-256 of "token:" + the token hash', async () => {
    const id = await createLoaded(t);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    const c = await request(t.app)
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(t.tokens.drawer))
      .expect(201);
    for (const [stage, body] of [
      [1, { ceremonyToken: c.body.ceremonyToken, entropy: example.entropy, commitment: c.body.commitment }],
      [2, { ceremonyToken: c.body.ceremonyToken }],
    ] as const)
      await request(t.app)
        .post(`/api/v1/lotteries/${id}/stages/${stage}/draw`)
        .set(...auth(t.tokens.drawer))
        .send(body)
        .expect(200);
    const session = sha256(`token:${sha256(t.tokens.drawer)}`);
    const entries = await journal();
    const opened = entries.findIndex((e) => e.type === 'ceremony.opened');
    expect(entries[opened - 1]).toMatchObject({ type: 'session.started', data: { session } });
    expect(entries.filter((e) => e.type === 'session.started')).toHaveLength(1);
    expect(entries.filter((e) => e.data.session === session).map((e) => e.type)).toEqual([
      'session.started',
      'ceremony.opened',
      'stage.drawn',
      'stage.drawn',
    ]);
    expect(await sessionsCheck()).toMatchObject({ ok: true });
  });
});

describe('attack: a session row written straight into the database', () => {
  it('draws, but verify --db fails journal.sessions: the session never started', async () => {
    const u = t.store.userByName('minister');
    const sessionId = crypto.randomBytes(32).toString('base64url');
    const now = new Date();
    ownConnection(t.dbFile, (db) =>
      db
        .prepare(
          'INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          sha256(sessionId),
          u?.id,
          'forged-csrf-value-0123456789',
          now.toISOString(),
          now.toISOString(),
          new Date(now.getTime() + 3600_000).toISOString(),
        ),
    );
    const id = await createLoaded(t);
    await drawWithCookie(id, `lottery_session=${sessionId}`);
    const check = await sessionsCheck();
    expect(check?.ok).toBe(false);
    expect(check?.detail).toContain(sha256(sessionId));
    expect((await journal()).some((e) => e.type === 'session.started')).toBe(false);
  });
});
