import { BUNDLE_CHECK_NAMES, DATABASE_CHECK_NAMES } from '../../src/domain/checks';
import { keyFingerprint } from '../../src/domain/ceremony';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { drawAll, initialPool, PROTOCOL_V2, seed as seedOf } from '../../src/domain/protocol';
import { verifyBundle, verifyDatabase, type Report, type VerifyOptions } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { sha256 } from '../helpers/crypto';
import {
  everyOption,
  fixtureBundle,
  fixtureFingerprint,
  fixtureRecordPdf,
  fixtureSavedCheckpoint,
  fixtureSnapshot,
  rechain,
  type FixtureBundle,
} from './fixture-bundle';

/**
 * The domain verifier on the checked-in honest v2 bundle (test/fixtures/bundle-v2.json), without the HTTP app,
 * the store or the CLI: each edit below fails the one check whose job it is, by name. An edit to the journal is
 * re-chained as a forger would; without the office's private key the forger cannot re-sign the new head, so
 * `checkpoint.head` fails beside the check the edit is aimed at.
 */
const failing = (r: Report): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);
const detail = (r: Report, name: string): string | undefined => r.checks.find((c) => c.name === name)?.detail;
const pinned = (): VerifyOptions => ({ trustedFingerprint: fixtureFingerprint() });
const verify = (b: FixtureBundle, opts: VerifyOptions = pinned()): Promise<Report> =>
  verifyBundle(b, nodeVerifyDeps, opts);
const entry = (b: FixtureBundle, type: string, stage?: number): JournalEntry => {
  const e = b.journal.find((x) => x.type === type && (stage === undefined || x.data.stage === stage));
  if (!e) throw new Error(`no ${type} in the fixture`);
  return e;
};

/** Re-derives seed and winners so that an edited bundle is consistent with itself. */
function reseal(b: FixtureBundle): void {
  b.seed = seedOf(
    { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
    sha256,
    PROTOCOL_V2,
  );
  b.stages = drawAll(
    b.seed,
    b.lottery.stages.map((s, i) => ({ stage: i + 1, percent: s.percent })),
    initialPool(b.roster),
  );
}

describe('the checked-in honest bundle', () => {
  it('passes every check of protocol.md §8.2, in order, when every option is given', async () => {
    const b = fixtureBundle();
    const r = await verify(b, everyOption(b));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    // Every check but a physical draw's own (protocol.md §6.1), which a random draw does not run.
    const physicalOnly = ['randomness', 'physical.sheets', 'physical.balls'];
    expect(r.checks.map((c) => c.name)).toEqual(BUNDLE_CHECK_NAMES.filter((n) => !physicalOnly.includes(n)));
    expect(r).toMatchObject({ ok: true, protocol: 'lottery-draw/v2', warnings: [] });
    expect(r.brokenAt).toBeUndefined();
  });

  it('is pinned by the fingerprint written beside it, which is its checkpoint key’s', async () => {
    const b = fixtureBundle();
    expect(await keyFingerprint(b.checkpoint.publicKey, nodeVerifyDeps.sha256Bytes)).toBe(
      fixtureFingerprint(),
    );
    expect(b.format).toBe('lottery-audit-bundle/v2');
    expect((await verify(b)).ok).toBe(true);
    expect(detail(await verify(b), 'key.pinned')).toBe(
      `the checkpoint's key is the key with fingerprint ${fixtureFingerprint()}`,
    );
  });

  it('its database passes every verify --db check, with the saved checkpoint and the key in force', async () => {
    const b = fixtureBundle();
    const r = await verifyDatabase(
      fixtureSnapshot(b),
      nodeVerifyDeps,
      fixtureSavedCheckpoint(),
      b.checkpoint.publicKey,
    );
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.name.split(':')[0])).toEqual([...DATABASE_CHECK_NAMES]);
    expect(r.checks[2]?.name).toBe(`tables.lottery:${b.lottery.id}`); // after journal.sessions (issue 13)
  });
});

describe('each edit fails its own check', () => {
  it('format: a missing seed fails format, and nothing else runs', async () => {
    const b = fixtureBundle() as Partial<FixtureBundle>;
    delete b.seed;
    const r = await verifyBundle(b, nodeVerifyDeps, pinned());
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([['format', false]]);
    expect(r.protocol).toBeNull();
  });

  it('roster.order: two entries swapped fail roster.order only (the digest is over the sorted roster)', async () => {
    const b = fixtureBundle();
    const [x, y] = [b.roster[0], b.roster[1]];
    if (!x || !y) throw new Error('short roster');
    b.roster[0] = y;
    b.roster[1] = x;
    expect(failing(await verify(b))).toEqual(['roster.order']);
  });

  it('roster.digest: a changed name fails roster.digest only', async () => {
    const b = fixtureBundle();
    (b.roster[4] as { name: string }).name = '王小明';
    expect(failing(await verify(b))).toEqual(['roster.digest']);
  });

  it('commitment: another secret fails commitment, and the seed and stage 1’s journalled secret with it', async () => {
    const b = fixtureBundle();
    b.secret = 'a'.repeat(64);
    expect(failing(await verify(b))).toEqual(['commitment', 'seed', 'journal.draws']);
  });

  it('seed: another entropy, the seed left as it was, fails seed (and stage 1’s journalled entropy)', async () => {
    const b = fixtureBundle();
    b.entropy = '6666666666';
    expect(failing(await verify(b))).toEqual(['seed', 'journal.draws']);
  });

  it('entropy.form: dice spelt with spaces fail entropy.form even when the seed and winners match them', async () => {
    const b = fixtureBundle();
    b.entropy = b.entropy.split('').join(' ');
    reseal(b);
    const r = await verify(b);
    expect(failing(r)).toEqual(['entropy.form', 'journal.draws']);
    expect(detail(r, 'entropy.form')).toMatch(/not 10–64 canonical digits/);
  });

  it('quotas: a quota above the exact ceiling fails quotas (and the lock and draw that journalled the true one)', async () => {
    const b = fixtureBundle();
    (b.stages[0] as { quota: number }).quota += 1;
    expect(failing(await verify(b))).toEqual(['quotas', 'journal.locked', 'journal.draws']);
  });

  it('winners: a swapped winner fails winners (and the journalled draw)', async () => {
    const b = fixtureBundle();
    const w = (b.stages[0] as { winners: string[] }).winners;
    const outsider = b.roster.find((e) => !e.excluded && !w.includes(e.id));
    if (!outsider) throw new Error('everyone won');
    w[0] = outsider.id;
    expect(failing(await verify(b))).toEqual(['winners', 'journal.draws']);
  });

  it('journal.chain: an entry’s actor changed fails journal.chain at that seq', async () => {
    const b = fixtureBundle();
    (b.journal[2] as { actor: string }).actor = 'system';
    const r = await verify(b);
    expect(failing(r)).toEqual(['journal.chain']);
    expect(r.brokenAt).toBe(3);
  });

  it('journal.lottery: a rate edited in the bundle’s lottery, and the stages resealed to it, fails journal.lottery', async () => {
    const b = fixtureBundle();
    const s2 = b.lottery.stages[1] as { percent: string };
    expect(s2.percent).toBe('2');
    s2.percent = '3';
    reseal(b);
    const r = await verify(b);
    expect(failing(r)).toContain('journal.lottery');
    expect(detail(r, 'journal.lottery')).toBe('bundle and journal disagree: stages or rates differ');
    expect(failing(r)).not.toContain('quotas');
  });

  it('journal.locked: a quota journalled at lock other than the bundle’s fails journal.locked', async () => {
    const b = fixtureBundle();
    const lock = entry(b, 'lottery.locked');
    ((lock.data.quotas as Array<{ quota: number }>)[1] as { quota: number }).quota += 1;
    rechain(b);
    expect(failing(await verify(b))).toEqual(['journal.locked', 'checkpoint.head']);
  });

  it('journal.draws: a journalled pool size other than the bundle’s fails journal.draws', async () => {
    const b = fixtureBundle();
    entry(b, 'stage.drawn', 2).data.poolSize = 3;
    rechain(b);
    expect(failing(await verify(b))).toEqual(['journal.draws', 'checkpoint.head']);
  });

  it('ceremony.opened: stage 1 drawn by someone other than the opener fails ceremony.opened', async () => {
    const b = fixtureBundle();
    for (const e of b.journal) if (e.type === 'stage.drawn') e.actor = 'user:uintruder';
    rechain(b);
    const r = await verify(b);
    expect(failing(r)).toEqual(['ceremony.opened', 'checkpoint.head']);
    expect(detail(r, 'ceremony.opened')).toMatch(/the token is the opener's alone/);
  });

  it('ceremony.date: the draws moved to the next day fail ceremony.date', async () => {
    const b = fixtureBundle();
    const i = b.journal.indexOf(entry(b, 'stage.drawn', 1));
    for (const e of b.journal.slice(i)) e.at = new Date(Date.parse(e.at) + 24 * 3600 * 1000).toISOString();
    rechain(b, i);
    const r = await verify(b);
    expect(failing(r)).toEqual(['ceremony.date', 'checkpoint.head']);
    expect(detail(r, 'ceremony.date')).toMatch(/the meeting was on 2025-01-22/);
  });

  it('record.journal: a record hash other than the journalled one fails record.journal', async () => {
    const b = fixtureBundle();
    if (!b.record) throw new Error('no record in the fixture');
    b.record.sha256 = sha256('another record');
    expect(failing(await verify(b))).toEqual(['record.journal']);
  });

  it('record.pdf.hash: bytes appended to the record fail record.pdf.hash and the signature’s coverage', async () => {
    const b = fixtureBundle();
    const pdf = fixtureRecordPdf();
    const longer = new Uint8Array(pdf.length + 1);
    longer.set(pdf);
    longer[pdf.length] = 0x0a;
    const r = await verify(b, { ...pinned(), pdf: longer });
    expect(failing(r)).toEqual(['record.pdf.hash', 'record.pdf.signature']);
    expect(detail(r, 'record.pdf.signature')).toMatch(/bytes were appended/);
    expect(failing(await verify(b, { ...pinned(), pdf }))).toEqual([]);
  });

  it('record.pdf.signature: a bundle without the signing certificate fails record.pdf.signature only', async () => {
    const b = fixtureBundle();
    delete b.checkpoint.certificate;
    const r = await verify(b, { ...pinned(), pdf: fixtureRecordPdf() });
    expect(failing(r)).toEqual(['record.pdf.signature']);
    expect(detail(r, 'record.pdf.signature')).toMatch(/a certificate other than the bundle’s/);
  });

  it('checkpoint.head: an entry appended after the checkpoint fails checkpoint.head only (the chain holds)', async () => {
    const b = fixtureBundle();
    const last = b.journal[b.journal.length - 1];
    const fields = { at: '2025-01-22T03:00:00.000Z', type: 'notice.issued', actor: 'system' };
    b.journal.push(
      makeEntry(last, { ...fields, data: { lottery: b.lottery.id, sha256: sha256('x') } }, sha256),
    );
    expect(failing(await verify(b))).toEqual(['checkpoint.head']);
  });

  it('checkpoint.signature: a flipped signature fails checkpoint.signature only', async () => {
    const b = fixtureBundle();
    const sig = b.checkpoint.signature;
    b.checkpoint.signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(failing(await verify(b))).toEqual(['checkpoint.signature']);
  });

  it('key.pinned: another office’s fingerprint, or none, fails key.pinned only', async () => {
    const b = fixtureBundle();
    expect(failing(await verify(b, {}))).toEqual(['key.pinned']);
    const other = `SHA256:${sha256('another office')}`;
    const r = await verify(b, { trustedFingerprint: other });
    expect(failing(r)).toEqual(['key.pinned']);
    expect(detail(r, 'key.pinned')).toMatch(/no key in the bundle has the fingerprint/);
  });

  it('commitment.observed, entropy.observed, checkpoint.observed: what the room saw, other than the bundle', async () => {
    const b = fixtureBundle();
    const c = b.commitment;
    const wrongCommitment = (c[0] === '0' ? '1' : '0') + c.slice(1, 16);
    expect(failing(await verify(b, { ...pinned(), observedCommitment: wrongCommitment }))).toEqual([
      'commitment.observed',
    ]);
    expect(failing(await verify(b, { ...pinned(), observedEntropy: '1111111111' }))).toEqual([
      'entropy.observed',
    ]);
    const saved = { ...fixtureSavedCheckpoint(), hash: sha256('another head') };
    const r = await verify(b, { ...pinned(), observedCheckpoint: saved });
    expect(failing(r)).toEqual(['checkpoint.observed']);
    expect(detail(r, 'checkpoint.observed')).toBe("the saved checkpoint's signature does not verify");
  });
});

describe('each edit to the database fails its own check', () => {
  it('tables.lottery: a stored winner other than the journalled one fails the lottery’s tables', async () => {
    const b = fixtureBundle();
    const snap = fixtureSnapshot(b);
    const t = snap.lotteries[0];
    if (!t) throw new Error('no lottery');
    const result = t.results[0];
    if (!result) throw new Error('no result');
    result.winners = [...result.winners].reverse();
    const r = await verifyDatabase(snap, nodeVerifyDeps);
    expect(failing(r)).toEqual([`tables.lottery:${b.lottery.id}`]);
    expect(detail(r, `tables.lottery:${b.lottery.id}`)).toBe(
      'stage 1: the stored winners are not the recomputed ones; stage 1 winners differ from the journal',
    );
  });

  it('checkpoint.extends, checkpoint.signature, checkpoint.key: a rewritten journal, a forged signature, a swapped key', async () => {
    const b = fixtureBundle();
    const saved = fixtureSavedCheckpoint();
    const rewritten = fixtureBundle();
    (rewritten.journal[1] as { actor: string }).actor = 'system';
    rechain(rewritten);
    const r1 = await verifyDatabase(
      fixtureSnapshot(rewritten),
      nodeVerifyDeps,
      saved,
      b.checkpoint.publicKey,
    );
    expect(failing(r1)).toEqual(['checkpoint.extends']);
    const forged = {
      ...saved,
      signature: (saved.signature[0] === 'A' ? 'B' : 'A') + saved.signature.slice(1),
    };
    const r2 = await verifyDatabase(fixtureSnapshot(b), nodeVerifyDeps, forged, b.checkpoint.publicKey);
    expect(failing(r2)).toEqual(['checkpoint.signature']);
    const otherKey = saved.publicKey.replace(/[A-Za-z](?=[A-Za-z0-9+/]{20}\n)/, (ch) =>
      ch === 'A' ? 'B' : 'A',
    );
    expect(otherKey).not.toBe(saved.publicKey);
    const r3 = await verifyDatabase(fixtureSnapshot(b), nodeVerifyDeps, saved, otherKey);
    expect(failing(r3)).toEqual(['checkpoint.key']);
  });
});
