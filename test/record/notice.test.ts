import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { renderNotice, type NoticeData } from '../../src/record/notice';
import { signPdf } from '../../src/record/sign';
import { tempDir, testCaCertPem, testSigner } from '../helpers/app';
import { nssTrusting, pageToPng, pdffonts, pdfinfoPages, pdfsig, pdftotext } from '../helpers/poppler';

const signer = testSigner();
const fingerprint = `SHA256:${crypto
  .createHash('sha256')
  .update(crypto.createPublicKey(signer.publicKeyPem).export({ type: 'spki', format: 'der' }))
  .digest('hex')}`;

/** The 22-entry example: one excluded, 21 in the pool, 10% then 2%. Fixed values and times. */
function noticeData(overrides: Partial<NoticeData> = {}): NoticeData {
  return {
    lotteryId: 'moda-115',
    agency: '數位發展部',
    title: '115年度公職人員財產申報資料實質審查抽籤',
    year: 115,
    meeting: {
      name: '115年度財產申報實質審查公開抽籤會議',
      date: '2026-01-22T14:30',
      venue: '本部 A 棟 10 樓第一會議室',
      chair: '黃彥男',
      drawer: '黃彥男',
      monitor: '政風處處長 林怡芬',
    },
    count: 22,
    excludedCount: 1,
    stages: [
      { stage: 1, label: '實質審查', percent: '10', poolSize: 21, quota: 3 },
      { stage: 2, label: '前後年度申報財產比對', percent: '2', poolSize: 3, quota: 1 },
    ],
    rosterDigest: '61bd1e1ba9c47dfd00a47e001085f8171fd7aac58e22708f1bda67f1f7f667e7',
    commitment: '7152cd3344feb35e64cc0b0a7d20625639da4c26d61f58b5d8461330f1338d5c',
    keyFingerprint: fingerprint,
    lockedAt: new Date('2026-01-15T03:20:11Z'),
    issuedAt: new Date('2026-01-15T03:25:00Z'),
    publicUrl: 'https://lottery.example.gov.tw/verify/moda-115',
    ...overrides,
  };
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, '');

describe('the pre-meeting notice (抽籤公告) of the 21-person pool', () => {
  let pdf: Buffer;
  let text: string;
  beforeAll(async () => {
    pdf = await renderNotice(noticeData());
    text = pdftotext(pdf);
  });

  it('is headed with the agency and year, and names the lottery, the meeting time, venue and officials', () => {
    expect(text).toContain('數位發展部 115年度公職人員財產申報資料實質審查抽籤公告');
    expect(text).toContain('115年度公職人員財產申報資料實質審查抽籤\n');
    expect(text).toContain('抽籤時間：中華民國115年1月22日 14時30分（臺北時間）');
    expect(text).toContain('抽籤地點：本部 A 棟 10 樓第一會議室');
    expect(text).toContain('主持人 黃彥男；抽籤人 黃彥男；監察員 政風處處長 林怡芬');
    expect(text).toContain('公告日期：中華民國115年1月15日');
    // lockedAt 03:20:11Z is 11:20:11 in Taipei
    expect(oneLine(text)).toContain('已於中華民國115年1月15日 11時20分11秒（臺北時間）鎖定');
  });

  it('states the legal basis', () => {
    expect(text).toContain('公職人員財產申報法第11條');
    expect(text).toContain('公職人員財產申報資料審核及查閱辦法第7條');
  });

  it('shows each stage’s quota as exact arithmetic, rounded up: 21 × 10% = 2.1 → 3, then 3 × 2% = 0.06 → 1', () => {
    expect(oneLine(text)).toContain('名冊計 22 人，其中 1 人依規定不列入抽籤，第一階段母體為 21 人');
    expect(text).toContain('第一階段：母體 21 人 × 10% = 2.1，無條件進位為 3 人（實質審查）');
    expect(text).toContain('第二階段：母體 3 人 × 2% = 0.06，無條件進位為 1 人（前後年度申報財產比對）');
  });

  it('prints the roster digest, commitment and key fingerprint in full, unbroken', () => {
    const d = noticeData();
    expect(text).toContain(`名冊摘要 rosterDigest：${d.rosterDigest}`);
    expect(text).toContain(`承諾值 commitment：${d.commitment}`);
    expect(text).toContain(`金鑰指紋 keyFingerprint：${d.keyFingerprint}`);
  });

  it('prints the first 16 hex digits of the commitment and of the fingerprint large, grouped, and contiguous in the command', () => {
    const d = noticeData();
    const c16 = d.commitment.slice(0, 16);
    const f16 = d.keyFingerprint.slice(7, 23);
    const grouped = (h: string): string => (h.match(/.{4}/g) ?? []).join(' ');
    for (const mode of [[], ['-layout'], ['-raw']]) {
      const t = pdftotext(pdf, mode);
      expect([mode, t.includes(`承諾值（前 16 碼）：${grouped(c16)}`)]).toEqual([mode, true]);
      expect([mode, t.includes(`金鑰指紋（前 16 碼）：${grouped(f16)}`)]).toEqual([mode, true]);
    }
    expect(text).toContain(`--fingerprint ${d.keyFingerprint}`);
    expect(text).toContain(`--commitment ${c16}`);
    expect(text).toContain('npx lottery verify 稽核包.json');
  });

  it('tells observers to copy the values before the meeting and that the monitor rolls the dice', () => {
    const t = oneLine(text);
    expect(t).toContain('請旁聽人員於會前抄錄前開承諾值及金鑰指紋之前 16 碼');
    expect(t).toContain('抽籤時由監察員當場擲骰');
    expect(t).toContain('經投影幕回讀');
  });

  it('fits on one page, with the footer', () => {
    expect(pdfinfoPages(pdf)).toBe(1);
    expect(text).toContain('第 1 頁，共 1 頁');
  });

  it('embeds Noto Sans TC only', () => {
    const fonts = pdffonts(pdf);
    expect(fonts).toMatch(/NotoSansTC/);
    expect(fonts).not.toMatch(/Helvetica/);
  });

  it('links the QR code to the public page, and the QR drawn there is the code of that URL', () => {
    const url = noticeData().publicUrl;
    const raw = pdf.toString('latin1');
    // pdfkit writes annotations as plain objects: N 0 obj << /S /URI /URI (…) >>, and a /Link with /A N 0 R /Rect […]
    const actions = new Set(
      [...raw.matchAll(/(\d+) 0 obj\s*<<\s*\/S \/URI\s*\/URI \(([^)]*)\)/g)]
        .filter((a) => a[2] === url)
        .map((a) => a[1]),
    );
    const rects = [...raw.matchAll(/<<\s*\/Subtype \/Link\s*\/A (\d+) 0 R[^>]*?\/Rect \[([^\]]+)\]/g)]
      .filter((l) => actions.has(l[1]))
      .map((l) => (l[2] ?? '').trim().split(/\s+/).map(Number));
    const square = rects.find(
      (r) => Math.abs((r[2] ?? 0) - (r[0] ?? 0) - ((r[3] ?? 0) - (r[1] ?? 0))) < 0.01,
    );
    expect(square).toBeDefined();
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = square ?? [];
    // Sample the rendered page at the centre of each module and compare with the code the URL gives.
    const dpi = 144; // 2 pixels per point, about 5 per module
    const png = PNG.sync.read(pageToPng(pdf, 1, dpi));
    const k = dpi / 72;
    const pageHeight = png.height / k;
    const modules = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
    const cell = (x2 - x1) / modules.size;
    let wrong = 0;
    for (let r = 0; r < modules.size; r++)
      for (let c = 0; c < modules.size; c++) {
        const px = Math.round((x1 + (c + 0.5) * cell) * k);
        const py = Math.round((pageHeight - y2 + (r + 0.5) * cell) * k);
        const dark = (png.data[(py * png.width + px) * 4] ?? 255) < 128;
        if (dark !== Boolean(modules.get(r, c))) wrong++;
      }
    expect(wrong).toBe(0);
    // and a different URL's code would not match what is drawn
    const other = QRCode.create(`${url}x`, { errorCorrectionLevel: 'M' }).modules;
    let differs = 0;
    for (let r = 0; r < Math.min(other.size, modules.size); r++)
      for (let c = 0; c < Math.min(other.size, modules.size); c++)
        if (Boolean(other.get(r, c)) !== Boolean(modules.get(r, c))) differs++;
    expect(differs).toBeGreaterThan(10);
    expect(text).toContain(url);
    void y1;
  });
});

describe('a notice for a 1,180-person pool', () => {
  it('shows 1180 × 10% = 118 as a whole product, and 118 × 2% = 2.36 rounded up to 3', async () => {
    const text = pdftotext(
      await renderNotice(
        noticeData({
          count: 1180,
          excludedCount: 0,
          stages: [
            { stage: 1, label: '實質審查', percent: '10', poolSize: 1180, quota: 118 },
            { stage: 2, label: '前後年度申報財產比對', percent: '2', poolSize: 118, quota: 3 },
          ],
        }),
      ),
    );
    expect(text).toContain('第一階段：母體 1180 人 × 10% = 118 人（實質審查）');
    expect(text).toContain('第二階段：母體 118 人 × 2% = 2.36，無條件進位為 3 人');
    expect(oneLine(text)).toContain('名冊計 1180 人，均列入抽籤，第一階段母體為 1180 人');
    expect(text).not.toContain('無條件進位為 118');
  });

  it('computes 100 × 7% as 7, not the 8 floats give', async () => {
    const text = pdftotext(
      await renderNotice(
        noticeData({
          count: 100,
          excludedCount: 0,
          stages: [{ stage: 1, label: '實質審查', percent: '7', poolSize: 100, quota: 7 }],
        }),
      ),
    );
    expect(text).toContain('第一階段：母體 100 人 × 7% = 7 人');
    expect(text).not.toContain('第二階段');
  });
});

describe('a notice that would be wrong is refused, not signed', () => {
  it.each<[string, Partial<NoticeData>]>([
    [
      'a quota that does not follow from the percent',
      { stages: [{ stage: 1, label: 'x', percent: '7', poolSize: 21, quota: 1 }] },
    ],
    ['a stage-1 pool that is not count − excluded', { count: 30 }],
    [
      'a stage-2 pool that is not stage 1’s quota',
      {
        stages: [
          { stage: 1, label: 'a', percent: '10', poolSize: 21, quota: 3 },
          { stage: 2, label: 'b', percent: '2', poolSize: 2, quota: 1 },
        ],
      },
    ],
    [
      'an upper-case commitment',
      { commitment: '7152CD3344FEB35E64CC0B0A7D20625639DA4C26D61F58B5D8461330F1338D5C' },
    ],
    ['a fingerprint without SHA256:', { keyFingerprint: fingerprint.slice(7) }],
  ])('%s', async (_what, o) => {
    await expect(renderNotice(noticeData(o))).rejects.toThrow(RangeError);
  });
});

describe('the signed notice', () => {
  let signed: Buffer;
  beforeAll(async () => {
    const d = noticeData();
    const cms = {
      privateKeyPem: signer.privateKeyPem,
      certificatePem: signer.certificatePem ?? '',
      chainPem: signer.chainPem,
    };
    signed = await signPdf(await renderNotice(d), cms, d.issuedAt, d.lotteryId, 'notice');
  });

  it('pdfsig reports the whole document signed and the signature valid, and trusted once the CA is', () => {
    const out = pdfsig(signed);
    expect(out).toContain('Signature is Valid.');
    expect(out).toContain('Total document signed');
    expect(out).toContain('ETSI.CAdES.detached');
    expect(pdfsig(signed, nssTrusting(testCaCertPem()))).toContain('Certificate is Trusted.');
  });

  it('names the notice in the signature’s /Reason', () => {
    // a PDF literal string: the inner parentheses escaped
    expect(signed.toString('latin1')).toContain(
      String.raw`/Reason (Lottery notice moda-115 \(asset-review-lottery\))`,
    );
  });

  it('one flipped byte in the signed ranges makes pdfsig report a failure', () => {
    const bad = Buffer.from(signed);
    const at = bad.indexOf('/Title') + 8;
    bad[at] = (bad[at] ?? 0) ^ 0x01;
    expect(pdfsig(bad)).not.toContain('Signature is Valid.');
  });

  const hasQpdf = spawnSync('qpdf', ['--version']).status === 0;
  (hasQpdf ? it : it.skip)('qpdf --check finds no errors', () => {
    const f = path.join(tempDir(), 'notice.pdf');
    fs.writeFileSync(f, signed);
    const out = execFileSync('qpdf', ['--check', f]).toString('utf8');
    expect(out).toContain('No syntax or stream encoding errors found');
  });

  it('still gives back the text', () => {
    expect(pdftotext(signed)).toContain('數位發展部 115年度公職人員財產申報資料實質審查抽籤公告');
  });
});

describe('the notice of a rehearsal signed under the test CA', () => {
  it('says 「演練 REHEARSAL」 and 「測試憑證」 on every page, stays clean for qpdf and valid for pdfsig', async () => {
    const pdf = await signPdf(
      await renderNotice(noticeData({ rehearsal: true, testCertificate: true })),
      {
        privateKeyPem: signer.privateKeyPem,
        certificatePem: signer.certificatePem ?? '',
        chainPem: [testCaCertPem()],
      },
      new Date('2026-01-15T03:25:00Z'),
      'moda-115',
      'notice',
    );
    const pages = pdftotext(pdf)
      .split('\f')
      .filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages)
      expect([p.includes('演練 REHEARSAL'), p.includes('測試憑證')]).toEqual([true, true]);
    expect(pdfsig(pdf)).toContain('Signature is Valid.');
    if (spawnSync('qpdf', ['--version']).status === 0) {
      const f = path.join(tempDir(), 'notice.pdf');
      fs.writeFileSync(f, pdf);
      expect(spawnSync('qpdf', ['--check', f]).status).toBe(0);
    }
    const plain = pdftotext(await renderNotice(noticeData()));
    expect([plain.includes('演練'), plain.includes('測試憑證')]).toEqual([false, false]);
  });
});
