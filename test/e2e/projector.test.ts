/**
 * The projector fit for the minister, printing, ROC dates and Chinese roles (issue 11), in headless Chromium
 * (Debian's chromium, driven by playwright-core), measured as a person would see them: computed font sizes and
 * bounding boxes at 1280×720 and 1024×768, full screen, 「第 1 位」, stage 2's winner traced to stage 1's list,
 * the printed A4 summary (page.pdf() and pdftotext), axe in both styles, 民國 dates and roles in Chinese.
 * (The README's projector screenshots come from ceremony.test.ts with UPDATE_SCREENSHOTS=1.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { taipeiDate } from '../../src/domain/ceremony';
import { tempDir } from '../helpers/app';
import { axe, until, signIn, startHarness, stopHarness, type Harness, type Services } from './harness';
import { describeBrowser } from './browser';
import { pdftotext } from '../helpers/poppler';

/**
 * The longest names a roster holds: the example rosters' (申報人07, 數位策略司 …) and the longest that real rosters
 * carry, indigenous names in Han and in Latin letters with the long units and titles of a large ministry.
 */
const LONG = [
  { name: '伊斯坦大·貝雅夫·正福', unit: '原住民族委員會經濟發展處產業輔導科', title: '專門委員兼代理科長' },
  { name: 'Tanivu Tapari', unit: '數位發展部數位產業署產業發展組', title: '簡任技正兼副組長' },
  { name: 'Kolas Yotaka', unit: '行政院發言人室', title: '發言人' },
  { name: '瓦歷斯·貝林', unit: '數位策略司', title: '司長' },
  { name: '歐陽諸葛明', unit: '韌性建設司', title: '副司長' },
];

let h: Harness;
let base: string;
let browser: Browser;
let services: Services;

/** SHOTS_DIR=/tmp/shots: what each step looked like, for a person to look at (not committed). */
async function look(page: Page, name: string): Promise<void> {
  if (process.env.SHOTS_DIR)
    await page.screenshot({
      path: path.join(process.env.SHOTS_DIR, `projector-${name}.png`),
      fullPage: true,
    });
}

async function context(width = 1280, height = 720): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width, height }, locale: 'zh-TW' });
}

/** Today in Taipei as the ROC calendar writes it: [民國114年1月22日, 114/1/22]. */
function rocToday(): [string, string] {
  const [y, m, d] = taipeiDate(Date.now()).split('-').map(Number);
  return [`民國${(y ?? 0) - 1911}年${m}月${d}日`, `${(y ?? 0) - 1911}/${m}/${d}`];
}

/** A locked lottery of 91 people (91 × 10% = 9.1 → 10 winners; 10 × 2% = 0.2 → 1), the long names first. */
function lockedLottery(): string {
  const l = services.createLottery('cli', {
    year: 113,
    agency: '數位發展部',
    meeting: {
      name: '113年度財產申報實質審查公開抽籤會議',
      date: `${taipeiDate(Date.now())}T14:30`,
      venue: '第一會議室',
      chair: '部長',
      drawer: '次長',
      monitor: '政風處處長',
      recorder: '林怡芬',
      witnesses: ['見證人甲', '見證人乙'],
    },
  });
  const rows = Array.from({ length: 91 }, (_, i) => {
    const long = LONG[i % LONG.length] ?? { name: '', unit: '', title: '' };
    return {
      row: i + 1,
      values: {
        id: `D${String(i + 1).padStart(3, '0')}`,
        name: long.name,
        unit: long.unit,
        title: long.title,
      },
    };
  });
  services.loadRoster('cli', l.id, rows, { strictFields: true });
  services.lock('cli', l.id);
  return l.id;
}

/** What the room sees of each winner on screen: its box, its name's computed size and whether it is cut. */
async function measure(page: Page): Promise<{
  viewport: { w: number; h: number; scrollH: number; scrollW: number };
  items: Array<{
    stage: number;
    text: string;
    ord: string;
    fontPx: number;
    box: { top: number; bottom: number; left: number; right: number };
    nameBox: { top: number; bottom: number; left: number; right: number };
    cut: boolean;
  }>;
}> {
  return page.evaluate(() => {
    const items = Array.from(document.querySelectorAll<HTMLElement>('ol.winners li')).map((li) => {
      const name = li.querySelector<HTMLElement>('.name');
      const r = li.getBoundingClientRect();
      const n = name?.getBoundingClientRect() ?? r;
      return {
        stage: Number(li.closest<HTMLElement>('section.stage')?.dataset.stage ?? '0'),
        text: li.innerText,
        ord: li.querySelector('.ord')?.textContent ?? '',
        fontPx: name ? Number.parseFloat(getComputedStyle(name).fontSize) : 0,
        box: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
        nameBox: { top: n.top, bottom: n.bottom, left: n.left, right: n.right },
        cut: name
          ? name.scrollWidth > name.clientWidth + 1 || name.scrollHeight > name.clientHeight + 1
          : true,
      };
    });
    const d = document.scrollingElement ?? document.documentElement;
    return {
      viewport: { w: innerWidth, h: innerHeight, scrollH: d.scrollHeight, scrollW: d.scrollWidth },
      items,
    };
  });
}

function expectFits(m: Awaited<ReturnType<typeof measure>>, count: number): void {
  expect(m.items).toHaveLength(count);
  // Nothing to scroll, either way.
  expect(m.viewport.scrollH).toBeLessThanOrEqual(m.viewport.h);
  expect(m.viewport.scrollW).toBeLessThanOrEqual(m.viewport.w);
  for (const it of m.items) {
    expect([it.text, it.fontPx >= 40]).toEqual([it.text, true]);
    expect([it.text, it.cut]).toEqual([it.text, false]);
    for (const b of [it.box, it.nameBox]) {
      expect([it.text, b.top >= 0, b.left >= 0]).toEqual([it.text, true, true]);
      expect([it.text, b.bottom <= m.viewport.h, b.right <= m.viewport.w]).toEqual([it.text, true, true]);
    }
  }
  // No two winners overlap.
  for (const [i, a] of m.items.entries())
    for (const b of m.items.slice(i + 1)) {
      const apart =
        a.box.bottom <= b.box.top + 0.5 ||
        b.box.bottom <= a.box.top + 0.5 ||
        a.box.right <= b.box.left + 0.5 ||
        b.box.right <= a.box.left + 0.5;
      expect([a.text, b.text, apart]).toEqual([a.text, b.text, true]);
    }
}

beforeAll(async () => {
  h = await startHarness('e2e-projector.sqlite', [
    { name: 'ethics', role: 'ethics', display: '林怡芬' },
    { name: 'minister', role: 'drawer', display: '部長' },
    { name: 'auditor', role: 'auditor', display: '稽核員' },
  ]);
  ({ base, browser, services } = h);
}, 60_000);

afterAll(async () => {
  await stopHarness(h);
});

describeBrowser('the projector fit for the minister', () => {
  let id = '';
  let stage1: string[] = [];

  it('when the minister opens the meeting page › it is a mode of its own: no site header, full screen by button and F', async () => {
    id = lockedLottery();
    const c = await context();
    const page = await signIn(base, c, 'minister');
    await page.goto(`${base}/lotteries/${id}/draw`);
    expect(await page.locator('header.site').count()).toBe(0);
    expect(await page.locator('.screen-tools a[hreflang="en"]').isVisible()).toBe(true);
    expect(await page.locator('h1').innerText()).toBe('113年度財產申報實質審查公開抽籤會議');
    expect(await page.locator('.lottery-title').innerText()).toBe('113年度公職人員財產申報資料實質審查抽籤');
    // The stage and its rule as arithmetic, side by side.
    expect(await page.locator('#h-stage-1').innerText()).toContain(
      '第 1 階段　實質審查　91 人 × 10% = 9.1，無條件進位為 10 人',
    );
    expect(await page.locator('#h-stage-2').innerText()).toContain('10 人 × 2% = 0.2，無條件進位為 1 人');
    expect(await page.locator('#stage-2 .from-prev').textContent()).toBe('自第 1 階段中籤名單中抽出');

    const fs1 = (): Promise<boolean> => page.evaluate(() => document.fullscreenElement !== null);
    await page.keyboard.press('f');
    await until('full screen by F', fs1);
    await until(
      'the button says so',
      async () => (await page.locator('#fullscreen-btn').innerText()) === '離開全螢幕（F）',
    );
    await page.keyboard.press('F');
    await until('out of full screen by F', async () => !(await fs1()));
    await page.click('#fullscreen-btn');
    await until('full screen by the button', fs1);
    await page.click('#fullscreen-btn');
    await until('out of full screen by the button', async () => !(await fs1()));
    await c.close();
  });

  it('when both stages are drawn at 1280×720 › ten names of at least 40 px fit, numbered, stage 2 traced to stage 1', async () => {
    const c = await context();
    const page = await signIn(base, c, 'minister');
    await page.goto(`${base}/lotteries/${id}/draw`);
    await page.click('#open-btn');
    await page.locator('#entropy-panel').waitFor({ state: 'visible' });
    // F typed into the dice is a letter in a field, not a command.
    await page.locator('#entropy').press('F');
    expect(await page.inputValue('#entropy')).toBe('F');
    expect(await page.evaluate(() => document.fullscreenElement !== null)).toBe(false);
    await page.fill('#entropy', '62513 41234');
    await page.click('#readback-btn');
    await until('the read-back', async () => (await page.locator('#readback').innerText()) === '62513 41234');
    await page.click('#fullscreen-btn');
    await until('full screen', () => page.evaluate(() => document.fullscreenElement !== null));
    await page.click('.draw-btn[data-stage="1"]');
    await until(
      'ten winners',
      async () => (await page.locator('#stage-1 ol.winners li').count()) === 10,
      12_000,
    );
    await page.locator('.draw-btn[data-stage="2"]').waitFor({ state: 'visible', timeout: 12_000 });
    await page.click('.draw-btn[data-stage="2"]');
    await until('stage 2', async () => (await page.locator('#stage-2 ol.winners li').count()) === 1, 10_000);
    await until(
      'the end',
      async () => (await page.locator('#state-note').innerText()) === '抽籤完成。',
      5_000,
    );
    expect(await page.evaluate(() => document.fullscreenElement !== null)).toBe(true);

    await look(page, 'done-1280');
    const m = await measure(page);
    expectFits(m, 11);
    expect(m.items.filter((x) => x.stage === 1).map((x) => x.ord)).toEqual(
      Array.from({ length: 10 }, (_, i) => `第 ${i + 1} 位`),
    );
    stage1 = await page.locator('#stage-1 ol.winners li').allInnerTexts();
    const idOf = (t: string): string => /\((D\d{3})\)/.exec(t)?.[1] ?? '?';
    const s2 = m.items.find((x) => x.stage === 2);
    expect(s2?.ord).toBe('第 1 位');
    const k = stage1.map(idOf).indexOf(idOf(s2?.text ?? '')) + 1;
    expect(k).toBeGreaterThan(0);
    expect(await page.locator('#stage-2 ol.winners .from').innerText()).toBe(`（原第 1 階段第 ${k} 位）`);
    // The digits stay on screen beside each stage's result, after the dice panel has gone.
    expect(await page.locator('#entropy-panel').isVisible()).toBe(false);
    for (const s of [1, 2]) {
      expect(await page.locator(`#stage-${s} .drawinfo .digits`).innerText()).toBe('62513 41234');
      expect(await page.locator(`#stage-${s} .drawinfo`).isVisible()).toBe(true);
    }
    // Who drew and when, in the ROC calendar and Taipei time.
    expect(await page.locator('#stage-1 .drawinfo').innerText()).toContain(rocToday()[0]);
    expect(await page.locator('#stage-1 .drawinfo').innerText()).toContain('（台北時間）');
    await axe(page);
    await page.evaluate(() => document.exitFullscreen());
    await c.close();
  });

  it('when the same screen is shown at 1024×768 › every name still fits, at least 40 px, without scrolling', async () => {
    const c = await context(1024, 768);
    const page = await signIn(base, c, 'auditor');
    await page.goto(`${base}/lotteries/${id}/draw`);
    await until('the winners', async () => (await page.locator('ol.winners li').count()) === 11);
    await look(page, 'done-1024');
    expectFits(await measure(page), 11);
    expect(await page.locator('#stage-1 ol.winners li').allInnerTexts()).toEqual(stage1);
    await axe(page);
    await c.close();
  });

  it('when the draw page and the result page are printed › each is an A4, black-on-white summary', async () => {
    const c = await context();
    const page = await signIn(base, c, 'ethics');
    const l = services.getLottery(id);
    const commit16 = (l.commitment ?? '').slice(0, 16);
    const fp16 = l.keyFingerprint.replace(/^SHA256:/, '').slice(0, 16);
    const winners = l.results.flatMap((r) => r.winners.map((w) => w.name));
    for (const where of ['draw', 'result']) {
      await page.goto(`${base}/lotteries/${id}/${where}`);
      if (where === 'draw')
        await until('the winners', async () => (await page.locator('ol.all-winners li').count()) === 11);
      await page.emulateMedia({ media: 'print' });
      // Black on white: every visible piece of text is black, on a white page.
      const colours = await page.evaluate(() => {
        const seen = new Set<string>();
        for (const e of Array.from(document.querySelectorAll<HTMLElement>('main *')))
          if (e.offsetParent !== null && e.childNodes.length && e.innerText?.trim())
            seen.add(getComputedStyle(e).color);
        return { text: [...seen], bg: getComputedStyle(document.body).backgroundColor };
      });
      expect([where, colours.text]).toEqual([where, ['rgb(0, 0, 0)']]);
      expect([where, colours.bg]).toEqual([where, 'rgb(255, 255, 255)']);
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
      const f = path.join(tempDir(), `${where}.pdf`);
      fs.writeFileSync(f, pdf);
      if (process.env.SHOTS_DIR)
        fs.writeFileSync(path.join(process.env.SHOTS_DIR, `projector-${where}.pdf`), pdf);
      expect(execFileSync('pdfinfo', [f]).toString()).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
      const text = pdftotext(pdf).replace(/\s+/g, '');
      const want = [
        '113年度財產申報實質審查公開抽籤會議',
        `${rocToday()[0]}14:30`,
        '第一會議室',
        '政風處處長',
        '見證人甲、見證人乙',
        '91人×10%=9.1，無條件進位為10人',
        '10人×2%=0.2，無條件進位為1人',
        where === 'draw' ? '6251341234' : '62513',
        commit16,
        fp16,
        ...winners.map((w) => w.replace(/\s+/g, '')),
      ];
      for (const w of want) expect([where, w, text.includes(w)]).toEqual([where, w, true]);
      for (const gone of ['登出', '全螢幕', '開始抽籤程序', '上一頁'])
        expect([where, gone, text.includes(gone)]).toEqual([where, gone, false]);
      await page.emulateMedia({ media: 'screen' });
      await axe(page);
    }
    await c.close();
  });
});

describeBrowser('ROC dates and Chinese roles on the pages', () => {
  it('when a meeting date is typed as 114/1/22 14:30 › it is kept as ISO and shown as a 民國 date; roles are in Chinese', async () => {
    const c = await context();
    const page = await signIn(base, c, 'ethics');
    expect(await page.locator('header.site .signout span').innerText()).toBe('林怡芬（政風人員）');
    await page.fill('#agency', '數位發展部');
    await page.fill('#meeting_date', '114年1月22日 下午2時30分');
    await page.click('section[aria-labelledby=create] button[type=submit]');
    await page.waitForURL(/\/lotteries\/[A-Za-z0-9_-]+$/);
    const lid = page.url().split('/').pop() ?? '';
    expect(services.getLottery(lid).meeting.date).toBe('2025-01-22T14:30');
    expect(await page.inputValue('#meeting_date')).toBe('114/1/22 14:30');
    await look(page, 'roc-date');
    await page.fill('#meeting_date', '114/2/3 9:05');
    await page.click('form[action$="/meeting"] button[type=submit]');
    await page.waitForURL(new RegExp(`/lotteries/${lid}$`));
    expect(services.getLottery(lid).meeting.date).toBe('2025-02-03T09:05');
    expect(await page.inputValue('#meeting_date')).toBe('114/2/3 9:05'.replace(' 9:', ' 09:'));
    const main = await page.locator('main').innerText();
    expect(main).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    await axe(page);

    // The auditor reads the same lottery after the lock: the date as 民國, and roles in Chinese.
    const id = lockedLottery();
    const ca = await context();
    const a = await signIn(base, ca, 'auditor');
    await a.goto(`${base}/lotteries/${id}`);
    expect(await a.locator('dl.meeting').innerText()).toContain(`${rocToday()[0]} 14:30`);
    expect(await a.locator('main').innerText()).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(await a.locator('header.site .signout span').innerText()).toBe('稽核員（稽核人員）');
    await a.goto(`${base}/lotteries/${id}/result`);
    expect(await a.locator('main').innerText()).toContain(`${rocToday()[0]} 14:30`);
    await a.goto(`${base}/audit`);
    expect(await a.locator('table.journal').innerText()).not.toMatch(/（(ethics|drawer|auditor|admin)）/);
    await ca.close();
    await c.close();
  });

  it('when the form holds an impossible date › the page says so in a sentence, with no field path', async () => {
    const c = await context();
    const page = await signIn(base, c, 'ethics');
    await page.fill('#agency', '數位發展部');
    await page.fill('#stage1_percent', 'ten');
    await page.fill('#meeting_date', '114/2/30');
    await page.click('section[aria-labelledby=create] button[type=submit]');
    const main = await page.locator('main').innerText();
    expect(main).toContain('表單有些欄位需要修正');
    expect(main).toContain('會議日期應為民國日期，如 114/1/22 14:30');
    expect(main).toContain('「第 1 階段比率」必須是 0 到 100 之間的十進位字串');
    expect(main).not.toMatch(/meeting\.date|stages\[0\]|percent/);
    await axe(page);
    await c.close();
  });
});
