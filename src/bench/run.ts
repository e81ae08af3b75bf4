/**
 * `npm run bench`: figures, not assertions. Each figure is the median of several runs on this machine; the
 * last line is one JSON object with every figure, for docs/performance.md and for comparing runs.
 */
import ExcelJS from 'exceljs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drawAll } from '../domain/protocol';
import { generatePrivatePem, sha256Node, signerFromPem } from '../keys/signer';
import { importRoster } from '../roster/import';
import { fontHasGlyph } from '../roster/font';
import { Services } from '../services/services';
import { Store } from '../store/store';
import { makeTestCertificates } from '../keys/certs';
import { loadRecordAssets, renderRecord } from '../record/render';
import { signPdf } from '../record/sign';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function time(runs: number, fn: () => Promise<void> | void): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.round(median(out) * 10) / 10;
}

const UNITS = [
  '數位策略司',
  '韌性建設司',
  '資源管理司',
  '數位政府司',
  '數位國際司',
  '資料創新司',
  '秘書處',
  '人事處',
];
const SURNAMES = '陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐';
const GIVEN = '怡君志明淑芬家豪雅婷俊傑美玲建宏佩珊冠宇';

function person(i: number): string[] {
  const name =
    (SURNAMES[i % 20] ?? '陳') + (GIVEN[(i * 7) % 16] ?? '明') + (GIVEN[(i * 13 + 3) % 16] ?? '華');
  return [
    `P${String(i).padStart(5, '0')}`,
    name,
    UNITS[i % UNITS.length] ?? '秘書處',
    i % 10 === 0 ? '司長' : '科長',
  ];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-bench-'));
  const store = Store.open(path.join(dir, 'bench.sqlite'));
  const signerPem = generatePrivatePem();
  const services = new Services({
    store,
    signer: signerFromPem(signerPem),
    clock: () => new Date(),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
  });
  const lottery = services.createLottery('cli', { year: 114, agency: '效能測試' });
  fontHasGlyph(0x4e00); // the font's character map loads once per process; measure loads after it

  const N = 20_000;
  const rows = [['編號', '姓名', '服務機關', '職稱'], ...Array.from({ length: N }, (_, i) => person(i + 1))];
  const csv = Buffer.from(rows.map((r) => r.join(',')).join('\r\n'));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名冊');
  rows.forEach((r) => ws.addRow(r));
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());

  const load = async (bytes: Buffer, type: string): Promise<void> => {
    const imported = await importRoster(bytes, type);
    const r = services.loadRoster('cli', lottery.id, imported.rows, {
      strictFields: imported.strictFields,
      warnings: imported.warnings,
    });
    if (r.count !== N) throw new Error(`loaded ${r.count}`);
  };
  const rosterLoadCsvMs = await time(5, () => load(csv, 'text/csv'));
  const rosterLoadXlsxMs = await time(5, () =>
    load(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  );
  console.log(
    `rosterLoadMs: ${N} rows, CSV ${rosterLoadCsvMs} ms, xlsx ${rosterLoadXlsxMs} ms (import, validate, digest, store, journal)`,
  );

  const pool = Array.from({ length: 1180 }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
  const seed = crypto.randomBytes(32).toString('hex');
  const drawMs = await time(21, () => {
    drawAll(
      seed,
      [
        { stage: 1, percent: '10' },
        { stage: 2, percent: '2' },
      ],
      pool,
    );
  });
  console.log(`drawMs: 1,180 → 118 → 3 in ${drawMs} ms`);

  // recordMs: render and sign one copy of the record for a 1,180-person pool (118 + 3 winners and the
  // 1,180-row appendix), after the font and template are loaded.
  const bigRoster = Array.from({ length: 1180 }, (_, i) => {
    const [id = '', name = '', unit = '', title = ''] = person(i + 1);
    return { id, name, unit, title };
  });
  const big = drawAll(
    seed,
    [
      { stage: 1, percent: '10' },
      { stage: 2, percent: '2' },
    ],
    bigRoster.map((e) => e.id),
  );
  const byId = new Map(bigRoster.map((e) => [e.id, e]));
  const certified = makeTestCertificates(signerPem, new Date());
  loadRecordAssets();
  const recordData = {
    lotteryId: '114-bench',
    agency: '效能測試部',
    title: '114年度公職人員財產申報資料實質審查抽籤',
    year: 114,
    meeting: {
      name: '抽籤會議',
      date: '2026-01-22T10:00',
      chair: '部長',
      monitor: '政風處長',
      witnesses: ['甲', '乙'],
    },
    stages: big.map((s, i) => ({
      ...s,
      label: i === 0 ? '實質審查' : '前後年度申報財產比對',
      winners: s.winners.map((w) => byId.get(w) ?? { id: w, name: '' }),
    })),
    roster: bigRoster,
    rosterDigest: seed,
    commitment: seed,
    entropy: '6 2 5 1 3 4',
    secret: seed,
    seed,
    protocol: 'lottery-draw/v1',
    checkpoint: {
      seq: 1,
      hash: seed,
      at: new Date().toISOString(),
      alg: 'RS256',
      signature: 'A'.repeat(512),
    },
    issuedAt: new Date(),
    verifyUrl: 'http://localhost:3000/verify/114-bench',
    publicCopy: false,
    publicFields: ['name', 'unit', 'title'] as Array<'name' | 'unit' | 'title'>,
  };
  const cms = {
    privateKeyPem: signerPem,
    certificatePem: certified.certPem,
    chainPem: [certified.caCertPem],
  };
  await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench'); // warm-up
  const recordMs = await time(7, async () => {
    await signPdf(await renderRecord(recordData), cms, new Date(), '114-bench');
  });
  console.log(`recordMs: render + sign one record of a 1,180-person pool in ${recordMs} ms`);

  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const figures = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    rosterLoadMs: { csv: rosterLoadCsvMs, xlsx: rosterLoadXlsxMs },
    drawMs,
    recordMs,
  };
  console.log(JSON.stringify(figures));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
