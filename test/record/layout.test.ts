import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { renderRecord, type RecordData } from '../../src/record/render';
import { signPdf } from '../../src/record/sign';
import { tempDir, testCaCertPem, testSigner } from '../helpers/app';
import { pdfsig, pdftotext } from '../helpers/poppler';
import { exampleRecordData } from '../helpers/record';

/** The text of each page, as pdftotext gives it (pages split at form feeds). */
const pagesOf = (pdf: Buffer): string[] =>
  pdftotext(pdf)
    .split('\f')
    .filter((p) => p.trim() !== '');

/** Text without white space: long lines wrap, and a wrap may eat a space. */
const flat = (s: string): string => s.replace(/\s+/g, '');

const SIGN = /簽名 ＿+/g;
const SIGNS = (p: string): boolean => /簽名 ＿+/.test(p);
/** The sentence the signatures sign, naming the record by its lottery id. */
const INTRO = '以上抽籤紀錄（抽籤編號 moda-113）經與會人員當場確認無誤，簽名如下：';

/** A roster of n people, with n / 10 winners in stage 1: the signature block lands at a different height each time. */
function withRoster(n: number, witnesses: number, publicCopy: boolean): RecordData {
  const base = exampleRecordData({ publicCopy });
  const [s1, s2] = base.stages;
  if (!s1 || !s2) throw new Error('the example has two stages');
  const roster = Array.from({ length: n }, (_, i) => ({
    id: `P${String(i + 1).padStart(4, '0')}`,
    name: `申報人${i + 1}`,
    unit: '數位發展部',
    title: '科長',
  }));
  const q1 = Math.ceil(n / 10);
  return {
    ...base,
    roster,
    stages: [
      { ...s1, poolSize: n, quota: q1, winners: roster.slice(0, q1) },
      { ...s2, poolSize: q1, quota: 1, winners: roster.slice(0, 1) },
    ],
    meeting: {
      ...base.meeting,
      witnesses: Array.from({ length: witnesses }, (_, i) => `見證人代表 第${i + 1}位`),
    },
  };
}

/** Each signature line is on a page with the heading 八、簽名 and the sentence it signs. */
function expectSignaturesWithWhatTheySign(pdf: Buffer, expected: number): void {
  const pages = pagesOf(pdf);
  let lines = 0;
  for (const [i, p] of pages.entries()) {
    const here = (p.match(SIGN) ?? []).length;
    lines += here;
    if (here > 0) expect([i + 1, p.includes('八、簽名'), p.includes(INTRO)]).toEqual([i + 1, true, true]);
  }
  expect(lines).toBe(expected);
  // …and all on one page (the block is far shorter than a page)
  expect(pages.filter(SIGNS).length).toBe(1);
}

describe('the record’s signature block', () => {
  it('for the 21-person example, full and public copy › every signature line is on the page of its heading and sentence', async () => {
    for (const publicCopy of [false, true]) {
      const d = exampleRecordData({ publicCopy });
      expectSignaturesWithWhatTheySign(await renderRecord(d), 4 + (d.meeting.witnesses?.length ?? 0));
    }
  });

  // Rosters from 21 to 700, with 0–6 witnesses: the block starts at many different heights on its page.
  const cases: Array<[number, number]> = [];
  for (let n = 30; n <= 700; n += 45) cases.push([n, ((n / 45) % 7) | 0]);
  it.each(cases)('for a roster of %i with %i witnesses › the block stays together', async (n, w) => {
    for (const publicCopy of [false, true])
      expectSignaturesWithWhatTheySign(await renderRecord(withRoster(n, w, publicCopy)), 4 + Math.max(w, 1));
  });

  it('a block taller than a page › each page of it starts with 八、簽名（續） and the sentence again', async () => {
    const pdf = await renderRecord(withRoster(21, 40, true));
    const pages = pagesOf(pdf).filter(SIGNS);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect([p.includes('八、簽名'), p.includes(INTRO)]).toEqual([true, true]);
    expect(pages[1]).toContain('八、簽名（續）');
  });
});

describe('times in the record', () => {
  const d = exampleRecordData({
    protocol: 'lottery-draw/v2',
    entropy: '625134123456',
    ceremonies: [{ kind: 'opened', at: new Date('2025-01-22T02:05:00Z'), by: '黃彥男' }],
  });

  it('every time is in Taipei with UTC beside it, the checkpoint’s with the exact UTC string that was signed', async () => {
    const text = flat(pdftotext(await renderRecord(d)));
    const has = (s: string): void => expect(text).toContain(flat(s));
    has('抽籤日期：中華民國114年1月22日 10時00分（臺北時間；UTC 2025-01-22 02:00）');
    has('中華民國114年1月22日 10時05分00秒（臺北時間；UTC 2025-01-22 02:05:00），黃彥男');
    has('實際抽籤時間：中華民國114年1月22日 10時12分41秒（臺北時間；UTC 2025-01-22 02:12:41；系統紀錄）');
    has('紀錄產製時間：中華民國114年1月22日 10時31分05秒（臺北時間；UTC 2025-01-22 02:31:05）');
    has('時間 at：中華民國114年1月22日 10時31分05秒（臺北時間；UTC 2025-01-22T02:31:05.123Z）');
  });

  it('amended meeting particulars › the record says so, and when, in Taipei and UTC', async () => {
    const text = flat(
      pdftotext(
        await renderRecord({
          ...d,
          meetingAmendedAt: ['2025-01-21T23:40:00.000Z', '2025-01-22T01:15:30.000Z'],
        }),
      ),
    );
    expect(text).toContain('會議資料異動');
    expect(text).toContain(
      flat(
        '中華民國114年1月22日 07時40分00秒（臺北時間；UTC 2025-01-21 23:40:00）、中華民國114年1月22日 09時15分30秒（臺北時間；UTC 2025-01-22 01:15:30）',
      ),
    );
    expect(pdftotext(await renderRecord(d))).not.toContain('會議資料異動');
  });
});

describe('the public copy’s citation of the protocol', () => {
  it('names the protocol and its version with the public page’s URL, never a repository path', async () => {
    for (const protocol of ['lottery-draw/v1', 'lottery-draw/v2']) {
      const d = exampleRecordData({
        publicCopy: true,
        protocol,
        entropy: protocol.endsWith('v2') ? '625134' : exampleRecordData().entropy,
        verifyUrl: 'https://lottery.example.gov.tw/verify/moda-113',
      });
      const text = flat(pdftotext(await renderRecord(d)));
      expect(text).toContain(`驗證方法依抽籤協定${protocol}`);
      expect(text).toContain('https://lottery.example.gov.tw/verify/moda-113');
      expect(text).not.toMatch(/docs\/|\.md\b/);
    }
  });
});

describe('the marks on every page', () => {
  const hasQpdf = spawnSync('qpdf', ['--version']).status === 0;
  const qpdfClean = (pdf: Buffer): void => {
    if (!hasQpdf) return;
    const f = path.join(tempDir(), 'x.pdf');
    fs.writeFileSync(f, pdf);
    const r = spawnSync('qpdf', ['--check', f]);
    expect([r.status, r.stdout.toString('utf8')]).toEqual([
      0,
      expect.stringContaining('No syntax or stream encoding errors found'),
    ]);
  };
  const signer = testSigner();
  const sign = (pdf: Buffer, kind?: 'notice'): Promise<Buffer> =>
    signPdf(
      pdf,
      {
        privateKeyPem: signer.privateKeyPem,
        certificatePem: signer.certificatePem ?? '',
        chainPem: [testCaCertPem()],
      },
      new Date('2025-01-22T02:31:05Z'),
      'moda-113',
      kind,
    );

  it.each([
    ['rehearsal', { rehearsal: true }, ['演練 REHEARSAL'], ['測試憑證']],
    ['testCertificate', { testCertificate: true }, ['測試憑證'], ['演練']],
    ['both', { rehearsal: true, testCertificate: true }, ['演練 REHEARSAL', '測試憑證'], []],
    ['neither', {}, [], ['演練', '測試憑證']],
  ])(
    '%s › the record says so on every page, stays clean for qpdf and valid for pdfsig',
    async (_w, marks, yes, no) => {
      const pdf = await sign(await renderRecord(exampleRecordData(marks)));
      const pages = pagesOf(pdf);
      expect(pages.length).toBeGreaterThan(2);
      for (const p of pages) {
        for (const s of yes) expect(p).toContain(s);
        for (const s of no) expect(p).not.toContain(s);
      }
      qpdfClean(pdf);
      expect(pdfsig(pdf)).toContain('Signature is Valid.');
    },
  );
});
