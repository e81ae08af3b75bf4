import { jcs } from '../../src/domain/canonical';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { select } from '../../src/domain/protocol';
import { verifyDatabase, type DatabaseSnapshot } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { drawnLottery, makeApp, type TestApp } from '../helpers/app';
import { sha256 } from '../helpers/crypto';

/**
 * `verify --db` recomputes every drawn stage from the journal and the roster tables (protocol.md §8.4). Before
 * lottery-draw/v2 it compared the tables with the journal only, so an operator who rewrote both (a stage drawn
 * from 5 people after locking 20, journal re-chained) passed.
 */
let t: TestApp;
let id: string;
beforeAll(async () => {
  t = makeApp();
  id = await drawnLottery(t);
});
afterAll(() => t.close());

/** The database as `verify --db` reads it, with the journal (and the stored results) a forger rewrote. */
function snapshot(
  journal: JournalEntry[],
  results?: DatabaseSnapshot['lotteries'][number]['results'],
): DatabaseSnapshot {
  const snap = t.store.snapshot();
  return {
    journal: journal.map((e) => ({ ...e, data: jcs(e.data) })),
    lotteries: snap.lotteries.map((l) => (results ? { ...l, results } : l)),
  };
}

const rows = (): JournalEntry[] => t.store.journalPage({ limit: 10_000 });

function rechain(entries: JournalEntry[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const e of entries)
    out.push(
      makeEntry(out[out.length - 1], { at: e.at, type: e.type, actor: e.actor, data: e.data }, sha256),
    );
  return out;
}

describe('verify --db', () => {
  it('passes an honest database, recomputing each stage', async () => {
    const r = await verifyDatabase(snapshot(rows()), nodeVerifyDeps);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('when a stage was drawn from 5 people after locking 20, and journal and tables agree › it fails the lottery', async () => {
    const journal = rows();
    const d1 = journal.find((e) => e.type === 'stage.drawn' && e.data.stage === 1);
    const d2 = journal.find((e) => e.type === 'stage.drawn' && e.data.stage === 2);
    if (!d1 || !d2) throw new Error('no draws');
    const seedHex = String(d1.data.seed);
    const five = t.store
      .roster(id)
      .filter((e) => !e.excluded)
      .slice(0, 5)
      .map((e) => e.id);
    const w1 = select(seedHex, 1, five, 1);
    const w2 = select(seedHex, 2, w1, 1);
    d1.data = { ...d1.data, poolSize: 5, quota: 1, winners: w1 };
    d2.data = { ...d2.data, poolSize: 1, quota: 1, winners: w2 };
    const forged = rechain(journal);
    const r = await verifyDatabase(
      snapshot(forged, [
        { stage: 1, winners: w1, poolSize: 5, quota: 1 },
        { stage: 2, winners: w2, poolSize: 1, quota: 1 },
      ]),
      nodeVerifyDeps,
    );
    expect(r.checks.find((c) => c.name === 'journal.chain')?.ok).toBe(true);
    const lottery = r.checks.find((c) => c.name === `tables.lottery:${id}`);
    expect(lottery?.ok).toBe(false);
    expect(lottery?.detail).toMatch(/pool 20 and quota 2 recomputed/);
    expect(lottery?.detail).toMatch(/journalled winners are not the recomputed ones/);
  });

  it('when the revealed secret does not hash to the locked commitment › it fails the lottery', async () => {
    const journal = rows();
    const d1 = journal.find((e) => e.type === 'stage.drawn' && e.data.stage === 1);
    if (!d1) throw new Error('no draw');
    d1.data = { ...d1.data, secret: 'b'.repeat(64) };
    const r = await verifyDatabase(snapshot(rechain(journal)), nodeVerifyDeps);
    expect(r.checks.find((c) => c.name === `tables.lottery:${id}`)?.detail).toMatch(
      /does not hash to the commitment journalled at lock/,
    );
  });
});
