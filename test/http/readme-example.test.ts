/**
 * The README's example holds: its commands load docs/examples/roster-113-meeting.xlsx, the 21 fictional people
 * with no one excluded, and lock it to the meeting of 114-01-22's figures, 21 → 3 → 1 (10% of 21 = 2.1 → 3; 2% of
 * 3 = 0.06 → 1). The test-vector rosters (roster-113.*) exclude D021 and give 20 → 2 → 1: the README must not
 * point at them for 21 → 3 → 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { auth, makeApp, type TestApp } from '../helpers/app';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(() => t.close());

async function lockedFrom(file: string, type: string): Promise<unknown> {
  const id = (
    await request(t.app)
      .post('/api/v1/lotteries')
      .set(...auth(t.tokens.ethics))
      .send({ year: 113, agency: '數位發展部', meeting: { date: t.today() } })
      .expect(201)
  ).body.id as string;
  const loaded = await request(t.app)
    .put(`/api/v1/lotteries/${id}/roster`)
    .set(...auth(t.tokens.ethics))
    .set('Content-Type', type)
    .send(fs.readFileSync(path.join(ROOT, 'docs', 'examples', file)))
    .expect(200);
  expect(loaded.body).toMatchObject({ count: 21, poolSize: 21 });
  const locked = await request(t.app)
    .post(`/api/v1/lotteries/${id}/lock`)
    .set(...auth(t.tokens.ethics))
    .expect(200);
  return locked.body.quotas;
}

describe('the README’s example roster', () => {
  it.each([
    ['roster-113-meeting.xlsx', XLSX_TYPE],
    ['roster-113-meeting.csv', 'text/csv'],
  ])('when %s is loaded and locked › the pool is 21 and the quotas 3 then 1', async (file, type) => {
    expect(await lockedFrom(file, type)).toEqual([
      { stage: 1, poolSize: 21, quota: 3 },
      { stage: 2, poolSize: 3, quota: 1 },
    ]);
  });

  it('when the README loads a roster file › it is the meeting roster, and it says 21 → 3 → 1', () => {
    const loads = [...README.matchAll(/--data-binary @(docs\/examples\/[\w.-]+)/g)].map((m) => m[1]);
    expect(loads).toContain('docs/examples/roster-113-meeting.xlsx');
    for (const f of loads) expect(fs.existsSync(path.join(ROOT, f ?? ''))).toBe(true);
    expect(README).toContain('21 → 3 → 1');
  });

  it('when the README creates users › each name is created once', () => {
    // Placeholders in the usage lines (NAME) are not users anyone creates.
    const names = [...README.matchAll(/user add --name (\S+)/g)]
      .map((m) => m[1])
      .filter((n) => n !== undefined && !/^[A-Z_]+$/.test(n));
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual([...new Set(names)]);
  });
});
