import { verifyBundle } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { fixturePhysicalBundle, fixturePhysicalFingerprint } from './fixture-bundle';

// The checked-in physical draw (test/fixtures/bundle-physical.json) through the domain verifier alone: what passes,
// and how the randomness is reported (protocol.md §8.2, §8.4).
describe('the verifier on the checked-in physical draw', () => {
  it('when verified with its fingerprint › it passes, and names the randomness as not verifiable', async () => {
    const b = fixturePhysicalBundle();
    const r = await verifyBundle(b, nodeVerifyDeps, { trustedFingerprint: fixturePhysicalFingerprint() });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.filter((c) => c.notVerifiable).map((c) => [c.name, c.detail.slice(0, 30)])).toEqual([
      ['randomness', 'not verifiable: physical draw '],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('when its first ball is withdrawn from the bundle › physical.balls and winners fail', async () => {
    const b = fixturePhysicalBundle() as unknown as { stages: Array<{ balls: number[] }> };
    const st = b.stages[0];
    if (st) st.balls = [3, 7];
    const r = await verifyBundle(b, nodeVerifyDeps, { trustedFingerprint: fixturePhysicalFingerprint() });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['physical.balls', 'winners']);
    expect(r.ok).toBe(false);
  });
});
