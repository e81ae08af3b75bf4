/**
 * issue 11 in headless Chromium at 1280×720: a rehearsal (演練) created from the new-lottery form carries the
 * watermark 「演練 REHEARSAL」 across the whole screen on the office's page and on the projector; a witness is
 * replaced after the lock from the page; the real lottery is created from the rehearsal's roster and has no
 * watermark; a cancelled lottery moves under 「已作廢」. axe-core checks the pages against WCAG 2.1 AA.
 */
import path from 'node:path';
import {} from 'playwright-core';
import { Store } from '../../src/store/store';
import { axe, watermark, signedIn, startHarness, stopHarness, type Harness, type Services } from './harness';
import { describeBrowser } from './browser';

let h: Harness;
let base: string;
let store: Store;
let services: Services;

beforeAll(async () => {
  h = await startHarness('e2e-life.sqlite', [
    { name: 'ethics', role: 'ethics' },
    { name: 'minister', role: 'drawer' },
  ]);
  ({ base, store, services } = h);
}, 60_000);

afterAll(async () => {
  await stopHarness(h);
});

describeBrowser('a rehearsal, and the real lottery made from its roster, in a browser', () => {
  it('the rehearsal is marked across the screen, amended after the lock, copied, and a real one cancelled', async () => {
    const page = await signedIn(h, 'ethics');
    await page.fill('#agency', '數位發展部');
    await page.check('#rehearsal');
    await page.click('section[aria-labelledby=create] button[type=submit]');
    await page.waitForURL(/\/lotteries\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    expect(await watermark(page)).toEqual({ text: '演練 REHEARSAL', width: 1280, height: 720 });
    await axe(page);

    // The roster and the lock through the services (the upload page is tested in ceremony.test.ts).
    const rows = Array.from({ length: 12 }, (_, i) => ({
      row: i + 1,
      values: { id: `P${String(i + 1).padStart(3, '0')}`, name: `申報人${i + 1}`, unit: '秘書處' },
    }));
    services.loadRoster('cli', id, rows, { strictFields: true });
    services.lock('cli', id);

    // A witness replaced after the lock, from the page.
    await page.reload();
    await page.fill('#witnesses', '王大明、張三');
    await page.click('#amend-meeting button[type=submit]');
    await page.waitForURL(new RegExp(`/lotteries/${id}$`));
    await page.locator('#meeting-amended').waitFor({ state: 'visible' });
    expect(store.lottery(id)?.meeting.witnesses).toEqual(['王大明', '張三']);

    // The projector, on any day: the watermark spans it too.
    const projector = await signedIn(h, 'minister');
    await projector.goto(`${base}/lotteries/${id}/draw`);
    expect(await watermark(projector)).toEqual({ text: '演練 REHEARSAL', width: 1280, height: 720 });
    if (process.env.SHOTS_DIR)
      await projector.screenshot({ path: path.join(process.env.SHOTS_DIR, 'draw-rehearsal.png') });
    await axe(projector);

    // 以此名冊建立正式抽籤: a real draft with the same roster, and no watermark.
    await page.click('section[aria-labelledby=h-copy] button[type=submit]');
    await page.waitForURL((u) => !u.pathname.endsWith(`/${id}`));
    const real = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    expect(await watermark(page)).toBeNull();
    expect(store.roster(real)).toEqual(store.roster(id));
    expect(await page.locator(`a[href="/lotteries/${id}"]`).count()).toBe(1);

    // Cancelled, it moves under 「已作廢」.
    await page.fill('#cancel-reason', '改期重辦');
    await page.click('section[aria-labelledby=h-cancel] button[type=submit]');
    await page.locator('#cancelled-banner').waitFor({ state: 'visible' });
    await axe(page);
    await page.goto(`${base}/lotteries`);
    expect(await page.locator(`a[href="/lotteries/${real}"]`).count()).toBe(0);
    await page.goto(`${base}/lotteries?status=cancelled`);
    expect(await page.locator(`a[href="/lotteries/${real}"]`).count()).toBe(1);
    await axe(page);
  }, 60_000);
});
