/**
 * Roster fixtures, made by the tests so that each one's bytes are explained here rather than by a binary file.
 * They imitate what ethics offices' PCs produce: Excel's "CSV" save on Traditional Chinese Windows (CP950),
 * "CSV UTF-8" (with BOM), "Unicode text" (UTF-16LE, tab-separated), and .xlsx workbooks.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import zlib from 'node:zlib';

export const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

/** CP950 bytes of a string, as Excel writes a CSV on a zh-TW Windows. */
export function cp950(text: string): Buffer {
  return iconv.encode(text, 'cp950');
}

/** A CP950 CSV with a title row above the header, as many offices export it. */
export function cp950WithTitle(): Buffer {
  return cp950(
    crlf([
      '114年度財產申報人名冊,,,,',
      '編號,姓名,服務機關,職稱,備註',
      'A001,王小明,數位發展部,司長,',
      'A002,李大華,數位發展部,副司長,',
      'A003,陳美玲,數位發展部,科長,',
    ]),
  );
}

/** A CP950 CSV where one name holds a 造字 (end-user-defined character) at bytes FB 69. */
export function cp950WithEudc(): Buffer {
  const head = cp950(crlf(['編號,姓名,單位,職稱', 'A001,王小明,秘書處,處長']));
  const row = Buffer.concat([cp950('A002,林'), Buffer.from([0xfb, 0x69]), cp950('芬,人事處,處長\r\n')]);
  return Buffer.concat([head, row]);
}

export function utf8Bom(): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(crlf(['序號,姓名,單位,職稱', '1,王小明,秘書處,處長', '2,李大華,人事處,處長'])),
  ]);
}

/** Excel's "Unicode text": UTF-16LE with a BOM, tab-separated, headers with a full-width space and a suffix. */
export function utf16Tabs(): Buffer {
  const text = crlf([
    '編號\t姓　名\t服務機關（構）\t職稱',
    'B001\t張志明\t交通部\t次長',
    'B002\t黃淑芬\t交通部\t主任秘書',
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A template with pre-filled 序號 rows that were never filled in, and a 合計 footer. */
export function templateWithFooter(): Buffer {
  return Buffer.from(
    crlf([
      '序號,姓名,單位,職稱',
      '1,王小明,秘書處,處長',
      '2,李大華,人事處,處長',
      '3,,,',
      '4,,,',
      '5,,,',
      '合計,2 人,,',
      ',製表人：,核章：,',
    ]),
  );
}

export async function xlsxBook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * An .xlsx with what real workbooks have: a hidden first sheet, a title row, numeric ids (one plain, the rest
 * formatted 000), a formula with a cached value, a date, a merged unit cell, a hidden row, struck-through text
 * and rich text.
 */
export function richXlsx(): Promise<Buffer> {
  return xlsxBook((wb) => {
    const hidden = wb.addWorksheet('舊名冊', { state: 'hidden' });
    hidden.addRow(['編號', '姓名']);
    hidden.addRow([1, '不應載入']);
    const ws = wb.addWorksheet('名冊');
    ws.addRow(['114年度財產申報人名冊']);
    ws.addRow(['編號', '姓名', '單位', '職稱', '到職日', '申報類別']);
    ws.addRow([
      7,
      '王小明',
      '秘書處',
      '處長',
      new Date(Date.UTC(2020, 0, 2)),
      { formula: '"定期"&"申報"', result: '定期申報' },
    ]);
    ws.addRow([
      8,
      { richText: [{ text: '李' }, { text: '大華', font: { bold: true } }] },
      null,
      '科長',
      null,
      '定期申報',
    ]);
    ws.addRow([9, '陳美玲', null, '專員', null, '定期申報']);
    ws.addRow([10, '林志強', '人事處', '處長', null, '定期申報']);
    ws.mergeCells('C3:C5');
    for (const r of [4, 5, 6]) ws.getCell(`A${r}`).numFmt = '000';
    ws.getRow(6).hidden = true;
    ws.getCell('B5').font = { strike: true };
  });
}

/** A zip whose workbook part declares a small size but inflates to 64 MiB of zeros. */
export function zipBomb(): Buffer {
  const payload = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
  return zipOf([
    { name: '[Content_Types].xml', data: zlib.deflateRawSync(Buffer.from('<Types/>')), size: 8 },
    { name: 'xl/workbook.xml', data: payload, size: 1000 },
  ]);
}

/** A minimal zip writer (deflated entries given precompressed, with a declared size that may lie). */
export function zipOf(entries: Array<{ name: string; data: Buffer; size: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The OLE2 compound-file signature that every Excel 97-2003 .xls starts with, then filler. */
export function oldXls(): Buffer {
  return Buffer.concat([
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    Buffer.alloc(4096, 0),
  ]);
}
