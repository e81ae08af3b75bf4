import { LotteryError, type FieldProblem } from '../domain/errors';
import { clean, looksLikeNationalId } from '../domain/input/text';
import type { RosterInputRow } from '../domain/input/roster';
import type { RosterField } from '../domain/protocol';
import { columnLetter } from './csv';
import { hiddenColumn, loadedAnyway, repeatedHeader, skippedRowWarnings, unreadHeader } from './row-warnings';

/**
 * A spreadsheet-shaped roster (CSV, tab-separated text or a worksheet) → roster rows. Offices' files have title
 * rows above the header, Chinese headers with full-width spaces and bracketed suffixes, template rows with only a
 * pre-filled 序號, and footers (合計, 製表, 核章) below the table.
 */
export interface GridCell {
  text: string;
  strike?: boolean;
  /** The cell's column is hidden in the worksheet (xlsx only). */
  hiddenColumn?: boolean;
}

export interface GridRow {
  /** The row number a person sees in the file (first line or sheet row is 1). */
  row: number;
  cells: Array<GridCell | undefined>;
  hidden?: boolean;
}

const HEADER_SCAN = 10;

/** Header text → canonical key: no whitespace (U+3000 too), no bracketed suffixes, lower case. */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .replace(/[(（［[【〔「].*?[)）］\]】〕」]/g, '')
    .replace(/[\s\u3000]+/gu, '')
    .toLowerCase();
}

type Column = RosterField | 'agency' | 'serial';

const ALIASES: Record<string, Column> = {
  編號: 'id',
  id: 'id',
  序號: 'serial',
  姓名: 'name',
  name: 'name',
  服務機關: 'agency',
  機關: 'agency',
  單位: 'unit',
  unit: 'unit',
  職稱: 'title',
  職務: 'title',
  title: 'title',
  申報類別: 'category',
  申報類型: 'category',
  category: 'category',
  排除原因: 'excluded',
  不列入抽籤原因: 'excluded',
  excluded: 'excluded',
};

// Columns that must not be in a roster at all: the lottery needs none of it, and holding it would make the
// database (and the audit bundle) a store of personal data it has no business keeping.
const FORBIDDEN = ['身分證', '統一編號', '證號', '地址', '住址', '電話', '手機'];

const FOOTER = /^(合計|總計|製表|核章)/;

function problem(
  row: number,
  column: string | undefined,
  field: string,
  code: string,
  zh: string,
  en: string,
): FieldProblem {
  return column === undefined
    ? { row, field, code, message: { zh, en } }
    : { row, column, field, code, message: { zh, en } };
}

function invalid(problems: FieldProblem[], warnings: FieldProblem[]): LotteryError {
  return new LotteryError(
    'ROSTER_INVALID',
    {
      zh: `名冊有 ${problems.length} 處錯誤，未載入`,
      en: `The roster has ${problems.length} error${problems.length === 1 ? '' : 's'} and was not loaded`,
    },
    { problems, extra: { warnings } },
  );
}

const text = (c: GridCell | undefined): string => (c ? clean(c.text) : '');

/** What rowsFromGrid returns: the rows to validate, and the problems found on the way. */
export interface GridRows {
  rows: RosterInputRow[];
  warnings: FieldProblem[];
  errors: FieldProblem[];
  /** The row read as the header (the lower one of a two-row header): the people start below it. */
  headerRow: number;
  /** Every row the header's names came from: one, or two for a group title above the names. */
  headerRows: number[];
  /** Whether the file has an excluded column (排除原因…): without one, a reload keeps the reasons typed. */
  excludedColumn: boolean;
}

export function rowsFromGrid(grid: readonly GridRow[], preWarnings: FieldProblem[] = []): GridRows {
  const warnings: FieldProblem[] = [...preWarnings];
  const errors = nationalIdCells(grid);
  const nonEmpty = grid.filter((r) => r.cells.some((c) => text(c) !== ''));
  const at = findHeader(nonEmpty, errors, warnings);
  const { header: headerRow, rows: headerRows } = combineHeader(nonEmpty, at);
  const columns = mapColumns(headerRow, errors, warnings);
  // National-ID cells and refused columns are reported with every other error of the file, not alone.
  const body = readBody(nonEmpty, headerRow, columns, warnings);
  // Not a person named 「姓名」 with a BAD_ID: a header error naming the rows the header spans.
  errors.push(...body.headerLike.map((row) => unreadHeader(row, headerRows)));
  warnings.push(...skippedRowWarnings(body));
  return {
    rows: body.rows,
    warnings,
    errors,
    headerRow: headerRow.row,
    headerRows,
    excludedColumn: columns.has('excluded'),
  };
}

/** No national IDs, ever, in any cell of any column: refused, and never echoed back. */
function nationalIdCells(grid: readonly GridRow[]): FieldProblem[] {
  const errors: FieldProblem[] = [];
  for (const r of grid)
    r.cells.forEach((c, i) => {
      if (c && looksLikeNationalId(text(c)))
        errors.push(
          problem(
            r.row,
            columnLetter(i),
            'file',
            'NATIONAL_ID',
            '此欄位疑似身分證統一編號或居留證號；名冊不得含此類資料，請刪除後重新匯出',
            'This cell looks like a national ID or resident certificate number; rosters must not contain them: remove the column and export again',
          ),
        );
    });
  return errors;
}

const alias = (c: GridCell | undefined): Column | undefined => ALIASES[normaliseHeader(text(c))];

/**
 * The index (in nonEmpty) of the first row among the first HEADER_SCAN with a 姓名/name column; refuses the
 * file without one.
 */
function findHeader(nonEmpty: readonly GridRow[], errors: FieldProblem[], warnings: FieldProblem[]): number {
  const at = nonEmpty.slice(0, HEADER_SCAN).findIndex((r) => r.cells.some((c) => alias(c) === 'name'));
  if (at >= 0) return at;
  if (errors.length > 0) throw invalid(errors, warnings);
  const first = nonEmpty[0];
  throw new LotteryError(
    'ROSTER_INVALID',
    first
      ? {
          zh: '前 10 列中找不到含「姓名」的標題列',
          en: 'No header row with a 姓名/name column in the first 10 rows',
        }
      : { zh: '檔案是空的', en: 'The file is empty' },
    {
      problems: [
        problem(
          first?.row ?? 1,
          undefined,
          'name',
          first ? 'NO_HEADER' : 'EMPTY',
          first ? '找不到標題列' : '檔案是空的',
          first ? 'no header row' : 'empty file',
        ),
      ],
      extra: { warnings },
    },
  );
}

/**
 * A government form's two-row header: a group title row and the column names under it, with cells merged across
 * both rows (編號 and 姓名 spanning rows 1–2, 「服務單位」 over 單位 and 職稱). xlsx fills a merged area with its
 * value; a CSV leaves the other cells blank. The row under the 姓名 row continues the header when each of its
 * cells is blank, repeats the cell above (a vertical merge), or sits under a group title; and it names at least
 * one column (a data row has a name under 姓名, so it never qualifies). The row above lends a column name where
 * the 姓名 row is blank (編號 merged down, exported to CSV). The names come from the lower row first.
 */
function combineHeader(nonEmpty: readonly GridRow[], at: number): { header: GridRow; rows: number[] } {
  const h = nonEmpty[at] as GridRow;
  const prev = nonEmpty[at - 1];
  const next = nonEmpty[at + 1];
  const upper = prev?.row === h.row - 1 ? prev : undefined;
  const lower = next?.row === h.row + 1 && continuesHeader(h, next) ? next : undefined;
  const width = Math.max(h.cells.length, lower?.cells.length ?? 0, upper?.cells.length ?? 0);
  const cells: Array<GridCell | undefined> = [];
  let fromUpper = false;
  for (let i = 0; i < width; i++) {
    const [hc, lc, uc] = [h.cells[i], lower?.cells[i], upper?.cells[i]];
    // The lower row's name wins where it is a column name, or under the 2nd+ column of a merged group title
    // (the title maps to its first sub-column, so 「單位」 over 一級單位 | 二級單位 reads 一級單位 as the unit).
    const repeatsLeft = i > 0 && text(hc) !== '' && text(hc) === text(h.cells[i - 1]);
    if (text(lc) !== '' && (alias(lc) !== undefined || text(hc) === '' || repeatsLeft)) cells[i] = lc;
    else if (text(hc) !== '') cells[i] = hc;
    else if (alias(uc) !== undefined) {
      cells[i] = uc;
      fromUpper = true;
    }
  }
  const rows = [...(fromUpper && upper ? [upper.row] : []), h.row, ...(lower ? [lower.row] : [])];
  return { header: { row: rows[rows.length - 1] as number, cells }, rows };
}

/**
 * Whether cell i of the header row is part of a group title spread across columns: xlsx fills a horizontal
 * merge (「單位」 over C1:D1 reads 單位, 單位), a CSV leaves the cells after it blank above a name.
 */
function inGroup(h: GridRow, lower: GridRow, i: number): boolean {
  const t = text(h.cells[i]);
  const spreads = (j: number): boolean =>
    text(h.cells[j]) === t || (text(h.cells[j]) === '' && text(lower.cells[j]) !== '');
  if (t !== '' && (spreads(i + 1) || spreads(i - 1))) return true;
  // A blank cell after a group title (CSV): the group goes on while the row above stays blank.
  for (let j = i - 1; j >= 0 && t === ''; j--) if (text(h.cells[j]) !== '') return inGroup(h, lower, j);
  return false;
}

function continuesHeader(h: GridRow, lower: GridRow): boolean {
  let names = false;
  for (let i = 0; i < lower.cells.length; i++) {
    const t = text(lower.cells[i]);
    if (t === '' || t === text(h.cells[i])) continue;
    const a = alias(lower.cells[i]);
    if (a !== undefined) names = true;
    // Under a group title (「單位」 over 一級單位 | 二級單位), the sub-column names. A data row never passes:
    // under 姓名 (never a group) it has a person's name, which is not a column name.
    else if (inGroup(h, lower, i)) names = true;
    // Under a column name, only another column name: anything else is a person's value.
    else if (alias(h.cells[i]) !== undefined) return false;
  }
  return names;
}

/** The header's cells → which column holds what; refused columns are errors, unknown or repeated ones warnings. */
function mapColumns(
  headerRow: GridRow,
  errors: FieldProblem[],
  warnings: FieldProblem[],
): Map<Column, number> {
  const columns = new Map<Column, number>();
  headerRow.cells.forEach((c, i) => {
    const raw = text(c);
    if (raw === '') return;
    const key = normaliseHeader(raw);
    if (FORBIDDEN.some((f) => key.includes(f))) {
      errors.push(
        problem(
          headerRow.row,
          columnLetter(i),
          raw,
          'FORBIDDEN_COLUMN',
          `名冊不得含「${raw}」欄：請刪除此欄後重新匯出`,
          `A roster must not have a "${raw}" column: remove it and export again`,
        ),
      );
      return;
    }
    const col = ALIASES[key];
    if (col === undefined || columns.has(col)) {
      warnings.push(
        problem(
          headerRow.row,
          columnLetter(i),
          raw,
          'UNKNOWN_COLUMN',
          `已略過欄位「${raw}」`,
          `Ignored column "${raw}"`,
        ),
      );
      return;
    }
    columns.set(col, i);
    // A hidden 排除原因 column takes people out of the pool unseen: read, as hidden rows are, with a warning.
    if (c?.hiddenColumn) warnings.push(hiddenColumn(headerRow.row, columnLetter(i), raw));
  });
  // 編號 is the id; 序號 only when there is no 編號 (it is then the printed running number).
  if (!columns.has('id') && columns.has('serial')) {
    columns.set('id', columns.get('serial') as number);
    columns.delete('serial');
  }
  return columns;
}

/** The column letter of each roster field, as row validation reports it (服務機關 stands in for a missing 單位). */
function columnLetters(columns: ReadonlyMap<Column, number>): Partial<Record<RosterField, string>> {
  const letters: Partial<Record<RosterField, string>> = {};
  for (const [k, i] of columns) if (k !== 'agency' && k !== 'serial') letters[k] = columnLetter(i);
  if (!letters.unit && columns.has('agency')) letters.unit = columnLetter(columns.get('agency') as number);
  return letters;
}

export interface Body {
  rows: RosterInputRow[];
  /** Rows below the header without a name (template rows with only a 序號). */
  nameless: number[];
  /** Rows with 姓名 under 姓名 that are not the header again: a header row the reader could not combine. */
  headerLike: number[];
  /** Rows with a name below the footer. */
  afterFooter: number[];
  footerRow: number | undefined;
}

/** A row whose every cell is a column name or repeats the header's cell above it: the header again. */
function isHeaderAgain(r: GridRow, headerRow: GridRow): boolean {
  let any = false;
  for (let i = 0; i < r.cells.length; i++) {
    const t = text(r.cells[i]);
    if (t === '') continue;
    if (t !== text(headerRow.cells[i]) && alias(r.cells[i]) === undefined) return false;
    any = true;
  }
  return any;
}

/** The rows below the header, up to the footer: each person's values, the rows skipped, and what was loaded anyway. */
function readBody(
  nonEmpty: readonly GridRow[],
  headerRow: GridRow,
  columns: ReadonlyMap<Column, number>,
  warnings: FieldProblem[],
): Body {
  const letters = columnLetters(columns);
  const body: Body = { rows: [], nameless: [], headerLike: [], afterFooter: [], footerRow: undefined };
  const cell = (r: GridRow, k: Column): GridCell | undefined => {
    const i = columns.get(k);
    return i === undefined ? undefined : r.cells[i];
  };
  for (const r of nonEmpty) {
    if (r.row <= headerRow.row) continue;
    const first = r.cells.map(text).find((s) => s !== '') ?? '';
    if (FOOTER.test(first)) {
      body.footerRow = r.row;
      continue;
    }
    if (body.footerRow !== undefined) {
      // Anything with a name below the footer is reported, never dropped in silence.
      if (text(cell(r, 'name')) !== '') body.afterFooter.push(r.row);
      continue;
    }
    if (isHeaderAgain(r, headerRow)) {
      // Two exports pasted together: the second one's header is not a person named 「姓名」.
      warnings.push(repeatedHeader(r.row));
      continue;
    }
    const name = text(cell(r, 'name'));
    if (alias(cell(r, 'name')) === 'name') {
      body.headerLike.push(r.row);
      continue;
    }
    if (name === '') {
      body.nameless.push(r.row);
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const k of ['id', 'name', 'title', 'category', 'excluded'] as const) {
      const c = cell(r, k);
      if (c) values[k] = c.text;
    }
    const agency = text(cell(r, 'agency'));
    const unit = text(cell(r, 'unit'));
    // Both 服務機關 and 單位: the unit reads 「機關／單位」, so merged pools keep who is whose.
    values.unit = agency && unit ? `${agency}／${unit}` : agency || unit;
    warnings.push(...loadedAnyway(r));
    body.rows.push({ row: r.row, values, columns: letters });
  }
  return body;
}
