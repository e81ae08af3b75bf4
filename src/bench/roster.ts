/** rosterLoadMs: 20,000 rows from CSV and xlsx bytes to a committed load (import, validate, digest, store, journal). */
import ExcelJS from 'exceljs';
import { importRoster } from '../roster/import';
import type { Services } from '../services/services';
import { person } from './people';
import { time } from './stats';

export const ROSTER_ROWS = 20_000;

export async function rosterLoad(
  services: Services,
  lotteryId: string,
): Promise<{ csv: number; xlsx: number }> {
  const N = ROSTER_ROWS;
  const rows = [['編號', '姓名', '服務機關', '職稱'], ...Array.from({ length: N }, (_, i) => person(i + 1))];
  const csv = Buffer.from(rows.map((r) => r.join(',')).join('\r\n'));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名冊');
  rows.forEach((r) => ws.addRow(r));
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());

  const load = async (bytes: Buffer, type: string): Promise<void> => {
    const imported = await importRoster(bytes, type);
    const r = services.loadRoster('cli', lotteryId, imported.rows, {
      strictFields: imported.strictFields,
      warnings: imported.warnings,
    });
    if (r.count !== N) throw new Error(`loaded ${r.count}`);
  };
  const rosterLoadCsvMs = await time(5, () => load(csv, 'text/csv'));
  const rosterLoadXlsxMs = await time(5, () =>
    load(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  );
  return { csv: rosterLoadCsvMs, xlsx: rosterLoadXlsxMs };
}
