import request from 'supertest';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { auth, createLoaded, example, makeApp, openCeremony, type TestApp } from '../helpers/app';

/**
 * issue 11, attacked from outside: what the meeting's life (meeting.updated, rehearsals, cancelling, copying) and
 * physical draws let an operator or a hostile client do to the v2 ceremony. The clock is 2026-01-22 14:30 Taipei.
 */
let now = new Date('2026-01-22T06:30:00.000Z');
let t: TestApp;
beforeEach(() => {
  now = new Date('2026-01-22T06:30:00.000Z');
  t = makeApp({ clock: () => now });
});
afterEach(() => t.close());

const api = (): ReturnType<typeof request> => request(t.app);
const as = (): [string, string] => auth(t.tokens.ethics);

describe('when an operator moves the meeting day after the lock to draw on another day', () => {
  it('the draw is allowed (a postponed meeting) but the verifier warns that the day moved', async () => {
    const id = await createLoaded(t, {
      year: 115,
      agency: '數位發展部',
      meeting: { date: '2026-01-30T10:00' },
    });
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...as())
      .expect(200);
    await api()
      .patch(`/api/v1/lotteries/${id}/meeting`)
      .set(...as())
      .send({ date: '2026-01-22T14:30' })
      .expect(200);
    const c = await openCeremony(t, id);
    for (const [n, body] of [
      [1, { ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment }],
      [2, { ceremonyToken: c.ceremonyToken }],
    ] as const)
      await api()
        .post(`/api/v1/lotteries/${id}/stages/${n}/draw`)
        .set(...auth(t.tokens.drawer))
        .send(body)
        .expect(200);
    const b = await api()
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...as())
      .expect(200);
    const rep = await verifyBundle(b.body, nodeVerifyDeps, { trustedFingerprint: c.keyFingerprint });
    expect(rep.ok).toBe(true);
    expect(rep.warnings.join('\n')).toMatch(/meeting day moved at seq \d+ .* from 2026-01-30 to 2026-01-22/);
  });

  it('once stage 1 is drawn the day cannot move any more, so the draw cannot be re-dated', async () => {
    const id = await createLoaded(t, {
      year: 115,
      agency: '數位發展部',
      meeting: { date: '2026-01-22T14:30' },
    });
    await api()
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...as())
      .expect(200);
    const c = await openCeremony(t, id);
    await api()
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(t.tokens.drawer))
      .send({ ceremonyToken: c.ceremonyToken, entropy: example.entropy, commitment: c.commitment })
      .expect(200);
    const r = await api()
      .patch(`/api/v1/lotteries/${id}/meeting`)
      .set(...as())
      .send({ date: '2026-01-23T14:30' });
    expect([r.status, (r.body as { code?: string }).code]).toEqual([409, 'ALREADY_DRAWN']);
  });
});
