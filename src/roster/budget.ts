import { LotteryError, type Message } from '../domain/errors';
import { EMPTY_WORKSHEET, sheetToRead } from './sheet-pick';
import { eachTag, XmlUnreadable, type XmlTag } from './xml-tags';
import { storedZip, type ZipPart } from './zip';

/**
 * A workbook's cell and merge budget, checked on the inflated XML before exceljs builds anything. exceljs turns
 * some short strings into one object per cell they name: a merged range (`A1:XFD1048576`, 17 billion cells, in a
 * 7.5 KB file: the event loop blocked for 30 s, then the server died out of memory), a data validation's sqref,
 * a defined name's range, a `<col max>`. The 50 MB inflation limit bounds the XML, not what it names; so every
 * count that becomes memory is bounded here, and the parts a roster never needs (data validations, defined
 * names) are cut out of the copy exceljs reads.
 *
 * The limits are generous for rosters: 100,000 people × 10 columns is 1,000,000 cells, and a few hundred merges
 * (a title across the table, group headers, a unit merged down its people) are a few thousand cells.
 */
export const XLSX_BUDGET = {
  /** Cells exceljs would create: every <c> of every sheet, plus every cell a merge or table covers. */
  cells: 1_000_000,
  /** Merged ranges in the workbook (exceljs checks each new merge against every earlier one). */
  merges: 5_000,
  /** The area a sheet's <dimension ref> declares. */
  dimensionArea: 50_000_000,
  /** Entries of the shared-string table, counted and as declared. */
  sharedStrings: 1_000_000,
  /** The XML of one shared string (Excel's own limit is 32,767 characters). */
  sharedStringBytes: 256 * 1024,
  /** XML elements in all parts: each is an object or more in exceljs (a cell with its value is two or three). */
  elements: 4_000_000,
  /**
   * Elements other than cells, rows and their text: styles, hyperlinks, comments, drawings, conditional formats.
   * A 124 KB file with 2.8 million <xf/> in its styles once held the event loop for 12 s in 640 MB.
   */
  otherElements: 200_000,
  /** Worksheet parts (each is a heavy object in exceljs, whatever it holds). */
  sheets: 1_000,
} as const;

/** Excel's grid: 1,048,576 rows by 16,384 columns (XFD). A reference past it is not a spreadsheet's. */
export const MAX_ROW = 1_048_576;
export const MAX_COL = 16_384;

const WORKSHEET = /xl\/worksheets\/sheet(\d+)[.]xml/; // the entries exceljs reads as worksheets
const TABLE = /xl\/tables\/(table\d+)[.]xml/;

function overBudget(what: Message, max: number): LotteryError {
  return new LotteryError(
    'PAYLOAD_TOO_LARGE',
    {
      zh: `試算表超過讀取上限：${what.zh}上限為 ${max.toLocaleString('en-US')}`,
      en: `The spreadsheet is over a reading limit: ${what.en} at most ${max.toLocaleString('en-US')}`,
    },
    { extra: { limit: { name: what.en, max } } },
  );
}

function outsideGrid(ref: string): LotteryError {
  return new LotteryError(
    'ROSTER_INVALID',
    {
      zh: `試算表的儲存格參照 ${ref.slice(0, 40)} 超出 Excel 的範圍（${MAX_ROW.toLocaleString('en-US')} 列、XFD 欄）`,
      en: `The spreadsheet refers to ${ref.slice(0, 40)}, outside Excel's grid (${MAX_ROW.toLocaleString('en-US')} rows, columns to XFD)`,
    },
    {
      problems: [
        {
          field: 'file',
          code: 'REF_OUTSIDE_GRID',
          message: { zh: '儲存格參照超出範圍', en: 'cell reference outside the grid' },
        },
      ],
    },
  );
}

/** "AB12" → {row, col}; undefined parts for a whole column ("C") or a whole row ("3"). */
function cellRef(s: string): { row?: number; col?: number } {
  const m = /^\$?([A-Za-z]{0,4})\$?(\d{0,8})$/.exec(s.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw outsideGrid(s);
  let col: number | undefined;
  if (m[1]) {
    col = 0;
    for (const ch of (m[1] as string).toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  }
  const row = m[2] ? Number(m[2]) : undefined;
  if ((col !== undefined && (col < 1 || col > MAX_COL)) || (row !== undefined && (row < 1 || row > MAX_ROW)))
    throw outsideGrid(s);
  return { ...(row === undefined ? {} : { row }), ...(col === undefined ? {} : { col }) };
}

/** The number of cells a reference like A1, A1:D2, C:C or 1:2 covers. */
export function refArea(ref: string): number {
  const [a = '', b = a] = ref.split(':');
  const p = cellRef(a);
  const q = cellRef(b);
  const rows = p.row === undefined || q.row === undefined ? MAX_ROW : Math.abs(q.row - p.row) + 1;
  const cols = p.col === undefined || q.col === undefined ? MAX_COL : Math.abs(q.col - p.col) + 1;
  return rows * cols;
}

interface Tally {
  cells: number;
  merges: number;
  elements: number;
  other: number;
}

function addCells(t: Tally, n: number): void {
  t.cells += n;
  if (t.cells > XLSX_BUDGET.cells)
    throw overBudget(
      { zh: '儲存格數（含合併範圍）', en: 'cells (merged ranges included)' },
      XLSX_BUDGET.cells,
    );
}

function checkCol(n: string | undefined): void {
  if (n !== undefined && !(/^\s*\d{1,5}\s*$/.test(n) && Number(n) <= MAX_COL && Number(n) >= 1))
    throw outsideGrid(`col ${n}`);
}

/** One element of a worksheet: its cells, merges, columns, rows and dimension, against the budget. */
function sheetElement(tag: XmlTag, t: Tally): void {
  const ref = tag.attrs.get('ref');
  const r = tag.attrs.get('r');
  switch (tag.local) {
    case 'c':
      addCells(t, 1);
      if (r !== undefined) cellRef(r);
      break;
    case 'row':
      addCells(t, 1); // a Row object, even without cells
      if (r !== undefined && !(/^\s*\d{1,7}\s*$/.test(r) && Number(r) <= MAX_ROW && Number(r) >= 1))
        throw outsideGrid(r);
      break;
    case 'col':
      checkCol(tag.attrs.get('min'));
      checkCol(tag.attrs.get('max'));
      break;
    case 'mergeCell':
      if (++t.merges > XLSX_BUDGET.merges)
        throw overBudget({ zh: '合併儲存格數', en: 'merged ranges' }, XLSX_BUDGET.merges);
      if (ref !== undefined) addCells(t, refArea(ref));
      break;
    case 'dimension':
      if (ref !== undefined && refArea(ref) > XLSX_BUDGET.dimensionArea)
        throw overBudget(
          { zh: '工作表宣告的範圍（dimension）', en: 'the declared sheet dimension (cells)' },
          XLSX_BUDGET.dimensionArea,
        );
      break;
    case 'f':
      // A shared formula's ref names the cells it fills.
      if (ref !== undefined) addCells(t, refArea(ref));
      break;
  }
}

const SST = { zh: '共用字串數', en: 'shared strings' };
const SST_BYTES = { zh: '單一共用字串的位元組數', en: 'bytes in one shared string' };

/** The shared-string table: its declared counts and each <si>, against the budget. */
function sstElement(tag: XmlTag, s: { count: number; last: number }): void {
  const max = XLSX_BUDGET.sharedStrings;
  if (tag.local === 'sst')
    for (const n of [tag.attrs.get('count'), tag.attrs.get('uniqueCount')])
      if (n !== undefined && !(/^\s*\d{1,9}\s*$/.test(n) && Number(n) <= max * 10))
        throw overBudget(SST, max);
  if (tag.local !== 'si') return;
  if (++s.count > max) throw overBudget(SST, max);
  if (tag.start - s.last > XLSX_BUDGET.sharedStringBytes)
    throw overBudget(SST_BYTES, XLSX_BUDGET.sharedStringBytes);
  s.last = tag.start;
}

// The elements of cells and their text, counted by the cell budget; everything else is "other".
const CELL_ELEMENTS = new Set(['c', 'v', 'f', 'is', 't', 'r', 'rPr', 'row', 'si', 'sheetData']);
// The elements whose attributes the budget reads.
const BUDGETED = new Set(['c', 'row', 'col', 'mergeCell', 'dimension', 'f', 'sst', 'si', 'table']);

function countElement(tag: XmlTag, t: Tally): void {
  if (++t.elements > XLSX_BUDGET.elements)
    throw overBudget({ zh: 'XML 元素數', en: 'XML elements' }, XLSX_BUDGET.elements);
  if (!CELL_ELEMENTS.has(tag.local) && ++t.other > XLSX_BUDGET.otherElements)
    throw overBudget(
      {
        zh: '儲存格以外的 XML 元素數（樣式、註解、圖形等）',
        en: 'XML elements other than cells (styles, comments, drawings…)',
      },
      XLSX_BUDGET.otherElements,
    );
}

type PartKind = 'sheet' | 'table' | 'sst' | 'other';

/**
 * One part, read tag by tag (xml-tags.ts), against the budget; returns the part with `cut` elements (and all
 * they hold) removed. What is cut is neither counted nor parsed. Data validations and defined names: nothing a
 * roster reads, and each range in them is one object per cell in exceljs.
 */
function scanPart(xml: string, kind: PartKind, cutLocal: string | undefined, t: Tally): string {
  const sst = { count: 0, last: 0 };
  const kept: string[] = [];
  let from = 0;
  let cutting: { start: number; depth: number } | undefined;
  eachTag(xml, BUDGETED, (tag) => {
    if (cutting) {
      if (tag.local === cutLocal && !tag.selfClosing) cutting.depth += tag.end ? -1 : 1;
      if (cutting.depth === 0) {
        kept.push(xml.slice(from, cutting.start));
        from = tag.stop;
        cutting = undefined;
      }
      return;
    }
    if (tag.end) return;
    if (tag.local === cutLocal) {
      if (tag.selfClosing) {
        kept.push(xml.slice(from, tag.start));
        from = tag.stop;
      } else cutting = { start: tag.start, depth: 1 };
      return;
    }
    countElement(tag, t);
    if (kind === 'sheet') sheetElement(tag, t);
    else if (kind === 'sst') sstElement(tag, sst);
    else if (kind === 'table' && tag.local === 'table') {
      const ref = tag.attrs.get('ref');
      if (ref !== undefined) addCells(t, refArea(ref));
    }
  });
  if (cutting) throw new XmlUnreadable(`an unclosed <${cutLocal ?? ''}>`);
  if (kind === 'sst' && xml.length - sst.last > XLSX_BUDGET.sharedStringBytes + 1024)
    throw overBudget(SST_BYTES, XLSX_BUDGET.sharedStringBytes);
  if (kept.length === 0) return xml;
  kept.push(xml.slice(from));
  return kept.join('');
}

function unreadableXml(part: string, e: XmlUnreadable): LotteryError {
  return new LotteryError(
    'ROSTER_INVALID',
    {
      zh: `試算表的 ${part.slice(0, 60)} 無法以 XML 讀取（${e.message}），未載入`,
      en: `The spreadsheet's ${part.slice(0, 60)} is not readable XML (${e.message}); nothing was loaded`,
    },
    {
      problems: [
        {
          field: 'file',
          code: 'UNREADABLE_XML',
          message: { zh: '試算表的 XML 無法讀取', en: 'unreadable XML in the spreadsheet' },
        },
      ],
    },
  );
}

function readableSheet(entries: readonly ZipPart[], sheetName: string | undefined): string | undefined {
  try {
    return sheetToRead(entries, sheetName);
  } catch (err) {
    if (err instanceof XmlUnreadable) throw unreadableXml('xl/workbook.xml', err);
    throw err;
  }
}

function kindOf(name: string): PartKind {
  if (WORKSHEET.test(name)) return 'sheet';
  if (TABLE.test(name)) return 'table';
  if (/sharedStrings/.test(name)) return 'sst';
  return 'other';
}

/**
 * Checks the inflated workbook against XLSX_BUDGET and returns the copy for exceljs: the same parts, stored,
 * with data validations and defined names removed. Throws 413 over a budget, 422 for a reference off the grid.
 */
export function budgetedWorkbook(entries: readonly ZipPart[], sheetName?: string): Buffer {
  const t: Tally = { cells: 0, merges: 0, elements: 0, other: 0 };
  if (entries.filter((e) => WORKSHEET.test(e.name)).length > XLSX_BUDGET.sheets)
    throw overBudget({ zh: '工作表數', en: 'worksheets' }, XLSX_BUDGET.sheets);
  const read = readableSheet(entries, sheetName);
  const parts = entries.map((e) => {
    // Only the worksheet that will be read is parsed (sheet-pick.ts): the others are emptied, never counted.
    if (read !== undefined && WORKSHEET.test(e.name) && e.name !== read)
      return { name: e.name, data: Buffer.from(EMPTY_WORKSHEET, 'utf8') };
    // Every part exceljs may parse as XML has .xml, .rels or .vml in its name (its patterns are unanchored);
    // media and binary parts stay bytes.
    if (/xl\/media\//.test(e.name) || !/[.](xml|rels|vml)/i.test(e.name))
      return { name: e.name, data: e.data };
    const kind = kindOf(e.name);
    const cutLocal =
      kind === 'sheet' ? 'dataValidations' : e.name === 'xl/workbook.xml' ? 'definedNames' : undefined;
    try {
      const xml = scanPart(e.data.toString('utf8'), kind, cutLocal, t);
      return { name: e.name, data: Buffer.from(xml, 'utf8') };
    } catch (err) {
      // A tag this reader cannot read whole is refused: exceljs's parser might read it another way.
      if (err instanceof XmlUnreadable) throw unreadableXml(e.name, err);
      throw err;
    }
  });
  return storedZip(parts);
}
