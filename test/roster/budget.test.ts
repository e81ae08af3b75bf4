import ExcelJS from 'exceljs';
import request from 'supertest';
import { auth, makeApp, type TestApp } from '../helpers/app';
import { budgetBypasses, mergeBomb, PEOPLE, sheetRows, xlsxOf } from './parts';

/**
 * Issue 12: a 7.5 KB xlsx whose only content was one merged cell A1:XFD1048576 blocked the event loop for 30 s
 * and then killed the server out of memory. Every count that exceljs turns into objects is budgeted first.
 */
let t: TestApp;
let id: string;
beforeEach(async () => {
  t = makeApp();
  id = (
    await request(t.app)
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 114, agency: 'X' })
      .expect(201)
  ).body.id;
});
afterEach(() => t.close());

const dryRun = (bytes: Buffer) =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster?dryRun=1`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .send(bytes);
const data = sheetRows(PEOPLE);

describe('when an xlsx names more cells than it holds', () => {
  it('one merged cell over the whole grid (the 7.5 KB bomb) is 413, naming the limit in both languages', async () => {
    const bomb = mergeBomb();
    expect(bomb.length).toBeLessThan(8 * 1024);
    const r = await dryRun(bomb).expect(413);
    expect(r.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.body.message.zh).toContain('1,000,000');
    expect(r.body.message.en).toContain('cells (merged ranges included) at most 1,000,000');
    // The service keeps answering.
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
  });

  it('many merges are 413 before exceljs checks each against the others', async () => {
    const merges = Array.from({ length: 6000 }, (_, i) => `<mergeCell ref="E${i + 1}:F${i + 1}"/>`).join('');
    const r = await dryRun(
      xlsxOf({ sheet: `<sheetData>${data}</sheetData><mergeCells>${merges}</mergeCells>` }),
    );
    expect(r.status).toBe(413);
    expect(r.body.message.en).toContain('merged ranges at most 5,000');
  });

  it('a declared dimension of the whole grid is 413', async () => {
    const r = await dryRun(xlsxOf({ dimension: 'A1:XFD1048576', sheet: `<sheetData>${data}</sheetData>` }));
    expect(r.status).toBe(413);
    expect(r.body.message.en).toContain('dimension');
  });

  it('a shared-string table claiming two billion strings is 413', async () => {
    const r = await dryRun(
      xlsxOf({
        sharedStrings: { attrs: 'count="2000000000" uniqueCount="2000000000"', body: '<si><t>x</t></si>' },
        sheet: `<sheetData>${data}</sheetData>`,
      }),
    );
    expect(r.status).toBe(413);
    expect(r.body.message.en).toContain('shared strings');
  });

  it('a cell, row or column past XFD1048576 is 422, never 500', async () => {
    for (const sheet of [
      `<sheetData>${data}<row r="4"><c r="ZZZZ4"><v>1</v></c></row></sheetData>`,
      `<sheetData>${data}<row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>`,
      `<cols><col min="1" max="200000000" width="9"/></cols><sheetData>${data}</sheetData>`,
    ]) {
      const r = await dryRun(xlsxOf({ sheet }));
      expect([r.status, r.body.errors?.[0]?.code]).toEqual([422, 'REF_OUTSIDE_GRID']);
    }
  });

  it('a data validation or a defined name over the whole grid is ignored, and the roster loads', async () => {
    for (const p of [
      {
        sheet: `<sheetData>${data}</sheetData><dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576"><formula1>"a,b"</formula1></dataValidation></dataValidations>`,
      },
      {
        sheet: `<sheetData>${data}</sheetData>`,
        workbook: '<definedNames><definedName name="x">名冊!$A$1:$XFD$1048576</definedName></definedNames>',
      },
      {
        sheet: `<sheetData>${data}</sheetData><dataValidations count="2"><dataValidation type="none" sqref="A1:A2"/><dataValidation type="list" sqref="B1:XFD1048576"><formula1>"a"</formula1></dataValidation></dataValidations>`,
      },
      {
        // Looks self-closing to a regex (`/>` inside a value): the whole element is still cut.
        sheet: `<sheetData>${data}</sheetData><dataValidations a="/>" count="1"><dataValidation type="list" sqref="A1:XFD1048576"><formula1>"a"</formula1></dataValidation></dataValidations>`,
      },
      {
        sheet: `<sheetData>${data}</sheetData><extLst><ext uri="x"><x14:dataValidations xmlns:x14="x" count="1"><x14:dataValidation type="list"><xm:sqref>A1:XFD1048576</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>`,
      },
    ]) {
      const r = await dryRun(xlsxOf(p)).expect(200);
      expect(r.body.count).toBe(2);
    }
  });
});

describe('when a real roster is large', () => {
  it('1,200 people in 20 columns with a merged title and a unit merged down its people load', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名冊');
    ws.getCell('A1').value = '115年度財產申報人名冊';
    ws.mergeCells('A1:T1');
    ws.getRow(2).values = [
      '編號',
      '姓名',
      '單位',
      '職稱',
      ...Array.from({ length: 16 }, (_, i) => `備註${i + 1}`),
    ];
    for (let i = 0; i < 1200; i++)
      ws.getRow(i + 3).values = [
        `D${String(i + 1).padStart(4, '0')}`,
        `人員${i + 1}`,
        `單位${i % 7}`,
        '科員',
        ...Array.from({ length: 16 }, (_, j) => `x${j}`),
      ];
    ws.mergeCells('C3:C12');
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await dryRun(bytes).expect(200);
    expect(r.body.count).toBe(1200);
  });
});

describe('when an xlsx has millions of elements outside its cells', () => {
  it('a styles part with 300,000 cell formats is 413 (a 124 KB file once held the server 12 s)', async () => {
    const xml = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>${'<xf numFmtId="0"/>'.repeat(300_000)}</cellXfs></styleSheet>`;
    const r = await dryRun(
      xlsxOf({ sheet: `<sheetData>${data}</sheetData>`, extra: [['xl/styles.xml', xml]] }),
    );
    expect(r.status).toBe(413);
    expect(r.body.message.en).toContain('XML elements other than cells');
  });
});

describe("when a budgeted tag hides its attributes from a regex (the attacker's bypasses)", () => {
  it.each(budgetBypasses())(
    '%s is refused (413 or 422) and the server keeps answering',
    async (_what, bytes) => {
      const r = await dryRun(bytes);
      expect([413, 422]).toContain(r.status);
      expect(['PAYLOAD_TOO_LARGE', 'ROSTER_INVALID']).toContain(r.body.code);
      await request(t.app)
        .get(`/api/v1/lotteries/${id}/roster`)
        .set(...auth(t.tokens.ethics))
        .expect(200);
    },
  );

  it('a ">" inside an ordinary attribute of a real roster still loads', async () => {
    const r = await dryRun(
      xlsxOf({
        sheet: `<sheetData>${data}</sheetData><mergeCells count="1"><mergeCell a="x>y" ref="E1:F1"/></mergeCells>`,
      }),
    ).expect(200);
    expect(r.body.count).toBe(2);
  });

  it('a DOCTYPE (which could declare entities) is refused as unreadable XML', async () => {
    const bytes = xlsxOf({
      sheet: `<sheetData>${data}</sheetData>`,
      extra: [['xl/x.xml', '<!DOCTYPE x [<!ENTITY a "b">]><x/>']],
    });
    const r = await dryRun(bytes).expect(422);
    expect(r.body.errors[0].code).toBe('UNREADABLE_XML');
  });
});
