import request from 'supertest';
import { auth, makeApp, type TestApp } from '../helpers/app';

/**
 * Issue 12 attack: with ids numbered by row (a roster of 姓名,單位 only), inserting 林怡芬 as row 2 moved
 * 李美華's typed 留職停薪 to 林怡芬 (id 002 now named her): 林怡芬 left the pool and 李美華 could be drawn. A
 * reason now follows the person: the id AND the name, or without an id column the (name, unit) when unique.
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

const put = (body: string, query = '') =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster${query}`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', 'text/csv; charset=utf-8')
    .send(body);
const exclude = (entry: string, excluded: string) =>
  request(t.app)
    .patch(`/api/v1/lotteries/${id}/roster/${entry}`)
    .set(...auth(t.tokens.ethics))
    .send({ excluded })
    .expect(200);
const excludedNow = async () =>
  (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(t.tokens.ethics))
      .expect(200)
  ).body.entries
    .filter((e: { excluded?: string }) => e.excluded)
    .map((e: { id: string; name: string; excluded: string }) => [e.id, e.name, e.excluded]);

describe('when a roster without an id column is re-uploaded with a person inserted', () => {
  const FIRST = '姓名,單位\n王小明,秘書處\n李美華,人事室\n陳志明,會計室\n';
  const INSERTED = '姓名,單位\n王小明,秘書處\n林怡芬,政風室\n李美華,人事室\n陳志明,會計室\n';

  it('the reason stays with 李美華 (matched by name and unit), never with the new row 2', async () => {
    await put(FIRST).expect(200);
    await exclude('002', '留職停薪');
    const dry = (await put(INSERTED, '?dryRun=1').expect(200)).body;
    expect(dry.diff.matchedBy).toBe('name-unit');
    expect(dry.diff.exclusions.kept).toEqual([{ id: '003', name: '李美華', reason: '留職停薪' }]);
    expect(dry.diff.added).toEqual([{ id: '002', name: '林怡芬' }]);
    expect(dry.diff.changed).toEqual([]);
    await put(INSERTED).expect(200);
    expect(await excludedNow()).toEqual([['003', '李美華', '留職停薪']]);
  });

  it('a reason whose name and unit are shared by two rows is dropped with a warning, not guessed', async () => {
    await put(FIRST).expect(200);
    await exclude('002', '留職停薪');
    const dry = (await put(`${INSERTED}李美華,人事室\n`, '?dryRun=1').expect(200)).body;
    expect(dry.diff.exclusions.kept).toEqual([]);
    expect(dry.diff.exclusions.dropped).toEqual([
      { id: '002', name: '李美華', reason: '留職停薪', removed: false, why: 'NOT_UNIQUE' },
    ]);
    expect(dry.warnings).toContainEqual(expect.objectContaining({ code: 'REASON_NOT_KEPT_NOT_UNIQUE' }));
    expect(dry.poolSize).toBe(5);
  });
});

describe('when an id now names someone else', () => {
  it('the reason is dropped and listed, with the loud warning naming both names', async () => {
    await put('編號,姓名,單位\n001,王小明,秘書處\n002,李美華,人事室\n').expect(200);
    await exclude('002', '留職停薪');
    const dry = (await put('編號,姓名,單位\n001,王小明,秘書處\n002,林怡芬,人事室\n', '?dryRun=1').expect(200))
      .body;
    expect(dry.diff.exclusions.kept).toEqual([]);
    expect(dry.diff.exclusions.dropped).toEqual([
      { id: '002', name: '李美華', reason: '留職停薪', removed: false, why: 'NAME_CHANGED', now: '林怡芬' },
    ]);
    expect(dry.warnings[0].message.zh).toContain('編號 002 的姓名由 李美華 變為 林怡芬，原因未保留');
    expect(dry.poolSize).toBe(2);
  });

  it('the same name in another Unicode form (NFD) or with spaces is the same person, and the reason stays', async () => {
    await put('編號,姓名,單位\nA1,José,秘書處\nA2,李美華,人事室\n').expect(200);
    await exclude('A1', '留職停薪');
    const dry = (
      await put(
        `編號,姓名,單位\nA1,${'José'.normalize('NFD')},秘書處\nA2,李美華,人事室\n`,
        '?dryRun=1',
      ).expect(200)
    ).body;
    expect(dry.diff.exclusions.kept).toEqual([{ id: 'A1', name: expect.any(String), reason: '留職停薪' }]);
  });
});
