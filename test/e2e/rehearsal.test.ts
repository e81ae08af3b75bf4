/**
 * issue 11 in headless Chromium at 1280×720: a rehearsal (演練) created from the new-lottery form carries the
 * watermark 「演練 REHEARSAL」 across the whole screen on the office's page and on the projector; a witness is
 * replaced after the lock from the page; the real lottery is created from the rehearsal's roster and has no
 * watermark; a cancelled lottery moves under 「已作廢」. axe-core checks the pages against WCAG 2.1 AA.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../src/http/app';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { Store } from '../../src/store/store';
import { tempDir, testSigner } from '../helpers/app';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server: Server;
let base: string;
let browser: Browser;
let store: Store;
let services: ReturnType<typeof buildApp>['services'];

async function axe(page: Page): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
    };
    const r = await w.axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
  expect([page.url(), violations]).toEqual([page.url(), []]);
}

/** What a person sees of the watermark: its text, and how much of the screen it spans. */
async function watermark(page: Page): Promise<{ text: string; width: number; height: number } | null> {
  return page.evaluate(() => {
    const el = document.querySelector('.rehearsal-mark');
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const text = getComputedStyle(el, '::before').content.replace(/^"|"$/g, '');
    return { text, width: r.width, height: r.height };
  });
}

beforeAll(async () => {
  store = Store.open(path.join(tempDir(), 'e2e-life.sqlite'));
  const built = buildApp({ store, signer: testSigner(), rateLimits: false });
  services = built.services;
  const auth = new Auth({
    store,
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  for (const [name, role] of [
    ['ethics', 'ethics'],
    ['minister', 'drawer'],
  ] as const) {
    const u = services.addUser('cli', { name, role });
    auth.setPassword(u.id, `password-${name}-123`);
  }
  server = await new Promise((resolve) => {
    const s = built.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  store?.close();
});

async function signedIn(name: string): Promise<Page> {
  const c = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-TW' });
  const page = await c.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', `password-${name}-123`);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/lotteries/);
  return page;
}

describe('a rehearsal, and the real lottery made from its roster, in a browser', () => {
  it('the rehearsal is marked across the screen, amended after the lock, copied, and a real one cancelled', async () => {
    const page = await signedIn('ethics');
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
    const projector = await signedIn('minister');
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
