import request from 'supertest';
import { main } from '../../src/cli/main';
import { Auth, checkPassword, hashPassword } from '../../src/services/auth';
import { sha256Node } from '../../src/keys/signer';
import {
  auth as bearer,
  createLoaded,
  drawnLottery,
  makeApp,
  openCeremony,
  postLogin,
  type TestApp,
} from '../helpers/app';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';

let t: TestApp;
let auth: Auth;
let now = new Date('2026-01-20T01:00:00.000Z');
beforeEach(() => {
  now = new Date('2026-01-20T01:00:00.000Z');
  t = makeApp({ clock: () => now });
  auth = new Auth({
    store: t.store,
    clock: () => now,
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  for (const [name, role] of [
    ['林怡芬', 'ethics'],
    ['minister', 'drawer'],
    ['auditor', 'auditor'],
  ] as const) {
    const u = t.store.userByName(name) ?? t.services.addUser('cli', { name, role });
    auth.setPassword(u.id, `password-${name}-123`);
  }
});
afterEach(() => t.close());

async function signIn(
  name: string,
  address?: string,
): Promise<{ cookie: string; csrf: string; res: request.Response }> {
  const res = await postLogin(
    t.app,
    { username: name, password: `password-${name}-123` },
    address ? { 'X-Forwarded-For': address } : {},
  );
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const page = await request(t.app).get('/lotteries').set('Cookie', cookie);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cookie, csrf, res };
}

describe('passwords', () => {
  it('are scrypt with a per-user salt, and compare in constant time', () => {
    const a = hashPassword('correct horse battery');
    const b = hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(checkPassword('correct horse battery', a)).toBe(true);
    expect(checkPassword('correct horse batterY', a)).toBe(false);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie with a lifetime, and a new session id at every sign-in', async () => {
    const first = await signIn('林怡芬');
    expect(first.res.status).toBe(303);
    const set = String(first.res.headers['set-cookie']?.[0]);
    expect(set).toMatch(
      /^lottery_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200/,
    );
    expect(set).not.toMatch(/Secure/); // plain HTTP on the intranet
    const second = await signIn('林怡芬');
    expect(second.cookie).not.toBe(first.cookie);
    expect((await request(t.app).get('/lotteries').set('Cookie', first.cookie)).status).toBe(200);
  });

  it('a wrong password answers 401 with a page, and says nothing about which part was wrong', async () => {
    const r = await postLogin(t.app, { username: '林怡芬', password: 'nope' });
    expect(r.status).toBe(401);
    expect(r.text).toContain('帳號或密碼不正確');
    const r2 = await postLogin(t.app, { username: 'nobody', password: 'nope' });
    expect(r2.text).toContain('帳號或密碼不正確');
  });

  it('five failures in a row lock the account from that address for 15 minutes, journalled; other addresses still sign in; unlock lifts it', async () => {
    t.app.set('trust proxy', true);
    for (let i = 0; i < 5; i++)
      expect(
        (
          await postLogin(
            t.app,
            { username: 'minister', password: 'wrong' },
            { 'X-Forwarded-For': '10.0.0.66' },
          )
        ).status,
      ).toBe(401);
    const locked = await postLogin(
      t.app,
      { username: 'minister', password: 'password-minister-123' },
      { 'X-Forwarded-For': '10.0.0.66' },
    );
    // Locked looks like any failure, so that a stranger cannot tell which accounts exist.
    expect(locked.status).toBe(401);
    const unknown = await postLogin(
      t.app,
      { username: 'nobody', password: 'x' },
      { 'X-Forwarded-For': '10.0.0.66' },
    );
    expect(locked.text.match(/<p class="error"[^]*?<\/p>/)?.[0]).toBe(
      unknown.text.match(/<p class="error"[^]*?<\/p>/)?.[0],
    );
    expect(t.store.journalPage({ limit: 10, type: 'user.locked' })).toHaveLength(1);
    expect((await signIn('minister', '10.0.0.7')).res.status).toBe(303);
    now = new Date(now.getTime() + 16 * 60_000);
    expect((await signIn('minister', '10.0.0.66')).res.status).toBe(303);
    for (let i = 0; i < 5; i++)
      await postLogin(t.app, { username: 'minister', password: 'wrong' }, { 'X-Forwarded-For': '10.0.0.66' });
    let out = '';
    expect(
      await main(['user', 'unlock', 'minister', '--db', t.dbFile], {
        out: (s) => (out += s),
        err: () => undefined,
      }),
    ).toBe(0);
    expect((await signIn('minister', '10.0.0.66')).res.status).toBe(303);
    expect(t.store.journalPage({ limit: 10, type: 'user.unlocked' })).toHaveLength(1);
  });

  it('sessions end after 1 hour idle, and after 12 hours whatever happens', async () => {
    const s = await signIn('auditor');
    now = new Date(now.getTime() + 61 * 60_000);
    expect((await request(t.app).get('/audit').set('Cookie', s.cookie)).status).toBe(303);
    const s2 = await signIn('auditor');
    for (let h = 0; h < 12; h++) {
      now = new Date(now.getTime() + 59 * 60_000); // never idle for an hour: 11 h 48 min in all
      expect((await request(t.app).get('/audit').set('Cookie', s2.cookie)).status).toBe(200);
    }
    now = new Date(now.getTime() + 15 * 60_000); // 12 h 3 min after sign-in
    expect((await request(t.app).get('/audit').set('Cookie', s2.cookie)).status).toBe(303);
  });

  it('after sign-in, only a path on this site is followed (no open redirect)', async () => {
    for (const next of ['//evil.example/phish', '/\\evil', 'https://evil.example', '//3232235777']) {
      const r = await postLogin(t.app, { username: 'auditor', password: 'password-auditor-123', next });
      expect([next, r.headers.location]).toEqual([next, '/lotteries']);
    }
    const ok = await postLogin(t.app, {
      username: 'auditor',
      password: 'password-auditor-123',
      next: '/audit',
    });
    expect(ok.headers.location).toBe('/audit');
  });

  it('a page that sent you to sign in gets you back, query included: one rule for sign-in and the language switch', async () => {
    const asked = await request(t.app).get('/audit?lottery=x&type=lottery.created').expect(303);
    const next = new URL(String(asked.headers.location), 'http://x').searchParams.get('next');
    expect(next).toBe('/audit?lottery=x&type=lottery.created');
    const r = await postLogin(t.app, {
      username: 'auditor',
      password: 'password-auditor-123',
      next: next ?? '',
    });
    expect(r.headers.location).toBe('/audit?lottery=x&type=lottery.created');
    const lang = await request(t.app).get(`/lang/en?next=${encodeURIComponent(next ?? '')}`);
    expect(lang.headers.location).toBe(r.headers.location);
  });

  it('sign-out ends the session; it needs the CSRF token', async () => {
    const s = await signIn('auditor');
    await request(t.app)
      .post('/logout')
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf })
      .expect(303);
    expect((await request(t.app).get('/audit').set('Cookie', s.cookie)).status).toBe(303);
  });

  it('user add --password-stdin sets a password to sign in with', async () => {
    let out = '';
    const code = await main(
      [
        'user',
        'add',
        '--name',
        'newbie',
        '--role',
        'auditor',
        '--password-stdin',
        '--db',
        t.dbFile,
        '--json',
      ],
      {
        out: (s) => (out += s),
        err: () => undefined,
        stdin: Readable.from([Buffer.from('a long enough password\n')]),
      },
    );
    expect(code).toBe(0);
    const r = await postLogin(t.app, { username: 'newbie', password: 'a long enough password' });
    expect(r.status).toBe(303);
  });
});

describe('CSRF and roles', () => {
  it('the API with the session cookie needs the CSRF header for a state change', async () => {
    const s = await signIn('林怡芬');
    await request(t.app)
      .post('/api/v1/lotteries')
      .set('Cookie', s.cookie)
      .send({ year: 114, agency: 'X' })
      .expect(403);
    await request(t.app)
      .post('/api/v1/lotteries')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', 'wrong')
      .send({ year: 114, agency: 'X' })
      .expect(403);
    await request(t.app)
      .post('/api/v1/lotteries')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send({ year: 114, agency: 'X' })
      .expect(201);
    await request(t.app).get('/api/v1/lotteries').set('Cookie', s.cookie).expect(200);
  });

  it('a form without its CSRF token is refused with a 403 page', async () => {
    const s = await signIn('林怡芬');
    const r = await request(t.app)
      .post('/lotteries')
      .set('Cookie', s.cookie)
      .type('form')
      .send({ year: '114', agency: 'X' });
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.text).toContain('FORBIDDEN');
  });

  it('the audit journal pages both ways, names each actor and gives times in Taipei', async () => {
    const id = await createLoaded(t);
    for (let i = 0; i < 110; i++) t.services.addUser('cli', { name: `reader${i}`, role: 'auditor' });
    const s = await signIn('auditor');
    const head = t.store.journalHead()?.seq ?? 0; // after the sign-in's session.started (issue 13)
    const get = async (url: string): Promise<string> =>
      (await request(t.app).get(url).set('Cookie', s.cookie).expect(200)).text;
    const seqs = (html: string): number[] =>
      [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    const href = (html: string, label: string): string | undefined =>
      new RegExp(`<a href="([^"]+)">${label}</a>`).exec(html)?.[1]?.replace(/&amp;/g, '&');

    const first = await get('/audit');
    expect(seqs(first)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect([href(first, '上一頁'), href(first, '最舊')]).toEqual([undefined, undefined]);
    const newest = await get(href(first, '最新') ?? '');
    expect(seqs(newest)).toEqual(Array.from({ length: 50 }, (_, i) => head - 49 + i));
    expect(href(newest, '下一頁')).toBeUndefined();
    const back = await get(href(newest, '上一頁') ?? '');
    expect(seqs(back)).toEqual(Array.from({ length: 50 }, (_, i) => head - 99 + i));
    expect(seqs(await get(href(back, '下一頁') ?? ''))).toEqual(seqs(newest));

    // Filters survive paging; the ethics officer who made the lottery is named, with her role.
    const mine = await get(`/audit?lottery=${id}`);
    expect(seqs(mine).length).toBeGreaterThan(0);
    expect(href(mine, '下一頁')).toBeUndefined();
    expect(mine).toMatch(/<bdi>林怡芬（政風人員）<\/bdi>/);
    expect(mine).toMatch(
      /<time datetime="\d{4}-\d\d-\d\dT[^"]+Z" title="[^"]+">中華民國\d+年\d+月\d+日 \d\d時\d\d分\d\d秒<\/time>/,
    );
  });

  it('a page for another role is a clear 403 page; no session sends you to sign in', async () => {
    const s = await signIn('minister');
    const r = await request(t.app).get('/audit').set('Cookie', s.cookie);
    expect(r.status).toBe(403);
    expect(r.text).toContain('無權限');
    const anon = await request(t.app).get('/audit');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login?next=%2Faudit');
  });

  it('the draw page works for the drawer, and is read-only for the auditor', async () => {
    const id = await createLoaded(t);
    const d = await signIn('minister');
    const page = await request(t.app).get(`/lotteries/${id}/draw`).set('Cookie', d.cookie).expect(200);
    expect(page.text).toContain('請監察員擲骰後輸入點數');
    expect(page.text).toContain('開始抽籤程序');
    expect(page.text).toContain(`data-full="${t.services.keyFingerprint()}"`);
    const a = await signIn('auditor');
    const ro = await request(t.app).get(`/lotteries/${id}/draw`).set('Cookie', a.cookie).expect(200);
    expect(ro.text).not.toContain('class="draw-btn');
  });
});

describe('pages', () => {
  it('send a CSP with no unsafe-inline, no unsafe-eval and no upgrade-insecure-requests, and no X-Powered-By', async () => {
    const r = await request(t.app).get('/login').expect(200);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
    expect(r.headers['x-powered-by']).toBeUndefined();
    expect(r.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(r.text).not.toMatch(/\sstyle="/); // no inline style
    expect(r.text).toMatch(/<title>登入｜/);
  });

  it('escape names from roster files and wrap them in <bdi>', async () => {
    const id = (
      await request(t.app)
        .post('/api/v1/lotteries')
        .set('Authorization', `Bearer ${t.tokens.ethics}`)
        .send({ year: 113, agency: 'X' })
    ).body.id as string;
    await request(t.app)
      .put(`/api/v1/lotteries/${id}/roster`)
      .set('Authorization', `Bearer ${t.tokens.ethics}`)
      .send({
        entries: [
          { id: 'A1', name: '<script>alert(1)</script>' },
          { id: 'A2', name: '王小明' },
        ],
      })
      .expect(200);
    const s = await signIn('林怡芬');
    const r = await request(t.app).get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(r.text).not.toContain('<script>alert(1)</script>');
    expect(r.text).toContain('<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>');
  });

  it('suggest the previous ROC year until June', async () => {
    const { defaultYear } = await import('../../src/http/pages');
    expect(defaultYear(new Date(2026, 0, 20))).toBe(114);
    expect(defaultYear(new Date(2026, 5, 30))).toBe(114);
    expect(defaultYear(new Date(2026, 6, 1))).toBe(115);
  });

  it('the public verification page needs no login and shows the stage labels', async () => {
    const id = await createLoaded(t);
    const r = await request(t.app).get(`/verify/${id}`).expect(200);
    expect(r.text).toContain('實質審查');
    expect(r.text).toContain('自行驗證');
    expect((await request(t.app).get('/verify/nope')).status).toBe(404);
  });

  it('the public verification page publishes the key fingerprint, every lock and every ceremony opening (v2)', async () => {
    const id = await drawnLottery(t);
    const v = t.services.publicView(id);
    const r = await request(t.app).get(`/verify/${id}`).expect(200);
    expect(r.text).toContain(v.keyFingerprint);
    expect(r.text).toContain(`data-fingerprint="${v.keyFingerprint}"`);
    expect(r.text).toContain('lottery-draw/v2');
    expect(r.text).toContain('鎖定紀錄');
    for (const k of v.locks) expect(r.text).toContain(k.commitment);
    // The first 16 hex digits in fours, to compare with the notice and the projector.
    const c = v.commitment ?? '';
    expect(r.text).toContain(`${c.slice(0, 4)} ${c.slice(4, 8)} ${c.slice(8, 12)} ${c.slice(12, 16)} …`);
    expect(r.text).toMatch(/<ol id="ceremony-history"><li>[^<]+：開啟<\/li><\/ol>/);
    expect(r.text).toContain('id="vcommitment"');
  });
});

describe('rate limits', () => {
  it('sign-in: the 11th attempt in a minute from one address is 429 with Retry-After', async () => {
    for (let i = 0; i < 10; i++)
      expect((await postLogin(t.app, { username: 'nobody', password: 'x' })).status).toBe(401);
    const r = await postLogin(t.app, { username: 'nobody', password: 'x' });
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    now = new Date(now.getTime() + 61_000);
    expect((await postLogin(t.app, { username: 'nobody', password: 'x' })).status).toBe(401);
  });

  it('public endpoints: the 601st request in a minute is 429 with Retry-After, as problem+json', async () => {
    const id = await createLoaded(t);
    for (let i = 0; i < 600; i++) await request(t.app).get(`/api/v1/public/lotteries/${id}`).expect(200);
    const r = await request(t.app).get(`/api/v1/public/lotteries/${id}`).expect(429);
    expect(r.body.code).toBe('RATE_LIMITED');
    expect(r.headers['retry-after']).toBeDefined();
  });
});

describe('the English reading of the pages', () => {
  /** Han characters left once data (names in <bdi>, values in <code>, known strings) and markup are removed. */
  function untranslated(html: string, data: string[]): string[] {
    let text = html
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<bdi>[\s\S]*?<\/bdi>/g, '')
      .replace(/<code[^>]*>[\s\S]*?<\/code>/g, '')
      .replace(/<[^>]+>/g, ' ');
    for (const d of [...data].sort((a, b) => b.length - a.length)) text = text.split(d).join(' ');
    return [...new Set(text.match(/[\u3400-\u9fff]+/g) ?? [])];
  }

  it('a link switches the language for this browser and comes back to the same page; only local paths', async () => {
    const r = await request(t.app).get('/lang/en?next=%2Flogin%3Fnext%3D%252Faudit').expect(303);
    expect(r.headers.location).toBe('/login?next=%2Faudit');
    expect(String(r.headers['set-cookie'])).toMatch(/^lang=en; Path=\/; SameSite=Lax; Max-Age=\d+/);
    const login = await request(t.app).get('/login').set('Cookie', 'lang=en').expect(200);
    expect(login.text).toMatch(/<html lang="en">/);
    expect(login.text).toContain('<h1>Sign in</h1>');
    expect(login.text).toContain('href="/lang/zh?next=%2Flogin"');
    expect((await request(t.app).get('/login').expect(200)).text).toContain('<h1>登入</h1>');
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/'])
      expect(
        (
          await request(t.app)
            .get(`/lang/en?next=${encodeURIComponent(next)}`)
            .expect(303)
        ).headers.location,
      ).toBe('/');
    await request(t.app).get('/lang/fr').expect(404);
  });

  it('every page of a drawn lottery reads in English, apart from the data and the hint the law asks for', async () => {
    const id = await drawnLottery(t);
    const other = await createLoaded(t);
    const l = t.services.getLottery(id);
    const data = [
      l.agency,
      l.title,
      ...l.stages.map((s) => s.label),
      t.services.getLottery(other).title,
      '請監察員擲骰後輸入點數',
      '中文',
      '（',
      '）',
      '：',
      '、',
      '　',
    ];
    const pages: Array<[string, string]> = [
      ['林怡芬', '/lotteries'],
      ['林怡芬', `/lotteries/${other}`],
      ['林怡芬', `/lotteries/${id}`],
      ['林怡芬', `/lotteries/${id}/result`],
      ['minister', `/lotteries/${id}/draw`],
      ['minister', `/lotteries/${other}/draw`],
      ['auditor', '/audit'],
      ['auditor', `/verify/${id}`],
      ['auditor', '/lotteries/no-such-lottery'],
    ];
    for (const [who, url] of pages) {
      const s = await signIn(who);
      const r = await request(t.app).get(url).set('Cookie', `${s.cookie}; lang=en`);
      expect([url, r.text.includes('<html lang="en">')]).toEqual([url, true]);
      const problem = /<p class="error" role="alert">([^<]*)<br>/.exec(r.text)?.[1];
      expect([url, untranslated(r.text, problem ? [...data, problem] : data)]).toEqual([url, []]);
    }
  });
});

describe("the office's page around the ceremony", () => {
  it('issues the pre-meeting notice from a form, and adjourns an open ceremony with a reason', async () => {
    const id = await createLoaded(t);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...bearer(t.tokens.ethics))
      .expect(200);
    const s = await signIn('林怡芬');
    const page = await request(t.app).get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(page.text).toContain('產製抽籤公告');
    expect(page.text).toContain(String(t.store.lottery(id)?.commitment).slice(0, 16));
    await request(t.app)
      .post(`/lotteries/${id}/notice`)
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf })
      .expect(303);
    expect(t.store.journalPage({ limit: 10, lottery: id, type: 'notice.issued' })).toHaveLength(1);
    const after = await request(t.app).get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(after.text).toContain(`/api/v1/public/lotteries/${id}/notice.pdf`);

    await openCeremony(t, id);
    const open = await request(t.app).get(`/lotteries/${id}`).set('Cookie', s.cookie).expect(200);
    expect(open.text).toContain('休會');
    expect(open.text).not.toContain(`action="/lotteries/${id}/unlock"`);
    await request(t.app)
      .post(`/lotteries/${id}/ceremony/adjourn`)
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf, reason: '會議延期' })
      .expect(303);
    expect(t.store.journalPage({ limit: 10, lottery: id, type: 'ceremony.adjourned' })[0]?.data.reason).toBe(
      '會議延期',
    );
  });
});

describe('the new-lottery form (issue 11)', () => {
  it('when 實體抽籤 is chosen › the lottery is a physical draw, and the computer draw stays the default', async () => {
    const s = await signIn('林怡芬');
    const post = (extra: Record<string, string>): Promise<request.Response> =>
      request(t.app)
        .post('/lotteries')
        .set('Cookie', s.cookie)
        .type('form')
        .send({ _csrf: s.csrf, year: '114', agency: '數位發展部', ...extra });
    const idOf = (r: request.Response): string => String(r.headers.location).split('/').pop() ?? '';
    const physical = await post({ method: 'physical' });
    expect(physical.status).toBe(303);
    expect(t.services.getLottery(idOf(physical)).method).toBe('physical');
    const random = await post({ method: 'random' });
    expect(t.services.getLottery(idOf(random)).method).toBeUndefined();
    const page = (await request(t.app).get('/lotteries').set('Cookie', s.cookie)).text;
    expect(page).toContain('name="method" value="physical"');
  });
});

describe('dates, roles and errors as people read them (issue 11)', () => {
  it('when a meeting date is posted as 114年1月22日 下午2時30分 › it is stored as ISO and every page shows the 民國 date', async () => {
    const s = await signIn('林怡芬');
    const r = await request(t.app)
      .post('/lotteries')
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf, year: '114', agency: '數位發展部', meeting_date: '114年1月22日 下午2時30分' });
    expect(r.status).toBe(303);
    const id = String(r.headers.location).split('/').pop() ?? '';
    expect(t.services.getLottery(id).meeting.date).toBe('2025-01-22T14:30');
    const page = (await request(t.app).get(`/lotteries/${id}`).set('Cookie', s.cookie)).text;
    expect(page).toContain('value="114/1/22 14:30"');
    expect(page).not.toContain('type="datetime-local"');
    // After the lock, the particulars are read, not edited: the date as 民國, never as raw ISO.
    const rows = [{ row: 1, values: { id: 'A1', name: '王小明' } }];
    t.services.loadRoster('cli', id, rows, { strictFields: true });
    t.services.lock('cli', id);
    for (const path of [`/lotteries/${id}`, `/lotteries/${id}/result`, `/lotteries/${id}/draw`]) {
      const html = (await request(t.app).get(path).set('Cookie', s.cookie).expect(200)).text;
      expect([path, html.includes('民國114年1月22日 14:30')]).toEqual([path, true]);
      expect([
        path,
        /\d{4}-\d\d-\d\dT\d\d:\d\d(?!:\d\d(\.\d+)?Z")/.test(html.replace(/datetime="[^"]+"/g, '')),
      ]).toEqual([path, false]);
    }
  });

  it('when someone is signed in › the header names the role in Chinese: 政風人員, 抽籤人, 稽核人員', async () => {
    for (const [name, role] of [
      ['林怡芬', '政風人員'],
      ['minister', '抽籤人'],
      ['auditor', '稽核人員'],
    ] as const) {
      const s = await signIn(name);
      const html = (await request(t.app).get('/lotteries').set('Cookie', s.cookie)).text;
      expect(html).toContain(`<bdi>${name}</bdi>（${role}）`);
      expect(html).not.toMatch(/（(ethics|drawer|auditor|admin)）/);
    }
  });

  it('when the form is refused › the error page speaks of the form in sentences, with no field path', async () => {
    const s = await signIn('林怡芬');
    const r = await request(t.app)
      .post('/lotteries')
      .set('Cookie', s.cookie)
      .type('form')
      .send({ _csrf: s.csrf, year: '114', agency: '', stage1_percent: 'ten', meeting_date: '114/2/30' });
    expect(r.status).toBe(422);
    expect(r.text).toContain('表單有些欄位需要修正');
    expect(r.text).toContain('會議日期應為民國日期，如 114/1/22 14:30');
    expect(r.text).toContain('「機關」為必填。');
    expect(r.text).toContain('「第 1 階段比率」必須是 0 到 100 之間的十進位字串');
    expect(r.text).not.toMatch(/meeting\.date|stages\[0\]|\bagency\b|\.percent/);
    // The API's answer keeps its fields for programs.
    const api = await request(t.app)
      .post('/api/v1/lotteries')
      .set(...bearer(t.tokens.ethics))
      .send({ year: 114, agency: 'X', meeting: { date: '114/2/30' } });
    expect(api.status).toBe(422);
    expect(api.body.errors.map((e: { field: string }) => e.field)).toEqual(['meeting.date']);
  });

  it('when a file is of a type no roster comes as › the page sentence names no MIME type', async () => {
    const { errorSentence } = await import('../../src/http/pages/sentences');
    const r = await request(t.app)
      .put(`/api/v1/lotteries/${await createLoaded(t, { year: 114, agency: 'X' })}/roster`)
      .set(...bearer(t.tokens.ethics))
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('%PDF-1.7'));
    expect(r.status).toBe(415);
    expect(r.body.message.zh).toContain('application/pdf'); // the API says what it got
    const said = errorSentence(r.body);
    expect(said.zh).toBe('這個檔案不是可讀取的名冊：請上傳 Excel（.xlsx）、CSV 或 Unicode 文字檔。');
    expect(`${said.zh}${said.en}`).not.toMatch(/application\/|text\/|multipart\//);
  });
});
