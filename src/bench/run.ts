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
  const services = new Services({
    store,
    signer: signerFromPem(generatePrivatePem()),
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

  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const figures = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    rosterLoadMs: { csv: rosterLoadCsvMs, xlsx: rosterLoadXlsxMs },
    drawMs,
  };
  console.log(JSON.stringify(figures));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
