import ExcelJS from 'exceljs';
import { LotteryError, type FieldProblem } from '../domain/errors';
import { big5Unencodable, encodeBig5 } from './big5';

/**
 * The results of one drawn lottery as an office takes them away (docs/exports.md): an xlsx, and a CSV in UTF-8
 * with a BOM or in Big5 (CP950), since Excel on a Taiwanese Windows opens both. One table, one row per person per
 * stage drawn, the lottery's values repeated on every row so that a row copied elsewhere still says which
 * lottery it came from; the xlsx adds a second sheet with the lottery's particulars as a header block.
 */

export interface ExportStage {
  stage: number;
  label: string;
  percent: string;
  poolSize: number;
  quota: number;
}

export interface ExportRow {
  stage: number;
  label: string;
  order: number;
  id: string;
  name: string;
  unit: string;
  title: string;
}

export interface ResultsData {
  lotteryId: string;
  year: number;
  agency: string;
  title: string;
  /** The meeting date in the ROC calendar (中華民國114年1月22日 10時00分), or '' when none was entered. */
  meetingDate: string;
  meetingName: string;
  method: 'random' | 'physical';
  count: number;
  stages: ExportStage[];
  rows: ExportRow[];
}

/** The table's columns, in order: the heading (Chinese, as the office reads it) and the cell of a row. */
const COLUMNS: Array<{
  head: string;
  key: string;
  cell: (r: ExportRow, s: ExportStage | undefined, d: ResultsData) => string | number;
}> = [
  { head: '階段', key: 'stage', cell: (r) => r.stage },
  { head: '階段名稱', key: 'label', cell: (r) => r.label },
  { head: '中籤順序', key: 'order', cell: (r) => r.order },
  { head: '編號', key: 'id', cell: (r) => r.id },
  { head: '姓名', key: 'name', cell: (r) => r.name },
  { head: '單位', key: 'unit', cell: (r) => r.unit },
  { head: '職稱', key: 'title', cell: (r) => r.title },
  { head: '年度', key: 'year', cell: (_r, _s, d) => d.year },
  { head: '機關', key: 'agency', cell: (_r, _s, d) => d.agency },
  { head: '抽籤名稱', key: 'lotteryTitle', cell: (_r, _s, d) => d.title },
  { head: '會議日期', key: 'meetingDate', cell: (_r, _s, d) => d.meetingDate },
  { head: '比率(%)', key: 'percent', cell: (_r, s) => s?.percent ?? '' },
  { head: '母體人數', key: 'poolSize', cell: (_r, s) => s?.poolSize ?? '' },
  { head: '抽出人數', key: 'quota', cell: (_r, s) => s?.quota ?? '' },
  { head: '抽籤編號', key: 'lotteryId', cell: (_r, _s, d) => d.lotteryId },
];

export const RESULT_HEADINGS: readonly string[] = COLUMNS.map((c) => c.head);

/** The table as values: the heading row, then one row per person per stage, in stage and draw order. */
export function resultTable(d: ResultsData): Array<Array<string | number>> {
  const byStage = new Map(d.stages.map((s) => [s.stage, s]));
  return [
    RESULT_HEADINGS.slice(),
    ...d.rows.map((r) => COLUMNS.map((c) => c.cell(r, byStage.get(r.stage), d))),
  ];
}

/**
 * A cell a spreadsheet would read as a formula (= + - @, and the tab and CR that some read past) gets a leading
 * apostrophe: a name is typed by whoever filled in the roster, and `=HYPERLINK(...)` opened by the ethics office's
 * Excel would run (OWASP "CSV injection"). Numbers the service computes are written as they are.
 */
export function neutralise(v: string | number): string {
  const s = String(v);
  return typeof v === 'string' && FORMULA_START.test(s) ? `'${s}` : s;
}

/**
 * What a spreadsheet may read past before the formula sign: spaces, the soft hyphen and the invisible characters a
 * roster accepts (zero-width, word joiner, BOM, Hangul fillers), found from outside; and the full-width signs
 * ＝＋－＠, which an East Asian IME types and some spreadsheets convert. When in doubt, the apostrophe is cheap.
 */
const FORMULA_START =
  /^[\t\r]|^[\s\u00ad\u200b-\u200f\u2060-\u2064\ufeff\u3164\u115f\u1160\uffa0]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u;

/** RFC 4180: quoted when it holds a comma, a quote or a line break; CRLF between records. */
function csvField(v: string | number): string {
  const s = neutralise(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvText = (table: ReadonlyArray<ReadonlyArray<string | number>>): string =>
  table.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** UTF-8 with a BOM: without the BOM, Excel reads a UTF-8 CSV as the system code page and garbles every name. */
export function resultsCsvUtf8(d: ResultsData): Buffer {
  return Buffer.concat([BOM, Buffer.from(csvText(resultTable(d)), 'utf8')]);
}

/**
 * Big5 (CP950), or a 422 listing every row and character it cannot write (a name in a character outside Big5,
 * 𡘙, 堃, …), and pointing to the UTF-8 file. Nothing is replaced by '?' silently.
 */
export function resultsCsvBig5(d: ResultsData): Buffer {
  const table = resultTable(d);
  const problems: FieldProblem[] = [];
  table.forEach((row, r) =>
    row.forEach((v, col) => {
      for (const u of big5Unencodable(neutralise(v))) {
        const field = COLUMNS[col]?.key ?? String(col);
        problems.push({
          // The CSV's line number, as Excel shows it: the heading is row 1.
          row: r + 1,
          field,
          code: 'NOT_BIG5',
          message: {
            zh: `第 ${r + 1} 列「${COLUMNS[col]?.head ?? field}」的字「${u.char}」（${u.codePoint}）無法以 Big5 表示`,
            en: `Row ${r + 1}, ${field}: ${u.char} (${u.codePoint}) has no Big5 code`,
          },
        });
      }
    }),
  );
  if (problems.length > 0)
    throw new LotteryError(
      'NOT_ENCODABLE',
      {
        zh: `有 ${problems.length} 個字無法以 Big5 表示，請改下載 UTF-8 格式（encoding=utf-8），Excel 亦可開啟`,
        en: `${problems.length} character(s) have no Big5 code; download the UTF-8 file instead (encoding=utf-8), which Excel also opens`,
      },
      { problems, extra: { alternative: 'encoding=utf-8' } },
    );
  return encodeBig5(csvText(table));
}

/** The xlsx: the table on 抽籤結果, the lottery's particulars on 抽籤資訊. Strings stay strings (never formulas). */
export async function resultsXlsx(d: ResultsData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'asset-review-lottery';
  const ws = wb.addWorksheet('抽籤結果');
  for (const row of resultTable(d)) ws.addRow(row);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((col, i) => {
    col.width = [6, 18, 8, 12, 12, 20, 14, 6, 20, 30, 26, 8, 8, 8, 16][i] ?? 12;
  });
  const info = wb.addWorksheet('抽籤資訊');
  const pairs: Array<[string, string | number]> = [
    ['抽籤編號', d.lotteryId],
    ['年度', d.year],
    ['機關', d.agency],
    ['抽籤名稱', d.title],
    ['會議名稱', d.meetingName],
    ['會議日期', d.meetingDate],
    ['抽籤方式', d.method === 'physical' ? '實體抽籤' : '電腦抽籤'],
    ['名冊人數', d.count],
  ];
  for (const s of d.stages)
    pairs.push([`第${s.stage}階段 ${s.label}`, `${s.percent}%，母體 ${s.poolSize} 人，抽出 ${s.quota} 人`]);
  for (const p of pairs) info.addRow(p);
  info.getColumn(1).width = 28;
  info.getColumn(2).width = 48;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
