/**
 * A physical draw (實體抽籤) on the ball-entry screen in headless Chromium at 1280×720: the minister opens the
 * ceremony, types each ball as it leaves the drum, withdraws a mistyped one with a reason, and stage 2's sheet
 * follows stage 1's winners. axe-core checks the screen against WCAG 2.1 AA.
 */
import { type Browser, type Page } from 'playwright-core';
import { taipeiDate } from '../../src/domain/ceremony';
import { axeViolations, until, startHarness, stopHarness, type Harness, type Services } from './harness';
import { describeBrowser } from './browser';

let h: Harness;
let base: string;
let browser: Browser;
let services: Services;

beforeAll(async () => {
  h = await startHarness('e2e-physical.sqlite', [{ name: 'minister', role: 'drawer' }]);
  ({ base, browser, services } = h);
}, 60_000);

afterAll(async () => {
  await stopHarness(h);
});

/** A locked physical lottery of ten people, made through the services: the screen is what is under test. */
function lockedPhysical(): string {
  const l = services.createLottery('cli', {
    year: 113,
    agency: '新北市政府',
    method: 'physical',
    stages: [
      { label: '實質審查', percent: '30' },
      { label: '前後年度申報財產比對', percent: '50' },
    ],
    meeting: { name: '實體抽籤會議', date: taipeiDate(Date.now()) },
  });
  const rows = Array.from({ length: 10 }, (_, i) => ({
    row: i + 1,
    values: {
      id: `P${String(i + 1).padStart(3, '0')}`,
      name: `申報人${'甲乙丙丁戊己庚辛壬癸'[i] ?? i}`,
      unit: '秘書處',
    },
  }));
  services.loadRoster('cli', l.id, rows, { strictFields: true });
  services.lock('cli', l.id);
  return l.id;
}

async function enter(page: Page, stage: number, n: number): Promise<void> {
  await page.fill(`#ball-${stage}`, String(n));
  await page.click(`#stage-${stage} .ball-form button[type=submit]`);
}

describeBrowser('the ball-entry screen in a browser', () => {
  it('when the minister enters balls › big numbers with the sheet’s names, an undo with a reason, and stage 2 follows', async () => {
    const id = lockedPhysical();
    const c = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-TW' });
    const page = await c.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', 'minister');
    await page.fill('input[name=password]', 'password-minister-123');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/lotteries/);
    await page.goto(`${base}/lotteries/${id}/balls`);
    await page.click('#open-btn');
    await page.locator('#stage-1 .ball-form').waitFor({ state: 'visible' });

    await enter(page, 1, 4);
    const last = page.locator('#stage-1 .last-number');
    await until('ball 4 shown', async () => (await last.innerText()) === '4');
    expect(await page.locator('#stage-1 .last-name').innerText()).toBe('申報人丁');
    const size = await last.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(40);

    // A number not on the sheet: refused in words, nothing shown.
    await enter(page, 1, 11);
    await until('the refusal', async () =>
      (await page.locator('#problem').innerText()).includes('沒有 11 號'),
    );
    expect(await page.locator('#stage-1 ol.balls li').count()).toBe(1);

    // A mistyped ball withdrawn with a reason, then the right one.
    await enter(page, 1, 9);
    await until('ball 9 shown', async () => (await last.innerText()) === '9');
    await page.fill('#undo-1', '誤植，應為 6 號');
    await page.click('#stage-1 .undo-form button[type=submit]');
    await until('ball 9 withdrawn', async () => (await last.innerText()) === '4');
    await enter(page, 1, 6);
    await until('ball 6 shown', async () => (await last.innerText()) === '6');

    const violations = (await axeViolations(page)).map((v) => v.id);
    expect(violations).toEqual([]);

    // The third ball reaches the quota (30% of 10): the page comes back with stage 2's sheet of the three winners.
    await Promise.all([page.waitForEvent('load'), enter(page, 1, 1)]);
    await page.locator('#stage-2 .ball-form').waitFor({ state: 'visible' });
    expect(await page.locator('#stage-2 tr[data-number]').allTextContents()).toEqual([
      '1申報人甲',
      '2申報人丁',
      '3申報人己',
    ]);
    // Stage 2 at 50% of 3: two balls.
    await enter(page, 2, 2);
    await until(
      'ball 2 shown',
      async () => (await page.locator('#stage-2 .last-number').innerText()) === '2',
    );
    await Promise.all([page.waitForEvent('load'), enter(page, 2, 3)]);
    await until('drawn', async () => services.getLottery(id).status === 'drawn');
    const journal = services.journalPage({ lottery: id, limit: 100 }).entries.map((e) => e.type);
    expect(journal.filter((t) => t.startsWith('stage.'))).toEqual([
      'stage.ball',
      'stage.ball',
      'stage.ball.undone',
      'stage.ball',
      'stage.ball',
      'stage.recorded',
      'stage.ball',
      'stage.ball',
      'stage.recorded',
    ]);
    await c.close();
  }, 60_000);
});
