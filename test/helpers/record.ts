import vectors from '../fixtures/draw-v1.json';
import { drawAll, initialPool, PROTOCOL, type RosterEntry } from '../../src/domain/protocol';
import type { RecordData } from '../../src/record/render';

/**
 * A fixed record fixture: the 21-person example of the protocol's vector 1, with fixed meeting particulars,
 * checkpoint and issue time, so that its rendering is the same on every run (the golden page-1 image).
 */
export function exampleRecordData(overrides: Partial<RecordData> = {}): RecordData {
  const v = vectors.vector1;
  const roster = v.roster as RosterEntry[];
  const byId = new Map(roster.map((e) => [e.id, e]));
  const stages = drawAll(
    v.expect.seed,
    [
      { stage: 1, percent: '10' },
      { stage: 2, percent: '2' },
    ],
    initialPool(roster),
  );
  const labels = ['實質審查', '前後年度申報財產比對'];
  return {
    lotteryId: v.lottery,
    agency: '數位發展部',
    title: '113年度公職人員財產申報資料實質審查抽籤',
    year: 113,
    meeting: {
      name: '113年度財產申報實質審查公開抽籤會議',
      date: '2025-01-22T10:00',
      venue: '本部 A 棟 10 樓第一會議室',
      chair: '黃彥男',
      drawer: '黃彥男',
      monitor: '政風處處長 林怡芬',
      recorder: '政風處 陳志明',
      witnesses: ['秘書處處長 王大同', '人事處處長 李美華'],
    },
    stages: stages.map((s, i) => ({
      stage: s.stage,
      label: labels[i] ?? '',
      percent: s.percent,
      poolSize: s.poolSize,
      quota: s.quota,
      winners: s.winners.map((id) => byId.get(id) ?? { id, name: '' }),
    })),
    roster,
    rosterDigest: v.expect.rosterDigest,
    commitment: v.expect.commitment,
    entropy: v.entropy,
    secret: v.secret,
    seed: v.expect.seed,
    protocol: PROTOCOL,
    checkpoint: {
      seq: 9,
      hash: '3f0a6c1e2b4d5f60718293a4b5c6d7e8f9012345678abcdef0123456789abcde',
      at: '2025-01-22T02:31:05.123Z',
      alg: 'RS256',
      signature: 'A'.repeat(510) + '==',
    },
    issuedAt: new Date('2025-01-22T02:31:05.123Z'),
    drawnAt: new Date('2025-01-22T02:12:41.507Z'),
    verifyUrl: 'http://localhost:3000/verify/moda-113',
    publicCopy: false,
    publicFields: ['name', 'unit', 'title'],
    ...overrides,
  };
}
