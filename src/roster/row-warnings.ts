import type { FieldProblem } from '../domain/errors';
import { clean } from '../domain/input/text';
import { columnLetter } from './csv';
import type { Body, GridRow } from './table';

/** The warnings of rows read or skipped on the way (table.ts): the office decides, never a silent parser. */

const text = (c: { text: string } | undefined): string => (c ? clean(c.text) : '');

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

/** A column hidden in the worksheet, read anyway (as a hidden row is). */
export function hiddenColumn(row: number, column: string, name: string): FieldProblem {
  return problem(
    row,
    column,
    name,
    'HIDDEN_COLUMN',
    `「${name}」欄在試算表中是隱藏的，仍已讀取；請確認其內容`,
    `The "${name}" column is hidden in the spreadsheet and was read anyway: check what it holds`,
  );
}

/** A row below the header with 姓名 under 姓名 that could not be read as part of the header: an error. */
export function unreadHeader(row: number, headerRows: readonly number[]): FieldProblem {
  const rows = headerRows.join('、');
  return problem(
    row,
    undefined,
    'header',
    'HEADER_NOT_READ',
    `第 ${row} 列看似標題列（姓名欄寫著「姓名」），但無法與第 ${rows} 列的標題合併判讀；請將標題整理為一列後再上傳`,
    `Row ${row} looks like a header row (姓名 under 姓名) but could not be read with the header in row(s) ${headerRows.join(', ')}: make the header one row and upload again`,
  );
}

/** A data row that is the header again (two exports pasted together): skipped, naming the row. */
export function repeatedHeader(row: number): FieldProblem {
  return problem(
    row,
    undefined,
    'row',
    'REPEATED_HEADER',
    `第 ${row} 列與標題列相同（可能是兩份名冊貼在一起），已略過，未當作申報人載入`,
    `Row ${row} repeats the header (two exports pasted together?): skipped, not loaded as a person`,
  );
}

/** A hidden row and struck-through cells are loaded, with a warning: the office decides, not the parser. */
export function loadedAnyway(r: GridRow): FieldProblem[] {
  const warnings: FieldProblem[] = [];
  if (r.hidden)
    warnings.push(
      problem(
        r.row,
        undefined,
        'row',
        'HIDDEN_ROW',
        '此列在試算表中是隱藏的，仍已載入；請確認是否應列入',
        'This row is hidden in the spreadsheet and was loaded anyway: check it belongs',
      ),
    );
  r.cells.forEach((c, i) => {
    if (c?.strike && text(c) !== '')
      warnings.push(
        problem(
          r.row,
          columnLetter(i),
          'cell',
          'STRUCK_THROUGH',
          '此儲存格有刪除線，仍已載入；請確認此人是否應列入',
          'This cell is struck through and was loaded anyway: check this person belongs',
        ),
      );
  });
  return warnings;
}

/** One warning for the named rows below the footer, one for the rows without a name. */
export function skippedRowWarnings({ afterFooter, footerRow, nameless }: Body): FieldProblem[] {
  const warnings: FieldProblem[] = [];
  if (afterFooter.length > 0)
    warnings.push({
      row: afterFooter[0] as number,
      field: 'row',
      code: 'ROWS_AFTER_FOOTER',
      count: afterFooter.length,
      message: {
        zh: `第 ${footerRow} 列為表尾（合計、總計、製表或核章），其後 ${afterFooter.length} 列有姓名但未載入：第 ${afterFooter.slice(0, 10).join('、')} 列`,
        en: `Row ${footerRow} ends the table (合計, 總計, 製表 or 核章); ${afterFooter.length} row${afterFooter.length === 1 ? '' : 's'} with a name below it ${afterFooter.length === 1 ? 'was' : 'were'} not loaded: ${afterFooter.slice(0, 10).join(', ')}`,
      },
    } as FieldProblem);
  if (nameless.length > 0)
    warnings.push({
      row: nameless[0] as number,
      field: 'name',
      code: 'ROWS_WITHOUT_NAME',
      count: nameless.length,
      message: {
        zh: `略過 ${nameless.length} 列沒有姓名的資料列（第 ${nameless.slice(0, 10).join('、')}${nameless.length > 10 ? '…' : ''} 列）`,
        en: `Skipped ${nameless.length} row${nameless.length === 1 ? '' : 's'} without a name (row${nameless.length === 1 ? '' : 's'} ${nameless.slice(0, 10).join(', ')}${nameless.length > 10 ? ', …' : ''})`,
      },
    } as FieldProblem);
  return warnings;
}
