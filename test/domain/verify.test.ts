import request from 'supertest';
import { drawAll, initialPool, seed as seedOf } from '../../src/domain/protocol';
import { verifyBundle, type Report } from '../../src/domain/verify';
import { makeEntry } from '../../src/domain/journal';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { auth, drawnLottery, makeApp, type TestApp } from '../helpers/app';
import { sha256 } from '../helpers/crypto';
import type { RosterEntry } from '../../src/domain/protocol';

type B = Record<string, unknown> & {
  roster: RosterEntry[];
  stages: Array<{ stage: number; percent: string; poolSize: number; quota: number; winners: string[] }>;
  journal: Array<Record<string, unknown>>;
  checkpoint: Record<string, unknown>;
  lottery: Record<string, unknown> & { id: string; stages: Array<{ percent: string }> };
  secret: string;
  entropy: string;
  seed: string;
  commitment: string;
  rosterDigest: string;
};

let t: TestApp;
let original: B;

beforeAll(async () => {
  t = makeApp();
  const id = await drawnLottery(t);
  original = (
    await request(t.app)
      .get(`/api/v1/lotteries/${id}/bundle`)
      .set(...auth(t.tokens.auditor))
      .expect(200)
  ).body as B;
});
afterAll(() => t.close());

const copy = (): B => structuredClone(original);
const check = (r: Report, name: string): boolean | undefined => r.checks.find((c) => c.name === name)?.ok;
const failing = (r: Report): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);

/** Re-derives seed and winners so that a forged bundle is consistent with itself. */
function reseal(b: B): void {
  b.seed = seedOf(
    { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
    sha256,
  );
  const out = drawAll(
    b.seed,
    b.lottery.stages.map((s, i) => ({ stage: i + 1, percent: s.percent })),
    initialPool(b.roster),
  );
  b.stages = out;
}

describe('verifying an audit bundle', () => {
  it('passes every named check on an honest bundle', async () => {
    const r = await verifyBundle(copy(), nodeVerifyDeps);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'format',
      'roster.order',
      'roster.digest',
      'commitment',
      'seed',
      'quotas',
      'winners',
      'journal.chain',
      'journal.lottery',
      'journal.locked',
      'journal.draws',
      'checkpoint.head',
      'checkpoint.signature',
    ]);
  });

  it('format: a bundle missing its seed fails format and runs nothing else', async () => {
    const b = copy();
    delete (b as Record<string, unknown>).seed;
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(failing(r)).toEqual(['format']);
    expect(r.checks).toHaveLength(1);
  });

  it('roster.order: entries out of id order fail roster.order', async () => {
    const b = copy();
    const [a, c] = [b.roster[0], b.roster[1]] as RosterEntry[];
    b.roster[0] = c as RosterEntry;
    b.roster[1] = a as RosterEntry;
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'roster.order')).toBe(false);
    expect(check(r, 'roster.digest')).toBe(true);
  });

  it('roster.digest: a changed name fails roster.digest', async () => {
    const b = copy();
    (b.roster[4] as RosterEntry).name = '王小明';
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'roster.digest')).toBe(false);
  });

  it('roster.digest: a removed exclusion fails roster.digest', async () => {
    const b = copy();
    const excluded = b.roster.find((e) => e.excluded) as RosterEntry;
    delete excluded.excluded;
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'roster.digest')).toBe(false);
  });

  it('commitment: a secret that does not hash to the commitment fails commitment', async () => {
    const b = copy();
    b.secret = 'a'.repeat(64);
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'commitment')).toBe(false);
  });

  it('seed: a different entropy fails seed', async () => {
    const b = copy();
    b.entropy = '6 6 6 6 6 6';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'seed')).toBe(false);
  });

  it('quotas: a quota other than the exact ceiling fails quotas', async () => {
    const b = copy();
    (b.stages[0] as { quota: number }).quota += 1;
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'quotas')).toBe(false);
  });

  it('quotas: a rate other than the lottery’s fails quotas', async () => {
    const b = copy();
    (b.stages[0] as { percent: string }).percent = '5';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'quotas')).toBe(false);
  });

  it('quotas: a first-stage rate below the legal floor fails quotas, even when consistent', async () => {
    const b = copy();
    (b.lottery.stages[0] as { percent: string }).percent = '4';
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'winners')).toBe(true);
    expect(r.checks.find((c) => c.name === 'quotas')?.detail).toMatch(/legal floor/);
    expect(check(r, 'quotas')).toBe(false);
  });

  it('seed: an entropy with a bidi override fails seed even when the seed matches it', async () => {
    const b = copy();
    b.entropy = '6 2 5\u202e 1 3 4';
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'seed')).toBe(false);
  });

  it('winners: a swapped winner id fails winners, by name', async () => {
    const b = copy();
    (b.stages[0] as { winners: string[] }).winners[0] = 'D021'; // excluded, so never a real winner
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'winners')).toBe(false);
    expect(r.ok).toBe(false);
  });

  it('journal.chain: an altered entry fails journal.chain and names the first broken seq', async () => {
    const b = copy();
    (b.journal[2] as Record<string, unknown>).actor = 'system';
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'journal.chain')).toBe(false);
    expect(r.brokenAt).toBe(3);
  });

  it('journal.lottery: a rate edited in the bundle’s lottery fails journal.lottery', async () => {
    const b = copy();
    b.lottery.agency = '法務部';
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'journal.lottery')).toBe(false);
  });

  it('journal.locked: a self-consistent bundle with another secret fails journal.locked', async () => {
    const b = copy();
    b.secret = 'b'.repeat(64);
    b.commitment = sha256(b.secret);
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps);
    for (const n of ['commitment', 'seed', 'quotas', 'winners']) expect(check(r, n)).toBe(true);
    expect(check(r, 'journal.locked')).toBe(false);
  });

  it('journal.draws: a self-consistent bundle with other entropy fails journal.draws', async () => {
    const b = copy();
    b.entropy = '1 1 1 1 1 1';
    reseal(b);
    const r = await verifyBundle(b, nodeVerifyDeps);
    for (const n of ['seed', 'winners', 'journal.locked']) expect(check(r, n)).toBe(true);
    expect(check(r, 'journal.draws')).toBe(false);
  });

  it('checkpoint.head: an entry appended after the checkpoint fails checkpoint.head (the chain alone holds)', async () => {
    const b = copy();
    const last = b.journal[b.journal.length - 1] as { seq: number; hash: string };
    b.journal.push({
      ...makeEntry(
        last,
        {
          at: '2030-01-01T00:00:00.000Z',
          type: 'lottery.unlocked',
          actor: 'system',
          data: { lottery: b.lottery.id },
        },
        sha256,
      ),
    });
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(check(r, 'journal.chain')).toBe(true);
    expect(check(r, 'checkpoint.head')).toBe(false);
  });

  it('checkpoint.signature: a flipped signature fails checkpoint.signature', async () => {
    const b = copy();
    const sig = b.checkpoint.signature as string;
    b.checkpoint.signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(check(await verifyBundle(b, nodeVerifyDeps), 'checkpoint.signature')).toBe(false);
  });

  it('checkpoint.signature: with a trusted key, a bundle signed by another key fails', async () => {
    const other = (await import('../../src/keys/signer')).signerFromPem(
      (await import('../../src/keys/signer')).generatePrivatePem(),
    );
    const r = await verifyBundle(copy(), nodeVerifyDeps, { trustedPublicKey: other.publicKeyPem });
    expect(check(r, 'checkpoint.signature')).toBe(false);
    const good = await verifyBundle(copy(), nodeVerifyDeps, {
      trustedPublicKey: original.checkpoint.publicKey as string,
    });
    expect(good.ok).toBe(true);
    expect(good.warnings).toEqual([]);
  });

  it('hostile values: a __proto__ key and deep nesting are refused without crashing', async () => {
    const b = JSON.parse(
      JSON.stringify(copy()).replace('"format"', '"__proto__":{"polluted":true},"format"'),
    ) as B;
    const r = await verifyBundle(b, nodeVerifyDeps);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.ok).toBe(true);
    const deep = copy();
    (deep.lottery as Record<string, unknown>).meeting = JSON.parse(
      '{"a":'.repeat(200) + '1' + '}'.repeat(200),
    ) as unknown;
    const r2 = await verifyBundle(deep, nodeVerifyDeps);
    expect(r2.ok).toBe(false);
  });
});
