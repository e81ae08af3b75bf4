import crypto from 'node:crypto';
import request from 'supertest';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { initialPool } from '../../src/domain/protocol';
import { auth as bearer, createLoaded, example, makeApp, sessionCookie, type TestApp } from '../helpers/app';

// The ball-entry screen of a physical draw (templates/physical.njk): each number on the sheet with its name, the
// stage's quota, the entry and undo forms and their script; and a random lottery's screen says there is nothing.

let t: TestApp;
beforeEach(() => {
  t = makeApp();
  const a = new Auth({
    store: t.store,
    clock: () => new Date(),
    randomBytes: crypto.randomBytes,
    sha256: sha256Node,
  });
  for (const name of ['minister', 'auditor']) {
    const u = t.store.userByName(name);
    if (u) a.setPassword(u.id, `password-${name}-123`);
  }
});
afterEach(() => t.close());

async function cookieOf(name: string): Promise<string> {
  return sessionCookie(t.app, name, `password-${name}-123`);
}

describe('the ball-entry screen', () => {
  it('when a physical lottery is locked › it lists the sheet (號次 → name) and offers to enter balls', async () => {
    const id = await createLoaded(t, { year: 113, agency: '新北市政府', method: 'physical' });
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...bearer(t.tokens.ethics))
      .expect(200);
    const page = await request(t.app)
      .get(`/lotteries/${id}/balls`)
      .set('Cookie', await cookieOf('minister'))
      .expect(200);
    const pool = initialPool(example.roster);
    const first = example.roster.find((e) => e.id === pool[0]);
    const last = example.roster.find((e) => e.id === pool[pool.length - 1]);
    expect(page.text).toContain(`<tr data-number="1"><td>1</td><td>${first?.name ?? '?'}</td></tr>`);
    expect(page.text).toContain(
      `<tr data-number="${pool.length}"><td>${pool.length}</td><td>${last?.name ?? '?'}</td></tr>`,
    );
    expect(page.text).toContain('class="ball-form"');
    expect(page.text).toContain('class="undo-form"');
    expect(page.text).toContain('/static/js/physical.js');
    expect(page.text).toContain('抽出 2 人（母體 20 人）');
    expect(page.text).toContain(`/api/v1/lotteries/${id}/stages/1/pool-sheet.pdf`);
  });

  it('when the auditor looks › the sheet is shown but there is nothing to enter', async () => {
    const id = await createLoaded(t, { year: 113, agency: '新北市政府', method: 'physical' });
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...bearer(t.tokens.ethics))
      .expect(200);
    const page = await request(t.app)
      .get(`/lotteries/${id}/balls`)
      .set('Cookie', await cookieOf('auditor'))
      .expect(200);
    expect(page.text).toContain('data-number="1"');
    expect(page.text).not.toContain('class="ball-form"');
  });

  it('when the lottery is drawn by the computer › the screen says there are no balls', async () => {
    const id = await createLoaded(t);
    const page = await request(t.app)
      .get(`/lotteries/${id}/balls`)
      .set('Cookie', await cookieOf('minister'))
      .expect(200);
    expect(page.text).toContain('此抽籤由電腦抽籤，沒有球號可輸入。');
    expect(page.text).not.toContain('data-number=');
  });
});
