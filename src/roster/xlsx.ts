import ExcelJS from 'exceljs';
import { LotteryError, type FieldProblem } from '../domain/errors';
import { MAX_ROSTER } from '../domain/input/roster';
import type { GridCell, GridRow } from './table';

/**
 * An .xlsx worksheet → the text a person sees in each cell: numbers as displayed (an id formatted `000` is
 * `007`), dates as ISO YYYY-MM-DD, formulas as their cached value, rich text flattened, merged cells filled
 * from their top-left value. The digest binds this text, so it must be what the office saw when it checked.
 */

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function isoDate(d: Date): string {
  // exceljs turns date serials into Dates at UTC midnight; the calendar day is the UTC day.
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Formats a number as Excel's number format shows it, for the formats rosters use. */
export function formatNumber(n: number, numFmt: string | undefined): string {
  const fmt = (numFmt ?? 'General').split(';')[0] ?? 'General';
  if (fmt === 'General' || fmt === '@' || fmt === '') return generalNumber(n);
  // Literal text: "D"000, \D000, 000"號".
  let prefix = '';
  let suffix = '';
  let core = '';
  let inCore = false;
  let done = false;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    let lit: string | undefined;
    if (ch === '"') {
      const end = fmt.indexOf('"', i + 1);
      lit = fmt.slice(i + 1, end < 0 ? fmt.length : end);
      i = end < 0 ? fmt.length : end;
    } else if (ch === '\\') {
      lit = fmt[i + 1] ?? '';
      i++;
    } else if (/[0#?,.]/.test(ch) && !done) {
      core += ch;
      inCore = true;
      continue;
    } else if (ch === '_' || ch === '*') {
      i++;
      continue;
    } else lit = ch;
    if (inCore) done = true;
    if (done) suffix += lit;
    else prefix += lit;
  }
  if (!/^[#0,]*(\.[0#]*)?$/.test(core) || core === '') return generalNumber(n);
  const [intPart = '', fracPart = ''] = core.split('.');
  const decimals = fracPart.length;
  const minInt = (intPart.match(/0/g) ?? []).length;
  const neg = n < 0;
  let [i, f = ''] = Math.abs(n).toFixed(decimals).split('.');
  i = (i ?? '0').padStart(minInt, '0');
  if (minInt === 0 && i === '0') i = '';
  if (intPart.includes(',')) i = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const optional = (fracPart.match(/#/g) ?? []).length;
  if (optional > 0) f = f.replace(new RegExp(`0{1,${optional}}$`), '');
  return `${neg ? '-' : ''}${prefix}${i}${f ? `.${f}` : ''}${suffix}`;
}

function generalNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(11)));
}

function valueText(v: ExcelJS.CellValue, numFmt: string | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v, numFmt);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return isoDate(v);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) {
      const r = (v as { result?: unknown }).result;
      if (r === undefined || r === null) return '';
      if (typeof r === 'object' && r !== null && 'error' in r) return String((r as { error: unknown }).error);
      return valueText(r as ExcelJS.CellValue, numFmt);
    }
    if ('text' in v && typeof (v as { text: unknown }).text === 'string') return (v as { text: string }).text;
    if ('error' in v) return String((v as { error: unknown }).error);
  }
  return '';
}

function struck(cell: ExcelJS.Cell): boolean {
  if (cell.font?.strike) return true;
  const v = cell.value;
  return (
    typeof v === 'object' &&
    v !== null &&
    'richText' in v &&
    Array.isArray(v.richText) &&
    v.richText.some((r) => r.font?.strike === true)
  );
}

export async function gridFromXlsx(
  buf: Buffer,
  sheetName: string | undefined,
): Promise<{ grid: GridRow[]; warnings: FieldProblem[]; sheet: string }> {
  const wb = await loadWorkbook(buf);
  const warnings: FieldProblem[] = [];
  const ws = pickSheet(wb.worksheets, sheetName, warnings);
  // actualRowCount counts rows with values: one stray cell at row 1,048,576 is not a million rows.
  if (ws.actualRowCount > MAX_ROSTER + 1000) throw tooManySheetRows();
  const grid = readGrid(ws);
  if (grid.length > MAX_ROSTER + 20) throw tooManySheetRows();
  return { grid, warnings, sheet: ws.name };
}

async function loadWorkbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new LotteryError(
      'ROSTER_INVALID',
      {
        zh: '無法讀取此 xlsx 檔（檔案損毀或不完整）',
        en: 'Cannot read this xlsx file (damaged or truncated)',
      },
      {
        problems: [
          { field: 'file', code: 'UNREADABLE_XLSX', message: { zh: '無法讀取 xlsx', en: 'unreadable xlsx' } },
        ],
      },
    );
  }
  return wb;
}

/** The worksheet named, or else the first visible one (the hidden ones skipped are a warning). */
function pickSheet(
  sheets: ExcelJS.Worksheet[],
  sheetName: string | undefined,
  warnings: FieldProblem[],
): ExcelJS.Worksheet {
  const hidden = sheets.filter((s) => s.state !== 'visible');
  let ws: ExcelJS.Worksheet | undefined;
  if (sheetName !== undefined) {
    ws = sheets.find((s) => s.name === sheetName);
    if (!ws)
      throw new LotteryError(
        'VALIDATION_FAILED',
        {
          zh: `找不到工作表「${sheetName}」；可用：${sheets.map((s) => s.name).join('、')}`,
          en: `No worksheet named "${sheetName}"; there are: ${sheets.map((s) => s.name).join(', ')}`,
        },
        {
          problems: [
            {
              field: 'sheet',
              code: 'NO_SUCH_SHEET',
              message: { zh: '找不到工作表', en: 'no such worksheet' },
            },
          ],
        },
      );
  } else {
    ws = sheets.find((s) => s.state === 'visible');
    if (hidden.length > 0)
      warnings.push({
        field: 'sheet',
        code: 'HIDDEN_SHEETS_SKIPPED',
        message: {
          zh: `已略過隱藏的工作表：${hidden.map((s) => s.name).join('、')}`,
          en: `Skipped hidden worksheets: ${hidden.map((s) => s.name).join(', ')}`,
        },
      });
  }
  if (!ws)
    throw new LotteryError(
      'ROSTER_INVALID',
      { zh: '活頁簿沒有可見的工作表', en: 'The workbook has no visible worksheet' },
      { problems: [] },
    );
  return ws;
}

/**
 * The text a grid may hold in all: every later step (national-ID scan, cleaning, headers) reads each cell, and
 * a 32,767-character shared string referenced by a million cells would be 32 billion characters of work.
 */
export const MAX_GRID_TEXT = 32 * 1024 * 1024;

/** Each row with a value, as its cells' text; hidden rows are marked, for a warning. */
function readGrid(ws: ExcelJS.Worksheet): GridRow[] {
  const grid: GridRow[] = [];
  let total = 0;
  const hiddenCols = new Set<number>();
  const colCount = Math.min(ws.columnCount, 16_384);
  for (let i = 1; i <= colCount; i++) if (ws.getColumn(i).hidden) hiddenCols.add(i);
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Array<GridCell | undefined> = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      // A merged cell reads as its top-left value, as a person sees the merged area.
      const src = cell.isMerged && cell.master ? cell.master : cell;
      const text = valueText(src.value, src.numFmt);
      total += text.length;
      if (total > MAX_GRID_TEXT) throw tooMuchText();
      cells[col - 1] = {
        text,
        ...(struck(src) ? { strike: true } : {}),
        ...(hiddenCols.has(col) ? { hiddenColumn: true } : {}),
      };
    });
    grid.push(row.hidden ? { row: rowNumber, cells, hidden: true } : { row: rowNumber, cells });
  });
  return grid;
}

function tooMuchText(): LotteryError {
  return new LotteryError('PAYLOAD_TOO_LARGE', {
    zh: `工作表的文字超過 ${MAX_GRID_TEXT / 1024 / 1024}M 字元`,
    en: `The worksheet holds more than ${MAX_GRID_TEXT / 1024 / 1024}M characters of text`,
  });
}

function tooManySheetRows(): LotteryError {
  return new LotteryError('PAYLOAD_TOO_LARGE', {
    zh: `工作表超過 ${MAX_ROSTER} 列`,
    en: `The worksheet has more than ${MAX_ROSTER} rows`,
  });
}
