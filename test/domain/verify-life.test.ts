import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { JournalEntry } from '../../src/domain/journal';
import { tempDir } from '../helpers/app';
import { replay } from '../../src/domain/replay';
import { verifyBundle, type Report } from '../../src/domain/verify';
import { nodeVerifyDeps } from '../../src/keys/signer';
import { fixtureBundle, rechain, type FixtureBundle } from './fixture-bundle';

/**
 * issue 11 in the verifier and the replay (protocol.md §8.2, Replay): meeting.updated applies only while a lock is
 * in force and before the record; the bundle marks a rehearsal exactly when the journal created one, and that
 * check comes right after `format`; a cancelled lottery is never drawn. Each forgery is re-chained, so that the
 * check named is the one that catches it.
 */
const at = (b: FixtureBundle, type: string, nth = 0): number => {
  const hits = b.journal.flatMap((e, i) => (e.type === type && e.data.lottery === b.lottery.id ? [i] : []));
  const i = nth < 0 ? hits[hits.length + nth] : hits[nth];
  if (i === undefined) throw new Error(`no ${type}`);
  return i;
};

/** Inserts an entry of the bundle's lottery after journal index `after`, then re-chains the journal. */
function insert(b: FixtureBundle, after: number, type: string, data: Record<string, unknown>): void {
  const prev = b.journal[after] as JournalEntry;
  b.journal.splice(after + 1, 0, {
    seq: 0,
    at: prev.at,
    type,
    actor: prev.actor,
    data: { lottery: b.lottery.id, ...data } as JournalEntry['data'],
    prev: '',
    hash: '',
  });
  rechain(b);
}

const check = (r: Report, name: string): { ok: boolean; detail: string } | undefined => {
  const c = r.checks.find((x) => x.name === name);
  return c && { ok: c.ok, detail: c.detail };
};
const verify = (b: FixtureBundle): Promise<Report> => verifyBundle(b, nodeVerifyDeps);

describe('when the meeting was amended after the lock (meeting.updated)', () => {
  const amended = (b: FixtureBundle): Record<string, unknown> => ({
    ...b.lottery.meeting,
    witnesses: ['張三'],
  });

  it('an amendment between the lock and the draw, shown by the bundle, passes journal.lottery', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'lottery.locked', -1), 'meeting.updated', { meeting: amended(b) });
    b.lottery.meeting = amended(b);
    expect(check(await verify(b), 'journal.lottery')?.ok).toBe(true);
  });

  it('one the bundle does not show fails journal.lottery (the meeting differs)', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'lottery.locked', -1), 'meeting.updated', { meeting: amended(b) });
    expect(check(await verify(b), 'journal.lottery')).toEqual({
      ok: false,
      detail: 'bundle and journal disagree: meeting differs',
    });
  });

  it('a forged one after record.issued fails journal.lottery, and does not change the replayed meeting', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'record.issued', -1), 'meeting.updated', { meeting: amended(b) });
    b.lottery.meeting = amended(b);
    const c = check(await verify(b), 'journal.lottery');
    expect(c?.ok).toBe(false);
    expect(c?.detail).toMatch(/meeting differs, seq \d+: meeting.updated after the record was issued/);
  });

  it('one before the lock (in draft) fails journal.lottery', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'lottery.created'), 'meeting.updated', { meeting: b.lottery.meeting });
    expect(check(await verify(b), 'journal.lottery')?.detail).toMatch(/no lock is in force/);
  });

  it('one after an unlock (no lock in force) is refused by the replay', () => {
    const b = fixtureBundle();
    const lock = at(b, 'lottery.locked', -1);
    insert(b, lock, 'lottery.unlocked', { reason: 'x' });
    insert(b, lock + 1, 'meeting.updated', { meeting: {} });
    const l = replay(b.journal).lotteries.get(b.lottery.id);
    expect(l?.meetingUpdates.map((u) => [u.ok, u.reason])).toEqual([
      [false, 'meeting.updated when no lock is in force'],
    ]);
  });
});

describe('when the bundle and the journal disagree about a rehearsal', () => {
  it('a rehearsal flag removed from the bundle but in the journal fails lottery.rehearsal, right after format', async () => {
    const b = fixtureBundle();
    (b.journal[at(b, 'lottery.created')] as JournalEntry).data.rehearsal = true;
    rechain(b);
    const r = await verify(b);
    expect(r.checks.slice(0, 2).map((c) => [c.name, c.ok])).toEqual([
      ['format', true],
      ['lottery.rehearsal', false],
    ]);
  });

  it('a flag added to the bundle that the journal never wrote fails lottery.rehearsal', async () => {
    const b = fixtureBundle();
    (b.lottery as Record<string, unknown>).rehearsal = true;
    expect(check(await verify(b), 'lottery.rehearsal')?.ok).toBe(false);
  });

  it('a rehearsal marked in both passes and says so first; its draw on another day passes ceremony.date', async () => {
    const b = fixtureBundle();
    (b.lottery as Record<string, unknown>).rehearsal = true;
    const created = b.journal[at(b, 'lottery.created')] as JournalEntry;
    created.data.rehearsal = true;
    const d1 = b.journal[at(b, 'stage.drawn')] as JournalEntry;
    d1.at = new Date(Date.parse(d1.at) + 24 * 3600 * 1000).toISOString();
    rechain(b);
    const r = await verify(b);
    expect(r.checks[1]).toEqual({
      name: 'lottery.rehearsal',
      ok: true,
      detail: '演練 REHEARSAL: this lottery is a rehearsal; its result selects no one',
    });
    expect(check(r, 'ceremony.date')?.ok).toBe(true);
  });

  it('the CLI says 演練 REHEARSAL before anything else for a rehearsal, and not for a real lottery', async () => {
    const dir = tempDir();
    const run = async (b: FixtureBundle): Promise<string> => {
      const f = path.join(dir, 'b.json');
      fs.writeFileSync(f, JSON.stringify(b));
      let out = '';
      await main(['verify', f], { out: (x) => (out += x), err: () => undefined });
      return out;
    };
    const b = fixtureBundle();
    (b.lottery as Record<string, unknown>).rehearsal = true;
    (b.journal[at(b, 'lottery.created')] as JournalEntry).data.rehearsal = true;
    rechain(b);
    expect((await run(b)).split('\n')[0]).toMatch(/^演練 REHEARSAL: /);
    expect(await run(fixtureBundle())).not.toMatch(/REHEARSAL/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a real lottery drawn on another day still fails ceremony.date', async () => {
    const b = fixtureBundle();
    const d1 = b.journal[at(b, 'stage.drawn')] as JournalEntry;
    d1.at = new Date(Date.parse(d1.at) + 24 * 3600 * 1000).toISOString();
    rechain(b);
    expect(check(await verify(b), 'ceremony.date')?.ok).toBe(false);
  });

  it('lottery.rehearsal present and not true fails format', async () => {
    const b = fixtureBundle();
    (b.lottery as Record<string, unknown>).rehearsal = false;
    const r = await verify(b);
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([['format', false]]);
  });
});

describe('when a cancelled lottery was drawn anyway', () => {
  it('a lottery.cancelled after the lock fails journal.draws, and the replay names every entry after it', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'lottery.locked', -1), 'lottery.cancelled', { reason: '作廢' });
    const r = await verify(b);
    expect(check(r, 'journal.draws')?.detail).toMatch(/the lottery was cancelled at seq \d+/);
    const rp = replay(b.journal);
    expect(rp.anomalies.some((a) => /stage.drawn after the lottery was cancelled/.test(a.reason))).toBe(true);
  });

  it('one after the last draw is an anomaly (cancelled after a stage was drawn) and fails journal.draws', async () => {
    const b = fixtureBundle();
    insert(b, at(b, 'stage.drawn', -1), 'lottery.cancelled', { reason: 'late' });
    expect(check(await verify(b), 'journal.draws')?.ok).toBe(false);
    expect(replay(b.journal).anomalies.map((a) => a.reason)).toContain('cancelled after a stage was drawn');
  });

  it('the honest bundle has none of these failures', async () => {
    const r = await verify(fixtureBundle());
    for (const n of ['lottery.rehearsal', 'journal.lottery', 'journal.draws', 'ceremony.date'])
      expect([n, check(r, n)?.ok]).toEqual([n, true]);
  });
});
