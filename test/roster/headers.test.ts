import ExcelJS from 'exceljs';
import request from 'supertest';
import { auth, makeApp, type TestApp } from '../helpers/app';

/** Issue 12 attack: header rows misread, and a hidden 排除原因 column applied without a word. */
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

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const dryRun = (body: Buffer | string, type = 'text/csv; charset=utf-8') =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster?dryRun=1`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', type)
    .send(body);
const roster = async () =>
  (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200)
  ).body.entries as Array<Record<string, string>>;

describe('when the header row appears again below the first people (two exports pasted together)', () => {
  it('the repeated header is skipped with a warning naming its row, never loaded as a person named 姓名', async () => {
    const csv = '姓名,單位,職稱\n王小明,秘書處,科員\n姓名,單位,職稱\n李美華,人事室,主任\n';
    const r = await dryRun(csv).expect(200);
    expect(r.body.count).toBe(2);
    expect(r.body.warnings).toContainEqual(expect.objectContaining({ code: 'REPEATED_HEADER', row: 3 }));
    await request(t.app)
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send(csv)
      .expect(200);
    expect((await roster()).map((e) => e.name)).toEqual(['王小明', '李美華']);
  });
});

describe('when a group title that is itself a column name is merged over two sub-columns', () => {
  const workbook = async (): Promise<Buffer> => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名冊');
    ws.getRow(1).values = ['編號', '姓名', '單位', ''];
    ws.getRow(2).values = ['', '', '一級單位', '二級單位'];
    ws.mergeCells('A1:A2');
    ws.mergeCells('B1:B2');
    ws.mergeCells('C1:D1');
    ws.getRow(3).values = ['D001', '王小明', '秘書處', '文書科'];
    ws.getRow(4).values = ['D002', '李美華', '人事室', '考訓科'];
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('loads, reading 一級單位 as the unit, and the report names both header rows (no BAD_ID on row 2)', async () => {
    const r = await dryRun(await workbook(), XLSX).expect(200);
    expect(r.body).toMatchObject({ count: 2, headerRow: 2, headerRows: [1, 2] });
    expect(r.body.units.map((u: { unit: string }) => u.unit)).toEqual(['秘書處', '人事室']);
    expect(r.body.warnings).toContainEqual(expect.objectContaining({ code: 'UNKNOWN_COLUMN', column: 'D' }));
  });

  it('the same layout exported to CSV (blank where the merges were) loads alike', async () => {
    const csv =
      '編號,姓名,單位,\n,,一級單位,二級單位\nD001,王小明,秘書處,文書科\nD002,李美華,人事室,考訓科\n';
    const r = await dryRun(csv).expect(200);
    expect(r.body).toMatchObject({ count: 2, headerRows: [1, 2] });
  });
});

describe('when a second header row cannot be combined with the first', () => {
  it('the error names the header rows (HEADER_NOT_READ), never a misleading BAD_ID for a person named 姓名', async () => {
    const r = await dryRun('編號,姓名,單位\n編號,姓名,科別\nD001,王小明,秘書處\n').expect(422);
    expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual(['HEADER_NOT_READ']);
    expect(r.body.errors[0]).toMatchObject({ row: 2 });
    expect(r.body.errors[0].message.zh).toContain('第 1 列的標題');
  });
});

describe('when the 排除原因 column is hidden in the worksheet', () => {
  it('it is applied with a HIDDEN_COLUMN warning naming the column, as a hidden row is', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名冊');
    ws.getRow(1).values = ['編號', '姓名', '排除原因'];
    ws.getRow(2).values = ['D001', '王小明', '留職停薪'];
    ws.getRow(3).values = ['D002', '李美華', ''];
    ws.getColumn(3).hidden = true;
    const r = await dryRun(Buffer.from(await wb.xlsx.writeBuffer()), XLSX).expect(200);
    expect(r.body.poolSize).toBe(1);
    expect(r.body.warnings).toContainEqual(
      expect.objectContaining({ code: 'HIDDEN_COLUMN', column: 'C', row: 1 }),
    );
  });
});

describe('when a workbook has many sheets and one is read', () => {
  // Issue 12 attack: 1,000 sheets × 250 rows held 480 MB for 15 s, though one sheet is read.
  const workbook = async (): Promise<Buffer> => {
    const wb = new ExcelJS.Workbook();
    const old = wb.addWorksheet('舊名冊', { state: 'hidden' });
    old.getRow(1).values = ['編號', '姓名'];
    old.getRow(2).values = ['X001', '舊人'];
    const ws = wb.addWorksheet('名冊');
    ws.getRow(1).values = ['編號', '姓名'];
    ws.getRow(2).values = ['D001', '王小明'];
    ws.getRow(3).values = ['D002', '李美華'];
    const notes = wb.addWorksheet('備註');
    for (let i = 1; i <= 5_001; i++) notes.mergeCells(`A${i}:B${i}`);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('only that sheet is parsed and budgeted: the others are cut out of what exceljs reads', async () => {
    const bytes = await workbook();
    const r = await dryRun(bytes, XLSX).expect(200);
    expect(r.body).toMatchObject({ count: 2, sheet: '名冊' });
    expect(r.body.warnings).toContainEqual(expect.objectContaining({ code: 'HIDDEN_SHEETS_SKIPPED' }));
    const hidden = await request(t.app)
      .put(`/api/v1/lotteries/${id}/roster?dryRun=1&sheet=${encodeURIComponent('舊名冊')}`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', XLSX)
      .send(bytes)
      .expect(200);
    expect(hidden.body.count).toBe(1);
    const notes = await request(t.app)
      .put(`/api/v1/lotteries/${id}/roster?dryRun=1&sheet=${encodeURIComponent('備註')}`)
      .set(...auth(t.tokens.ethics))
      .set('Content-Type', XLSX)
      .send(bytes);
    expect([notes.status, notes.body.message?.en]).toEqual([413, expect.stringContaining('merged ranges')]);
  });
});
