import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { buildApp } from '../../src/http/app';
import { makeTestCertificates } from '../../src/keys/certs';
import { generatePrivatePem, signerFromPem, type Signer } from '../../src/keys/signer';
import { logSignerFromPem, type LogSigner } from '../../src/keys/log-key';
import { Services } from '../../src/services/services';
import { Store } from '../../src/store/store';
import type { Logger } from '../../src/util/log';
import type { PublicField } from '../../src/domain/publish';
import { taipeiDate } from '../../src/domain/ceremony';
import vectors from '../fixtures/draw-v1.json';
import vectorsV2 from '../fixtures/draw-v2.json';

let cached: { pem: string; caCertPem: string; certPem: string } | undefined;
/** One RSA 3072 key and test certificate per test file: generating them takes about a second. */
export function testSigner(): Signer {
  if (!cached) {
    const pem = generatePrivatePem();
    cached = { pem, ...makeTestCertificates(pem, new Date()) };
  }
  return signerFromPem(cached.pem, { certificatePem: cached.certPem, chainPem: [cached.caCertPem] });
}

/** The log's Ed25519 test key (test/fixtures/log-key.test-only.pem, public on purpose), as an app's log signer. */
export const TEST_LOG_ORIGIN = 'localhost/asset-review-lottery';
export function testLogSigner(name = TEST_LOG_ORIGIN): LogSigner {
  const pem = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'log-key.test-only.pem'), 'utf8');
  return logSignerFromPem(pem, name);
}

export function testCaCertPem(): string {
  testSigner();
  return (cached as { caCertPem: string }).caCertPem;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-test-'));
}

/**
 * The attacker's hand (or the auditor's copy): a connection of its own to a database file, outside the service,
 * whose store keeps its connection private. Closed when `fn` returns.
 */
export function ownConnection<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface TestApp {
  app: Express;
  services: Services;
  store: Store;
  dir: string;
  dbFile: string;
  tokens: { admin: string; ethics: string; drawer: string; auditor: string };
  /** The app's clock. */
  clock: () => Date;
  /** Its Taipei date (YYYY-MM-DD): a v2 ceremony opens and draws on the meeting day only. */
  today(): string;
  close(): void;
}

export function makeApp(
  opts: {
    log?: Logger;
    clock?: () => Date;
    randomBytes?: (n: number) => Buffer;
    publicFields?: PublicField[];
    /** NODE_ENV=production, as the server would pass it (issuing the record's checklist). */
    production?: boolean;
    publicUrl?: string;
    testCertificate?: boolean;
    /** LOTTERY_CONTACT, as the server would pass it. */
    letterContact?: string;
  } = {},
): TestApp {
  const dir = tempDir();
  const dbFile = path.join(dir, 'lottery.sqlite');
  const store = Store.open(dbFile);
  const { app, services } = buildApp({ store, signer: testSigner(), logSigner: testLogSigner(), ...opts });
  const clock = opts.clock ?? ((): Date => new Date());
  const tokens = {
    admin: services.addUser('cli', { name: 'admin', role: 'admin' }).token,
    ethics: services.addUser('cli', { name: '林怡芬', role: 'ethics' }).token,
    drawer: services.addUser('cli', { name: 'minister', role: 'drawer' }).token,
    auditor: services.addUser('cli', { name: 'auditor', role: 'auditor' }).token,
  };
  return {
    app,
    services,
    store,
    dir,
    dbFile,
    tokens,
    clock,
    today: () => taipeiDate(clock().getTime()),
    close: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** lottery-draw/v1's 21-person example (test/fixtures/draw-v1.json). */
export const exampleV1 = vectors.vector1;
/** The same roster under lottery-draw/v2 (test/fixtures/draw-v2.json): what new lotteries draw. */
export const example = vectorsV2.ceremony;

export const auth = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** Creates, loads a roster (by default the 21-person example) and returns the lottery id. */
export async function createLoaded(
  t: TestApp,
  body: Record<string, unknown> = { year: 113, agency: '數位發展部' },
  roster: unknown[] = example.roster,
): Promise<string> {
  // A v2 ceremony happens on the meeting day: give the lottery today's date unless the test chose one.
  const meeting = (body.meeting ?? {}) as Record<string, unknown>;
  const withDate = meeting.date === undefined ? { ...body, meeting: { ...meeting, date: t.today() } } : body;
  const c = await request(t.app)
    .post('/api/v1/lotteries')
    .set(...auth(t.tokens.ethics))
    .send(withDate)
    .expect(201);
  const id = (c.body as { id: string }).id;
  await request(t.app)
    .put(`/api/v1/lotteries/${id}/roster`)
    .set(...auth(t.tokens.ethics))
    .send({ entries: roster })
    .expect(200);
  return id;
}

/** Opens the ceremony (v2) as `token`'s user; returns the ceremony token and the commitment shown. */
export async function openCeremony(
  t: TestApp,
  id: string,
  token = t.tokens.drawer,
): Promise<{ ceremonyToken: string; commitment: string; keyFingerprint: string; openedAt: string }> {
  const r = await request(t.app)
    .post(`/api/v1/lotteries/${id}/ceremony`)
    .set(...auth(token))
    .expect(201);
  return r.body as { ceremonyToken: string; commitment: string; keyFingerprint: string; openedAt: string };
}

/** Locks, opens the ceremony as the drawer and draws every stage of a loaded lottery (v2). */
export async function lockAndDraw(t: TestApp, id: string, entropy = example.entropy): Promise<void> {
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  const c = await openCeremony(t, id);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/1/draw`)
    .set(...auth(t.tokens.drawer))
    .send({ ceremonyToken: c.ceremonyToken, entropy, commitment: c.commitment })
    .expect(200);
  await request(t.app)
    .post(`/api/v1/lotteries/${id}/stages/2/draw`)
    .set(...auth(t.tokens.drawer))
    .send({ ceremonyToken: c.ceremonyToken })
    .expect(200);
}

/** Creates, loads, locks and draws every stage; returns the lottery id. */
export async function drawnLottery(
  t: TestApp,
  entropy = example.entropy,
  body?: Record<string, unknown>,
  roster?: unknown[],
): Promise<string> {
  const id = await createLoaded(t, body, roster);
  await lockAndDraw(t, id, entropy);
  return id;
}

/**
 * What a browser holds before it posts the sign-in form (issue 12): GET /login's CSRF cookie (`lottery_login`)
 * and the same value in the form's hidden `_login` field.
 */
export async function loginForm(app: Express): Promise<{ cookie: string; token: string }> {
  const page = await request(app).get('/login').expect(200);
  const cookie =
    ([] as string[])
      .concat(page.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('lottery_login=')) ?? '';
  const token = /name="_login" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cookie, token };
}

/** Posts the sign-in form as a browser would: GET /login first, then the form with its token and cookie. */
export async function postLogin(
  app: Express,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<request.Response> {
  const f = await loginForm(app);
  return request(app)
    .post('/login')
    .set({ ...headers, Cookie: [f.cookie, headers.Cookie].filter(Boolean).join('; ') })
    .type('form')
    .send({ _login: f.token, ...fields });
}

/** Signs in with a password on the pages; returns the session cookie ("name=value"). */
export async function sessionCookie(app: Express, username: string, password: string): Promise<string> {
  const res = await postLogin(app, { username, password });
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return (set.find((c) => c.startsWith('lottery_session=')) ?? '').split(';')[0] ?? '';
}
