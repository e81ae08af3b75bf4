import { EVENT_TYPES, eventData, type JournalEvent } from '../../src/domain/events';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { PROTOCOL_V1, PROTOCOL_V2 } from '../../src/domain/protocol';
import {
  ceremonyOpen,
  currentLock,
  effectiveLock,
  replay,
  type LotteryReplay,
} from '../../src/domain/replay';
import { sha256 } from '../helpers/crypto';

const L = '113-abc';
const H = (c: string): string => c.repeat(64);
const stages = [
  { stage: 1, label: '實質審查', percent: '10' },
  { stage: 2, label: '前後年度申報財產比對', percent: '2' },
];
const quotas = [
  { stage: 1, percent: '10', poolSize: 20, quota: 2 },
  { stage: 2, percent: '2', poolSize: 2, quota: 1 },
];

/** An entry as this service writes it, or one it does not (an unknown type, a malformed one) as a chain may hold. */
type AnyEvent = JournalEvent | { type: string; data: JournalEntry['data'] };
const isKnown = (ev: AnyEvent): ev is JournalEvent => (EVENT_TYPES as readonly string[]).includes(ev.type);

/** Events → a hash-chained journal, one minute apart, all written by the ethics officer. */
function journal(events: readonly AnyEvent[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  events.forEach((ev, i) => {
    const data = isKnown(ev) ? eventData(ev) : ev.data;
    const at = new Date(Date.UTC(2025, 0, 2, 1, i)).toISOString();
    out.push(makeEntry(out[out.length - 1], { at, type: ev.type, actor: 'user:ethics1', data }, sha256));
  });
  return out;
}

const created: JournalEvent = {
  type: 'lottery.created',
  data: { lottery: L, year: 113, agency: '法務部', title: '抽籤', stages, meeting: { date: '2025-01-02' } },
};
const loaded: JournalEvent = {
  type: 'roster.loaded',
  data: { lottery: L, count: 21, poolSize: 20, rosterDigest: H('a') },
};
const lock = (commitment: string, protocol: string = PROTOCOL_V2): JournalEvent => ({
  type: 'lottery.locked',
  data: { lottery: L, protocol, rosterDigest: H('a'), commitment, quotas },
});
const opened = (commitment: string): JournalEvent => ({
  type: 'ceremony.opened',
  data: { lottery: L, commitment, keyFingerprint: `SHA256:${H('f')}` },
});
const adjourned = (commitment: string): JournalEvent => ({
  type: 'ceremony.adjourned',
  data: { lottery: L, commitment, reason: '主席未到' },
});
const stage1: JournalEvent = {
  type: 'stage.drawn',
  data: {
    lottery: L,
    stage: 1,
    poolSize: 20,
    quota: 2,
    seed: H('5'),
    winners: ['003', '017'],
    entropy: '6251341234',
    secret: H('9'),
  },
};
const stage2: JournalEvent = {
  type: 'stage.drawn',
  data: { lottery: L, stage: 2, poolSize: 2, quota: 1, seed: H('5'), winners: ['017'] },
};
const unlocked: JournalEvent = { type: 'lottery.unlocked', data: { lottery: L, reason: '名冊有誤' } };
const notice: JournalEvent = { type: 'notice.issued', data: { lottery: L, sha256: H('n') } };
const record = (pub: boolean): JournalEvent => ({
  type: 'record.issued',
  data: { lottery: L, sha256: H(pub ? 'p' : 'r'), ...(pub ? { public: true as const } : {}) },
});

/** A whole honest v2 lottery: defined, loaded, locked, unlocked and locked again, adjourned once, drawn, recorded. */
const honest: JournalEvent[] = [
  { type: 'user.added', data: { user: 'ethics1', role: 'ethics' } },
  created,
  { type: 'lottery.updated', data: { lottery: L, title: '新標題' } },
  loaded,
  {
    type: 'roster.entry.updated',
    data: { lottery: L, entry: '021', excluded: true, count: 21, poolSize: 20, rosterDigest: H('a') },
  },
  lock(H('1')),
  notice,
  unlocked,
  lock(H('2')),
  opened(H('2')),
  adjourned(H('2')),
  opened(H('2')),
  stage1,
  stage2,
  record(false),
  record(true),
  { type: 'key.rotated', data: { publicKey: 'PEM', previousPublicKey: 'OLD' } },
];

function lottery(entries: JournalEntry[]): LotteryReplay {
  const l = replay(entries).lotteries.get(L);
  if (!l) throw new Error('the lottery was not replayed');
  return l;
}

describe('replaying an honest journal', () => {
  const entries = journal(honest);

  it('when it is replayed entry by entry › the status after each is the one the service left', () => {
    const after = entries.map((_, i) => replay(entries.slice(0, i + 1)).lotteries.get(L)?.status ?? '-');
    expect(after).toEqual([
      '-', // user.added
      'draft', // created
      'draft', // updated
      'draft', // roster.loaded
      'draft', // roster.entry.updated
      'locked',
      'locked', // notice
      'draft', // unlocked
      'locked',
      'locked', // opened
      'locked', // adjourned
      'locked', // reopened
      'drawing',
      'drawn',
      'drawn',
      'drawn',
      'drawn', // key.rotated touches no lottery
    ]);
  });

  it('when it is replayed whole › nothing is an anomaly, and users are known by role', () => {
    const r = replay(entries);
    expect(r.anomalies).toEqual([]);
    expect([...r.users]).toEqual([['ethics1', { role: 'ethics' }]]);
  });

  it('when it is replayed whole › the lottery holds the definition as last updated, and every event', () => {
    const l = lottery(entries);
    expect({ id: l.id, year: l.year, agency: l.agency, title: l.title, meeting: l.meeting }).toEqual({
      id: L,
      year: 113,
      agency: '法務部',
      title: '新標題',
      meeting: { date: '2025-01-02' },
    });
    expect(l.stages).toEqual(stages);
    expect([l.rosterDigest, l.rosterCount]).toEqual([H('a'), 21]);
    expect(l.locks.map((k) => [k.seq, k.commitment, k.protocol])).toEqual([
      [6, H('1'), PROTOCOL_V2],
      [9, H('2'), PROTOCOL_V2],
    ]);
    expect(l.locks[1]?.quotas).toEqual(quotas);
    expect(l.unlocks).toEqual([8]);
    expect(l.ceremonies.map((c) => [c.seq, c.kind, c.actor])).toEqual([
      [10, 'opened', 'user:ethics1'],
      [11, 'adjourned', 'user:ethics1'],
      [12, 'opened', 'user:ethics1'],
    ]);
    expect(l.ceremonies[1]?.reason).toBe('主席未到');
    expect(l.notices).toEqual([{ seq: 7, at: entries[6]?.at, sha256: H('n') }]);
    expect(l.draws.map((d) => [d.stage, d.winners, d.entropy, d.secret])).toEqual([
      [1, ['003', '017'], '6251341234', H('9')],
      [2, ['017'], undefined, undefined],
    ]);
    expect(l.records).toEqual([
      { seq: 15, sha256: H('r'), public: false },
      { seq: 16, sha256: H('p'), public: true },
    ]);
  });

  it('when the locks are asked for › the one in force is the last, and the one that counts is before the draw', () => {
    const l = lottery(entries);
    expect(currentLock(l)?.seq).toBe(9);
    expect(effectiveLock(l).lock?.seq).toBe(9);
    expect(effectiveLock(l).earlier.map((k) => k.seq)).toEqual([6]);
    expect(currentLock(lottery(entries.slice(0, 8)))).toBeUndefined();
  });

  it('when a ceremony is asked for › it is open after an opening, closed after an adjournment', () => {
    expect(ceremonyOpen(lottery(entries.slice(0, 10)))?.seq).toBe(10);
    expect(ceremonyOpen(lottery(entries.slice(0, 11)))).toBeUndefined();
    expect(ceremonyOpen(lottery(entries.slice(0, 12)))?.seq).toBe(12);
  });

  it('when a v1 lock is replayed › it has no protocol field, and reads as lottery-draw/v1', () => {
    const v1 = journal([
      created,
      loaded,
      { type: 'lottery.locked', data: { lottery: L, rosterDigest: H('a'), commitment: H('1'), quotas } },
    ]);
    expect(lottery(v1).locks[0]?.protocol).toBe(PROTOCOL_V1);
    expect(replay(v1).anomalies).toEqual([]);
  });
});

/** The anomalies of a journal, as `seq: reason`. */
function anomalies(events: readonly AnyEvent[]): string[] {
  return replay(journal(events)).anomalies.map((a) => `${a.seq}: ${a.reason}`);
}

describe('replaying entries out of order', () => {
  it.each<[string, JournalEvent[], string[]]>([
    [
      'the definition changed after the lock',
      [created, lock(H('1')), honest[2] as JournalEvent],
      ['3: lottery updated after draft'],
    ],
    [
      'the roster reloaded after the lock',
      [created, lock(H('1')), loaded],
      ['3: roster changed after draft'],
    ],
    [
      'a second lock without an unlock',
      [created, lock(H('1')), lock(H('2'))],
      ['3: locked when not in draft'],
    ],
    [
      'a lock of another roster than the one loaded',
      [created, { ...loaded, data: { ...loaded.data, rosterDigest: H('b') } }, lock(H('1'))],
      ['3: locked a roster digest other than the one loaded'],
    ],
    ['an unlock in draft', [created, unlocked], ['2: unlocked when not locked']],
    ['an unlock after stage 1', [created, lock(H('1')), stage1, unlocked], ['4: unlocked when not locked']],
    [
      'an unlock while the ceremony is open',
      [created, lock(H('1')), opened(H('1')), unlocked],
      ['4: unlocked while a ceremony was open'],
    ],
    ['a draw in draft', [created, stage1], ['2: drawn when not locked']],
    ['stage 2 before stage 1', [created, lock(H('1')), stage2], ['3: stage 2 drawn out of order']],
    ['a stage drawn twice', [created, lock(H('1')), stage1, stage1], ['4: stage 1 drawn out of order']],
    [
      'a draw after the last stage',
      [created, lock(H('1')), stage1, stage2, { ...stage2, data: { ...stage2.data, stage: 3 } }],
      ['5: drawn when not locked'],
    ],
    ['a ceremony opened in draft', [created, opened(H('1'))], ['2: ceremony.opened when not locked']],
    [
      'an adjournment with no ceremony open',
      [created, lock(H('1')), adjourned(H('1'))],
      ['3: adjourned with no ceremony open'],
    ],
    [
      'an adjournment after stage 1',
      [created, lock(H('1')), opened(H('1')), stage1, adjourned(H('1'))],
      ['5: adjourned after stage 1 was drawn'],
    ],
    [
      'an adjournment once every stage is drawn',
      [created, lock(H('1')), opened(H('1')), stage1, stage2, adjourned(H('1'))],
      ['6: ceremony.adjourned when not locked', '6: adjourned after stage 1 was drawn'],
    ],
    ['a notice before the lock', [created, notice], ['2: notice issued before the lock']],
    [
      'a record before the last stage',
      [created, lock(H('1')), stage1, record(false)],
      ['4: record issued before the last stage was drawn'],
    ],
    ['a lottery created twice', [created, created], ['2: lottery created twice']],
    ['an entry for a lottery never created', [loaded], ['1: roster.loaded for a lottery never created']],
  ])('when the journal has %s › it is reported', (_what, events, expected) => {
    expect(anomalies(events)).toEqual(expected);
  });

  it('when an anomaly is reported › it names the lottery it concerns', () => {
    expect(replay(journal([created, unlocked])).anomalies).toEqual([
      { seq: 2, lottery: L, reason: 'unlocked when not locked' },
    ]);
  });

  it('when a step is refused › the state still moves on as the entry says (the verifier reports, not repairs)', () => {
    const l = lottery(journal([created, lock(H('1')), stage2]));
    expect(l.status).toBe('drawing');
    expect(l.draws.map((d) => d.stage)).toEqual([2]);
  });
});

describe('replaying malformed entries', () => {
  it.each<[string, AnyEvent[], string[]]>([
    [
      'a user without a role',
      [{ type: 'user.added', data: { user: 'u' } }],
      ['1: user.added without user and role'],
    ],
    [
      'a lottery entry naming no lottery',
      [{ type: 'lottery.created', data: { year: 113 } }],
      ['1: lottery.created names no lottery'],
    ],
    [
      'a definition without its stages',
      [{ type: 'lottery.created', data: { lottery: L, year: 113, agency: 'A' } }],
      ['1: lottery.created is malformed'],
    ],
    [
      'a lock without a commitment',
      [created, { type: 'lottery.locked', data: { lottery: L, rosterDigest: H('a') } }],
      ['2: lottery.locked is malformed'],
    ],
    [
      'a lock whose protocol is not a string',
      [
        created,
        {
          type: 'lottery.locked',
          data: { lottery: L, rosterDigest: H('a'), commitment: H('1'), protocol: 2 },
        },
      ],
      ['2: lottery.locked names a protocol that is not a string'],
    ],
    [
      'a draw without winners',
      [created, lock(H('1')), { type: 'stage.drawn', data: { lottery: L, stage: 1, seed: H('5') } }],
      ['3: stage.drawn is malformed'],
    ],
    [
      'a roster without its digest',
      [created, { type: 'roster.loaded', data: { lottery: L, count: 1 } }],
      ['2: roster.loaded without rosterDigest'],
    ],
    [
      'an unknown type of an unknown lottery',
      [{ type: 'lottery.renamed', data: { lottery: 'nope' } }],
      ['1: lottery.renamed for a lottery never created'],
    ],
  ])('when the journal has %s › it is reported', (_what, events, expected) => {
    expect(anomalies(events)).toEqual(expected);
  });

  it('when a type this version does not know is journalled › it changes nothing and is no anomaly', () => {
    const entries = journal([
      created,
      { type: 'lottery.renamed', data: { lottery: L, title: 'x' } },
      { type: 'audit.note', data: {} },
    ]);
    expect(replay(entries).anomalies).toEqual([]);
    expect(lottery(entries).title).toBe('抽籤');
  });
});
