import crypto from 'node:crypto';
import request from 'supertest';
import { sha256Node } from '../../src/keys/signer';
import { Auth } from '../../src/services/auth';
import { createLoaded, makeApp, sessionCookie, type TestApp } from '../helpers/app';

// The witness's own device (issue 13): the register and cosign pages load with no sign-in, carry their words and
// their script, and never echo the one-time code; the lottery page offers the ethics officer the invitations.

let t: TestApp;
beforeEach(() => {
  t = makeApp();
  const a = new Auth({
    store: t.store,
    clock: () => new Date(),
    randomBytes: crypto.randomBytes,
    sha256: sha256Node,
  });
  for (const name of ['林怡芬', 'auditor']) {
    const u = t.store.userByName(name);
    if (u) a.setPassword(u.id, `password-${name}-123`);
  }
});
afterEach(() => t.close());

describe('the witness pages', () => {
  it('when a person scans the QR code › the register page explains, loads its script, and never echoes the code', async () => {
    const code = 'Zm9vYmFyYmF6cXV4cXV1eA';
    const page = await request(t.app).get(`/witness/register?code=${code}`).expect(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('您正在做什麼');
    expect(page.text).toContain('You are the monitor or a witness of this lottery');
    expect(page.text).toContain('<script src="/static/js/witness.js" defer></script>');
    // Only the language link carries it (same origin, so that switching keeps the code); no other place does.
    expect(page.text.split(code).length - 1).toBe(1);
    expect(page.text).toContain(`/lang/en?next=${encodeURIComponent(`/witness/register?code=${code}`)}`);
  });

  it('when the device opens the cosigning page › it loads with no sign-in, for any lottery id', async () => {
    const id = await createLoaded(t, { year: 113, agency: '新北市政府' });
    const page = await request(t.app).get(`/witness/lotteries/${id}/cosign`).expect(200);
    expect(page.text).toContain(`data-lottery="${id}"`);
    expect(page.text).toContain('確認並副署');
    const unknown = await request(t.app).get('/witness/lotteries/113-nosuchthing/cosign').expect(200);
    expect(unknown.text).toContain('data-lottery="113-nosuchthing"');
  });

  it('when the ethics officer opens a lottery › the invitation section is there; for the auditor it is not', async () => {
    const id = await createLoaded(t, { year: 113, agency: '新北市政府' });
    const ethics = await request(t.app)
      .get(`/lotteries/${id}`)
      .set('Cookie', await sessionCookie(t.app, '林怡芬', 'password-林怡芬-123'))
      .expect(200);
    expect(ethics.text).toContain('監察員與見證人的裝置');
    expect(ethics.text).toContain('/static/js/invite.js');
    const auditor = await request(t.app)
      .get(`/lotteries/${id}`)
      .set('Cookie', await sessionCookie(t.app, 'auditor', 'password-auditor-123'))
      .expect(200);
    expect(auditor.text).not.toContain('監察員與見證人的裝置');
  });
});
