/**
 * issue 11's meeting day, end to end in headless Chromium at 1280×720, as an ethics officer and a minister do it
 * from the pages: a rehearsal (演練) created with a 民國 date, its roster uploaded, locked, drawn on the projector
 * on a day that is not its meeting day, its record issued, with 「演練 REHEARSAL」 on the office's page, the
 * projector, the confirmation page, the result page and the record PDF. Then 「以此名冊建立正式抽籤」 (a real
 * draft, no watermark), cancelled because the office draws balls; a real physical lottery, a witness replaced
 * after the lock, the balls entered full screen, the record issued through its checklist.
 * Screenshots (draw-rehearsal, balls, record-confirm-physical) go to docs/screenshots/ when UPDATE_SCREENSHOTS=1.
 */
import { type Page } from 'playwright-core';
import { taipeiDate } from '../../src/domain/ceremony';
import { Store } from '../../src/store/store';
import {
  axe,
  until,
  hasText,
  visible,
  shot,
  watermark,
  signedIn,
  startHarness,
  stopHarness,
  EXAMPLE,
  type Harness,
  type Services,
} from './harness';
import { describeBrowser } from './browser';
import { pdftotext } from '../helpers/poppler';

/** A raw ISO date or date-time, which no page may show a person (issue 11: 民國 dates everywhere). */
const ISO = /\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b/;
const ROC = /民國\d{2,3}年\d{1,2}月\d{1,2}日/;

let h: Harness;
let base: string;
let store: Store;
let services: Services;

const MARK = { text: '演練 REHEARSAL', width: 1280, height: 720 };

/** The page's visible text has 民國 dates and no ISO date. */
async function rocOnly(page: Page): Promise<string> {
  const text = await page.locator('body').innerText();
  expect([page.url(), text.match(ISO)?.[0] ?? null]).toEqual([page.url(), null]);
  return text;
}

const idOf = (page: Page): string => decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

beforeAll(async () => {
  h = await startHarness('e2e-meeting-day.sqlite', [
    { name: 'ethics', role: 'ethics' },
    { name: 'minister', role: 'drawer' },
  ]);
  ({ base, store, services } = h);
}, 60_000);

afterAll(async () => {
  await stopHarness(h);
});

/** The example roster uploaded from the lottery's page, its report confirmed: 21 people, 20 in the pool. */
async function uploadRoster(page: Page): Promise<void> {
  await page.setInputFiles('#file', EXAMPLE);
  await page.waitForSelector('#confirm-load:not([hidden])');
  await hasText(page.locator('#report'), '共 21 人');
  await page.click('#confirm-load');
  await page.waitForSelector('#roster-table tbody tr >> nth=20');
}

/** The lock, from the lottery's page. */
async function lock(page: Page): Promise<void> {
  await page.reload();
  await page.click('details summary');
  await page.click('details button[type=submit]');
  await hasText(page.locator('main'), '已鎖定');
}

/** Goes through the record's confirmation page from the result page; returns the checklist as shown. */
async function confirmPage(page: Page, id: string): Promise<Record<string, { cls: string; text: string }>> {
  await page.goto(`${base}/lotteries/${id}/result`);
  await page.click('text=產製並簽章抽籤紀錄');
  await page.waitForURL(new RegExp(`/lotteries/${id}/record/confirm$`));
  await visible(page.locator('#record-checklist li').first());
  const items = await page
    .locator('#record-checklist li')
    .evaluateAll((lis) =>
      lis.map((li) => [li.getAttribute('data-item') ?? '', li.className, (li as HTMLElement).innerText]),
    );
  return Object.fromEntries(items.map(([item, cls, text]) => [item, { cls, text }]));
}

/** Ticks both confirmations (the second one for the test CA) and issues; waits for the result page's record link. */
async function issue(page: Page): Promise<Buffer> {
  await page.check('input[name=confirm]');
  await page.check('input[name=confirmTestCertificate]');
  await page.click('#record-confirm button[type=submit]');
  const link = page.locator('a', { hasText: '抽籤紀錄（正本 PDF）' });
  await visible(link);
  const res = await page.request.get(new URL((await link.getAttribute('href')) ?? '', base).toString());
  expect(res.status()).toBe(200);
  return res.body();
}

describeBrowser('the meeting day in a browser', () => {
  it('a rehearsal drawn and recorded, the real lottery from its roster, a physical draw full screen, the record through its checklist', async () => {
    // ---- 1. The rehearsal, from the new-lottery form, with its meeting typed as a 民國 date (not today).
    const office = await signedIn(h, 'ethics');
    await hasText(office.locator('header'), '（政風人員）');
    await office.fill('#year', '113');
    await office.fill('#agency', '數位發展部');
    await office.fill('#meeting_name', '113年度財產申報實質審查公開抽籤會議（演練）');
    await office.fill('#meeting_date', '114/1/22 14:30');
    await office.fill('#meeting_chair', '部長');
    await office.fill('#meeting_drawer', '次長');
    await office.fill('#meeting_monitor', '政風處處長');
    await office.fill('#meeting_recorder', '林怡芬');
    await office.fill('#witnesses', '王大明');
    await office.check('#rehearsal');
    await office.click('section[aria-labelledby=create] button[type=submit]');
    await office.waitForURL(/\/lotteries\/[^/]+$/);
    const rehearsal = idOf(office);
    expect(await watermark(office)).toEqual(MARK);
    await visible(office.locator('#rehearsal-banner'));
    // The date is stored as ISO, and given back in the form as the 民國 date it was typed as.
    expect(store.lottery(rehearsal)?.meeting.date).toBe('2025-01-22T14:30');
    expect(await office.inputValue('#meeting_date')).toBe('114/1/22 14:30');
    await uploadRoster(office);
    await lock(office);
    // After the lock: the date as 民國114年1月22日, never the raw ISO of issue 11's report.
    await hasText(office.locator('section[aria-labelledby=h-meeting]'), '民國114年1月22日 14:30');
    await rocOnly(office);
    expect(await watermark(office)).toEqual(MARK);
    await axe(office);

    // ---- 2. The minister draws the rehearsal on the projector today, which is not its meeting day.
    const projector = await signedIn(h, 'minister');
    await hasText(projector.locator('header'), '（抽籤人）');
    await projector.goto(`${base}/lotteries/${rehearsal}/draw`);
    expect(await watermark(projector)).toEqual(MARK);
    await projector.click('#open-btn');
    await visible(projector.locator('#entropy-panel'));
    await projector.fill('#entropy', '6 2 5 1 3 4 1 2 3 4');
    await projector.click('#readback-btn');
    await hasText(projector.locator('#readback'), '62513 41234');
    await projector.click('.draw-btn[data-stage="1"]');
    await until(
      'stage 1 winners',
      async () => (await projector.locator('#stage-1 ol.winners li').count()) === 2,
      10_000,
    );
    await visible(projector.locator('.draw-btn[data-stage="2"]'), 10_000);
    await projector.click('.draw-btn[data-stage="2"]');
    await until(
      'stage 2 winner',
      async () => (await projector.locator('#stage-2 ol.winners li').count()) === 1,
      10_000,
    );
    const winners = await projector.locator('#stage-1 ol.winners li').evaluateAll((lis) =>
      lis.map((li) => {
        const name = li.querySelector<HTMLElement>('.name');
        return {
          ord: li.querySelector('.ord')?.textContent ?? '',
          px: name ? parseFloat(getComputedStyle(name).fontSize) : 0,
        };
      }),
    );
    expect(winners.map((w) => w.ord)).toEqual(['第 1 位', '第 2 位']);
    for (const w of winners) expect(w.px).toBeGreaterThanOrEqual(40);
    expect(await watermark(projector)).toEqual(MARK);
    expect(await projector.evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1)).toBe(
      true,
    );
    await shot(projector, 'draw-rehearsal');
    await axe(projector);

    // ---- 3. The rehearsal's record, through the confirmation page: marked 演練 there, on the result page and in the PDF.
    let list = await confirmPage(office, rehearsal);
    expect(await watermark(office)).toEqual(MARK);
    expect(list.certificate?.text).toContain('測試憑證');
    await axe(office);
    const rehearsalPdf = pdftotext(await issue(office));
    expect(await watermark(office)).toEqual(MARK);
    await rocOnly(office);
    expect(rehearsalPdf).toContain('演練');
    expect(rehearsalPdf).toContain('REHEARSAL');

    // ---- 4. 「以此名冊建立正式抽籤」: a real draft with the same roster, and no watermark.
    await office.goto(`${base}/lotteries/${rehearsal}`);
    await office.click('section[aria-labelledby=h-copy] button[type=submit]');
    await office.waitForURL((u) => !u.pathname.endsWith(`/${rehearsal}`));
    const copy = idOf(office);
    expect(await watermark(office)).toBeNull();
    expect(await office.locator('#rehearsal-banner').count()).toBe(0);
    expect(store.roster(copy)).toEqual(store.roster(rehearsal));
    expect(services.getLottery(copy).rehearsal ?? false).toBe(false);
    // The copy takes no input (copyRehearsal refuses any body; the page posts none) and keeps the rehearsal's
    // method, and the new-lottery form has no method field either: a physical lottery can only be created through
    // the API. This office draws balls, so the copy is cancelled with a reason from its page, and the physical
    // lottery below is created with POST /api/v1/lotteries' service (no page offers `method: "physical"`).
    expect(services.getLottery(copy).method).toBeUndefined();
    await office.fill('#cancel-reason', '本部以實體抽籤辦理，另行建立');
    await office.click('section[aria-labelledby=h-cancel] button[type=submit]');
    await visible(office.locator('#cancelled-banner'));
    await rocOnly(office);
    await office.goto(`${base}/lotteries?status=cancelled`);
    expect(await office.locator(`a[href="/lotteries/${copy}"]`).count()).toBe(1);
    // ---- 5. The real physical lottery: its meeting is today (a real draw happens on its meeting day only).
    const today = taipeiDate(Date.now());
    const physical = services.createLottery('cli', {
      year: 113,
      agency: '數位發展部',
      method: 'physical',
      stages: [
        { label: '實質審查', percent: '15' },
        { label: '前後年度申報財產比對', percent: '50' },
      ],
      meeting: {
        name: '113年度財產申報實質審查公開抽籤會議',
        date: `${today}T14:30`,
        venue: '第一會議室',
        chair: '部長',
        drawer: '次長',
        monitor: '政風處處長',
        recorder: '林怡芬',
        witnesses: ['王大明'],
      },
    }).id;
    await office.goto(`${base}/lotteries/${physical}`);
    expect(await watermark(office)).toBeNull();
    await uploadRoster(office);
    await lock(office);
    await hasText(office.locator('section[aria-labelledby=h-meeting]'), '民國');
    expect(await office.locator('section[aria-labelledby=h-meeting]').innerText()).toMatch(ROC);
    await visible(office.locator(`a[href="/lotteries/${physical}/balls"]`));

    // ---- 6. A witness replaced on the morning of the meeting, after the lock, from the amend form.
    const commitment = services.getLottery(physical).commitment;
    await office.fill('#witnesses', '張三');
    await office.click('#amend-meeting button[type=submit]');
    await office.waitForURL(new RegExp(`/lotteries/${physical}$`));
    const amended = office.locator('#meeting-amended');
    await visible(amended);
    expect(await amended.innerText()).toMatch(/^鎖定後修改：(中華)?民國\d{2,3}年\d{1,2}月\d{1,2}日/);
    expect(await office.inputValue('#witnesses')).toBe('張三');
    expect(services.getLottery(physical).commitment).toBe(commitment);
    await rocOnly(office);
    await axe(office);

    // ---- 7. The ball-entry screen on the projector, full screen at 1280×720.
    await projector.goto(`${base}/lotteries/${physical}/balls`);
    expect(await watermark(projector)).toBeNull();
    const fullscreen = async (): Promise<{ on: boolean; w: number; h: number }> =>
      projector.evaluate(() => ({
        on: document.fullscreenElement !== null,
        w: innerWidth,
        h: innerHeight,
      }));
    await projector.click('#fullscreen-btn');
    await until('full screen', async () => (await fullscreen()).on);
    expect(await fullscreen()).toEqual({ on: true, w: 1280, h: 720 });
    // Projector mode: the site header (sign-in, sign-out) is not on the screen.
    expect(await projector.locator('header.site').isVisible()).toBe(false);
    await projector.click('#open-btn');
    await visible(projector.locator('#stage-1 .ball-form'));
    // Stage 1: 15% of the 20 in the pool (the example roster excludes one), so 3 balls.
    await hasText(projector.locator('#stage-1 h2'), '抽出 3 顆');
    const sheet = await projector
      .locator('#stage-1 tr[data-number]')
      .evaluateAll((trs) =>
        trs.map((tr) => (tr as HTMLElement).querySelectorAll('td')[1]?.textContent ?? ''),
      );
    expect(sheet).toHaveLength(20);
    const last = projector.locator('#stage-1 .last-number');
    const enter = async (stage: number, n: number): Promise<void> => {
      await projector.fill(`#ball-${stage}`, String(n));
      await projector.click(`#stage-${stage} .ball-form button[type=submit]`);
    };
    await enter(1, 7);
    await until('ball 7', async () => (await last.innerText()) === '7');
    await enter(1, 15);
    await until('ball 15', async () => (await last.innerText()) === '15');
    expect(await projector.locator('#stage-1 .last-name').innerText()).toBe(sheet[14]);
    const sizes = await projector.evaluate(() => {
      const px = (s: string): number => {
        const el = document.querySelector(s);
        return el ? parseFloat(getComputedStyle(el).fontSize) : 0;
      };
      return { number: px('#stage-1 .last-number'), name: px('#stage-1 .last-name') };
    });
    expect(sizes.number).toBeGreaterThanOrEqual(40);
    expect(sizes.name).toBeGreaterThanOrEqual(40);
    expect(await fullscreen()).toEqual({ on: true, w: 1280, h: 720 });
    await shot(projector, 'balls');
    await axe(projector);
    // The third ball reaches the quota: the page comes back with stage 2's sheet (which leaves full screen, as
    // any page load does); the F key brings it back.
    await Promise.all([projector.waitForEvent('load'), enter(1, 3)]);
    await visible(projector.locator('#stage-2 .ball-form'));
    await projector.locator('body').click({ position: { x: 5, y: 5 } });
    await projector.keyboard.press('f');
    await until('full screen by F', async () => (await fullscreen()).on);
    expect(await projector.locator('#stage-2 tr[data-number]').allTextContents()).toEqual([
      `1${sheet[2]}`,
      `2${sheet[6]}`,
      `3${sheet[14]}`,
    ]);
    // Stage 2: 50% of 3 = 1.5, so 2 balls.
    await enter(2, 3);
    await until('ball 3', async () => (await projector.locator('#stage-2 .last-number').innerText()) === '3');
    await Promise.all([projector.waitForEvent('load'), enter(2, 1)]);
    await until('drawn', async () => services.getLottery(physical).status === 'drawn');

    // ---- 8. The record, through its checklist: the local URL and the test CA are named, with how to fix them.
    list = await confirmPage(office, physical);
    expect(await watermark(office)).toBeNull();
    expect(Object.keys(list).sort()).toEqual(['certificate', 'notice', 'publicUrl', 'roles']);
    // Outside production these warn and do not block (issue 11: refused only in production).
    expect(list.publicUrl?.cls).toBe('warn');
    expect(list.publicUrl?.text).toMatch(/LOTTERY_PUBLIC_URL/);
    expect(list.publicUrl?.text).toMatch(/處理方式/);
    expect(list.certificate?.cls).toBe('warn');
    expect(list.certificate?.text).toContain('測試憑證');
    expect(list.certificate?.text).toContain('LOTTERY_SIGNING_P12');
    expect(list.roles).toEqual({ cls: 'ok', text: expect.stringContaining('均已填寫') });
    expect(list.notice?.cls).toBe('warn');
    expect(list.notice?.text).toContain('抽籤公告');
    // A warning looks different from a ready item (amber, not green), as a person reads the list.
    const colour = (cls: string): Promise<string> =>
      office
        .locator(`#record-checklist li.${cls}`)
        .first()
        .evaluate((li) => getComputedStyle(li).color);
    expect(await colour('warn')).toBe('rgb(122, 74, 0)');
    expect(await colour('ok')).not.toBe(await colour('warn'));
    await rocOnly(office);
    await shot(office, 'record-confirm-physical');
    await axe(office);
    // Without the second confirmation (the test CA) the page refuses in a sentence, and issues nothing.
    await office.check('input[name=confirm]');
    await office
      .locator('input[name=confirmTestCertificate]')
      .evaluate((el) => el.removeAttribute('required'));
    await office.click('#record-confirm button[type=submit]');
    await hasText(office.locator('#confirm-error'), '測試憑證');
    expect(services.getLottery(physical).status).toBe('drawn');
    const pdf = pdftotext(await issue(office));
    await rocOnly(office);
    expect(await watermark(office)).toBeNull();
    expect(pdf).toContain('實體抽籤');
    expect(pdf).toContain('張三');
    expect(pdf).not.toContain('王大明');
    // The record notes that the particulars were amended after the lock, and when.
    expect(pdf.replace(/\s+/g, '')).toMatch(/會議資料異動.*於鎖定後修正.*修正時間/);
    expect(pdf).toContain('測試憑證');
    expect(pdf).not.toContain('REHEARSAL');
    await axe(office);
  }, 120_000);
});
