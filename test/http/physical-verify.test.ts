import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import crypto from 'node:crypto';
import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { auth, makeApp, testSigner, type TestApp } from '../helpers/app';
import { physicalDrawn } from '../helpers/physical';

// The verifier on a physical draw's bundle (protocol.md §6.1, §8.2): everything but the randomness is checked,
// and the randomness is reported as not verifiable without failing the bundle.

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(() => t.close());

type Json = Record<string, unknown>;
async function bundleOf(id: string): Promise<Json> {
  const r = await request(t.app)
    .get(`/api/v1/lotteries/${id}/bundle`)
    .set(...auth(t.tokens.auditor))
    .expect(200);
  return r.body as Json;
}
const fingerprint = (): string =>
  'SHA256:' +
  crypto
    .createHash('sha256')
    .update(crypto.createPublicKey(testSigner().publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex');

const verify = (b: unknown): ReturnType<typeof verifyBundle> =>
  verifyBundle(b, nodeVerifyDeps, { trustedFingerprint: fingerprint() });
const failing = (r: Awaited<ReturnType<typeof verifyBundle>>): string[] =>
  r.checks.filter((c) => !c.ok).map((c) => c.name);

describe('the verifier on a physical draw', () => {
  it('when the bundle is genuine › every check passes and the randomness is named as not verifiable', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    expect(b).not.toHaveProperty('seed');
    expect(b).not.toHaveProperty('entropy');
    expect((b.lottery as Json).method).toBe('physical');
    const stages = b.stages as Json[];
    expect(stages.map((s) => s.balls)).toEqual([[7, 3], [2]]);
    const r = await verify(b);
    expect(failing(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const names = r.checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['randomness', 'physical.sheets', 'physical.balls', 'winners']),
    );
    expect(names).not.toContain('seed');
    const rnd = r.checks.find((c) => c.name === 'randomness');
    expect(rnd).toMatchObject({ ok: true, notVerifiable: true });
    expect(rnd?.detail).toContain('not verifiable: physical draw');
  });

  it('when the winners do not match the balls › winners fails', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    const st = (b.stages as Json[])[0] as { winners: string[] };
    st.winners = [...st.winners].reverse();
    expect(failing(await verify(b))).toContain('winners');
  });

  it('when a ball is not the one journalled, or not on the sheet › physical.balls fails', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    const st = (b.stages as Json[])[0] as { balls: number[] };
    st.balls = [7, 99];
    const f = failing(await verify(b));
    expect(f).toContain('physical.balls');
    expect(f).toContain('winners');
  });

  it('when a stage has fewer winners than its quota › quotas fails', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    const st = (b.stages as Json[])[0] as { balls: number[]; winners: string[] };
    st.balls = st.balls.slice(0, 1);
    st.winners = st.winners.slice(0, 1);
    expect(failing(await verify(b))).toContain('quotas');
  });

  it('when a sheet digest is not its pool in id order › physical.sheets fails', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    const st = (b.stages as Json[])[1] as { sheet: string };
    st.sheet = '0'.repeat(64);
    expect(failing(await verify(b))).toEqual(['physical.sheets']);
  });

  it('when a physical bundle carries a seed, or lacks its balls › format fails', async () => {
    const b = await bundleOf(await physicalDrawn(t));
    expect(failing(await verify({ ...b, seed: '0'.repeat(64) }))).toEqual(['format']);
    const stages = (b.stages as Json[]).map(({ balls: _b, ...rest }) => rest);
    expect(failing(await verify({ ...b, stages }))).toEqual(['format']);
  });
});

describe('a physical draw, after the draw', () => {
  it('when verify --db reads the database › its tables match the journal', async () => {
    const id = await physicalDrawn(t);
    const { verifyDatabase } = await import('../../src/domain/verify');
    const r = await verifyDatabase(t.store.snapshot(), nodeVerifyDeps);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toContain(`tables.lottery:${id}`);
  });

  it('when the record is issued › it says 實體抽籤 and lists the balls in draw order', async () => {
    const id = await physicalDrawn(t);
    await request(t.app)
      .post(`/api/v1/lotteries/${id}/record`)
      .set(...auth(t.tokens.ethics))
      .expect(201);
    const pdf = await request(t.app)
      .get(`/api/v1/lotteries/${id}/record.pdf`)
      .set(...auth(t.tokens.ethics))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const file = path.join(t.dir, 'record.pdf');
    fs.writeFileSync(file, pdf.body as Buffer);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('實體抽籤');
    // Stage 1: ball 1 mistyped and withdrawn, then 7 and 3; stage 2: ball 2.
    expect(text).toMatch(/抽出球號（依抽出順序）：7、3/);
    expect(text).toMatch(/抽出球號（依抽出順序）：2/);
    expect(text).toMatch(/1 號[^\n]*已撤銷[^\n]*誤植球號/);
  });
});
