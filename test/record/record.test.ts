import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import request from 'supertest';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { renderRecord } from '../../src/record/render';
import {
  auth,
  createLoaded,
  drawnLottery,
  example,
  makeApp,
  tempDir,
  testCaCertPem,
  type TestApp,
} from '../helpers/app';
import { sha256 } from '../helpers/crypto';
import { nssTrusting, pageToPng, pdffonts, pdfinfoPages, pdfsig, pdftotext } from '../helpers/poppler';
import { exampleRecordData } from '../helpers/record';
import crypto from 'node:crypto';

/** supertest parser that keeps a PDF answer as raw bytes. */
const binary = (res: request.Response, cb: (err: Error | null, body: unknown) => void): void => {
  const c: Buffer[] = [];
  res.on('data', (d: Buffer) => c.push(d));
  res.on('end', () => cb(null, Buffer.concat(c)));
};

const bytesSha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

async function drawnWithMeeting(t: TestApp, roster: unknown[] = example.roster): Promise<string> {
  const meeting = {
    name: '113年度抽籤會議',
    // A v2 ceremony is drawn on the meeting day: the meeting is today, at 10:00 (Asia/Taipei).
    date: `${t.today()}T10:00`,
    venue: '第一會議室',
    chair: '黃部長',
    drawer: '黃部長',
    monitor: '林處長',
    recorder: '陳科員',
    witnesses: ['王處長', '李處長'],
  };
  return drawnLottery(t, '6 2 5 1 3  4 1 2 3 4', { year: 113, agency: '數位發展部', meeting }, roster);
}

describe('the signed lottery record of the 21-person example', () => {
  let t: TestApp;
  let id: string;
  let pdf: Buffer;
  let pub: Buffer;
  let issued: { sha256: string; publicSha256: string };
  beforeAll(async () => {
    t = makeApp();
    id = await drawnWithMeeting(t);
    issued = (
      await request(t.app)
        .post(`/api/v1/lotteries/${id}/record`)
        .set(...auth(t.tokens.ethics))
        .expect(201)
    ).body;
    pdf = (
      await request(t.app)
        .get(`/api/v1/lotteries/${id}/record.pdf`)
        .set(...auth(t.tokens.auditor))
        .buffer(true)
        .parse(binary)
        .expect(200)
    ).body as Buffer;
    pub = (
      await request(t.app)
        .get(`/api/v1/public/lotteries/${id}/record.pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200)
    ).body as Buffer;
  }, 60_000);
  afterAll(() => t.close());

  it('is issued once: the stored bytes come back every time, and their hashes are journalled', async () => {
    expect(bytesSha(pdf)).toBe(issued.sha256);
    expect(bytesSha(pub)).toBe(issued.publicSha256);
    const again = await request(t.app)
      .get(`/api/v1/lotteries/${id}/record.pdf`)
      .set(...auth(t.tokens.ethics))
      .buffer(true)
      .expect(200);
    expect(again.headers['content-type']).toBe('application/pdf');
    expect(
      (
        await request(t.app)
          .post(`/api/v1/lotteries/${id}/record`)
          .set(...auth(t.tokens.ethics))
          .expect(409)
      ).body.code,
    ).toBe('ALREADY_ISSUED');
    const j = await request(t.app)
      .get(`/api/v1/journal?lottery=${id}&type=record.issued`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    expect(j.body.entries.map((e: { data: unknown }) => e.data)).toEqual([
      { lottery: id, sha256: issued.sha256 },
      { lottery: id, sha256: issued.publicSha256, public: true },
    ]);
  });

  it('gives back, through pdftotext, every name, the entropy verbatim and the hex values unbroken', () => {
    const text = pdftotext(pdf);
    for (const e of example.roster) expect(text).toContain(e.name);
    expect(text).toContain('6251341234'); // the canonical digits that were hashed
    expect(text).toContain('62513 41234'); // grouped for reading aloud
    const b = t.services.bundle(id);
    for (const h of [b.rosterDigest, b.commitment, b.secret, b.seed]) expect(text).toContain(h);
    expect(text).toContain('20 人 × 10% = 2 人');
    expect(text).toContain('2 人 × 2% = 0.04，無條件進位為 1 人');
    expect(text).toContain('本部首長由上級政風機構審核');
    const [y, m, d] = t.today().split('-').map(Number);
    expect(text).toContain(`中華民國${(y ?? 0) - 1911}年${m}月${d}日 10時00分`);
    expect(text.replace(/\s+/g, '')).toMatch(
      /實際抽籤時間：中華民國\d+年\d+月\d+日\d\d時\d\d分\d\d秒（臺北時間；UTC\d{4}-\d\d-\d\d\d\d:\d\d:\d\d；系統紀錄）/,
    );
    expect(text).toMatch(/第 1 頁，共 \d 頁/);
    for (const role of ['主持人', '抽籤人', '監察員', '見證人', '紀錄']) expect(text).toContain(role);
  });

  it.each([
    ['a run of spaces', '6  2   5 1'],
    ['ideographic and no-break spaces', '6\u30002\u00a05'],
    ['full-width digits', '６２５１３４'],
    ['200 characters over several lines', `${'3'.repeat(80)}  ${'4 '.repeat(58)}5`],
  ])('gives back the entropy exactly, in reading order after its label, with %s', async (_what, entropy) => {
    expect([...entropy].length).toBeLessThanOrEqual(200);
    for (const mode of [[], ['-layout'], ['-raw']]) {
      const text = pdftotext(await renderRecord(exampleRecordData({ entropy })), mode);
      const label = text.indexOf('現場亂數 entropy');
      const at = text.indexOf(entropy);
      expect([mode, at > label, text.indexOf(entropy, at + 1)]).toEqual([mode, true, -1]);
      expect(text.slice(label, at)).not.toMatch(/字元；UTF-8/);
    }
  });

  it('embeds every font (Noto Sans TC as a subset) and no pdfkit default Helvetica', () => {
    const fonts = pdffonts(pdf);
    expect(fonts).toMatch(/NotoSansTC/);
    expect(fonts).not.toMatch(/Helvetica/);
    const rows = fonts
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatch(/\byes\s+yes\s+yes\b/);
  });

  it('pdfsig reports the signature valid, and trusted once the local CA is', () => {
    expect(pdfsig(pdf)).toContain('Signature is Valid.');
    expect(pdfsig(pdf)).toContain('ETSI.CAdES.detached');
    expect(pdfsig(pdf, nssTrusting(testCaCertPem()))).toContain('Certificate is Trusted.');
    expect(pdfsig(pub)).toContain('Signature is Valid.');
  });

  const hasQpdf = spawnSync('qpdf', ['--version']).status === 0;
  (hasQpdf ? it : it.skip)(
    'qpdf --check finds no errors or warnings in the signed record and its public copy',
    () => {
      for (const b of [pdf, pub]) {
        const f = path.join(tempDir(), 'record.pdf');
        fs.writeFileSync(f, b);
        const r = spawnSync('qpdf', ['--check', f]);
        expect([r.status, r.stdout.toString('utf8') + r.stderr.toString('utf8')]).toEqual([
          0,
          expect.stringContaining('No syntax or stream encoding errors found'),
        ]);
      }
    },
  );

  it('one flipped byte in the signed ranges makes pdfsig report a failure', () => {
    const bad = Buffer.from(pdf);
    const at = bad.indexOf('/Title') + 8;
    bad[at] = (bad[at] ?? 0) ^ 0x01;
    const out = pdfsig(bad);
    expect(out).not.toContain('Signature is Valid.');
  });

  it('lottery verify --pdf checks the hash against the journal and the signature against the bundle’s certificate', async () => {
    const b = t.services.bundle(id);
    expect(b.record).toEqual({ sha256: issued.sha256, publicSha256: issued.publicSha256 });
    const r = await verifyBundle(b, nodeVerifyDeps, { pdf, trustedFingerprint: t.services.keyFingerprint() });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['record.journal', 'record.pdf.hash', 'record.pdf.signature']),
    );
    expect(
      (await verifyBundle(b, nodeVerifyDeps, { pdf: pub, trustedFingerprint: t.services.keyFingerprint() }))
        .ok,
    ).toBe(true);
    // A byte inside the signature's own zero padding: pdfsig still says valid, the hash check does not.
    const padded = Buffer.from(pdf);
    const hole = padded.lastIndexOf('0000000000>');
    padded[hole] = 0x31;
    expect(pdfsig(padded)).toContain('Signature is Valid.');
    const r2 = await verifyBundle(b, nodeVerifyDeps, {
      pdf: padded,
      trustedFingerprint: t.services.keyFingerprint(),
    });
    expect(r2.checks.find((c) => c.name === 'record.pdf.hash')?.ok).toBe(false);
  });

  it('the public copy has no exclusion reasons and no roster appendix', () => {
    const text = pdftotext(pub);
    expect(text).toContain('（公開版）');
    expect(text).not.toContain('本部首長由上級政風機構審核');
    expect(text).toContain('不列入抽籤者 1 人');
    expect(text).not.toContain('附錄');
    const b = t.services.bundle(id);
    const winners = new Set(b.stages.flatMap((s) => s.winners));
    const loser = example.roster.find((e) => !winners.has(e.id) && !e.excluded);
    expect(text).not.toContain(loser?.name);
  });

  it('before the last stage there is no record to issue', async () => {
    const other = await createLoaded(t);
    expect(
      (
        await request(t.app)
          .post(`/api/v1/lotteries/${other}/record`)
          .set(...auth(t.tokens.ethics))
          .expect(409)
      ).body.code,
    ).toBe('NOT_DRAWN');
    expect(
      (await request(t.app).get(`/api/v1/public/lotteries/${other}/record.pdf`).expect(404)).body.code,
    ).toBe('NOT_ISSUED');
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/record`)
      .set(...auth(t.tokens.drawer))
      .expect(403);
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/record.pdf`)
      .set(...auth(t.tokens.drawer))
      .expect(403);
  });
});

describe('a 1,180-person pool', () => {
  it('paginates 118 + 3 winners and the whole roster with headers repeated and page numbers, dropping nothing', async () => {
    const t = makeApp();
    try {
      const roster = Array.from({ length: 1180 }, (_, i) => ({
        id: `P${String(i + 1).padStart(4, '0')}`,
        name: `申報人${String(i + 1).padStart(4, '0')}${i === 7 ? '尘' : ''}`,
        unit:
          i % 50 === 0
            ? '數位發展部數位產業署產業發展組第三科暨跨域數位創新推動辦公室（兼任）'
            : '數位發展部',
        title: '科長',
      }));
      const id = await drawnWithMeeting(t, roster);
      await request(t.app)
        .post(`/api/v1/lotteries/${id}/record`)
        .set(...auth(t.tokens.ethics))
        .expect(201);
      const pdf = t.services.recordPdf(id, 'full');
      const pages = pdfinfoPages(pdf);
      expect(pages).toBeGreaterThan(20);
      const text = pdftotext(pdf);
      for (const e of roster) if (!e.name.includes('尘')) expect(text).toContain(e.name);
      expect(text.replace(/\s+/g, '')).toContain('申報人0008〔U+5C18〕');
      expect(text).not.toContain('尘');
      expect(text).toContain(`第 ${pages} 頁，共 ${pages} 頁`);
      const perPage = text.split('\f').filter((p) => p.trim() !== '');
      expect(perPage).toHaveLength(pages);
      for (const p of perPage.slice(-5)) expect(p).toContain('不列入抽籤原因'); // the appendix header on every page
      expect(pdfsig(pdf)).toContain('Signature is Valid.');
    } finally {
      t.close();
    }
  }, 60_000);
});

describe('page 1 against the golden image', () => {
  // test/fixtures/record-page1.png: page 1 of exampleRecordData() (fixed ids, secret, entropy, times; Asia/Taipei),
  // rendered at 50 dpi by pdftoppm. Regenerate with UPDATE_GOLDEN=1 npx jest test/record and look at it.
  const golden = path.resolve(__dirname, '..', 'fixtures', 'record-page1.png');
  it('matches, allowing anti-aliasing noise', async () => {
    const png = pageToPng(await renderRecord(exampleRecordData()), 1, 50);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden, png);
    const a = PNG.sync.read(png);
    const b = PNG.sync.read(fs.readFileSync(golden));
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let differing = 0;
    for (let i = 0; i < a.data.length; i += 4) {
      const d =
        Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) +
        Math.abs((a.data[i + 1] ?? 0) - (b.data[i + 1] ?? 0)) +
        Math.abs((a.data[i + 2] ?? 0) - (b.data[i + 2] ?? 0));
      if (d > 96) differing++;
    }
    expect(differing / (a.width * a.height)).toBeLessThan(0.002);
  });

  it('would notice a changed name', async () => {
    const data = exampleRecordData();
    const s0 = data.stages[0];
    if (s0?.winners[0]) s0.winners[0] = { ...s0.winners[0], name: '王大明' };
    const a = PNG.sync.read(pageToPng(await renderRecord(data), 1, 50));
    const b = PNG.sync.read(fs.readFileSync(golden));
    let differing = 0;
    for (let i = 0; i < a.data.length; i += 4)
      if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) > 96) differing++;
    expect(differing).toBeGreaterThan(10);
  });
});

void sha256;

describe('when the office publishes masked names only (LOTTERY_PUBLIC_FIELDS=name:masked)', () => {
  let t: TestApp;
  let id: string;
  let winners: Array<{ id: string; name: string; unit?: string; title?: string }>;
  beforeAll(async () => {
    t = makeApp({ publicFields: ['name:masked'] });
    id = await drawnWithMeeting(t);
    const full = await request(t.app)
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    winners = (full.body.results as Array<{ winners: typeof winners }>).flatMap((r) => r.winners);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/record`)
      .set(...auth(t.tokens.ethics))
      .expect(201);
  });
  afterAll(() => t.close());

  it('the signed-in view keeps full names; the public API, page and record copy show only 王○明', async () => {
    expect(winners.length).toBeGreaterThanOrEqual(3);
    expect(winners.every((w) => w.unit !== undefined)).toBe(true);
    const masked = (n: string): string => {
      const c = Array.from(n);
      return c.length === 2 ? `${c[0]}○` : `${c[0]}${'○'.repeat(c.length - 2)}${c[c.length - 1]}`;
    };
    const api = await request(t.app).get(`/api/v1/public/lotteries/${id}`).expect(200);
    const shown = (api.body.results as Array<{ winners: Array<Record<string, string>> }>).flatMap(
      (r) => r.winners,
    );
    expect(shown).toEqual(winners.map((w) => ({ id: w.id, name: masked(w.name) })));
    const page = (await request(t.app).get(`/verify/${id}`).expect(200)).text;
    const pdf = (
      await request(t.app).get(`/api/v1/public/lotteries/${id}/record.pdf`).buffer(true).parse(binary)
    ).body as Buffer;
    const text = pdftotext(pdf);
    for (const w of winners) {
      expect([w.id, page.includes(w.name), text.includes(w.name)]).toEqual([w.id, false, false]);
      expect(page).toContain(masked(w.name));
      expect(text).toContain(masked(w.name));
      if (w.unit) expect(text).not.toContain(w.unit);
    }
    expect(pdfsig(pdf)).toContain('Signature is Valid.');
  });
});

describe('the record of a lottery-draw/v2 ceremony', () => {
  const keyFingerprint = `SHA256:3f2a9c1b0d7e55a1${'0123456789abcdef'.repeat(3)}`;
  const ceremonies = [
    { kind: 'opened' as const, at: new Date('2025-01-22T02:05:00Z'), by: '政風處處長 林怡芬' },
    {
      kind: 'adjourned' as const,
      at: new Date('2025-01-22T02:07:12Z'),
      by: '政風處處長 林怡芬',
      reason: '投影設備故障',
    },
    { kind: 'opened' as const, at: new Date('2025-01-22T02:10:03Z'), by: '黃彥男' },
  ];
  const v2 = (entropy = '625134123456'): ReturnType<typeof exampleRecordData> =>
    exampleRecordData({ protocol: 'lottery-draw/v2', entropy, keyFingerprint, ceremonies });

  it('lists every opening and adjournment in order, in Taipei time, with who and the reason', async () => {
    const text = pdftotext(await renderRecord(v2())).replace(/\s+/g, '');
    const lines = [
      '抽籤程序開啟：中華民國114年1月22日 10時05分00秒（臺北時間；UTC 2025-01-22 02:05:00），政風處處長 林怡芬',
      '休會：中華民國114年1月22日 10時07分12秒（臺北時間；UTC 2025-01-22 02:07:12），政風處處長 林怡芬，理由：投影設備故障',
      '抽籤程序開啟：中華民國114年1月22日 10時10分03秒（臺北時間；UTC 2025-01-22 02:10:03），黃彥男',
    ];
    const at = lines.map((l) => text.indexOf(l.replace(/\s+/g, '')));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text.indexOf((lines[2] ?? '').replace(/\s+/g, ''))).toBeLessThan(text.indexOf('實際抽籤時間'));
  });

  it('prints the canonical digits in groups of five for reading aloud, and the exact digit string once', async () => {
    const digits = '62513412345612345';
    const pdf = await renderRecord(v2(digits));
    for (const mode of [[], ['-layout'], ['-raw']]) {
      const text = pdftotext(pdf, mode);
      const label = text.indexOf('現場亂數 entropy');
      const grouped = text.indexOf('62513 41234 56123 45');
      const exact = text.indexOf(`雜湊之數字串：${digits}`);
      expect([mode, label >= 0, grouped > label, exact > grouped]).toEqual([mode, true, true, true]);
      expect([mode, text.split(digits).length - 1]).toEqual([mode, 1]);
      expect(text).toContain('共 17 位數字');
      // the v1 detail (UTF-8 hex of what was typed) has no place under v2
      expect(text).not.toContain('字元；UTF-8');
    }
  });

  it('prints the key fingerprint in full, and its and the commitment’s first 16 hex digits large and grouped', async () => {
    const d = v2();
    const text = pdftotext(await renderRecord(d));
    expect(text).toContain(keyFingerprint);
    expect(text).toContain(d.commitment);
    expect(text).toContain(
      `承諾值（前 16 碼）：${(d.commitment.slice(0, 16).match(/.{4}/g) ?? []).join(' ')}`,
    );
    expect(text).toContain('金鑰指紋（前 16 碼）：3f2a 9c1b 0d7e 55a1');
  });

  it('a v1 record has the commitment’s readout but no fingerprint, ceremony or digit lines', async () => {
    const text = pdftotext(await renderRecord(exampleRecordData()));
    expect(text).toContain('承諾值（前 16 碼）：7152 cd33 44fe b35e');
    expect(text).not.toContain('金鑰指紋');
    expect(text).not.toContain('抽籤程序開啟');
    expect(text).not.toContain('雜湊之數字串');
    expect(text).toContain('共 11 字元；UTF-8 十六進位：3620322035203120332034');
  });

  it('under v2 an entropy that is not digits still prints verbatim, never as digits', async () => {
    const text = pdftotext(await renderRecord(v2('6 2 5 1 3 4')));
    expect(text).toContain('6 2 5 1 3 4');
    expect(text).not.toContain('雜湊之數字串');
  });
});
