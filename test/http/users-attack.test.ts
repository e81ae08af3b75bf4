/**
 * issue 12, the user accounts attacked from outside: unknown fields and wrong body shapes, look-alike and
 * invisible names, passwords counted before normalising, guessing the current password on /account/password,
 * changes to deactivated accounts, and web sessions surviving a token replacement.
 */
import request from 'supertest';
import { auth as bearer, makeApp, postLogin, sessionCookie, type TestApp } from '../helpers/app';

let t: TestApp;
let now: Date;
beforeEach(() => {
  now = new Date('2026-01-20T01:00:00.000Z');
  t = makeApp({ clock: () => now });
  t.services.setUserPassword('cli', 'admin', 'password-admin-123');
  t.services.setUserPassword('cli', '林怡芬', 'password-ethics-123');
});
afterEach(() => t.close());

const api = (path: string, body?: unknown): request.Test => {
  const r = request(t.app)
    .post(`/api/v1/users${path}`)
    .set(...bearer(t.tokens.admin));
  return body === undefined ? r : r.send(body as object);
};
const userCount = (): number => t.store.listUsers().length;

async function signedIn(name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const cookie = await sessionCookie(t.app, name, password);
  const page = await request(t.app).get('/account/password').set('Cookie', cookie).expect(200);
  return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '' };
}
const form = (
  s: { cookie: string; csrf: string },
  path: string,
  body: Record<string, string>,
): request.Test =>
  request(t.app)
    .post(path)
    .set('Cookie', s.cookie)
    .type('form')
    .send({ _csrf: s.csrf, ...body });

describe('when a users request has an unknown field or a wrong shape', () => {
  it('a misspelt "pasword" › 422 naming the field, and no account is made', async () => {
    const r = await api('', { name: 'typo1', role: 'ethics', pasword: 'passwordpassword' });
    expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({ field: 'pasword', code: 'UNKNOWN_FIELD' }),
    );
    expect(t.store.userByName('typo1')).toBeUndefined();
    const notString = await api('', { name: 'typo1', role: 'ethics', password: 1234567890123 });
    expect(notString.status).toBe(422);
    expect(t.store.userByName('typo1')).toBeUndefined();
  });

  it('a token, role or password change with [] or {"x":1} › 422, and the token still works', async () => {
    for (const body of [[], { x: 1 }]) {
      const r = await api('/minister/token', body);
      expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    }
    expect((await api('/minister/role', { role: 'auditor', x: 1 })).status).toBe(422);
    expect((await api('/minister/password', ['long enough password'])).status).toBe(422);
    expect((await api('/minister/deactivate', { why: 'x' })).status).toBe(422);
    expect(t.store.userByName('minister')).toMatchObject({ role: 'drawer', revoked_at: null });
    await request(t.app)
      .get('/api/v1/lotteries')
      .set(...bearer(t.tokens.drawer))
      .expect(200);
  });

  it('an admin form with an extra field › 422 on the page, and nothing is made', async () => {
    const s = await signedIn('admin', 'password-admin-123');
    const r = await form(s, '/admin/users', {
      name: 'typo2',
      role: 'ethics',
      password: 'long enough password',
      pasword: 'x',
    });
    expect(r.status).toBe(422);
    expect(r.text).toContain('pasword');
    expect(t.store.userByName('typo2')).toBeUndefined();
  });
});

describe('when a new name is invisible, a path step or looks like an existing one', () => {
  it('each is refused (422 or 409) and no account is made; sign-in folds ａｄｍｉｎ１ to admin1', async () => {
    await api('', { name: 'admin1', role: 'ethics', password: 'admin1-password' }).expect(201);
    const before = userCount();
    const invisible = [
      'admin1\u034F',
      'admin1\uFE0F',
      '\u3164',
      '\u2800',
      '\uFFA0',
      '\u115F\u1160',
      '\u0301',
      '.',
      '..',
      '...',
      'a/b',
      'a\u200Bb',
      'x'.repeat(65),
    ];
    for (const name of invisible) {
      const r = await api('', { name, role: 'admin', password: 'long enough password' });
      expect([name, r.status, r.body.code]).toEqual([name, 422, 'VALIDATION_FAILED']);
    }
    for (const name of ['ａｄｍｉｎ１', '𝐚𝐝𝐦𝐢𝐧𝟏', '\u0430dmin1', 'ADMIN1', 'admin\u0031', 'adminl']) {
      const r = await api('', { name, role: 'admin', password: 'long enough password' });
      expect([name, r.status, r.body.code]).toEqual([name, 409, 'CONFLICT']);
    }
    expect(userCount()).toBe(before);
    expect((await postLogin(t.app, { username: 'ａｄｍｉｎ１', password: 'admin1-password' })).status).toBe(
      303,
    );
  });

  it('a name with ?, # or % › the admin forms post to its encoded path and manage it', async () => {
    await api('', { name: 'a?b#c%d', role: 'ethics' }).expect(201);
    const s = await signedIn('admin', 'password-admin-123');
    const page = await request(t.app).get('/admin/users').set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('action="/admin/users/a%3Fb%23c%25d/role"');
    await form(s, '/admin/users/a%3Fb%23c%25d/role', { role: 'auditor' }).expect(303);
    expect(t.store.userByName('a?b#c%d')?.role).toBe('auditor');
  });
});

describe('when a password is long only before normalising, or invisible, or has a control character', () => {
  it('each is refused (422) when adding and when resetting, and nothing is made', async () => {
    const bad = [
      'e\u0301'.repeat(5),
      '\u0000'.repeat(10),
      '\u200B'.repeat(10),
      ' '.repeat(10),
      '\u3000'.repeat(12),
      'abcdefghij\nklm',
      'abcdefghij\tklm',
      'abcd\u200B\u200B\u200B\u200B\u200B\u200Be',
    ];
    for (const password of bad) {
      const r = await api('', { name: 'pw-user', role: 'ethics', password });
      expect([JSON.stringify(password), r.status]).toEqual([JSON.stringify(password), 422]);
      expect((await api('/minister/password', { password })).status).toBe(422);
    }
    expect(t.store.userByName('pw-user')).toBeUndefined();
    await api('', { name: 'pw-user', role: 'ethics', password: 'é'.repeat(10) }).expect(201);
  });
});

describe('when someone at a signed-in PC guesses the current password on /account/password', () => {
  it('the 5th wrong guess ends the session, locks account+address, and journals user.locked once', async () => {
    const tab = await signedIn('林怡芬', 'password-ethics-123');
    const s = await signedIn('林怡芬', 'password-ethics-123');
    const guess = (current: string): request.Test =>
      form(s, '/account/password', { current_password: current, new_password: 'new-password-99' });
    for (let i = 0; i < 4; i++) expect((await guess(`wrong-${i}`)).status).toBe(422);
    await request(t.app).get('/account/password').set('Cookie', s.cookie).expect(200);
    const fifth = await guess('wrong-4');
    expect(fifth.status).toBe(401);
    expect(fifth.text).toContain('已登出');
    expect((await request(t.app).get('/account/password').set('Cookie', s.cookie)).status).toBe(303);
    expect((await postLogin(t.app, { username: '林怡芬', password: 'password-ethics-123' })).status).toBe(
      401,
    );
    // Another tab of the same account at the same PC: even the right password is not checked while locked.
    const right = await form(tab, '/account/password', {
      current_password: 'password-ethics-123',
      new_password: 'new-password-99',
    });
    expect(right.status).toBe(401);
    expect((await request(t.app).get('/account/password').set('Cookie', tab.cookie)).status).toBe(303);
    expect(t.store.journalPage({ limit: 100, type: 'user.locked' })).toHaveLength(1);
    expect(t.store.signIn.passwordHash(t.store.userByName('林怡芬')?.id ?? '')).not.toBeNull();
  });

  it('the route is rate-limited like sign-in (429 after 10 a minute)', async () => {
    const s = await signedIn('林怡芬', 'password-ethics-123');
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push(
        (
          await request(t.app)
            .post('/account/password')
            .set('Cookie', s.cookie)
            .type('form')
            .send({ _csrf: 'not-the-token', current_password: 'x', new_password: 'y' })
        ).status,
      );
    expect(codes.slice(0, 10).every((c) => c === 403)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});

describe('when an account is deactivated', () => {
  it('its role, token and password cannot be changed (409, bilingual), and nothing is journalled', async () => {
    await api('/minister/deactivate').expect(200);
    const head = t.store.journalHead();
    for (const [path, body] of [
      ['/minister/role', { role: 'admin' }],
      ['/minister/token', {}],
      ['/minister/password', { password: 'long enough password' }],
    ] as const) {
      const r = await api(path, body);
      expect([path, r.status, r.body.code]).toEqual([path, 409, 'CONFLICT']);
      expect(r.body.message.zh).toContain('已停用');
      expect(r.body.message.en).toContain('deactivated');
    }
    expect(t.store.userByName('minister')?.role).toBe('drawer');
    expect(t.store.journalHead()).toEqual(head);
  });
});

describe('when an admin replaces a user’s API token', () => {
  it('that user’s web sessions end too (the token may have leaked)', async () => {
    const s = await signedIn('林怡芬', 'password-ethics-123');
    await api(`/${encodeURIComponent('林怡芬')}/token`).expect(200);
    expect((await request(t.app).get('/lotteries').set('Cookie', s.cookie)).status).toBe(303);
  });
});
