import ExcelJS from 'exceljs';
import request from 'supertest';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { auth, createLoaded, example, lockAndDraw, makeApp, type TestApp } from '../helpers/app';

/**
 * Issue 12: re-uploading a roster silently dropped the exclusion reasons typed on the page, and the dry run did
 * not warn. A file without an excluded column now keeps them by id; one with the column replaces them; the dry
 * run lists what the load will do, and the load does exactly that.
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

const put = (body: Buffer | string, query = '', type = 'text/csv; charset=utf-8') =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster${query}`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', type)
    .send(body);
const exclude = (entry: string, excluded: string | null) =>
  request(t.app)
    .patch(`/api/v1/lotteries/${id}/roster/${entry}`)
    .set(...auth(t.tokens.ethics))
    .send({ excluded })
    .expect(200);
const roster = async () =>
  (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200)
  ).body as { rosterDigest: string; entries: Array<Record<string, string>> };
const journal = async () =>
  (
    await request(t.app)
      .get(`/api/v1/journal?lottery=${id}`)
      .set(...auth(t.tokens.auditor))
      .expect(200)
  ).body.entries as Array<{ type: string; data: Record<string, unknown> }>;

const FIRST =
  '編號,姓名,單位,職稱\nD001,王小明,總務處,科長\nD002,李美華,人事室,主任\nD003,陳志明,會計室,專員\n';
// D003 leaves, D004 arrives, D001 changes unit.
const SECOND =
  '編號,姓名,單位,職稱\nD001,王小明,秘書室,科長\nD002,李美華,人事室,主任\nD004,林怡芬,政風室,科員\n';

async function loadedWithReasons(): Promise<void> {
  await put(FIRST).expect(200);
  await exclude('D002', '留職停薪');
  await exclude('D003', '已離職');
}

describe('when a roster without an excluded column is uploaded over one with reasons typed on the page', () => {
  it('keeps each reason by id, and the dry run says how many it kept', async () => {
    await loadedWithReasons();
    const dry = await put(FIRST, '?dryRun=1').expect(200);
    expect(dry.body.diff.keptReasons).toBe(true);
    expect(dry.body.diff.exclusions.kept).toEqual([
      { id: 'D002', name: '李美華', reason: '留職停薪' },
      { id: 'D003', name: '陳志明', reason: '已離職' },
    ]);
    expect(dry.body.poolSize).toBe(1);
    await put(FIRST).expect(200);
    const r = await roster();
    expect(r.entries.filter((e) => e.excluded).map((e) => [e.id, e.excluded])).toEqual([
      ['D002', '留職停薪'],
      ['D003', '已離職'],
    ]);
  });

  it('lists the people added, removed and changed, and the reasons of people who left as dropped', async () => {
    await loadedWithReasons();
    const before = await roster();
    const { diff } = (await put(SECOND, '?dryRun=1').expect(200)).body;
    expect(diff.previous).toEqual({ count: 3, rosterDigest: before.rosterDigest });
    expect(diff.added).toEqual([{ id: 'D004', name: '林怡芬' }]);
    expect(diff.removed).toEqual([{ id: 'D003', name: '陳志明' }]);
    expect(diff.changed).toEqual([
      { id: 'D001', name: '王小明', fields: [{ field: 'unit', from: '總務處', to: '秘書室' }] },
    ]);
    expect(diff.exclusions).toEqual({
      kept: [{ id: 'D002', name: '李美華', reason: '留職停薪' }],
      dropped: [{ id: 'D003', name: '陳志明', reason: '已離職', removed: true }],
      changed: [],
    });
    expect(diff.counts).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
      kept: 1,
      dropped: 1,
      exclusionsChanged: 0,
    });
  });
});

describe('when a roster with an excluded column is uploaded over one with reasons', () => {
  it('replaces them, listing each reason set, changed or cleared', async () => {
    await loadedWithReasons();
    const file =
      '編號,姓名,單位,職稱,排除原因\nD001,王小明,總務處,科長,借調\nD002,李美華,人事室,主任,\nD003,陳志明,會計室,專員,退休\n';
    const { diff } = (await put(file, '?dryRun=1').expect(200)).body;
    expect(diff.keptReasons).toBe(false);
    expect(diff.exclusions).toEqual({
      kept: [],
      dropped: [{ id: 'D002', name: '李美華', reason: '留職停薪', removed: false }],
      changed: [
        { id: 'D001', name: '王小明', from: null, to: '借調' },
        { id: 'D003', name: '陳志明', from: '已離職', to: '退休' },
      ],
    });
    await put(file).expect(200);
    expect((await roster()).entries.map((e) => e.excluded ?? null)).toEqual(['借調', null, '退休']);
  });
});

describe('when the load is confirmed', () => {
  it('applies exactly what the dry run reported, journalled as one roster.loaded', async () => {
    await loadedWithReasons();
    const dry = (await put(SECOND, '?dryRun=1').expect(200)).body;
    const real = (await put(SECOND, `?expect=${dry.rosterDigest}`).expect(200)).body;
    expect({ ...real, dryRun: true }).toEqual(dry);
    const r = await roster();
    expect(r.rosterDigest).toBe(dry.rosterDigest);
    const last = (await journal()).at(-1);
    expect(last).toMatchObject({
      type: 'roster.loaded',
      data: { count: 3, poolSize: 2, rosterDigest: dry.rosterDigest },
    });
  });

  it('is refused with 409 when the roster changed after the dry run, and nothing changes', async () => {
    await loadedWithReasons();
    const dry = (await put(SECOND, '?dryRun=1').expect(200)).body;
    await exclude('D001', '借調'); // someone else edits the roster in between
    const before = await roster();
    const entries = (await journal()).length;
    const r = await put(SECOND, `?expect=${dry.rosterDigest}`).expect(409);
    expect(r.body.code).toBe('CONFLICT');
    expect(await roster()).toEqual(before);
    expect((await journal()).length).toBe(entries);
  });

  it('a first upload has no diff', async () => {
    const r = await put(FIRST, '?dryRun=1').expect(200);
    expect(r.body.diff).toBeUndefined();
  });
});

describe('when a JSON roster is uploaded over one with reasons', () => {
  const entries = [
    { id: 'D001', name: '王小明' },
    { id: 'D002', name: '李美華' },
    { id: 'D003', name: '陳志明' },
  ];
  it('entries without the excluded key keep the reasons; with the key anywhere, they replace them', async () => {
    await loadedWithReasons();
    const keep = await put(JSON.stringify({ entries }), '', 'application/json').expect(200);
    expect(keep.body.diff.keptReasons).toBe(true);
    expect((await roster()).entries.filter((e) => e.excluded).length).toBe(2);
    const replace = await put(
      JSON.stringify({ entries: entries.map((e, i) => (i === 0 ? { ...e, excluded: null } : e)) }),
      '',
      'application/json',
    ).expect(200);
    expect(replace.body.diff.keptReasons).toBe(false);
    expect((await roster()).entries.filter((e) => e.excluded).length).toBe(0);
  });
});

describe('when the header has two rows (a group title above the column names)', () => {
  it('an xlsx with 編號 and 姓名 merged down both rows and 「服務單位」 over 單位 and 職稱 loads; the report names row 2', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名冊');
    ws.getCell('A1').value = '編號';
    ws.getCell('B1').value = '姓名';
    ws.getCell('C1').value = '服務單位';
    ws.mergeCells('A1:A2');
    ws.mergeCells('B1:B2');
    ws.mergeCells('C1:D1');
    ws.getCell('C2').value = '單位';
    ws.getCell('D2').value = '職稱';
    ws.addRow(['D001', '王小明', '總務處', '科長']);
    ws.addRow(['D002', '李美華', '人事室', '主任']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await put(bytes, '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect([r.status, r.body.errors?.[0]?.code]).toEqual([200, undefined]);
    expect(r.body).toMatchObject({ count: 2, headerRow: 2, headerRows: [1, 2] });
    expect((await roster()).entries).toEqual([
      { id: 'D001', name: '王小明', unit: '總務處', title: '科長' },
      { id: 'D002', name: '李美華', unit: '人事室', title: '主任' },
    ]);
  });

  it('an xlsx with a group title merged across A1:D1 reads row 2 as the header', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名冊');
    ws.getCell('A1').value = '申報人資料';
    ws.mergeCells('A1:D1');
    ws.addRow(['編號', '姓名', '單位', '職稱']);
    ws.addRow(['D001', '王小明', '總務處', '科長']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await put(bytes, '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(r.body).toMatchObject({ count: 1, headerRow: 2, headerRows: [2] });
  });

  it('the same layouts exported to CSV, with blank cells where the merges were, load alike', async () => {
    const below = '編號,姓名,服務單位,\n,,單位,職稱\nD001,王小明,總務處,科長\n';
    const r1 = await put(below, '?dryRun=1').expect(200);
    expect(r1.body).toMatchObject({ headerRow: 2, headerRows: [1, 2], units: [{ unit: '總務處' }] });
    const above = '編號,申報人資料,,\n,姓名,單位,職稱\nD001,王小明,總務處,科長\n';
    const r2 = await put(above, '?dryRun=1').expect(200);
    expect(r2.body).toMatchObject({ headerRow: 2, headerRows: [1, 2], units: [{ unit: '總務處' }] });
    await put(above).expect(200);
    expect((await roster()).entries).toEqual([{ id: 'D001', name: '王小明', unit: '總務處', title: '科長' }]);
  });

  it('a one-row header under a title says which row it read', async () => {
    const r = await put('115年度財產申報人名冊\n\n編號,姓名\nD001,王小明\n', '?dryRun=1').expect(200);
    expect(r.body).toMatchObject({ headerRow: 3, headerRows: [3] });
  });
});

describe('when the kept reasons reach the draw', () => {
  it('the bundle of a lottery re-uploaded with kept reasons verifies, and the reason is in its roster', async () => {
    const lid = await createLoaded(t);
    await request(t.app)
      .patch(`/api/v1/lotteries/${lid}/roster/D003`)
      .set(...auth(t.tokens.ethics))
      .send({ excluded: '已離職' })
      .expect(200);
    const entries = (example.roster as Array<Record<string, unknown>>).map((e) => {
      const rest = { ...e };
      delete rest.excluded;
      return rest;
    });
    const r = await request(t.app)
      .put(`/api/v1/lotteries/${lid}/roster`)
      .set(...auth(t.tokens.ethics))
      .send({ entries })
      .expect(200);
    expect(r.body.diff.exclusions.kept).toContainEqual(
      expect.objectContaining({ id: 'D003', reason: '已離職' }),
    );
    await lockAndDraw(t, lid);
    const bundle = await request(t.app)
      .get(`/api/v1/lotteries/${lid}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200);
    const report = await verifyBundle(bundle.body, nodeVerifyDeps, {});
    expect(report.checks.filter((x) => !x.ok && x.name !== 'key.pinned')).toEqual([]);
    expect(JSON.stringify(bundle.body)).toContain('已離職');
  });
});
