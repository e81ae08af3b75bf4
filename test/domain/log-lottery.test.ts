import {
  ceremonyOpenSize,
  cosignerFingerprint,
  lotteryCheckpointSize,
  lotteryEntries,
  type LogEntry,
} from '../../src/domain/log/lottery';
import { sha256Bytes } from '../../src/util/sha256';

/**
 * N_L (the tree the room's witnesses cosign) and S_open (the tree the ceremony opened under), from a lottery's
 * entries: the server, the bundle, the verifier and the witness's device all ask these two functions.
 */
const stages2 = [
  { stage: 1, label: '實質審查', percent: '5' },
  { stage: 2, label: '前後年度比對', percent: '10' },
];

function journal(...items: Array<[string, Record<string, unknown>]>): LogEntry[] {
  return items.map(([type, data], i) => ({ seq: i + 1, type, data }));
}

const L = 'lot1';
const other = (type: string, extra: Record<string, unknown> = {}): [string, Record<string, unknown>] => [
  type,
  { lottery: 'lot2', ...extra },
];

describe('lotteryCheckpointSize and ceremonyOpenSize', () => {
  it('when a v2 lottery draws both stages › N_L is its stage 2 entry and S_open its ceremony opening', () => {
    const e = journal(
      ['user.added', { user: 'u1', role: 'ethics' }],
      ['lottery.created', { lottery: L, stages: stages2 }],
      ['roster.loaded', { lottery: L }],
      ['lottery.locked', { lottery: L }],
      ['ceremony.opened', { lottery: L }], // 5
      ['stage.drawn', { lottery: L, stage: 1 }],
      other('lottery.created', { stages: stages2 }),
      ['stage.drawn', { lottery: L, stage: 2 }], // 8
      ['record.issued', { lottery: L }],
    );
    expect(lotteryCheckpointSize(e, L)).toBe(8);
    expect(ceremonyOpenSize(e, L)).toBe(5);
  });

  it('when a stage is still to draw › neither is defined', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: stages2 }],
      ['lottery.locked', { lottery: L }],
      ['ceremony.opened', { lottery: L }],
      ['stage.drawn', { lottery: L, stage: 1 }],
    );
    expect(lotteryCheckpointSize(e, L)).toBeUndefined();
    expect(ceremonyOpenSize(e, L)).toBeUndefined();
  });

  it('when the ceremony was adjourned and reopened before stage 1 › S_open is the last opening before it', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: stages2 }],
      ['lottery.locked', { lottery: L }],
      ['ceremony.opened', { lottery: L }],
      ['ceremony.adjourned', { lottery: L }],
      ['ceremony.opened', { lottery: L }], // 5
      ['stage.drawn', { lottery: L, stage: 1 }],
      ['ceremony.opened', { lottery: L }], // reopened between the stages: not S_open
      ['stage.drawn', { lottery: L, stage: 2 }], // 8
    );
    expect(lotteryCheckpointSize(e, L)).toBe(8);
    expect(ceremonyOpenSize(e, L)).toBe(5);
  });

  it('when the definition went from two stages to one › N_L is the one stage entry', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: stages2 }],
      ['lottery.updated', { lottery: L, stages: [stages2[0]] }],
      ['lottery.locked', { lottery: L }],
      ['ceremony.opened', { lottery: L }],
      ['stage.drawn', { lottery: L, stage: 1 }],
    );
    expect(lotteryCheckpointSize(e, L)).toBe(5);
  });

  it('when the draw is physical › N_L is the last stage.recorded and S_open the last opening before it', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: stages2, method: 'physical' }],
      ['lottery.locked', { lottery: L }],
      ['ceremony.opened', { lottery: L }],
      ['poolsheet.issued', { lottery: L, stage: 1 }],
      ['stage.ball', { lottery: L, stage: 1 }],
      ['stage.recorded', { lottery: L, stage: 1 }],
      ['ceremony.opened', { lottery: L }], // 7: reopened for stage 2
      ['stage.ball', { lottery: L, stage: 2 }],
      ['stage.recorded', { lottery: L, stage: 2 }], // 9
    );
    expect(lotteryCheckpointSize(e, L)).toBe(9);
    expect(ceremonyOpenSize(e, L)).toBe(7);
  });

  it('when a rehearsal is drawn › its entries count like any lottery’s, and another lottery’s do not', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: [stages2[0]], rehearsal: true }],
      other('lottery.created', { stages: [stages2[0]] }),
      ['lottery.locked', { lottery: L }],
      other('stage.drawn', { stage: 1 }),
      ['ceremony.opened', { lottery: L }],
      ['stage.drawn', { lottery: L, stage: 1 }], // 6
    );
    expect(lotteryCheckpointSize(e, L)).toBe(6);
    expect(ceremonyOpenSize(e, L)).toBe(5);
    // lot2's own stage entry is its N_L; it has neither lock nor opening, so no S_open.
    expect(lotteryCheckpointSize(e, 'lot2')).toBe(4);
    expect(ceremonyOpenSize(e, 'lot2')).toBeUndefined();
    expect(lotteryEntries(e, L, 6).map((x) => x.seq)).toEqual([1, 3, 5, 6]);
  });

  it('when a v1 lottery has no ceremony › S_open falls back to its lock', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: [stages2[0]] }],
      ['lottery.locked', { lottery: L }],
      ['lottery.unlocked', { lottery: L }],
      ['lottery.locked', { lottery: L }],
      ['stage.drawn', { lottery: L, stage: 1 }],
    );
    expect(ceremonyOpenSize(e, L)).toBe(4);
  });

  it('when the journal names no such lottery › nothing is defined', () => {
    expect(lotteryCheckpointSize([], L)).toBeUndefined();
    expect(ceremonyOpenSize([], L)).toBeUndefined();
  });

  it('when entries after N_L are asked for › only those up to the size are the lottery’s', () => {
    const e = journal(
      ['lottery.created', { lottery: L, stages: [stages2[0]] }],
      ['stage.drawn', { lottery: L, stage: 1 }],
      ['checkpoint.cosigned', { lottery: L, size: 2 }],
    );
    expect(lotteryEntries(e, L, 2).map((x) => x.type)).toEqual(['lottery.created', 'stage.drawn']);
  });
});

describe('cosignerFingerprint', () => {
  it('when printed › it is SHA256: and the hex of SHA-256 over the 32 raw key bytes', () => {
    const key = new Uint8Array(32).fill(7);
    const hex = Buffer.from(sha256Bytes(key)).toString('hex');
    expect(cosignerFingerprint(sha256Bytes, key)).toBe(`SHA256:${hex}`);
  });
});
