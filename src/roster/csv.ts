import { parse } from 'csv-parse/sync';
import { LotteryError } from '../domain/errors';

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
    // One kind of line break, so that csv-parse's line count is the line a person sees (it counts CR LF inside a
    // quoted cell twice). A line break inside a cell is refused later anyway, as a control character.
    out = parse(text.replace(/\r\n?/g, '\n'), {
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
