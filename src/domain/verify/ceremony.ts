import type { Bundle } from '../bundle';
import { meetingDay, taipeiDateOfIso } from '../ceremony';
import { effectiveLock, type LotteryReplay } from '../replay';
import type { Check } from './report';

/**
 * ceremony.opened and ceremony.date (v2, protocol.md §8.2), in that order; every adjournment becomes a warning.
 */
export function ceremonyChecks(b: Bundle, l: LotteryReplay | undefined, warnings: string[]): Check[] {
  for (const c of l?.ceremonies ?? [])
    if (c.kind === 'adjourned')
      warnings.push(`ceremony adjourned at seq ${c.seq} (${c.at}): ${c.reason ?? '(no reason)'}`);
  // issue 11: a meeting day moved after the lock is legal (a postponed meeting), but the notice named another.
  for (const u of l?.meetingUpdates ?? [])
    if (u.movedDay)
      warnings.push(
        `meeting day moved at seq ${u.seq} (${u.at}) from ${u.movedDay.from ?? '(none)'} to ${u.movedDay.to ?? '(none)'}, after the lock`,
      );
  return [ceremonyOpened(b, l), ceremonyDate(b, l)];
}

/**
 * ceremony.opened: the last ceremony entry before stage 1 opened it for this commitment, after the lock that
 * counts, by the user who then drew (the ceremony token is the opener's alone).
 */
function ceremonyOpened(b: Bundle, l: LotteryReplay | undefined): Check {
  const d1 = l?.draws[0];
  const lockSeq = l ? effectiveLock(l).lock?.seq : undefined;
  const before = d1 && l ? l.ceremonies.filter((c) => c.seq < d1.seq) : [];
  const last = before[before.length - 1];
  let detail: string;
  if (!d1) detail = 'no stage.drawn entry';
  else if (!last) detail = `no ceremony.opened before stage 1 was drawn at seq ${d1.seq}`;
  else if (last.kind !== 'opened')
    detail = `the ceremony was adjourned at seq ${last.seq} and not reopened before stage 1 was drawn`;
  else if (last.commitment !== b.commitment)
    detail = `the ceremony opened at seq ${last.seq} names another commitment`;
  else if (lockSeq === undefined || last.seq <= lockSeq)
    detail = `the ceremony opened at seq ${last.seq} is not after the lock that counts`;
  else if (last.actor !== d1.actor)
    detail = `stage 1 was drawn by ${d1.actor}, the ceremony was opened by ${last.actor}: the token is the opener's alone`;
  else if (l && ballOutsideCeremony(l, lockSeq) !== undefined)
    detail = ballOutsideCeremony(l, lockSeq) as string;
  else
    return {
      name: 'ceremony.opened',
      ok: true,
      detail: `ceremony opened at seq ${last.seq} for this commitment, before stage 1 at seq ${d1.seq}`,
    };
  return { name: 'ceremony.opened', ok: false, detail };
}

/**
 * A physical draw (§6.1): every ball entry is made in a ceremony open for the lock that counts, by its opener,
 * and no adjournment comes once a ball is in. Returns what broke that rule first.
 */
function ballOutsideCeremony(l: LotteryReplay, lockSeq: number | undefined): string | undefined {
  const first = l.balls[0];
  const adjourned = first && l.ceremonies.find((c) => c.kind === 'adjourned' && c.seq > first.seq);
  if (adjourned) return `the ceremony was adjourned at seq ${adjourned.seq}, after a ball was in`;
  for (const x of l.balls) {
    const before = l.ceremonies.filter((c) => c.seq < x.seq);
    const c = before[before.length - 1];
    if (!c || c.kind !== 'opened' || lockSeq === undefined || c.seq <= lockSeq)
      return `the ball entry at seq ${x.seq} was made with no ceremony open`;
    if (c.actor !== x.actor)
      return `the ball entry at seq ${x.seq} was made by ${x.actor}, the ceremony was opened by ${c.actor}`;
  }
  return undefined;
}

/** A physical draw's stage-1 ball entry that is not on the meeting day (Asia/Taipei), if any. */
function ballOffDay(l: LotteryReplay, day: string | undefined): string | undefined {
  const off = l.balls.find((x) => x.stage === 1 && taipeiDateOfIso(x.at) !== day);
  return (
    off &&
    `stage 1's ball entry at seq ${off.seq} was made on ${taipeiDateOfIso(off.at) ?? '?'} (Asia/Taipei)`
  );
}

/** ceremony.date: stage 1 was drawn on the meeting day, in Asia/Taipei (protocol.md §4.2). */
function ceremonyDate(b: Bundle, l: LotteryReplay | undefined): Check {
  const d1 = l?.draws[0];
  // issue 11: a rehearsal (the journal's lottery.created says so) may be drawn on any day.
  if (l?.rehearsal === true)
    return d1
      ? {
          name: 'ceremony.date',
          ok: true,
          detail: `a rehearsal (演練), drawn on ${taipeiDateOfIso(d1.at) ?? '?'}: any day is allowed`,
        }
      : { name: 'ceremony.date', ok: false, detail: 'no stage.drawn entry' };
  const day = meetingDay(b.lottery.meeting.date);
  const drawnOn = d1 ? taipeiDateOfIso(d1.at) : undefined;
  const offDay = l && day !== undefined ? ballOffDay(l, day) : undefined;
  const ok = d1 !== undefined && day !== undefined && drawnOn === day && offDay === undefined;
  return {
    name: 'ceremony.date',
    ok,
    detail: !d1
      ? 'no stage.drawn entry'
      : day === undefined
        ? 'the lottery has no meeting date'
        : ok
          ? `stage 1 was drawn on the meeting day, ${day} (Asia/Taipei)`
          : drawnOn !== day
            ? `stage 1 was drawn on ${drawnOn ?? '?'} (Asia/Taipei), the meeting was on ${day}`
            : `${offDay ?? ''}, the meeting was on ${day}`,
  };
}
