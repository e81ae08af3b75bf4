import zlib from 'node:zlib';
import { zipOf } from '../helpers/rosters';

/**
 * A workbook written part by part, for the shapes exceljs cannot be asked to write (or would choke writing):
 * one merged cell over the whole sheet, a declared dimension of 17 billion cells, a shared-string table that
 * claims two billion strings. Each part is deflated, as Excel writes them.
 */
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface Parts {
  /** The inside of <worksheet>, after <dimension> (sheetData, mergeCells, dataValidations…). */
  sheet: string;
  dimension?: string;
  /** The inside of <sst>, and its attributes. */
  sharedStrings?: { attrs?: string; body: string };
  /** Inserted into <workbook> after <sheets> (definedNames…). */
  workbook?: string;
  /** More parts, [name, whole XML]. */
  extra?: Array<[string, string]>;
}

export function xlsxOf(p: Parts): Buffer {
  const part = (name: string, xml: string): { name: string; data: Buffer; size: number } => {
    const raw = Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${xml}`, 'utf8');
    return { name, data: zlib.deflateRawSync(raw), size: raw.length };
  };
  const sst = p.sharedStrings;
  return zipOf([
    part(
      '[Content_Types].xml',
      `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>${sst ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`,
    ),
    part(
      '_rels/.rels',
      `<Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    part(
      'xl/workbook.xml',
      `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="名冊" sheetId="1" r:id="rId1"/></sheets>${p.workbook ?? ''}</workbook>`,
    ),
    part(
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${sst ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    ),
    part(
      'xl/worksheets/sheet1.xml',
      `<worksheet xmlns="${MAIN}" xmlns:r="${REL}">${p.dimension ? `<dimension ref="${p.dimension}"/>` : ''}${p.sheet}</worksheet>`,
    ),
    ...(sst
      ? [part('xl/sharedStrings.xml', `<sst xmlns="${MAIN}" ${sst.attrs ?? ''}>${sst.body}</sst>`)]
      : []),
    ...(p.extra ?? []).map(([name, xml]) => part(name, xml)),
  ]);
}

/** Rows of inline-string cells: `rows(['編號','姓名'], ['D001','王小明'])`, from row `first`. */
export function sheetRows(rows: string[][], first = 1): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const col = (i: number): string => String.fromCharCode(65 + i);
  return rows
    .map(
      (r, i) =>
        `<row r="${first + i}">${r.map((v, j) => (v === '' ? '' : `<c r="${col(j)}${first + i}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('')}</row>`,
    )
    .join('');
}

export const PEOPLE = [
  ['編號', '姓名', '單位', '職稱'],
  ['D001', '王小明', '總務處', '科長'],
  ['D002', '李美華', '人事室', '主任'],
];

/** The attack: ~7 KB, one merged cell over the whole grid (A1:XFD1048576, 17 billion cells). */
export function mergeBomb(): Buffer {
  return xlsxOf({
    sheet: `<sheetData>${sheetRows(PEOPLE)}</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>`,
  });
}

/** A sheet that declares the whole grid as its dimension. */
export function dimensionBomb(): Buffer {
  return xlsxOf({ dimension: 'A1:XFD1048576', sheet: `<sheetData>${sheetRows(PEOPLE)}</sheetData>` });
}

/**
 * The attacker's bypasses of a tag regex that stopped at the first `>` (issue 12 attack): a `>` or a fake
 * `ref=` inside another attribute's value, a namespace prefix, an entity in the value, a duplicate attribute,
 * and a cut element that only looks self-closing.
 */
export function budgetBypasses(): Array<[string, Buffer]> {
  const data = `<sheetData>${sheetRows(PEOPLE)}</sheetData>`;
  const merge = (m: string): Buffer => xlsxOf({ sheet: `${data}<mergeCells count="1">${m}</mergeCells>` });
  return [
    ['a ">" in an earlier attribute', merge('<mergeCell a=">" ref="A1:XFD1048576"/>')],
    ['a fake ref inside an earlier value', merge(`<mergeCell a=" ref='A1'" ref="A1:XFD1048576"/>`)],
    ['single quotes holding a ">"', merge(`<mergeCell a='">' ref='A1:XFD1048576'/>`)],
    ['a namespace prefix', merge('<x:mergeCell xmlns:x="urn:x" ref="A1:XFD1048576"/>')],
    ['an entity inside the ref', merge('<mergeCell ref="A1&#58;XFD1048576"/>')],
    ['a duplicate ref', merge('<mergeCell ref="A1" ref="A1:XFD1048576"/>')],
    ['a ">" before a col max', xlsxOf({ sheet: `<cols><col a=">" min="1" max="100000000"/></cols>${data}` })],
    ['a ">" before a dimension', xlsxOf({ sheet: `<dimension a=">" ref="A1:XFD1048576"/>${data}` })],
    [
      'a ">" before the shared-string count',
      xlsxOf({
        sharedStrings: {
          attrs: 'a=">" count="2000000000" uniqueCount="2000000000"',
          body: '<si><t>x</t></si>',
        },
        sheet: data,
      }),
    ],
  ];
}

/** The shapes that name billions of cells in a few bytes: a merge, a dimension, a column span, a validation. */
export function xlsxBombs(): Buffer[] {
  const data = `<sheetData>${sheetRows(PEOPLE)}</sheetData>`;
  return [
    mergeBomb(),
    dimensionBomb(),
    xlsxOf({ sheet: `<cols><col min="1" max="2000000000" width="9"/></cols>${data}` }),
    xlsxOf({
      sheet: `${data}<dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576"><formula1>"a"</formula1></dataValidation></dataValidations>`,
    }),
    xlsxOf({
      sheet: data,
      workbook: '<definedNames><definedName name="x">名冊!$A$1:$XFD$1048576</definedName></definedNames>',
    }),
  ];
}
