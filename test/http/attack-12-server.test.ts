/**
 * Issue 12, the holes found from outside the running service: a spoofed X-Forwarded-For walking past the sign-in
 * limit, duplicate keys read last-wins, and the start-up warnings only the console saw.
 */
import request from 'supertest';
import { buildApp } from '../../src/http/app';
import { COOKIE } from '../../src/http/cookies';
import { composeAuth } from '../../src/compose';
import { sha256Node } from '../../src/keys/signer';
import { auth, createLoaded, makeApp, postLogin, testSigner, type TestApp } from '../helpers/app';
import crypto from 'node:crypto';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(() => t.close());

/** Eleven sign-in attempts, each claiming another address in X-Forwarded-For; the statuses. */
async function knock(app: ReturnType<typeof buildApp>['app']): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    // Through the sign-in form as a browser posts it (GET /login's CSRF token first: issue 12).
    const r = await postLogin(
      app,
      { username: 'nobody', password: 'wrong-password-x' },
      { 'X-Forwarded-For': `203.0.113.${i + 1}` },
    );
    statuses.push(r.status);
  }
  return statuses;
}

describe('TRUST_PROXY with the port reachable directly', () => {
  it('when the peer is not a listed proxy › a spoofed X-Forwarded-For is ignored and the sign-in limit holds', async () => {
    // supertest's peer is loopback, which this list leaves out: it plays the stranger reaching the port directly.
    const { app } = buildApp({ store: t.store, signer: testSigner(), trustProxy: ['10.0.0.1'] });
    const statuses = await knock(app);
    expect(statuses.slice(0, 10)).not.toContain(429);
    expect(statuses[10]).toBe(429);
  });

  it('when the peer is a listed proxy › its X-Forwarded-For names the client, so each client has its own limit', async () => {
    const { app } = buildApp({ store: t.store, signer: testSigner(), trustProxy: ['loopback'] });
    expect(await knock(app)).not.toContain(429);
    // One client behind the proxy, knocking eleven times, is still stopped.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await postLogin(
            app,
            { username: 'nobody', password: 'wrong-password-x' },
            { 'X-Forwarded-For': '198.51.100.7' },
          )
        ).status,
      );
    expect(statuses[10]).toBe(429);
  });

  it('when the peer is not a listed proxy › X-Forwarded-Proto does not make cookies Secure; from a listed one it does', async () => {
    const cookieFrom = async (trustProxy: string[]): Promise<string> => {
      const { app } = buildApp({ store: t.store, signer: testSigner(), trustProxy });
      const r = await request(app).get('/lang/en?next=/').set('X-Forwarded-Proto', 'https').expect(303);
      return String(r.headers['set-cookie']);
    };
    expect(await cookieFrom(['10.0.0.0/8', 'fd00::/48'])).not.toMatch(/Secure/);
    expect(await cookieFrom(['loopback'])).toMatch(/Secure/);
  });
});

/** PATCH with exactly these bytes (supertest would re-encode a string as UTF-8). */
async function rawPatch(id: string, bytes: Buffer): Promise<{ code?: string }> {
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/lotteries/${id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.tokens.ethics}` },
      body: bytes,
    });
    expect(res.status).toBe(400);
    return (await res.json()) as { code?: string };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('JSON bodies at the HTTP edge', () => {
  const patch = (id: string, body: string, type = 'application/json'): request.Test =>
    request(t.app)
      .patch(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', type)
      .send(body);

  it.each([
    ['a duplicate key', '{"title":"a","title":"b"}', /duplicate|重複/],
    ['a lone surrogate', '{"title":"\\ud800"}', /surrogate|代理/],
    ['a byte-order mark', '\ufeff{"title":"a"}', /BOM/],
    ['nesting 40 deep', `{"title":${'['.repeat(40)}${']'.repeat(40)}}`, /deeper|巢狀/],
    ['a number too large to read', '{"title":1e400}', /too large|過大/],
    ['a bare scalar', '"a"', /object or array|物件或陣列/],
  ])('when a body has %s › 400 MALFORMED_BODY, bilingual, nothing changed', async (_what, body, why) => {
    const id = await createLoaded(t);
    const before = t.services.getLottery(id).title;
    const r = await patch(id, body).expect(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe('MALFORMED_BODY');
    expect(r.body.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(r.body.message.en).toMatch(/JSON/);
    expect(JSON.stringify(r.body.message)).toMatch(why);
    expect(t.services.getLottery(id).title).toBe(before);
  });

  it('when a body is not UTF-8 › 400 MALFORMED_BODY; another declared charset › 415', async () => {
    const id = await createLoaded(t);
    const bad = Buffer.from([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const r = { body: await rawPatch(id, bad) };
    expect(r.body.code).toBe('MALFORMED_BODY');
    const l = await patch(id, '{"title":"a"}', 'application/json; charset=iso-8859-1').expect(415);
    expect(l.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when a body is legal strict JSON › it is read as before (a fraction is still a field problem)', async () => {
    const id = await createLoaded(t);
    await patch(id, '{"title":"新標題"}', 'application/json; charset=utf-8').expect(200);
    expect(t.services.getLottery(id).title).toBe('新標題');
    const r = await patch(id, '{"year":113.5}').expect(422);
    expect(r.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('start-up warnings on the pages', () => {
  const warning = { zh: '測試憑證：不可用於正式抽籤', en: 'Test certificate: not for production' };

  async function resultPage(warnings: Array<{ zh: string; en: string }> | undefined, lang?: 'en') {
    const id = await createLoaded(t);
    const signIn = composeAuth(t.store, {
      clock: () => new Date(),
      randomBytes: (n) => crypto.randomBytes(n),
      sha256: sha256Node,
    });
    const u = t.store.userByName('林怡芬');
    if (!u) throw new Error('no ethics user');
    signIn.setPassword(u.id, 'password-long-enough');
    const { sessionId } = signIn.signIn('林怡芬', 'password-long-enough', '127.0.0.1');
    const { app } = buildApp({
      store: t.store,
      signer: testSigner(),
      ...(warnings ? { serviceWarnings: warnings } : {}),
    });
    const cookie = `${COOKIE}=${sessionId}${lang ? '; lang=en' : ''}`;
    return request(app).get(`/lotteries/${id}/result`).set('Cookie', cookie).expect(200);
  }

  it('when the service started with warnings › the result page shows each in a visible box', async () => {
    const r = await resultPage([warning]);
    expect(r.text).toContain('class="service-warnings"');
    expect(r.text).toContain(warning.zh);
    expect(r.text).not.toContain(warning.en);
  });

  it('when the page is read in English › the warning is in English', async () => {
    const r = await resultPage([warning], 'en');
    expect(r.text).toContain(warning.en);
    expect(r.text).not.toContain(warning.zh);
  });

  it('when there are none (or the caller passes none) › the result page has no warning box', async () => {
    expect((await resultPage(undefined)).text).not.toContain('service-warnings');
    expect((await resultPage([])).text).not.toContain('service-warnings');
  });
});
