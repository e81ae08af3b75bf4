import type { Json } from './canonical';
import { meetingDay } from './ceremony';
import { allows } from './lifecycle';
import type { LotteryReplay, Step } from './replay';

/**
 * issue 11, the replay's steps for the lottery's life on the meeting day (protocol.md §8.2, Replay): the meeting
 * amended after the lock, and cancelling.
 */

type D = { [key: string]: Json };
const isJsonObject = (v: Json | undefined): v is D =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a `meeting.updated` is refused by the replay rule, or undefined when it applies. */
function refusal(l: LotteryReplay, m: Json | undefined, locked: boolean, open: boolean): string | undefined {
  if (!isJsonObject(m)) return 'meeting.updated without a meeting object';
  if (!locked) return 'meeting.updated when no lock is in force';
  if (l.recordSeen) return 'meeting.updated after the record was issued';
  // The day is what ceremony.date compares stage 1's draw with: it cannot move once stage 1 is drawn, nor while
  // a ceremony is open (the service refuses both, protocol.md §4.2).
  if (meetingDay(m.date) === meetingDay(l.meeting.date)) return undefined;
  if (l.draws.length > 0) return 'meeting.updated moved the meeting day after stage 1 was drawn';
  if (open) return 'meeting.updated moved the meeting day while a ceremony was open';
  return undefined;
}

export function lifeSteps(
  isOpen: (l: LotteryReplay) => boolean,
  lockInForce: (l: LotteryReplay) => boolean,
): Array<[string, Step]> {
  /**
   * The meeting amended after the lock. It applies only while a lock is in force, before any record of the
   * lottery, and without moving the day once stage 1 is drawn or while a ceremony is open; otherwise it is
   * refused (the meeting stays as it was) and `journal.lottery` fails.
   */
  const meetingUpdated: Step = (l, e, bad) => {
    const m = e.data.meeting;
    const reason = refusal(l, m, lockInForce(l), isOpen(l));
    const { seq, at } = e;
    if (reason !== undefined) {
      bad(reason);
      l.meetingUpdates.push({ seq, at, ok: false, reason });
      return;
    }
    const [from, to] = [meetingDay(l.meeting.date), isJsonObject(m) ? meetingDay(m.date) : undefined];
    if (isJsonObject(m)) l.meeting = m;
    l.meetingUpdates.push(
      from === to ? { seq, at, ok: true } : { seq, at, ok: true, movedDay: { from, to } },
    );
  };

  const cancelled: Step = (l, e, bad) => {
    if (!allows(l.status, 'cancel')) bad('cancelled after a stage was drawn');
    if (l.cancelled) return;
    const reason = e.data.reason;
    l.cancelled = { seq: e.seq, at: e.at, reason: typeof reason === 'string' ? reason : '' };
  };

  return [
    ['meeting.updated', meetingUpdated],
    ['lottery.cancelled', cancelled],
  ];
}
