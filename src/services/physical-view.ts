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
