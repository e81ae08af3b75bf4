import type { LotteryRow } from '../store/store';
import type { Context } from './context';

/**
 * issue 11: what the answers say of a lottery's life, each field only when it applies, so that the answers of a
 * real, living lottery stay byte for byte what they were.
 */
export interface LifeView {
  /** A rehearsal (演練). */
  rehearsal?: true;
  /** Cancelled (作廢), when and why. */
  cancelled?: { at: string; reason: string };
  /** The rehearsal whose roster it was created from. */
  copiedFrom?: string;
  /** The real lotteries created from this rehearsal's roster, in order. */
  copiedTo?: string[];
  /** The time of each `meeting.updated` (the particulars amended after the lock), in order. */
  meetingAmendedAt?: string[];
}

export function lifeView(c: Context, l: LotteryRow): LifeView {
  const v: LifeView = {};
  if (l.rehearsal === true) v.rehearsal = true;
  if (l.cancelledAt !== null) v.cancelled = { at: l.cancelledAt, reason: l.cancelReason ?? '' };
  if (l.copiedFrom !== null) v.copiedFrom = l.copiedFrom;
  if (l.rehearsal === true) {
    const to = c.store
      .journalPage({ limit: 1000, lottery: l.id, type: 'lottery.copied' })
      .map((e) => e.data.to)
      .filter((x): x is string => typeof x === 'string');
    if (to.length > 0) v.copiedTo = to;
  }
  const amended = meetingAmendedAt(c, l.id);
  if (amended.length > 0) v.meetingAmendedAt = amended;
  return v;
}

/** The ISO time of each `meeting.updated` of the lottery, in journal order (what the record notes). */
export function meetingAmendedAt(c: Context, id: string): string[] {
  return c.store.journalPage({ limit: 1000, lottery: id, type: 'meeting.updated' }).map((e) => e.at);
}
