/**
 * Hostile input to the server: 10,000 generated requests, at least 100 per route and at most 50 over 1 MB —
 * random JSON, JSON nested 50,000 deep, broken CSV, truncated xlsx, xlsx bombs (one merged cell A1:XFD1048576, a
 * whole-grid dimension, column span, data validation or defined name), huge strings, __proto__ keys, wrong content
 * types, path tricks in ids and Unicode confusables, and lottery-draw/v2's ceremony routes with hostile spellings of
 * the dice (variation selectors, commas, full-width digits and commas, zero-width characters). No 500, no crash,
 * and after every 4xx the journal head and a digest of every table are unchanged. Some stage-1 draws carry the real
 * ceremony token, user and commitment of an open ceremony with a refused spelling: each must answer
 * ENTROPY_INVALID and draw nothing; the read-back of the dice must answer each fixture spelling as §4.1 says.
 */
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildApp } from '../../src/http/app';
import { Services } from '../../src/services/services';
import { Store } from '../../src/store/store';
import { sha256Node } from '../../src/keys/signer';
import { tempDir, testSigner } from '../helpers/app';
import vectors from '../fixtures/draw-v2.json';
import { DICE, prng, taipeiToday } from './helpers';
import { budgetBypasses, xlsxBombs } from '../roster/parts';

const rand = prng(424242);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const XLSX = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'examples', 'roster-113.xlsx'));
// Issue 12: a 7.5 KB merge bomb blocked the event loop for 30 s, then killed the server out of memory.
const BOMBS = xlsxBombs();
// And the attacker's bypasses of the budget's old tag regex (a `>` or a fake ref inside an attribute value).
const BYPASSES = budgetBypasses().map(([, b]) => b);
const CONFUSABLES = [
  'Ｄ００１',
  'D0O1',
  'ᎠOO1',
  'D001\u200b',
  'd001',
  '113-\u0430bc',
  '..',
  '.',
  '%2e%2e',
  '..%2f..%2fetc%2fpasswd',
  'a%00b',
  '%00',
  '%ff',
  'x'.repeat(300),
  '__proto__',
  'constructor',
];

/** Spellings of the dice: the fixture's cases (digits, or null for refused) and more hostile ones, all refused. */
const ENTROPY_CASES: Array<{ input: string; digits: string | null }> = [
  ...vectors.entropy,
  ...[
    '6\ufe0f2\ufe0f5\ufe0f1\ufe0f3\ufe0f4\ufe0f1\ufe0f2\ufe0f3\ufe0f4', // emoji-style variation selectors
    '6\ufe002\ufe015\ufe021\ufe033\ufe044\ufe051\ufe062\ufe073\ufe084', // VS1–VS9 between the digits
    '6\u{e0100}251341234', // a supplementary variation selector
    '６，２，５，１，３，４，１，２，３，４', // full-width digits and full-width commas
    '６、２、５、１、３、４、１、２、３、４', // ideographic commas
    '6,251,341,234',
    '6.251.341.234',
    '62513\u200d41234', // zero-width joiner
    '62513\u2060' + '41234', // word joiner
    '\ufeff6251341234', // BOM
    '6251341234\u202e', // bidi override
    '6\u0332251341234', // combining low line
    '٦٢٥١٣٤١٢٣٤', // Arabic-Indic digits
    '6251341234\u0000',
    '6251341234\r\n',
    '+6251341234',
    '-6251341234',
    '6251341234e0',
    '0x6251341234',
    '6 2 5 1 3 4 1 2 3 ' + '4'.repeat(60),
  ].map((input) => ({ input, digits: null })),
];

function randomString(max: number): string {
  const n = Math.floor(rand() * max);
  let s = '';
  for (let i = 0; i < n; i++)
    s += String.fromCodePoint(
      pick([
        0x41 + Math.floor(rand() * 26),
        0x4e00 + Math.floor(rand() * 500),
        0x202e,
        0x0,
        0x7f,
        0xfeff,
        0x3000,
        0x22,
        0x5c,
        0xd800,
        0x1f600,
      ]),
    );
  return s;
}

function randomJson(depth = 0): unknown {
  const r = rand();
  if (depth > 4 || r < 0.3)
    return pick([null, true, false, 0, -1, 1.5, 1e308, 2 ** 53 + 1, '', randomString(40), '10', '4.99', 113]);
  if (r < 0.55) return Array.from({ length: Math.floor(rand() * 5) }, () => randomJson(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(rand() * 6); i++)
    o[
      pick([
        'year',
        'agency',
        'title',
        'stages',
        'meeting',
        'entries',
        'entropy',
        'ceremonyToken',
        'commitment',
        'reason',
        'excluded',
        'name',
        'id',
        'percent',
        'label',
        '__proto__',
        'constructor',
        randomString(8),
      ])
    ] = randomJson(depth + 1);
  return o;
}

function body(): { data: string | Buffer; type: string } {
  const r = rand();
  if (r < 0.35) return { data: JSON.stringify(randomJson()), type: 'application/json' };
  if (r < 0.4) return { data: '['.repeat(50_000) + ']'.repeat(50_000), type: 'application/json' };
  if (r < 0.45)
    return {
      data: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"year":113,"agency":"X"}',
      type: 'application/json',
    };
  if (r < 0.55)
    return {
      data: `姓名,單位\n"${randomString(30)},"x\n${randomString(30)}\n"`,
      type: pick(['text/csv', 'text/plain', 'application/vnd.ms-excel']),
    };
  if (r < 0.62)
    return {
      data: rand() < 0.3 ? pick([...BOMBS, ...BYPASSES]) : XLSX.subarray(0, Math.floor(rand() * XLSX.length)),
      type: pick([
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'text/csv',
        'application/octet-stream',
      ]),
    };
  if (r < 0.7)
    return {
      data: crypto.randomBytes(Math.floor(rand() * 4000)),
      type: pick([
        'application/octet-stream',
        'image/png',
        'text/csv; charset=big5',
        'text/csv; charset=klingon',
      ]),
    };
  if (r < 0.78)
    return {
      data: JSON.stringify(randomJson()),
      type: pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
      ]),
    };
  if (r < 0.82) return { data: `{"entropy":${JSON.stringify(randomString(250))}}`, type: 'application/json' };
  if (r < 0.88)
    return {
      data: JSON.stringify({
        ...(rand() < 0.7 ? { entropy: pick(ENTROPY_CASES).input } : {}),
        ...(rand() < 0.5 ? { ceremonyToken: pick(['', 'x', 'A'.repeat(43), randomString(50)]) } : {}),
        ...(rand() < 0.5 ? { commitment: pick(['', '0'.repeat(64), randomString(64)]) } : {}),
        ...(rand() < 0.2 ? { reason: randomString(30) } : {}),
      }),
      type: 'application/json',
    };
  return { data: '', type: pick(['application/json', 'text/csv']) };
}

// A read-only connection of the test's own to the store's file: the store keeps its connection private.
const peeks = new Map<string, Database.Database>();
function tablesDigest(store: Store): string {
  let peek = peeks.get(store.path);
  if (!peek) peeks.set(store.path, (peek = new Database(store.path, { readonly: true })));
  const h = crypto.createHash('sha256');
  for (const t of ['lotteries', 'roster_entries', 'results', 'records', 'users', 'sessions', 'journal'])
    for (const row of peek.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().iterate() as Iterable<
      unknown[]
    >)
      for (const v of row) h.update(Buffer.isBuffer(v) ? v : `${typeof v}:${String(v)}\u0000`);
  return h.digest('hex');
}

describe('10,000 hostile requests', () => {
  it('never answer 500, never crash, and change nothing when refused', async () => {
    const store = Store.open(path.join(tempDir(), 'fuzz.sqlite'));
    const { app: express } = buildApp({ store, signer: testSigner(), rateLimits: false });
    // One listening server for all requests (supertest would otherwise open one per request).
    const app = express.listen(0, '127.0.0.1');
    const services = new Services({
      store,
      signer: testSigner(),
      clock: () => new Date(),
      randomBytes: (n) => crypto.randomBytes(n),
      sha256: sha256Node,
    });
    const users = Object.fromEntries(
      (['ethics', 'drawer', 'auditor', 'admin'] as const).map((r) => [
        r,
        services.addUser('cli', { name: `fuzz-${r}`, role: r }),
      ]),
    ) as unknown as Record<'ethics' | 'drawer' | 'auditor' | 'admin', { id: string; token: string }>;
    const tokens = Object.fromEntries(Object.entries(users).map(([r, u]) => [r, u.token]));
    const drawer = `user:${users.drawer.id}`; // a CLI actor cannot open a ceremony
    const ceremonies = new Map<string, { ceremonyToken: string; commitment: string }>();
    const mk = (stage: 'draft' | 'locked' | 'ceremony' | 'drawing' | 'drawn'): string => {
      // A v2 ceremony opens and draws on the meeting day only: the meeting is today in Asia/Taipei.
      const l = services.createLottery('cli', {
        year: 113,
        agency: '模糊測試',
        meeting: { date: taipeiToday() },
      });
      services.loadRoster(
        'cli',
        l.id,
        vectors.ceremony.roster.map((values, i) => ({ row: i + 1, values: { ...values } })),
        { strictFields: true },
      );
      if (stage === 'draft') return l.id;
      services.lock('cli', l.id);
      if (stage === 'locked') return l.id;
      const c = services.openCeremony(drawer, l.id, {});
      ceremonies.set(l.id, c);
      if (stage === 'ceremony') return l.id;
      const d = services.draw(drawer, l.id, '1', {
        ceremonyToken: c.ceremonyToken,
        entropy: DICE,
        commitment: c.commitment,
      });
      expect(d.digits).toBe(vectors.ceremony.entropy);
      if (stage === 'drawn') services.draw(drawer, l.id, '2', { ceremonyToken: c.ceremonyToken });
      return l.id;
    };
    const ids = [mk('draft'), mk('locked'), mk('ceremony'), mk('drawing'), mk('drawn')];
    // An open ceremony that only the targeted requests below touch (never adjourned or reopened by the fuzz), so
    // that its token stays valid: refused spellings sent with everything else right must still draw nothing.
    const pinned = mk('ceremony');
    const pinnedCeremony = ceremonies.get(pinned) as { ceremonyToken: string; commitment: string };
    let targetedDraws = 0;
    let targetedReads = 0;
    const routes: Array<[string, string]> = [
      ['post', '/api/v1/lotteries'],
      ['get', '/api/v1/lotteries'],
      ['get', '/api/v1/lotteries/:id'],
      ['patch', '/api/v1/lotteries/:id'],
      ['get', '/api/v1/lotteries/:id/roster'],
      ['put', '/api/v1/lotteries/:id/roster'],
      ['patch', '/api/v1/lotteries/:id/roster/:entry'],
      ['post', '/api/v1/lotteries/:id/lock'],
      ['post', '/api/v1/lotteries/:id/unlock'],
      ['post', '/api/v1/lotteries/:id/ceremony'],
      ['post', '/api/v1/lotteries/:id/ceremony/adjourn'],
      ['post', '/api/v1/lotteries/:id/stages/1/entropy'],
      ['post', '/api/v1/lotteries/:id/stages/:n/draw'],
      ['get', '/api/v1/lotteries/:id/bundle'],
      ['post', '/api/v1/lotteries/:id/record'],
      ['get', '/api/v1/lotteries/:id/record.pdf'],
      ['get', '/api/v1/public/lotteries/:id'],
      ['get', '/api/v1/journal'],
      ['get', '/api/v1/journal/verify'],
      ['get', '/api/v1/journal/checkpoint'],
      ['post', '/login'],
      ['get', '/verify/:id'],
      ['post', '/lotteries'],
    ];
    const perRoute = new Map<string, number>();
    const timeByRoute = new Map<string, number>();
    let big = 0;
    let head = JSON.stringify(store.journalHead());
    let digest = tablesDigest(store);
    const statuses = new Map<number, number>();
    const N = Number(process.env.FUZZ_N ?? 10_000);
    const started = Date.now();
    for (let i = 0; i < N; i++) {
      const [method, pattern] = routes[i % routes.length] as [string, string];
      if (pattern.endsWith('/draw') && rand() < 0.25) {
        // The real token, user and commitment of an open ceremony, and a refused spelling of the dice.
        const spelling = pick(ENTROPY_CASES.filter((c) => c.digits === null)).input;
        const r = await request(app)
          .post(`/api/v1/lotteries/${pinned}/stages/1/draw`)
          .set('Authorization', `Bearer ${tokens.drawer}`)
          .send({ ...pinnedCeremony, entropy: spelling });
        expect([JSON.stringify(spelling), r.status, r.body.code]).toEqual([
          JSON.stringify(spelling),
          422,
          'ENTROPY_INVALID',
        ]);
        expect(JSON.stringify(store.journalHead())).toBe(head);
        expect(tablesDigest(store)).toBe(digest);
        targetedDraws++;
      }
      if (pattern.endsWith('/entropy') && rand() < 0.25) {
        // The read-back answers every spelling as §4.1 says, and writes nothing.
        const c = pick(ENTROPY_CASES);
        const r = await request(app)
          .post(`/api/v1/lotteries/${pick([...ids, pinned])}/stages/1/entropy`)
          .set('Authorization', `Bearer ${tokens[pick(['ethics', 'drawer'])]}`)
          .send({ entropy: c.input });
        expect([JSON.stringify(c.input), r.status, r.body.code ?? r.body.digits]).toEqual([
          JSON.stringify(c.input),
          c.digits === null ? 422 : 200,
          c.digits ?? 'ENTROPY_INVALID',
        ]);
        expect(JSON.stringify(store.journalHead())).toBe(head);
        targetedReads++;
      }
      const id =
        rand() < 0.7
          ? pick(ids)
          : encodeURIComponent(pick(CONFUSABLES)).replace(/%25/g, rand() < 0.5 ? '%' : '%25');
      const url =
        pattern
          .replace(':id', id)
          .replace(':n', pick(['1', '2', '3', '0', '-1', '1e3', '%00', '..']))
          .replace(':entry', pick(['D001', 'D999', '..%2f', 'Ｄ００１'])) +
        (rand() < 0.2
          ? pick([
              '?dryRun=1',
              '?dryRun=yes',
              '?limit=1001',
              '?after=-1',
              '?lottery[]=x',
              '?sheet=%00',
              '?__proto__=1',
              `?x=${'a'.repeat(5000)}`,
            ])
          : '');
      let b = method === 'get' ? undefined : body();
      if (b && big < 50 && rand() < 0.01) {
        b = {
          data: Buffer.alloc(
            1_100_000 + Math.floor(rand() * (big % 10 === 0 ? 10_000_000 : 1_500_000)),
            0x41,
          ),
          type: pick(['application/json', 'text/csv']),
        };
        big++;
      }
      const req = (request(app) as unknown as Record<string, (u: string) => request.Test>)[method]?.(url);
      if (!req) throw new Error(method);
      const who = pick(['ethics', 'drawer', 'auditor', 'admin', 'none', 'bad']);
      if (who === 'bad')
        req.set(
          'Authorization',
          pick(['Bearer x', 'Basic abc', 'Bearer ' + 'A'.repeat(200), 'Bearer ../../etc']),
        );
      else if (who !== 'none') req.set('Authorization', `Bearer ${tokens[who]}`);
      if (b) req.set('Content-Type', b.type).send(b.data);
      const t0 = Date.now();
      const r = await req;
      timeByRoute.set(
        `${method} ${pattern}`,
        (timeByRoute.get(`${method} ${pattern}`) ?? 0) + Date.now() - t0,
      );
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      perRoute.set(`${method} ${pattern}`, (perRoute.get(`${method} ${pattern}`) ?? 0) + 1);
      if (r.status >= 500)
        throw new Error(
          `${method.toUpperCase()} ${url.slice(0, 200)} answered ${r.status}: ${r.text.slice(0, 300)}`,
        );
      const h = JSON.stringify(store.journalHead());
      if (r.status >= 400) {
        expect([url.slice(0, 100), h]).toEqual([url.slice(0, 100), head]);
        if (i % 25 === 0 || method !== 'get')
          expect([url.slice(0, 100), tablesDigest(store)]).toEqual([url.slice(0, 100), digest]);
      } else if (h !== head || method !== 'get') {
        head = h;
        digest = tablesDigest(store);
      }
    }
    for (const [route, n] of perRoute)
      expect([route, n >= Math.min(100, N / routes.length)]).toEqual([route, true]);
    expect(big).toBeLessThanOrEqual(50);
    if (N >= 1000) expect(Math.min(targetedDraws, targetedReads)).toBeGreaterThanOrEqual(50);
    // The pinned ceremony is still open and undrawn: every refused spelling drew nothing.
    expect(services.getLottery(pinned).status).toBe('locked');
    // Every xlsx bomb as the ethics officer's upload onto the draft: the merge, dimension and column bombs are
    // refused, dry run or not; the validation and defined-name ones load as the roster they hold (dry run).
    const before = [JSON.stringify(store.journalHead()), tablesDigest(store)];
    const upload = (bomb: Buffer, q: string) =>
      request(app)
        .put(`/api/v1/lotteries/${ids[0]}/roster${q}`)
        .set('Authorization', `Bearer ${tokens.ethics}`)
        .set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(bomb);
    for (const [i, bomb] of BOMBS.entries())
      for (const q of i < 3 ? ['?dryRun=1', ''] : ['?dryRun=1'])
        expect([i, q, (await upload(bomb, q)).status]).toEqual([i, q, i === 2 ? 422 : i < 3 ? 413 : 200]);
    for (const [i, bomb] of BYPASSES.entries())
      expect([i, [413, 422].includes((await upload(bomb, '')).status)]).toEqual([i, true]);
    expect([JSON.stringify(store.journalHead()), tablesDigest(store)]).toEqual(before);
    const check = await request(app)
      .get('/api/v1/journal/verify')
      .set('Authorization', `Bearer ${tokens.auditor}`);
    expect(check.body.ok).toBe(true);
    process.stdout.write(
      `slowest routes (ms in all): ${JSON.stringify([...timeByRoute].sort((a, b) => b[1] - a[1]).slice(0, 5))}\n`,
    );
    process.stdout.write(
      `fuzz: ${N} requests (+${targetedDraws} targeted draws, ${targetedReads} read-backs) in ${Date.now() - started} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${big} bodies over 1 MB\n`,
    );
    app.close();
    store.close();
  });
});
