/**
 * issue 12: users on the web. The admin pages (add with a password, reset, role, token, lockout, deactivate), the
 * last-admin rule, one's own password, one user.locked per account per lock period, and the sign-in form's CSRF
 * token and Origin check.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { buildApp } from '../../src/http/app';
import { sha256Node } from '../../src/keys/signer';
import { Auth, LOCK_MINUTES, MAX_FAILURES } from '../../src/services/auth';
import {
  auth as bearer,
  loginForm,
  makeApp,
  postLogin,
  sessionCookie,
  testSigner,
  type TestApp,
} from '../helpers/app';

let t: TestApp;
let now: Date;
beforeEach(() => {
  now = new Date('2026-01-20T01:00:00.000Z');
  t = makeApp({ clock: () => now });
  t.services.setUserPassword('cli', 'admin', 'password-admin-123');
  t.services.setUserPassword('cli', '林怡芬', 'password-ethics-123');
});
afterEach(() => t.close());

/** A signed-in browser: its cookies and the CSRF token of its pages. */
async function signedIn(name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const cookie = await sessionCookie(t.app, name, password);
  const page = await request(t.app).get('/account/password').set('Cookie', cookie).expect(200);
  return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '' };
}
const admin = (): Promise<{ cookie: string; csrf: string }> => signedIn('admin', 'password-admin-123');

function post(
  s: { cookie: string; csrf: string },
  path: string,
  body: Record<string, string> = {},
): request.Test {
  return request(t.app)
    .post(path)
    .set('Cookie', s.cookie)
    .type('form')
    .send({ _csrf: s.csrf, ...body });
}

const entries = (type: string): Array<{ data: Record<string, unknown>; actor: string }> =>
  t.store.journalPage({ limit: 1000, type }) as unknown as Array<{
    data: Record<string, unknown>;
    actor: string;
  }>;

describe('the admin pages', () => {
  it('when an admin signs in › they land on /admin/users, which lists each user with role and state', async () => {
    const r = await postLogin(t.app, { username: 'admin', password: 'password-admin-123' });
    expect(r.headers.location).toBe('/admin/users');
    const s = await admin();
    const page = await request(t.app).get('/admin/users').set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('<h1>帳號管理</h1>');
    expect(page.text).toMatch(
      /<tr data-user="林怡芬">[^]*?<td class="role">政風人員<\/td>[^]*?使用中[^]*?已設定/,
    );
    expect(page.text).toMatch(/<tr data-user="minister">[^]*?未設定/);
    expect(page.text).toContain('href="/admin/users"');
  });

  it('when another role asks for them › 403, and their nav has no link to them', async () => {
    const s = await signedIn('林怡芬', 'password-ethics-123');
    expect((await request(t.app).get('/admin/users').set('Cookie', s.cookie)).status).toBe(403);
    expect(
      (await post(s, '/admin/users', { name: 'x', role: 'admin', password: 'long enough pw' })).status,
    ).toBe(403);
    const page = await request(t.app).get('/lotteries').set('Cookie', s.cookie).expect(200);
    expect(page.text).not.toContain('href="/admin/users"');
    expect(page.text).toContain('href="/account/password"');
    expect(t.store.userByName('x')).toBeUndefined();
  });

  it('when an admin adds a user with a password › one journalled transaction, the token shown once, and they sign in', async () => {
    const s = await admin();
    const r = await post(s, '/admin/users', {
      name: '王大明',
      display: '王大明 科長',
      role: 'drawer',
      password: 'drum-and-balls-2026',
    }).expect(201);
    const token = /<code id="new-token" data-user="王大明">([^<]+)<\/code>/.exec(r.text)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(30);
    await request(t.app)
      .get('/api/v1/lotteries')
      .set(...bearer(token))
      .expect(200);
    const id = t.store.userByName('王大明')?.id;
    expect(entries('user.added').at(-1)).toMatchObject({ data: { user: id, role: 'drawer' } });
    expect(entries('user.password.set').at(-1)).toMatchObject({ data: { user: id } });
    expect(JSON.stringify(t.store.journalPage({ limit: 1000 }))).not.toMatch(/scrypt/);
    expect((await postLogin(t.app, { username: '王大明', password: 'drum-and-balls-2026' })).status).toBe(
      303,
    );
  });

  it('when the password is shorter than 10 characters › 422 and nothing is written', async () => {
    const s = await admin();
    const head = t.store.journalHead();
    const r = await post(s, '/admin/users', { name: 'shorty', role: 'ethics', password: '123456789' });
    expect(r.status).toBe(422);
    expect(r.text).toContain('密碼至少 10 個字元');
    expect(t.store.userByName('shorty')).toBeUndefined();
    expect(t.store.journalHead()).toEqual(head);
  });

  it('when an admin resets a password › journalled, and the user’s sessions end', async () => {
    const s = await admin();
    const e = await signedIn('林怡芬', 'password-ethics-123');
    await post(s, `/admin/users/${encodeURIComponent('林怡芬')}/password`, {
      password: 'a-new-password-1',
    }).expect(303);
    expect((await request(t.app).get('/lotteries').set('Cookie', e.cookie)).status).toBe(303);
    expect((await postLogin(t.app, { username: '林怡芬', password: 'password-ethics-123' })).status).toBe(
      401,
    );
    expect((await postLogin(t.app, { username: '林怡芬', password: 'a-new-password-1' })).status).toBe(303);
    expect(entries('user.password.set').at(-1)?.actor).toMatch(/^user:/);
  });

  it('when an admin changes a role › journalled with the previous role, and it applies at once', async () => {
    const s = await admin();
    await post(s, '/admin/users/minister/role', { role: 'auditor' }).expect(303);
    const id = t.store.userByName('minister')?.id;
    expect(entries('user.role.changed')).toEqual([
      expect.objectContaining({ data: { user: id, role: 'auditor', previousRole: 'drawer' } }),
    ]);
    await request(t.app)
      .get('/api/v1/journal')
      .set(...bearer(t.tokens.drawer))
      .expect(200);
    expect((await post(s, '/admin/users/minister/role', { role: 'king' })).status).toBe(422);
  });

  it('when an admin revokes a token › the old bearer token stops working and a new one is shown once', async () => {
    const s = await admin();
    const r = await post(s, '/admin/users/auditor/token').expect(200);
    const token = /<code id="new-token" data-user="auditor">([^<]+)<\/code>/.exec(r.text)?.[1] ?? '';
    await request(t.app)
      .get('/api/v1/journal')
      .set(...bearer(t.tokens.auditor))
      .expect(401);
    await request(t.app)
      .get('/api/v1/journal')
      .set(...bearer(token))
      .expect(200);
    expect(entries('user.token.revoked')).toHaveLength(1);
  });

  it('when an account is locked out › the page says until when, and the admin lifts it', async () => {
    for (let i = 0; i < MAX_FAILURES; i++) await postLogin(t.app, { username: '林怡芬', password: 'wrong' });
    const s = await admin();
    const page = await request(t.app).get('/admin/users').set('Cookie', s.cookie).expect(200);
    expect(page.text).toMatch(/<tr data-user="林怡芬">[^]*?鎖定至 [^]*?解除鎖定/);
    await post(s, `/admin/users/${encodeURIComponent('林怡芬')}/unlock`).expect(303);
    expect(entries('user.unlocked')).toHaveLength(1);
    expect((await postLogin(t.app, { username: '林怡芬', password: 'password-ethics-123' })).status).toBe(
      303,
    );
  });

  it('when an admin deactivates a user › user.revoked, their sessions and token end', async () => {
    const s = await admin();
    const e = await signedIn('林怡芬', 'password-ethics-123');
    await post(s, `/admin/users/${encodeURIComponent('林怡芬')}/deactivate`).expect(303);
    expect(entries('user.revoked')).toHaveLength(1);
    expect((await request(t.app).get('/lotteries').set('Cookie', e.cookie)).status).toBe(303);
    await request(t.app)
      .get('/api/v1/lotteries')
      .set(...bearer(t.tokens.ethics))
      .expect(401);
    const page = await request(t.app).get('/admin/users').set('Cookie', s.cookie).expect(200);
    expect(page.text).toMatch(/<tr data-user="林怡芬">[^]*?已停用/);
  });

  it('a form without the session’s CSRF token changes nothing (403)', async () => {
    const s = await admin();
    expect((await post({ ...s, csrf: 'x' }, '/admin/users/minister/role', { role: 'ethics' })).status).toBe(
      403,
    );
    expect(t.store.userByName('minister')?.role).toBe('drawer');
  });
});

describe('the last active admin', () => {
  it('cannot be deactivated or demoted (409, bilingual), checked inside the write transaction', async () => {
    const s = await admin();
    for (const [path, body] of [
      ['/admin/users/admin/deactivate', {}],
      ['/admin/users/admin/role', { role: 'ethics' }],
    ] as const) {
      const r = await post(s, path, body);
      expect([path, r.status]).toEqual([path, 409]);
      expect(r.text).toContain('最後一位有效的系統管理員');
      expect(r.text).toContain('last active admin');
    }
    expect(() => t.services.revokeUser('cli', 'admin')).toThrow(/last active admin/);
    expect(t.store.userByName('admin')).toMatchObject({ role: 'admin', revoked_at: null });
  });

  it('when there are two › one may go, then the other is the last (the count is read in the transaction)', async () => {
    t.services.addUser('cli', { name: 'admin2', role: 'admin', password: 'password-admin2-123' });
    const s = await admin();
    await post(s, '/admin/users/admin2/role', { role: 'auditor' }).expect(303);
    // admin2 demoted: admin is now the last one, whichever of its two admins' pages asked first.
    expect((await post(s, '/admin/users/admin/deactivate')).status).toBe(409);
    t.services.changeRole('cli', 'admin2', 'admin');
    t.services.revokeUser('cli', 'admin2');
    expect(() => t.services.changeRole('cli', 'admin', 'drawer')).toThrow(/last active admin/);
  });
});

describe('one’s own password', () => {
  it('any signed-in user changes it knowing the old one; ≥ 10 characters; journalled; other sessions end', async () => {
    const other = await signedIn('林怡芬', 'password-ethics-123');
    const s = await signedIn('林怡芬', 'password-ethics-123');
    const wrong = await post(s, '/account/password', {
      current_password: 'nope',
      new_password: 'new-password-99',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('目前的密碼不正確');
    const short = await post(s, '/account/password', {
      current_password: 'password-ethics-123',
      new_password: 'short',
    });
    expect(short.status).toBe(422);
    expect(entries('user.password.set')).toHaveLength(2); // the two set up in beforeEach
    await post(s, '/account/password', {
      current_password: 'password-ethics-123',
      new_password: 'new-password-99',
    }).expect(303);
    expect(entries('user.password.set').at(-1)?.actor).toBe(`user:${t.store.userByName('林怡芬')?.id}`);
    await request(t.app).get('/account/password').set('Cookie', s.cookie).expect(200);
    expect((await request(t.app).get('/account/password').set('Cookie', other.cookie)).status).toBe(303);
    expect((await postLogin(t.app, { username: '林怡芬', password: 'new-password-99' })).status).toBe(303);
  });
});

describe('lockouts', () => {
  const authOf = (): Auth =>
    new Auth({ store: t.store, clock: () => now, randomBytes: crypto.randomBytes, sha256: sha256Node });

  it('when many addresses fail five times each › exactly one user.locked per lock period, and every pair is locked', () => {
    const a = authOf();
    for (let n = 1; n <= 6; n++)
      for (let i = 0; i < MAX_FAILURES; i++)
        expect(() => a.signIn('minister', 'wrong', `10.9.0.${n}`)).toThrow();
    expect(entries('user.locked')).toHaveLength(1);
    for (let n = 1; n <= 6; n++)
      expect(
        t.store.signIn.loginFailures(t.store.userByName('minister')?.id ?? '', `10.9.0.${n}`)?.lockedUntil,
      ).not.toBeNull();
    // After the lock period, a new lock is a new entry.
    now = new Date(now.getTime() + (LOCK_MINUTES + 1) * 60_000);
    for (let i = 0; i < MAX_FAILURES; i++) expect(() => a.signIn('minister', 'wrong', '10.9.0.1')).toThrow();
    expect(entries('user.locked')).toHaveLength(2);
  });
});

describe('the sign-in form', () => {
  it('GET /login sets a SameSite=Strict HttpOnly cookie and the same value in a hidden field', async () => {
    const page = await request(t.app).get('/login').expect(200);
    const set = String(
      ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('lottery_login=')),
    );
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    const value = /^lottery_login=([^;]+)/.exec(set)?.[1];
    expect(page.text).toContain(`name="_login" value="${value}"`);
    // A browser under no-referrer posts Origin: null, which is refused: the sign-in page lets it send its origin.
    expect(page.headers['referrer-policy']).toBe('same-origin');
  });

  it('without the token, or with another one, POST /login signs no one in (403, bilingual)', async () => {
    const creds = { username: 'admin', password: 'password-admin-123' };
    const bare = await request(t.app).post('/login').type('form').send(creds);
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('登入表單已過期或來自其他網站');
    expect(bare.text).toContain('came from another site');
    expect(bare.headers['set-cookie']?.toString()).not.toMatch(/lottery_session=[^;]/);
    const f = await loginForm(t.app);
    const other = await loginForm(t.app);
    const mixed = await request(t.app)
      .post('/login')
      .set('Cookie', f.cookie)
      .type('form')
      .send({ ...creds, _login: other.token });
    expect(mixed.status).toBe(403);
    const ok = await request(t.app)
      .post('/login')
      .set('Cookie', f.cookie)
      .type('form')
      .send({ ...creds, _login: f.token });
    expect(ok.status).toBe(303);
  });

  it('with an Origin that is not this site, or Origin: null › 403; this site’s own Origin signs in', async () => {
    const creds = { username: 'admin', password: 'password-admin-123' };
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000.evil.example'])
      expect([origin, (await postLogin(t.app, creds, { Origin: origin })).status]).toEqual([origin, 403]);
    // The configured public URL (http://localhost:3000 by default) is this site.
    expect((await postLogin(t.app, creds, { Origin: 'http://localhost:3000' })).status).toBe(303);
    expect(
      (
        await postLogin(t.app, creds, {
          Host: 'lottery.example.gov.tw',
          Origin: 'http://lottery.example.gov.tw',
        })
      ).status,
    ).toBe(303);
  });
});

describe('the JSON API /api/v1/users (admin bearer token)', () => {
  it('lists, adds with a password, and refuses the last admin’s deactivation (409 CONFLICT)', async () => {
    const list = await request(t.app)
      .get('/api/v1/users')
      .set(...bearer(t.tokens.admin))
      .expect(200);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|token/i);
    expect(list.body.users).toContainEqual(
      expect.objectContaining({ name: '林怡芬', role: 'ethics', hasPassword: true, deactivated: false }),
    );
    const short = await request(t.app)
      .post('/api/v1/users')
      .set(...bearer(t.tokens.admin))
      .send({ name: 'api-user', role: 'auditor', password: 'short' });
    expect([short.status, short.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(t.store.userByName('api-user')).toBeUndefined();
    const made = await request(t.app)
      .post('/api/v1/users')
      .set(...bearer(t.tokens.admin))
      .send({ name: 'api-user', role: 'auditor', password: 'long enough password' })
      .expect(201);
    await request(t.app)
      .get('/api/v1/journal')
      .set(...bearer(made.body.token))
      .expect(200);
    const last = await request(t.app)
      .post('/api/v1/users/admin/deactivate')
      .set(...bearer(t.tokens.admin))
      .expect(409);
    expect(last.body.code).toBe('CONFLICT');
    await request(t.app)
      .get('/api/v1/users')
      .set(...bearer(t.tokens.ethics))
      .expect(403);
  });
});

describe('the admin page and the service’s start-up warnings', () => {
  it('when the service started with a warning › the admin page shows it', async () => {
    const { app } = buildApp({
      store: t.store,
      signer: testSigner(),
      clock: () => now,
      serviceWarnings: [{ zh: '測試憑證簽署中', en: 'Signing under the test CA' }],
    });
    const cookie = await sessionCookie(app, 'admin', 'password-admin-123');
    const page = await request(app).get('/admin/users').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('class="service-warnings"');
    expect(page.text).toContain('測試憑證簽署中');
  });
});
