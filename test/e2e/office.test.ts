/**
 * Issue 12, "Done when", in Chromium: running the office from a service that has only its first admin. The admin
 * creates the three users on the web page; the ethics officer (signed in with the password the admin typed)
 * prepares a lottery, re-uploads a changed roster and sees the diff, keeping the exclusion reason typed on the
 * page; the minister draws on the projector; the ethics officer takes the exports and the letters from the result
 * page, and each file is opened as a user would: the xlsx with exceljs, the CSV decoded as Big5 (and the UTF-8
 * one with its BOM), the letters PDF read with pdftotext.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { RESULT_HEADINGS } from '../../src/export/results';
import { taipeiDate } from '../../src/domain/ceremony';
import { tempDir } from '../helpers/app';
import { pdfinfoPages, pdftotext } from '../helpers/poppler';
import { describeBrowser } from './browser';
import { axe, hasText, shot, startHarness, stopHarness, until, visible, type Harness } from './harness';

/** The three users the admin creates on the page: name, display name, role, its name on the page, password. */
const USERS = [
  { name: '林怡芬', display: '林怡芬', role: 'ethics', roleName: '政風人員', password: 'yifen-ethics-2026' },
  { name: 'minister', display: '部長', role: 'drawer', roleName: '抽籤人', password: 'minister-draws-114' },
  {
    name: 'auditor',
    display: '稽核王',
    role: 'auditor',
    roleName: '稽核人員',
    password: 'auditor-checks-114',
  },
] as const;
const ETHICS = USERS[0];
const MINISTER = USERS[1];

/** 21 people, all names in Big5 (the Big5 CSV must be given, not refused). */
const NAMES = [
  '王小明',
  '李美華',
  '陳志明',
  '張雅婷',
  '劉建宏',
  '黃淑芬',
  '吳俊傑',
  '蔡佩君',
  '楊家豪',
  '許惠如',
  '鄭文雄',
  '謝宜君',
  '洪志偉',
  '郭美玲',
  '曾國華',
  '邱淑惠',
  '廖偉哲',
  '賴怡君',
  '周建國',
  '葉秀英',
  '蘇家銘',
];
const UNITS = ['秘書處', '人事室', '會計室', '總務處', '資訊處'];
const TITLES = ['科長', '專員', '技正'];
type Person = { id: string; name: string; unit: string; title: string };
const FIRST: Person[] = NAMES.map((name, i) => ({
  id: `D${String(i + 1).padStart(3, '0')}`,
  name,
  unit: UNITS[i % UNITS.length] as string,
  title: TITLES[i % TITLES.length] as string,
}));
/** The changed roster: D021 蘇家銘 gone, D022 方志豪 new, D003 陳志明 moved from 會計室 to 秘書處; no excluded column. */
const SECOND: Person[] = [
  ...FIRST.filter((p) => p.id !== 'D021').map((p) => (p.id === 'D003' ? { ...p, unit: '秘書處' } : p)),
  { id: 'D022', name: '方志豪', unit: '政風室', title: '科員' },
];
const REASON = '留職停薪（育嬰）';
const csv = (people: Person[]): string =>
  `編號,姓名,單位,職稱\n${people.map((p) => [p.id, p.name, p.unit, p.title].join(',')).join('\n')}\n`;

const today = (): string => taipeiDate(Date.now());

let h: Harness;
const contexts: BrowserContext[] = [];
/** Every script error and console error of every page (the wrong password's refusal on /login aside). */
const consoleErrors: string[] = [];
beforeAll(async () => {
  // Only the first admin, as `lottery user add` makes it on a new service (password `password-admin-123`).
  h = await startHarness('office.sqlite', [{ name: 'admin', role: 'admin' }]);
}, 60_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await stopHarness(h);
});

async function context(): Promise<BrowserContext> {
  const c = await h.browser.newContext({
    viewport: { width: 1280, height: 720 },
    locale: 'zh-TW',
    acceptDownloads: true,
  });
  contexts.push(c);
  c.on('page', (p) => {
    p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
    p.on('console', (m) => {
      const refused = new URL(p.url()).pathname === '/login' && m.text().includes('status of 401');
      if (m.type() === 'error' && !refused) consoleErrors.push(`${p.url()}: ${m.text()}`);
    });
  });
  return c;
}

/** Signs `name` in through the sign-in form, in a context of its own, and waits for the first page. */
async function signInAs(name: string, password: string): Promise<Page> {
  const page = await (await context()).newPage();
  await page.goto(`${h.base}/login`);
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/(lotteries|admin\/users)(\?|$)/);
  return page;
}

/** Clicks the link and saves what the browser downloads; returns the file's bytes and its suggested name. */
async function download(page: Page, selector: string): Promise<{ bytes: Buffer; name: string }> {
  const [d] = (await Promise.all([page.waitForEvent('download'), page.click(selector)])) as [Download, void];
  const file = path.join(tempDir(), d.suggestedFilename());
  await d.saveAs(file);
  expect(await d.failure()).toBeNull();
  return { bytes: fs.readFileSync(file), name: d.suggestedFilename() };
}

async function sheetRows(buf: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]?.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describeBrowser('running the office: users on the web, a roster re-uploaded, the results exported', () => {
  let lotteryId = '';
  /** The winners as the API gives them after the draw. */
  let results: Array<{ stage: number; winners: Array<{ id: string; name: string; unit: string }> }> = [];

  it('1. the admin creates the ethics officer, the minister and the auditor on the page; each signs in', async () => {
    const page = await signInAs('admin', 'password-admin-123');
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    await hasText(page.locator('h1'), '帳號管理');
    expect(await page.locator('#users tbody tr').count()).toBe(1);
    for (const u of USERS) {
      await page.fill('#new-name', u.name);
      await page.fill('#new-display', u.display);
      await page.selectOption('#new-role', u.role);
      await page.fill('#new-password', u.password);
      await page.click('#add-user button[type=submit]');
      await hasText(page.locator('#notice'), `已建立帳號 ${u.name}`);
      // The API token, shown once, on this answer only.
      const token = (await page.locator(`code#new-token[data-user="${u.name}"]`).innerText()).trim();
      expect(token.length).toBeGreaterThanOrEqual(20);
      const row = page.locator(`#users tr[data-user="${u.name}"]`);
      expect((await row.locator('.role').innerText()).trim()).toBe(u.roleName);
      expect((await row.locator('.state').innerText()).trim()).toBe('使用中');
      expect((await row.locator('.password').innerText()).trim()).toBe('已設定');
    }
    // Read again (not the answer to the last POST): the four accounts with their roles.
    await page.goto(`${h.base}/admin/users`);
    const roles = await page
      .locator('#users tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-user'), tr.querySelector('.role')?.textContent?.trim()]),
      );
    expect(roles.sort()).toEqual([['admin', '系統管理者'], ...USERS.map((u) => [u.name, u.roleName])].sort());
    await axe(page);
    await shot(page, 'admin-users');

    for (const u of USERS) {
      const p = await signInAs(u.name, u.password);
      expect(new URL(p.url()).pathname).toBe('/lotteries');
      await hasText(p.locator('form.signout span'), `${u.display}（${u.roleName}）`);
      await p.context().close();
    }
    // A wrong password signs no one in: the passwords above are the ones that count.
    const c = await context();
    const wrong = await c.newPage();
    await wrong.goto(`${h.base}/login`);
    await wrong.fill('input[name=username]', ETHICS.name);
    await wrong.fill('input[name=password]', 'password-林怡芬-123');
    await wrong.click('button[type=submit]');
    await visible(wrong.locator('input[name=password]'));
    expect(new URL(wrong.url()).pathname).toBe('/login');
    await c.close();
    await page.context().close();
  }, 60_000);

  it('2. the ethics officer re-uploads a changed roster, sees the diff, and the typed reason is kept', async () => {
    const page = await signInAs(ETHICS.name, ETHICS.password);
    await page.fill('#year', '114');
    await page.fill('#agency', '數位發展部');
    await page.fill('#meeting_name', '114年度財產申報實質審查公開抽籤會議');
    await page.fill('#meeting_date', `${today()}T10:00`);
    await page.fill('#meeting_drawer', MINISTER.display);
    await page.click('section[aria-labelledby=create] button[type=submit]');
    await page.waitForURL(/\/lotteries\/[A-Za-z0-9_-]+$/);
    lotteryId = page.url().split('/').pop() ?? '';

    const first = path.join(tempDir(), '名冊.csv');
    fs.writeFileSync(first, csv(FIRST));
    await page.setInputFiles('#file', first);
    await page.waitForSelector('#confirm-load:not([hidden])');
    await hasText(page.locator('#report'), '共 21 人');
    await page.click('#confirm-load');
    await page.waitForSelector('#roster-table tbody tr >> nth=20');
    await page.fill('#ex-D005', REASON);
    await page.click('form.exclude[data-entry=D005] button');
    await hasText(page.locator('form.exclude[data-entry=D005] .note'), '已儲存');
    await page.reload();
    await hasText(page.locator('#h-roster'), '名冊（21 人，抽籤母體 20 人）');

    const second = path.join(tempDir(), '名冊-修正.csv');
    fs.writeFileSync(second, csv(SECOND));
    await hasText(page.locator('#upload-rules'), '保留此頁已輸入的不列入抽籤原因');
    await page.setInputFiles('#file', second);
    await page.waitForSelector('#confirm-load:not([hidden])');
    const diff = page.locator('#report-diff');
    await hasText(diff, '與目前名冊（21 人）比較');
    expect((await diff.locator('.diff-summary').innerText()).trim()).toBe(
      '新增 1 人、移除 1 人、資料變更 1 人',
    );
    await hasText(page.locator('#diff-kept-reasons.diff-kept'), '保留頁面上已輸入的 1 筆不列入抽籤原因');
    expect(await page.locator('#diff-kept-reasons.diff-replaced').count()).toBe(0);
    await hasText(diff.locator('.diff-added'), 'D022 方志豪');
    await hasText(diff.locator('.diff-removed'), 'D021 蘇家銘');
    // The changed person, which particular changed, and its old and new value.
    expect((await diff.locator('.diff-changed li').allInnerTexts()).map((t) => t.trim())).toEqual([
      'D003 陳志明：單位 會計室 → 秘書處',
    ]);
    await hasText(diff.locator('.diff-kept-list'), `D005 劉建宏：「${REASON}」`);
    expect(await diff.locator('.diff-dropped').count()).toBe(0);
    expect(await diff.locator('.diff-added li').count()).toBe(1);
    expect(await diff.locator('.diff-removed li').count()).toBe(1);
    await page.locator('#report-diff').scrollIntoViewIfNeeded();
    await shot(page, 'reupload-diff');
    await page.click('#confirm-load');
    await page.waitForSelector('#ex-D022');
    expect(await page.inputValue('#ex-D005')).toBe(REASON);
    expect(await page.locator('#ex-D021').count()).toBe(0);

    // What the server kept, through the API with this session.
    const roster = await page.evaluate(
      async (id) =>
        (await fetch(`/api/v1/lotteries/${id}/roster`)).json() as Promise<{
          entries: Array<{ id: string; name: string; unit?: string; excluded?: string }>;
        }>,
      lotteryId,
    );
    const byId = new Map(roster.entries.map((e) => [e.id, e]));
    expect(roster.entries.map((e) => e.id).sort()).toEqual(SECOND.map((p) => p.id).sort());
    expect(byId.get('D005')?.excluded).toBe(REASON);
    expect(byId.get('D003')?.unit).toBe('秘書處');
    expect(byId.get('D022')?.name).toBe('方志豪');
    expect(roster.entries.filter((e) => e.excluded).map((e) => e.id)).toEqual(['D005']);

    await page.reload();
    await hasText(page.locator('#h-roster'), '名冊（21 人，抽籤母體 20 人）');
    await page.click('#h-lock + details summary');
    await hasText(page.locator('#h-lock + details'), '實質審查：20 人 × 10% = 2 人');
    await page.click('#h-lock + details button[type=submit]');
    await hasText(page.locator('main'), '已鎖定');
    await page.context().close();
  }, 60_000);

  it('3. the minister created on the page draws both stages on the projector', async () => {
    const page = await signInAs(MINISTER.name, MINISTER.password);
    await page.goto(`${h.base}/lotteries/${lotteryId}/draw`);
    await page.click('#open-btn');
    await visible(page.locator('#entropy-panel'));
    await page.fill('#entropy', '3 1 4 1 5 9 2 6 5 3');
    await page.click('#readback-btn');
    await until(
      'the read-back',
      async () => (await page.locator('#readback').innerText()).trim() === '31415 92653',
    );
    const btn1 = page.locator('.draw-btn[data-stage="1"]');
    await until('stage 1 enabled', () => btn1.isEnabled());
    await btn1.click();
    await until(
      '2 winners',
      async () => (await page.locator('#stage-1 ol.winners li').count()) === 2,
      10_000,
    );
    await hasText(page.locator('#stage-1 .drawinfo'), `抽籤人 ${MINISTER.display}`);
    const btn2 = page.locator('.draw-btn[data-stage="2"]');
    await visible(btn2, 10_000);
    await btn2.click();
    await until('1 winner', async () => (await page.locator('#stage-2 ol.winners li').count()) === 1, 10_000);
    const view = await page.evaluate(
      async (id) =>
        (await fetch(`/api/v1/lotteries/${id}`)).json() as Promise<{
          status: string;
          results: typeof results;
        }>,
      lotteryId,
    );
    expect(view.status).toBe('drawn');
    results = view.results;
    expect(results.map((s) => s.winners.length)).toEqual([2, 1]);
    // Nobody excluded, nobody removed was drawn.
    for (const w of results.flatMap((s) => s.winners)) expect(['D005', 'D021']).not.toContain(w.id);
    await page.context().close();
  }, 60_000);

  it('4. the ethics officer takes the results and the letters from the result page, and opens each', async () => {
    expect(results.length).toBe(2);
    const page = await signInAs(ETHICS.name, ETHICS.password);
    await page.goto(`${h.base}/lotteries/${lotteryId}/result`);
    await hasText(page.locator('#exports h2'), '匯出與通知');
    const winners = results.flatMap((s) => s.winners.map((w, i) => ({ stage: s.stage, order: i + 1, ...w })));
    const people = new Map(SECOND.map((p) => [p.id, p]));

    // The xlsx: a heading row, then one row per winner per stage, with the names from the roster.
    const xlsx = await download(page, '#export-results-xlsx');
    expect(xlsx.name).toBe('114年度數位發展部抽籤結果.xlsx');
    const rows = await sheetRows(xlsx.bytes);
    expect(rows[0]).toEqual(RESULT_HEADINGS);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual(
      winners.map((w) => [w.stage, w.order, w.id, people.get(w.id)?.name, people.get(w.id)?.unit]),
    );
    expect(rows[1]?.slice(7, 9)).toEqual([114, '數位發展部']);

    // The Big5 CSV, decoded as Excel on a Taiwanese Windows reads it, is the same table.
    const big5 = await download(page, '#export-results-csv-big5');
    expect(big5.name).toBe('114年度數位發展部抽籤結果-big5.csv');
    const text = new TextDecoder('big5', { fatal: true }).decode(big5.bytes);
    const table = parse(text) as string[][];
    expect(table[0]).toEqual(RESULT_HEADINGS);
    expect(table.slice(1).map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual(
      winners.map((w) => [
        String(w.stage),
        String(w.order),
        w.id,
        people.get(w.id)?.name,
        people.get(w.id)?.unit,
      ]),
    );
    // Really Big5, not UTF-8 under another name: a name's bytes are its two-byte Big5 code.
    expect(big5.bytes.toString('utf8')).not.toContain(winners[0]?.name);

    // The UTF-8 CSV: a BOM, then the very same text.
    const utf8 = await download(page, '#export-results-csv-utf8');
    expect([...utf8.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(utf8.bytes.subarray(3).toString('utf8')).toBe(text);

    // The letters: one page per person drawn at stage 1, each naming that person.
    const letters = await download(page, '#export-letters');
    expect([utf8.name, letters.name]).toEqual([
      '114年度數位發展部抽籤結果.csv',
      '114年度數位發展部抽中通知.pdf',
    ]);
    expect(letters.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const stage1 = results[0]?.winners ?? [];
    expect(pdfinfoPages(letters.bytes)).toBe(stage1.length);
    const pages = pdftotext(letters.bytes).split('\f');
    stage1.forEach((w, i) => {
      const p = (pages[i] ?? '').replace(/\s+/g, '');
      expect(p).toContain(w.name);
      expect(p).toContain('公職人員財產申報法第11條');
      // Not anyone else's letter.
      for (const other of stage1.filter((o) => o.id !== w.id)) expect(p).not.toContain(other.name);
    });

    await page.locator('#exports').scrollIntoViewIfNeeded();
    await axe(page);
    await shot(page, 'result-exports');
    await page.context().close();
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
