import type { Bundle } from '../domain/bundle';
import type { PhysicalRecord } from '../record/physical';
import { quota as quotaOf } from '../domain/quota';
import type { LotteryRow } from '../store/store';
import type { Context } from './context';

/** What the ball-entry screen and the lottery view show: each stage's sheet and its balls, undone ones too. */
export interface PhysicalView {
  sheets: Array<{ stage: number; sha256: string; poolSize: number; issuedAt: string; quota: number }>;
  balls: Array<{
    stage: number;
    number: number;
    entry: string;
    drawnAt: string;
    undoneAt?: string;
    undoReason?: string;
  }>;
}

export function physicalView(c: Context, l: LotteryRow): PhysicalView {
  return {
    sheets: c.store.physical.sheets(l.id).map((s) => ({
      stage: s.stage,
      sha256: s.sha256,
      poolSize: s.entries.length,
      issuedAt: s.issuedAt,
      quota: quotaOf(s.entries.length, l.stages[s.stage - 1]?.percent ?? '100'),
    })),
    balls: c.store.physical.balls(l.id).map((b) => ({
      stage: b.stage,
      number: b.number,
      entry: b.entry,
      drawnAt: b.drawnAt,
      ...(b.undoneAt !== null ? { undoneAt: b.undoneAt, undoReason: b.undoReason ?? '' } : {}),
    })),
  };
}

/**
 * A physical draw's bundle (protocol.md §8.1): `lottery.method`, each stage's sheet digest and balls in draw
 * order, and no seed or entropy (there are none; the parser reads their absence as ''). Call inside a read.
 */
export function physicalBundle(c: Context, l: LotteryRow, b: Bundle): Bundle {
  const sheets = c.store.physical.sheets(l.id);
  const balls = c.store.physical.balls(l.id).filter((x) => x.undoneAt === null);
  const { seed: _seed, entropy: _entropy, ...rest } = b;
  void _seed;
  void _entropy;
  const out = {
    ...rest,
    lottery: { ...b.lottery, method: 'physical' as const },
    stages: b.stages.map((st) => ({
      ...st,
      sheet: sheets.find((s) => s.stage === st.stage)?.sha256 ?? '',
      balls: balls.filter((x) => x.stage === st.stage).map((x) => x.number),
    })),
  };
  // The bundle's type carries seed and entropy as strings; a physical bundle's JSON leaves both out.
  return out as unknown as Bundle;
}

/** What the record prints of a physical draw: each stage's sheet digest and every ball, undone ones too. */
export function physicalRecord(c: Context, l: LotteryRow): PhysicalRecord {
  const balls = c.store.physical.balls(l.id);
  return {
    stages: c.store.physical.sheets(l.id).map((s) => ({
      stage: s.stage,
      sheet: s.sha256,
      poolSize: s.entries.length,
      balls: balls
        .filter((b) => b.stage === s.stage)
        .map((b) => ({
          number: b.number,
          id: b.entry,
          at: new Date(b.drawnAt),
          ...(b.undoneAt !== null
            ? { undone: { at: new Date(b.undoneAt), reason: b.undoReason ?? '' } }
            : {}),
        })),
    })),
  };
}
