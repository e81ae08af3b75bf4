/**
 * Issue 12 in a browser: the ethics officer re-uploads a roster and sees, before confirming, who is added,
 * removed and changed, and that the exclusion reasons typed on the page are kept; the confirmed load keeps them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/app';
import { describeBrowser } from './browser';
import { hasText, signedIn, startHarness, stopHarness, type Harness } from './harness';

let h: Harness | undefined;
beforeAll(async () => {
  h = await startHarness('reupload.sqlite', [{ name: 'ethics', role: 'ethics' }]);
}, 60_000);
afterAll(async () => {
  await stopHarness(h);
});

describeBrowser('re-uploading a roster in a browser', () => {
  it('shows the diff in words, keeps the typed reasons, and loads what it showed', async () => {
    const s = (h as Harness).services;
    const l = s.createLottery('cli', { year: 114, agency: '政風室' });
    const rows = [
      ['D001', '王小明', '總務處'],
      ['D002', '李美華', '人事室'],
      ['D003', '陳志明', '會計室'],
    ].map(([id, name, unit], i) => ({ row: i + 1, values: { id, name, unit } }));
    s.loadRoster('cli', l.id, rows, { strictFields: true });
    s.updateEntry('cli', l.id, 'D002', { excluded: '留職停薪' });
    s.updateEntry('cli', l.id, 'D003', { excluded: '已離職' });
    const file = path.join(tempDir(), '名冊.csv');
    fs.writeFileSync(file, '編號,姓名,單位\nD001,王小明,秘書室\nD002,李美華,人事室\nD004,林怡芬,政風室\n');
    const page = await signedIn(h as Harness, 'ethics');
    await page.goto(`${(h as Harness).base}/lotteries/${l.id}`);
    await hasText(page.locator('#upload-rules'), '保留此頁已輸入的不列入抽籤原因');
    await page.setInputFiles('#file', file);
    await page.waitForSelector('#confirm-load:not([hidden])');
    await hasText(page.locator('#report-header-row'), '以第 1 列為標題列');
    await hasText(page.locator('#report-diff .diff-summary'), '新增 1 人、移除 1 人、資料變更 1 人');
    await hasText(page.locator('#diff-kept-reasons'), '保留頁面上已輸入的 1 筆不列入抽籤原因');
    await hasText(page.locator('#report-diff .diff-added'), 'D004 林怡芬');
    await hasText(page.locator('#report-diff .diff-removed'), 'D003 陳志明');
    await hasText(page.locator('#report-diff .diff-changed'), 'D001 王小明');
    await hasText(page.locator('#report-diff .diff-dropped'), '「已離職」（此人已不在名冊）');
    await hasText(page.locator('#report-diff .diff-kept-list'), 'D002 李美華：「留職停薪」');
    await page.click('#confirm-load');
    await page.waitForSelector('#ex-D004');
    expect(await page.inputValue('#ex-D002')).toBe('留職停薪');
    expect(await page.locator('#ex-D003').count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
