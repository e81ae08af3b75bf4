/**
 * Access control, table-driven. The routes are listed from the router itself and each is checked against the
 * hand-written expectation below, for every role, for no credentials, for an expired session and for a revoked
 * token. A route added without an expectation fails this test.
 */
import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { createLoaded, loginForm, makeApp, sessionCookie, type TestApp } from '../helpers/app';

type Role = 'admin' | 'ethics' | 'drawer' | 'auditor';
const ROLES: Role[] = ['admin', 'ethics', 'drawer', 'auditor'];
type Who = Role[] | 'public';

const EXPECT: Record<string, Who> = {
  'GET /api/v1/health': 'public',
  'POST /api/v1/lotteries': ['ethics'],
  'GET /api/v1/lotteries': ['ethics', 'drawer', 'auditor'],
  'GET /api/v1/lotteries/:id': ['ethics', 'drawer', 'auditor'],
  'PATCH /api/v1/lotteries/:id': ['ethics'],
  'GET /api/v1/lotteries/:id/roster': ['ethics', 'auditor'],
  'PUT /api/v1/lotteries/:id/roster': ['ethics'],
  'PATCH /api/v1/lotteries/:id/roster/:entryId': ['ethics'],
  'POST /api/v1/lotteries/:id/lock': ['ethics'],
  'POST /api/v1/lotteries/:id/unlock': ['ethics'],
  'POST /api/v1/lotteries/:id/ceremony': ['ethics', 'drawer'],
  'POST /api/v1/lotteries/:id/notice': ['ethics'],
  'GET /api/v1/public/lotteries/:id/notice.pdf': 'public',
  'POST /api/v1/lotteries/:id/ceremony/adjourn': ['ethics', 'drawer'],
  'POST /api/v1/lotteries/:id/stages/1/entropy': ['ethics', 'drawer'],
  'POST /api/v1/lotteries/:id/stages/:n/draw': ['ethics', 'drawer'],
  'POST /api/v1/lotteries/:id/stages/:n/balls': ['ethics', 'drawer'],
  'POST /api/v1/lotteries/:id/stages/:n/balls/undo': ['ethics', 'drawer'],
  'GET /api/v1/lotteries/:id/stages/:n/pool-sheet.pdf': ['ethics', 'drawer', 'auditor'],
  'GET /api/v1/lotteries/:id/bundle': ['ethics', 'auditor'],
  'POST /api/v1/lotteries/:id/record': ['ethics'],
  'GET /api/v1/lotteries/:id/record.pdf': ['ethics', 'auditor'],
  'GET /api/v1/public/lotteries/:id/record.pdf': 'public',
  'GET /api/v1/public/lotteries/:id': 'public',
  // issue 11: the meeting after the lock, cancelling, a real lottery from a rehearsal
  'PATCH /api/v1/lotteries/:id/meeting': ['ethics'],
  'POST /api/v1/lotteries/:id/cancel': ['ethics'],
  'POST /api/v1/lotteries/:id/copy': ['ethics'],
  // issue 12: exports and letters
  'GET /api/v1/lotteries/:id/export/results.xlsx': ['ethics', 'admin', 'auditor'],
  'GET /api/v1/lotteries/:id/export/results.csv': ['ethics', 'admin', 'auditor'],
  'GET /api/v1/lotteries/:id/export/letters.pdf': ['ethics', 'admin'],
  'GET /api/v1/export/summary.xlsx': ['ethics', 'admin', 'auditor'],
  // issue 13 (WSRV): witnesses; a device registers with its code and cosigns with its key, no sign-in
  'POST /api/v1/lotteries/:id/witnesses/invitations': ['ethics'],
  'GET /api/v1/lotteries/:id/witnesses': ['ethics', 'drawer', 'auditor'],
  'GET /api/v1/lotteries/:id/log': 'public',
  'POST /api/v1/witness/register': 'public',
  'POST /api/v1/log/cosignatures': 'public',
  'POST /api/v1/log/witnesses': ['ethics', 'admin'],
  'POST /api/v1/log/witnesses/:keyName/revoke': ['ethics', 'admin'],
  'GET /api/v1/journal': ['auditor'],
  'GET /api/v1/journal/verify': ['auditor'],
  'GET /api/v1/journal/checkpoint': 'public',
  // issue 13: the witnessed log
  'GET /api/v1/log/key': 'public',
  'GET /api/v1/log/checkpoint': 'public',
  'GET /api/v1/log/consistency': 'public',
  'GET /api/v1/log/inclusion': 'public',
  // issue 12: the accounts as JSON, for admins
  'GET /api/v1/users': ['admin'],
  'POST /api/v1/users': ['admin'],
  'POST /api/v1/users/:name/password': ['admin'],
  'POST /api/v1/users/:name/role': ['admin'],
  'POST /api/v1/users/:name/token': ['admin'],
  'POST /api/v1/users/:name/unlock': ['admin'],
  'POST /api/v1/users/:name/deactivate': ['admin'],
  // pages
  'GET /': 'public',
  'GET /login': 'public',
  'GET /lang/:lang': 'public',
  'POST /login': 'public',
  'GET /lotteries': ['ethics', 'drawer', 'auditor'],
  'POST /lotteries': ['ethics'],
  'GET /lotteries/:id': ['ethics', 'auditor'],
  'POST /lotteries/:id/meeting': ['ethics'],
  'POST /lotteries/:id/lock': ['ethics'],
  'POST /lotteries/:id/unlock': ['ethics'],
  'POST /lotteries/:id/notice': ['ethics'],
  'POST /lotteries/:id/ceremony/adjourn': ['ethics'],
  'POST /lotteries/:id/cancel': ['ethics'],
  'POST /lotteries/:id/copy': ['ethics'],
  'GET /lotteries/:id/draw': ['ethics', 'drawer', 'auditor'],
  'GET /lotteries/:id/result': ['ethics', 'drawer', 'auditor'],
  'GET /lotteries/:id/record/confirm': ['ethics'],
  'GET /lotteries/:id/balls': ['ethics', 'drawer', 'auditor'],
  'POST /lotteries/:id/record': ['ethics'],
  'GET /audit': ['auditor'],
  'GET /verify/:id': 'public',
  // issue 12: users on the web (admin only), and one's own password (anyone signed in)
  'GET /admin/users': ['admin'],
  'POST /admin/users': ['admin'],
  'POST /admin/users/:name/password': ['admin'],
  'POST /admin/users/:name/role': ['admin'],
  'POST /admin/users/:name/token': ['admin'],
  'POST /admin/users/:name/unlock': ['admin'],
  'POST /admin/users/:name/deactivate': ['admin'],
  'GET /account/password': ['admin', 'ethics', 'drawer', 'auditor'],
  'POST /account/password': ['admin', 'ethics', 'drawer', 'auditor'],
  // issue 13 (WEB): the witness's own device, no sign-in (the code, then the key in the browser)
  'GET /witness/register': 'public',
  'GET /witness/lotteries/:id/cosign': 'public',
  // Last: signing out ends the session the rows above use.
  'POST /logout': 'public',
};

interface Layer {
  name: string;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

function listRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const l of stack) {
      if (l.route)
        for (const m of Object.keys(l.route.methods)) out.push(`${m.toUpperCase()} ${prefix}${l.route.path}`);
      else if (l.name === 'router' && l.handle.stack)
        walk(l.handle.stack, prefix + (l.rawPath === '/' ? '' : (l.rawPath ?? '')));
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

let t: TestApp;
let id: string;
let sessions: Record<Role, { cookie: string; csrf: string }>;
// What a browser holds after GET /login (issue 12: the sign-in form's CSRF cookie and field).
let login: { cookie: string; token: string };
let clockNow = new Date('2026-01-20T01:00:00.000Z');

beforeAll(async () => {
  t = makeApp({ clock: () => clockNow });
  id = await createLoaded(t);
  const auth = new Auth({
    store: t.store,
    clock: () => clockNow,
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  const names: Record<Role, string> = {
    admin: 'admin',
    ethics: '林怡芬',
    drawer: 'minister',
    auditor: 'auditor',
  };
  sessions = {} as typeof sessions;
  for (const r of ROLES) {
    const u = t.store.userByName(names[r]);
    if (!u) throw new Error(r);
    auth.setPassword(u.id, `password-${r}-0123`);
    const cookie = await sessionCookie(t.app, names[r], `password-${r}-0123`);
    const page = await request(t.app)
      .get('/verify/' + id)
      .set('Cookie', cookie);
    sessions[r] = { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '' };
  }
  login = await loginForm(t.app);
});
afterAll(() => t.close());

const routes = (): string[] => listRoutes(t.app);

function call(route: string, auth: { bearer?: string; cookie?: string; csrf?: string }): request.Test {
  const [method = 'GET', pattern = '/'] = route.split(' ');
  const url = pattern.replace(':id', id).replace(':n', '1').replace(':entryId', 'D001');
  const req = (request(t.app) as unknown as Record<string, (u: string) => request.Test>)[
    method.toLowerCase()
  ]?.(url);
  if (!req) throw new Error(route);
  if (auth.bearer) req.set('Authorization', `Bearer ${auth.bearer}`);
  const signingIn = method === 'POST' && pattern === '/login';
  const cookies = [auth.cookie, signingIn ? login.cookie : undefined].filter(Boolean).join('; ');
  if (cookies) req.set('Cookie', cookies);
  if (auth.csrf) req.set('X-CSRF-Token', auth.csrf);
  if (method !== 'GET') {
    if (url.startsWith('/api/')) req.set('Content-Type', 'application/json').send('{}');
    else req.type('form').send({ _csrf: auth.csrf ?? '', ...(signingIn ? { _login: login.token } : {}) });
  }
  return req;
}

describe('every route has an expectation', () => {
  it('lists the routes from the router and finds each in the table (and no stale rows)', () => {
    const listed = routes();
    expect(listed.filter((r) => !(r in EXPECT))).toEqual([]);
    expect(Object.keys(EXPECT).filter((r) => !listed.includes(r))).toEqual([]);
  });
});

describe.each(Object.entries(EXPECT))('%s', (route, who) => {
  const api = route.split(' ')[1]?.startsWith('/api/');
  // Denied: 401 or 403, or for a page a redirect to the sign-in page.
  const denied = (r: request.Response): boolean =>
    r.status === 401 ||
    // A ceremony's own 403 (CEREMONY_TOKEN_REQUIRED: the role may draw, but not without the token) is not a denial.
    (r.status === 403 && (r.body as { code?: string }).code !== 'CEREMONY_TOKEN_REQUIRED') ||
    (!api && r.status === 303 && String(r.headers.location).startsWith('/login?next='));

  it('with no credentials', async () => {
    const r = await call(route, {});
    // A public route may still answer 401 for a wrong password (POST /login), never 403 or a sign-in redirect.
    if (who === 'public')
      expect([route, r.status === 403 || (r.status === 303 && denied(r))]).toEqual([route, false]);
    else expect([route, api ? r.status : denied(r)]).toEqual([route, api ? 401 : true]);
  });

  it.each(ROLES)('as %s', async (role) => {
    const r = api ? await call(route, { bearer: t.tokens[role] }) : await call(route, sessions[role]);
    if (who === 'public' || who.includes(role))
      expect([route, role, denied(r) && !(who === 'public' && r.status === 401)]).toEqual([
        route,
        role,
        false,
      ]);
    else expect([route, role, r.status]).toEqual([route, role, 403]);
  });

  if (who !== 'public')
    it('with a revoked token or an expired session', async () => {
      const r = api
        ? await call(route, { bearer: 'revoked-token-revoked-token-0000' })
        : await call(route, { cookie: 'lottery_session=expired-session-expired-session-0000', csrf: 'x' });
      expect(denied(r)).toBe(true);
    });

  // The API's refusals say which one they are, in the problem's code: a client tells "sign in" from "not you".
  const allowed = who;
  if (api && allowed !== 'public')
    it('the refusals carry their codes: UNAUTHENTICATED with no token or an unknown one, FORBIDDEN for another role', async () => {
      const code = (r: request.Response): unknown => (r.body as { code?: unknown }).code;
      const none = await call(route, {});
      expect([route, none.status, code(none)]).toEqual([route, 401, 'UNAUTHENTICATED']);
      const unknown = await call(route, { bearer: 'x'.repeat(43) });
      expect([route, unknown.status, code(unknown)]).toEqual([route, 401, 'UNAUTHENTICATED']);
      for (const role of ROLES.filter((x) => !allowed.includes(x))) {
        const r = await call(route, { bearer: t.tokens[role] });
        expect([route, role, r.status, code(r)]).toEqual([route, role, 403, 'FORBIDDEN']);
      }
    });
});

describe('sessions and tokens that lapse', () => {
  it('a revoked user’s token and session stop working at once', async () => {
    const { token } = t.services.addUser('cli', { name: 'temp-auditor', role: 'auditor' });
    await request(t.app).get('/api/v1/journal').set('Authorization', `Bearer ${token}`).expect(200);
    t.services.revokeUser('cli', 'temp-auditor');
    await request(t.app).get('/api/v1/journal').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('an idle session expires after an hour', async () => {
    const cookie = await sessionCookie(t.app, 'auditor', 'password-auditor-0123');
    await request(t.app).get('/audit').set('Cookie', cookie).expect(200);
    clockNow = new Date(clockNow.getTime() + 61 * 60_000);
    await request(t.app).get('/audit').set('Cookie', cookie).expect(303);
    await request(t.app).get('/api/v1/journal').set('Cookie', cookie).expect(401);
  });
});
