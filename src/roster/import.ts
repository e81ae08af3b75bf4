import { LotteryError, type FieldProblem } from '../domain/errors';
import { BundleUnreadable, parseStrictJson, showKey } from '../domain/json';
import { MAX_ROSTER, type RosterInputRow } from '../domain/input/roster';
import { splitDelimited } from './csv';
import { decodeText, type Encoding } from './decode';
import { printabilityWarnings } from './printable';
import { rowsFromGrid, type GridRow } from './table';
import { budgetedWorkbook } from './budget';
import { gridFromXlsx } from './xlsx';
import { checkZip, isOle2, isZip, readEntry, ZipUnreadable } from './zip';

/**
 * A roster upload → rows, deciding the format from the bytes. The declared type is only a hint: Windows browsers
 * send .csv as application/vnd.ms-excel, and people send xlsx files as text/csv.
 */
export type RosterFormat = 'json' | 'csv' | 'tsv' | 'xlsx';

export interface ImportResult {
  rows: RosterInputRow[];
  warnings: FieldProblem[];
  /** Errors found before row validation (national IDs, refused columns); reported with the rest. */
  errors: FieldProblem[];
  /** JSON bodies are an API: unknown fields are errors there. Files have extra columns that are ignored. */
  strictFields: boolean;
  format: RosterFormat;
  encoding?: Encoding;
  sheet?: string;
  /** Files: the row read as the header, and every row its names came from (two for a two-row header). */
  headerRow?: number;
  headerRows?: number[];
  /** Files: whether the header has an excluded column. JSON: decided from the entries' keys by the service. */
  excludedColumn?: boolean;
}

const byRow = (a: FieldProblem, b: FieldProblem): number => (a.row ?? 0) - (b.row ?? 0);

const unsupported = (zh: string, en: string): LotteryError =>
  new LotteryError('UNSUPPORTED_MEDIA_TYPE', { zh, en });

function tooManyRows(): LotteryError {
  return new LotteryError('PAYLOAD_TOO_LARGE', {
    zh: `名冊超過 ${MAX_ROSTER} 列`,
    en: `The roster has more than ${MAX_ROSTER} rows`,
  });
}

/**
 * The domain's strict reader (domain/json.ts), as the JSON middleware reads every other body: JSON.parse keeps
 * the last of two duplicate keys (`{"entries":[…],"entries":[…]}` — a proxy or a log reading the first sees
 * another roster), skips a BOM, reads 1e999 as Infinity and recurses as deep as the nesting goes.
 */
function fromJson(bytes: Buffer): { rows: RosterInputRow[] } {
  let body: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    body = parseStrictJson(text, { maxBytes: bytes.length + 1, fractions: true });
  } catch (e) {
    const why = e instanceof BundleUnreadable ? e.message : 'not valid UTF-8';
    throw new LotteryError('MALFORMED_BODY', {
      zh: `內容不是有效的嚴格 UTF-8 JSON：${why}`,
      en: `The body is not valid strict UTF-8 JSON: ${why}`,
    });
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const unknown = isObject ? Object.keys(body as object).filter((k) => k !== 'entries') : [];
  if (unknown.length > 0)
    throw new LotteryError(
      'VALIDATION_FAILED',
      {
        zh: `內容只能有 entries 欄位，不認得：${unknown.map(showKey).join('、')}`,
        en: `The body may hold only "entries"; unknown: ${unknown.map(showKey).join(', ')}`,
      },
      {
        problems: unknown.slice(0, 20).map((k) => ({
          field: showKey(k),
          code: 'UNKNOWN_FIELD',
          message: { zh: '不認得的欄位', en: 'unknown field' },
        })),
      },
    );
  const entries =
    isObject && Object.prototype.hasOwnProperty.call(body, 'entries')
      ? (body as Record<string, unknown>).entries
      : undefined;
  if (!Array.isArray(entries))
    throw new LotteryError(
      'VALIDATION_FAILED',
      { zh: '內容須為 {"entries":[…]}', en: 'The body must be {"entries":[…]}' },
      {
        problems: [
          {
            field: 'entries',
            code: 'NOT_ARRAY',
            message: { zh: 'entries 必須是陣列', en: 'entries must be an array' },
          },
        ],
      },
    );
  if (entries.length > MAX_ROSTER) throw tooManyRows();
  const rows: RosterInputRow[] = [];
  const bad: FieldProblem[] = [];
  entries.forEach((e, i) => {
    if (typeof e === 'object' && e !== null && !Array.isArray(e))
      rows.push({ row: i + 1, values: { ...(e as Record<string, unknown>) } });
    else
      bad.push({
        row: i + 1,
        field: 'entry',
        code: 'NOT_OBJECT',
        message: { zh: '每筆資料必須是物件', en: 'each entry must be an object' },
      });
  });
  if (bad.length > 0)
    throw new LotteryError(
      'ROSTER_INVALID',
      {
        zh: `名冊有 ${bad.length} 處錯誤，未載入`,
        en: `The roster has ${bad.length} errors and was not loaded`,
      },
      { problems: bad },
    );
  return { rows };
}

function isOds(buf: Buffer, entries: ReturnType<typeof checkZip>): boolean {
  const m = entries.find((e) => e.name === 'mimetype');
  return (
    m !== undefined &&
    readEntry(buf, m, 1024).toString('latin1').startsWith('application/vnd.oasis.opendocument.spreadsheet')
  );
}

export async function importRoster(
  bytes: Buffer,
  contentType: string | undefined,
  opts: { sheet?: string } = {},
): Promise<ImportResult> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let result: ImportResult;
  if (type === 'application/json') {
    result = { ...fromJson(bytes), warnings: [], errors: [], strictFields: true, format: 'json' };
  } else if (isOle2(bytes)) {
    throw unsupported(
      '這是舊版 Excel 97-2003（.xls）檔案，請在 Excel 以「另存新檔」存成 .xlsx 後再上傳',
      'This is an old Excel 97-2003 (.xls) file: save it as .xlsx in Excel and upload that',
    );
  } else if (isZip(bytes)) {
    result = await fromWorkbook(bytes, opts.sheet);
  } else {
    result = fromText(bytes, contentType);
  }
  if (result.rows.length > MAX_ROSTER) throw tooManyRows();
  result.warnings.push(...printabilityWarnings(result.rows));
  if (result.errors.length > 0) result.errors.sort(byRow);
  return result;
}

/** A zip: an .xlsx workbook is read; a damaged zip, an ODF spreadsheet or any other zip is refused. */
async function fromWorkbook(bytes: Buffer, sheet: string | undefined): Promise<ImportResult> {
  let entries;
  try {
    entries = checkZip(bytes);
  } catch (e) {
    if (e instanceof ZipUnreadable)
      throw new LotteryError(
        'ROSTER_INVALID',
        { zh: '壓縮檔損毀或不完整，無法讀取', en: 'The file is a damaged or truncated zip' },
        {
          problems: [
            { field: 'file', code: 'UNREADABLE_ZIP', message: { zh: '無法讀取', en: 'unreadable' } },
          ],
        },
      );
    throw e;
  }
  if (isOds(bytes, entries))
    throw unsupported(
      '尚不支援 ODF 試算表（.ods），請存成 .xlsx 後再上傳',
      'ODF spreadsheets (.ods) are not supported yet: save as .xlsx and upload that',
    );
  if (!entries.some((e) => e.name === 'xl/workbook.xml'))
    throw unsupported('此壓縮檔不是 Excel 活頁簿（.xlsx）', 'This zip file is not an Excel workbook (.xlsx)');
  // Counted and cut before exceljs sees it: a merge or a range in a 7 KB file can name 17 billion cells.
  const x = await gridFromXlsx(budgetedWorkbook(entries, sheet), sheet);
  return { ...rowsFromGrid(x.grid, x.warnings), strictFields: false, format: 'xlsx', sheet: x.sheet };
}

/** Delimited text in whichever encoding decodeText recognises: tab-separated when tabs outnumber commas. */
function fromText(bytes: Buffer, contentType: string | undefined): ImportResult {
  const decoded = decodeText(bytes, contentType);
  if (decoded.text.trim() === '')
    throw new LotteryError(
      'ROSTER_INVALID',
      { zh: '檔案是空的', en: 'The file is empty' },
      {
        problems: [{ field: 'file', code: 'EMPTY', message: { zh: '檔案是空的', en: 'The file is empty' } }],
      },
    );
  const firstLines = decoded.text.slice(0, 4096);
  const tabs =
    decoded.tabSeparated ||
    (firstLines.includes('\t') &&
      (firstLines.match(/\t/g) ?? []).length > (firstLines.match(/,/g) ?? []).length);
  const { records } = splitDelimited(decoded.text, tabs ? '\t' : ',');
  if (records.length > MAX_ROSTER + 1000) throw tooManyRows();
  const grid: GridRow[] = records.map((r) => ({ row: r.line, cells: r.cells.map((text) => ({ text })) }));
  return {
    ...rowsFromGrid(grid),
    strictFields: false,
    format: tabs ? 'tsv' : 'csv',
    encoding: decoded.encoding,
  };
}
