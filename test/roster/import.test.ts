import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import request from 'supertest';
import { formatNumber } from '../../src/roster/xlsx';
import { normaliseHeader } from '../../src/roster/table';
import { auth, example, makeApp, type TestApp } from '../helpers/app';
import * as F from '../helpers/rosters';

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

type Problem = {
  row?: number;
  column?: string;
  field: string;
  code: string;
  message: { zh: string; en: string };
};
const put = (bytes: Buffer | string, type: string, query = '') =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster${query}`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', type)
    .send(bytes);
const roster = async () =>
  (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200)
  ).body.entries as Array<Record<string, string>>;
const codes = (ps: Problem[]): string[] => ps.map((p) => p.code);

describe('text rosters', () => {
  it('a CP950 CSV with a title row loads with its Chinese headers', async () => {
    const r = await put(F.cp950WithTitle(), 'application/vnd.ms-excel').expect(200);
    expect(r.body).toMatchObject({ count: 3, poolSize: 3, format: 'csv', encoding: 'cp950' });
    expect(await roster()).toEqual([
      { id: 'A001', name: '王小明', unit: '數位發展部', title: '司長' },
      { id: 'A002', name: '李大華', unit: '數位發展部', title: '副司長' },
      { id: 'A003', name: '陳美玲', unit: '數位發展部', title: '科長' },
    ]);
    expect(r.body.warnings).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_COLUMN', row: 2, column: 'E' }),
    ]);
  });

  it('a 造字 from CP950’s user-defined area loads with a warning on its row and column', async () => {
    const r = await put(F.cp950WithEudc(), 'text/csv').expect(200);
    const w = (r.body.warnings as Problem[]).find((p) => p.code === 'PRIVATE_USE_CHARACTER');
    expect(w).toMatchObject({ row: 3, column: 'B', field: 'name' });
    expect((await roster())[1]?.name).toBe('林\ue0c6芬');
  });

  it('a UTF-8 CSV with a BOM: 序號 is the id', async () => {
    const r = await put(F.utf8Bom(), 'text/csv').expect(200);
    expect(r.body).toMatchObject({ count: 2, encoding: 'utf-8' });
    expect((await roster()).map((e) => e.id)).toEqual(['1', '2']);
  });

  it('Excel’s Unicode text: UTF-16 with tabs, 「姓　名」 and 「服務機關（構）」', async () => {
    const r = await put(F.utf16Tabs(), 'text/plain').expect(200);
    expect(r.body).toMatchObject({ count: 2, format: 'tsv', encoding: 'utf-16le' });
    expect(await roster()).toEqual([
      { id: 'B001', name: '張志明', unit: '交通部', title: '次長' },
      { id: 'B002', name: '黃淑芬', unit: '交通部', title: '主任秘書' },
    ]);
  });

  it('a template with empty 序號 rows and a 合計 footer: nameless rows skipped and counted, the footer ends the table', async () => {
    const r = await put(F.templateWithFooter(), 'text/csv').expect(200);
    expect(r.body.count).toBe(2);
    expect(r.body.warnings).toEqual([
      expect.objectContaining({ code: 'ROWS_WITHOUT_NAME', count: 3, row: 4 }),
    ]);
  });

  it('a charset parameter wins: big5 means CP950', async () => {
    const r = await put(F.cp950('姓名\n王小明\n'), 'text/csv; charset=big5').expect(200);
    expect(r.body.encoding).toBe('cp950');
    expect((await roster())[0]).toEqual({ id: '001', name: '王小明' });
  });

  it('bytes that do not decode are 422 UNDECODABLE with the row, and nothing is stored', async () => {
    await put(F.cp950WithTitle(), 'text/csv').expect(200);
    const bad = Buffer.concat([
      F.cp950('姓名,單位\r\n王小明,秘書處\r\n'),
      Buffer.from([0x81, 0x20, 0x0d, 0x0a]),
    ]);
    const r = await put(bad, 'text/csv; charset=cp950').expect(422);
    expect(r.body.code).toBe('UNDECODABLE');
    expect(r.body.errors[0]).toMatchObject({ row: 3, code: 'UNDECODABLE' });
    expect(await roster()).toHaveLength(3);
  });

  it('dates in a CSV stay as typed, and Unknown columns are listed', async () => {
    const r = await put('姓名,生日,電子郵件\n王小明,1970-01-01,a@b\n', 'text/csv').expect(200);
    expect(codes(r.body.warnings)).toEqual(['UNKNOWN_COLUMN', 'UNKNOWN_COLUMN']);
  });

  it('when both 服務機關 and 單位 exist, unit reads 機關／單位; 編號 wins over 序號', async () => {
    await put('序號,編號,姓名,服務機關,單位\n1,X9,王小明,數位發展部,秘書處\n', 'text/csv').expect(200);
    expect(await roster()).toEqual([{ id: 'X9', name: '王小明', unit: '數位發展部／秘書處' }]);
  });

  it('counts per unit, for merged pools', async () => {
    const r = await put('姓名,單位\n甲,A室\n乙,A室\n丙,B室\n', 'text/csv').expect(200);
    expect(r.body.units).toEqual([
      { unit: 'A室', count: 2, poolSize: 2 },
      { unit: 'B室', count: 1, poolSize: 1 },
    ]);
  });
});

describe('xlsx rosters', () => {
  it('loads the first visible sheet as people see it: 000 ids, formula values, dates, merged cells', async () => {
    const r = await put(
      await F.richXlsx(),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ).expect(200);
    expect(r.body).toMatchObject({ count: 4, format: 'xlsx', sheet: '名冊' });
    expect(await roster()).toEqual([
      { id: '008', name: '李大華', unit: '秘書處', title: '科長', category: '定期申報' },
      { id: '009', name: '陳美玲', unit: '秘書處', title: '專員', category: '定期申報' },
      { id: '010', name: '林志強', unit: '人事處', title: '處長', category: '定期申報' },
      { id: '7', name: '王小明', unit: '秘書處', title: '處長', category: '定期申報' },
    ]);
    const w = codes(r.body.warnings);
    expect(w).toEqual(
      expect.arrayContaining(['HIDDEN_SHEETS_SKIPPED', 'HIDDEN_ROW', 'STRUCK_THROUGH', 'UNKNOWN_COLUMN']),
    );
    expect((r.body.warnings as Problem[]).find((p) => p.code === 'HIDDEN_ROW')?.row).toBe(6);
    expect((r.body.warnings as Problem[]).find((p) => p.code === 'STRUCK_THROUGH')).toMatchObject({
      row: 5,
      column: 'B',
    });
  });

  it('takes ?sheet=NAME, and names the sheets when it is wrong', async () => {
    const r = await put(
      await F.richXlsx(),
      'application/octet-stream',
      `?sheet=${encodeURIComponent('舊名冊')}`,
    ).expect(200);
    expect(r.body.count).toBe(1);
    const bad = await put(await F.richXlsx(), 'application/octet-stream', '?sheet=nope').expect(422);
    expect(bad.body.message.zh).toContain('名冊');
  });

  it('an xlsx sent as text/csv is still read as xlsx', async () => {
    const r = await put(await F.richXlsx(), 'text/csv').expect(200);
    expect(r.body.format).toBe('xlsx');
  });

  it('a dates column becomes ISO dates', async () => {
    const book = await F.xlsxBook((wb) => {
      const ws = wb.addWorksheet('s');
      ws.addRow(['姓名', '職稱']);
      ws.addRow(['王小明', new Date(Date.UTC(2025, 0, 22))]);
    });
    await put(book, 'application/octet-stream').expect(200);
    expect((await roster())[0]?.title).toBe('2025-01-22');
  });

  it('a truncated xlsx is 422, random bytes and an empty file are 422, never 500', async () => {
    const good = await F.richXlsx();
    expect((await put(good.subarray(0, good.length - 200), 'application/octet-stream')).status).toBe(422);
    expect((await put(crypto.randomBytes(5000), 'application/octet-stream')).status).toBe(422);
    expect((await put(Buffer.alloc(0), 'text/csv')).status).toBe(422);
  });

  it('a zip bomb is 413', async () => {
    const r = await put(
      F.zipBomb(),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ).expect(413);
    expect(r.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an .xls is 415 with a message to save as .xlsx; so is .ods', async () => {
    const r = await put(F.oldXls(), 'application/vnd.ms-excel').expect(415);
    expect(r.body.message.zh).toContain('.xlsx');
    const ods = F.zipOf([
      {
        name: 'mimetype',
        data: zlib.deflateRawSync(Buffer.from('application/vnd.oasis.opendocument.spreadsheet')),
        size: 46,
      },
    ]);
    expect(
      (await put(ods, 'application/vnd.oasis.opendocument.spreadsheet').expect(415)).body.message.en,
    ).toMatch(/xlsx/);
  });
});

describe('no national IDs, ever', () => {
  it('a national-ID column is refused outright, naming the column', async () => {
    const r = await put('姓名,身分證字號,單位\n王小明,,秘書處\n', 'text/csv').expect(422);
    expect(r.body.errors[0]).toMatchObject({ row: 1, column: 'B', code: 'FORBIDDEN_COLUMN' });
  });

  it.each(['電話', '手機', '住址', '地址', '統一編號'])('a %s column is refused', async (h) => {
    expect((await put(`姓名,${h}\n王小明,\n`, 'text/csv').expect(422)).body.errors[0].code).toBe(
      'FORBIDDEN_COLUMN',
    );
  });

  it('an ID-shaped value in an ignored column makes the file invalid, and the error never echoes it', async () => {
    const r = await put('姓名,備註\n王小明,a123456789\n李大華,\n', 'text/csv').expect(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ row: 2, column: 'B', code: 'NATIONAL_ID' })]);
    expect(JSON.stringify(r.body).toLowerCase()).not.toContain('a123456789');
    await put('姓名,備註\n王小明,AC12345678\n', 'text/csv').expect(422);
    await put('姓名,備註\n王小明,A323456789\n', 'text/csv').expect(200);
  });

  it('applies to JSON rosters too', async () => {
    const r = await put(
      JSON.stringify({ entries: [{ name: '王小明', title: 'F223456789' }] }),
      'application/json',
    ).expect(422);
    expect(JSON.stringify(r.body)).not.toContain('F223456789');
  });
});

describe('ids, names and characters', () => {
  it('bad and duplicate ids are errors with their rows and column', async () => {
    const r = await put('編號,姓名\nA-1,甲\nA 2,乙\nA-1,丙\n', 'text/csv').expect(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ row: 3, column: 'A', field: 'id', code: 'BAD_ID' }),
      expect.objectContaining({ row: 4, column: 'A', field: 'id', code: 'DUPLICATE_ID' }),
    ]);
  });

  it('the same name under different ids is a warning', async () => {
    const r = await put('編號,姓名\n1,王小明\n2,王小明\n', 'text/csv').expect(200);
    expect(r.body.warnings).toEqual([expect.objectContaining({ row: 3, column: 'B', code: 'SAME_NAME' })]);
  });

  it('a character the record font lacks, and a ? in a name, are warnings', async () => {
    const r = await put('姓名\n王尘明\n李?華\n', 'text/csv').expect(200);
    expect(codes(r.body.warnings)).toEqual(['GLYPH_MISSING', 'QUESTION_MARK_IN_NAME']);
    expect(r.body.warnings[0].message.zh).toContain('U+5C18');
  });
});

describe('dry run and limits', () => {
  it('a dry run gives the same report and digest as the real load, at any status, and saves nothing', async () => {
    const dry = await put(F.cp950WithTitle(), 'text/csv', '?dryRun=1').expect(200);
    expect(await roster()).toEqual([]);
    const real = await put(F.cp950WithTitle(), 'text/csv').expect(200);
    expect(dry.body.rosterDigest).toBe(real.body.rosterDigest);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
    expect((await put(F.utf8Bom(), 'text/csv', '?dryRun=1').expect(200)).body.dryRun).toBe(true);
    expect((await put(F.utf8Bom(), 'text/csv').expect(409)).body.code).toBe('NOT_DRAFT');
    expect((await put('姓名,身分證\n', 'text/csv', '?dryRun=1').expect(422)).body.code).toBe(
      'ROSTER_INVALID',
    );
  });

  it('the digest binds the decoded text: the same roster from CP950 CSV, UTF-16 text and xlsx digests alike', async () => {
    const rows = [
      ['編號', '姓名', '單位'],
      ['A1', '王小明', '秘書處'],
      ['A2', '李大華', '人事處'],
    ];
    const csv = rows.map((r) => r.join(',')).join('\r\n');
    const a = (await put(F.cp950(csv), 'text/csv', '?dryRun=1').expect(200)).body.rosterDigest;
    const tsv = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(rows.map((r) => r.join('\t')).join('\r\n'), 'utf16le'),
    ]);
    const b = (await put(tsv, 'text/plain', '?dryRun=1').expect(200)).body.rosterDigest;
    const book = await F.xlsxBook((wb) => {
      const ws = wb.addWorksheet('s');
      rows.forEach((r) => ws.addRow(r));
    });
    const c = (await put(book, 'application/octet-stream', '?dryRun=1').expect(200)).body.rosterDigest;
    expect(new Set([a, b, c]).size).toBe(1);
  });

  it('a 9 MB CSV loads; over 10 MiB is 413; over 100,000 rows is 413', async () => {
    const line = (i: number): string =>
      `P${String(i).padStart(6, '0')},申報人${i},數位發展部數位策略司第一科,科長${'　'.repeat(20)}`;
    const rows: string[] = ['編號,姓名,單位,職稱'];
    let size = 0;
    for (let i = 1; size < 9 * 1024 * 1024; i++) {
      const l = line(i);
      rows.push(l);
      size += Buffer.byteLength(l) + 1;
    }
    const nine = Buffer.from(rows.join('\n'));
    const r = await put(nine, 'text/csv', '?dryRun=1').expect(200);
    expect(r.body.count).toBe(rows.length - 1);
    const eleven = Buffer.concat([nine, Buffer.alloc(2 * 1024 * 1024, 0x41)]);
    expect((await put(eleven, 'text/csv').expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    const many = '姓名\n' + Array.from({ length: 100_001 }, (_, i) => `人${i}`).join('\n');
    expect((await put(many, 'text/csv').expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a multipart/form-data upload with field "file" loads like a direct one', async () => {
    const r = await request(t.app)
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .attach('file', F.cp950WithTitle(), { filename: 'roster.csv', contentType: 'application/vnd.ms-excel' })
      .expect(200);
    expect(r.body).toMatchObject({ count: 3, encoding: 'cp950' });
  });

  it('the example roster of docs/examples loads, 21 people, as JSON too', async () => {
    const r = await put(JSON.stringify({ entries: example.roster }), 'application/json').expect(200);
    expect(r.body.rosterDigest).toBe(example.expect.rosterDigest);
  });
});

describe('cells as people see them', () => {
  it.each([
    [7, 'General', '7'],
    [7, '000', '007'],
    [1234, '00000', '01234'],
    [12.5, '0.00', '12.50'],
    [1234567, '#,##0', '1,234,567'],
    [42, '"D"000', 'D042'],
    [0.1 + 0.2, 'General', '0.3'],
  ])('%p formatted %s reads %s', (n, fmt, out) => {
    expect(formatNumber(n, fmt)).toBe(out);
  });

  it.each([
    ['姓　名', '姓名'],
    ['服務機關（構）', '服務機關'],
    [' Name ', 'name'],
    ['職稱(職務)', '職稱'],
  ])('header %s normalises to %s', (h, out) => {
    expect(normaliseHeader(h)).toBe(out);
  });
});

describe('the example rosters in docs/examples', () => {
  const dir = path.resolve(__dirname, '..', '..', 'docs', 'examples');
  it.each([
    ['roster-113.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['roster-113.csv', 'text/csv'],
    ['roster-113-big5.csv', 'text/csv'],
    ['roster-113.json', 'application/json'],
  ])('%s loads the 21 people of the 113年度 example with the vectors’ digest', async (file, type) => {
    const bytes = fs.readFileSync(path.join(dir, file));
    // superagent would serialise a Buffer sent as JSON; send JSON as text.
    const r = await put(type === 'application/json' ? bytes.toString('utf8') : bytes, type).expect(200);
    expect(r.body).toMatchObject({ count: 21, poolSize: 20, rosterDigest: example.expect.rosterDigest });
  });
});

describe('hostile uploads found by black-box testing', () => {
  it('a truncated multipart upload is a 400, and the service keeps answering', async () => {
    const body = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n姓名\n王一\n';
    const r = await put(body, 'multipart/form-data; boundary=XX', '?dryRun=1');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('MALFORMED_BODY');
    await request(t.app)
      .get(`/api/v1/lotteries/${id}`)
      .set(...auth(t.tokens.ethics))
      .expect(200);
  });

  it('row numbers stay right after a quoted cell holding a CR LF', async () => {
    const r = await put('編號,姓名\r\nA2,"李\r\n二"\r\nA1,x\r\nA3,B123456789\r\n', 'text/csv').expect(422);
    expect(r.body.errors.map((e: Problem) => [e.row, e.code])).toEqual([
      [2, 'CONTROL_CHARACTER'],
      [5, 'NATIONAL_ID'],
    ]);
  });
});

describe('the table end', () => {
  it('names below a 合計 footer are reported, not dropped in silence', async () => {
    const r = await put('姓名,單位\n王小明,A\n合計,1\n李大華,B\n', 'text/csv').expect(200);
    expect(r.body.count).toBe(1);
    expect(r.body.warnings).toEqual([
      expect.objectContaining({ code: 'ROWS_AFTER_FOOTER', row: 4, count: 1 }),
    ]);
  });
});
