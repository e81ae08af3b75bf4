import request from 'supertest';
import { auth, makeApp, type TestApp } from '../helpers/app';

/**
 * Issue 12 attack: `PUT …/roster` with application/json was read by JSON.parse, not the domain's strict reader:
 * duplicate keys (last wins here, first wins in another reader of the same request), a BOM, 1e999 read as
 * Infinity, nesting 4 million deep, unknown top-level keys.
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

const put = (text: string) =>
  request(t.app)
    .put(`/api/v1/lotteries/${id}/roster?dryRun=1`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', 'application/json')
    .send(text);
const one = '{"id":"D001","name":"王小明"}';

describe('when a JSON roster is not strict JSON', () => {
  it.each([
    ['a duplicate top-level key', `{"entries":[${one}],"entries":[]}`],
    ['a duplicate key inside an entry', '{"entries":[{"id":"D001","name":"王小明","name":"李美華"}]}'],
    ['a byte-order mark', `\uFEFF{"entries":[${one}]}`],
    ['a number out of range (1e999)', '{"entries":[{"id":"D001","name":"王小明","title":1e999}]}'],
    ['nesting far too deep', `{"entries":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`],
  ])('%s is MALFORMED_BODY (400), nothing loaded', async (_what, text) => {
    const r = await put(text);
    expect([r.status, r.body.code]).toEqual([400, 'MALFORMED_BODY']);
  });

  it('an unknown top-level key is VALIDATION_FAILED naming it', async () => {
    const r = await put(`{"entries":[${one}],"extra":1}`);
    expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(r.body.message.en).toContain('"extra"');
  });

  it('a plain {"entries":[…]} still loads', async () => {
    const r = await put(`{"entries":[${one}]}`).expect(200);
    expect(r.body.count).toBe(1);
  });
});
