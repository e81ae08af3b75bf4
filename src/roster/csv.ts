import { parse } from 'csv-parse/sync';
import { LotteryError, type FieldProblem } from '../domain/errors';
import type { RosterInputRow } from '../domain/lottery';
import { ROSTER_FIELDS } from '../domain/protocol';

/** Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export interface TableRows {
  /** Each record with the file line it starts on (first line is 1). */
  records: Array<{ line: number; cells: string[] }>;
}

/** Splits CSV (or TSV) text into records, remembering the line each starts on. */
export function splitDelimited(text: string, delimiter: ',' | '\t' = ','): TableRows {
  let out: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    out = parse(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
      raw: true,
    }) as Array<{ record: string[]; info: { lines: number }; raw: string }>;
  } catch (e) {
    const line =
      typeof e === 'object' && e !== null && 'lines' in e
        ? Number((e as { lines: unknown }).lines)
        : undefined;
    throw new LotteryError(
      'ROSTER_INVALID',
      {
        zh: `CSV 格式錯誤${line ? `（第 ${line} 列附近）` : ''}`,
        en: `Malformed CSV${line ? ` near row ${line}` : ''}`,
      },
      {
        problems: [
          {
            ...(line ? { row: line } : {}),
            field: 'file',
            code: 'MALFORMED_CSV',
            message: { zh: 'CSV 格式錯誤，請檢查引號', en: 'Malformed CSV: check the quotes' },
          },
        ],
      },
    );
  }
  return {
    records: out.map((r) => {
      // info.lines is the line the record ends on; a quoted field may span lines, so count back.
      const inner = (r.raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
      return { line: r.info.lines - inner, cells: r.record };
    }),
  };
}

/**
 * A UTF-8 CSV whose header row names the fields (id, name, unit, title, category, excluded). Unknown columns
 * are ignored and reported as warnings; blank lines are skipped.
 */
export function rowsFromCsv(text: string): { rows: RosterInputRow[]; warnings: FieldProblem[] } {
  const { records } = splitDelimited(text);
  const nonEmpty = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = nonEmpty[0];
  if (!header)
    throw new LotteryError(
      'ROSTER_INVALID',
      { zh: '檔案是空的', en: 'The file is empty' },
      {
        problems: [{ field: 'file', code: 'EMPTY', message: { zh: '檔案是空的', en: 'The file is empty' } }],
      },
    );
  const warnings: FieldProblem[] = [];
  const map: Array<string | undefined> = header.cells.map((h, i) => {
    const k = h.normalize('NFC').trim().toLowerCase();
    if ((ROSTER_FIELDS as readonly string[]).includes(k)) return k;
    if (k !== '')
      warnings.push({
        row: header.line,
        column: columnLetter(i),
        field: h,
        code: 'UNKNOWN_COLUMN',
        message: { zh: `已略過不認得的欄位「${h}」`, en: `Ignored unknown column "${h}"` },
      });
    return undefined;
  });
  if (!map.includes('name'))
    throw new LotteryError(
      'ROSTER_INVALID',
      { zh: '找不到「name」欄位的標題列', en: 'No header row with a "name" column' },
      {
        problems: [
          {
            row: header.line,
            field: 'name',
            code: 'NO_HEADER',
            message: { zh: '標題列須包含 name 欄', en: 'The header row must include a name column' },
          },
        ],
      },
    );
  const rows: RosterInputRow[] = [];
  for (const r of nonEmpty.slice(1)) {
    const values: Record<string, unknown> = {};
    r.cells.forEach((c, i) => {
      const k = map[i];
      if (k) values[k] = c;
    });
    rows.push({ row: r.line, values });
  }
  return { rows, warnings };
}
