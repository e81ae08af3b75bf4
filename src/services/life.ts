import { meetingDay } from '../domain/ceremony';
import { fieldProblem, LotteryError, validationFailed } from '../domain/errors';
import type { MeetingData } from '../domain/events';
import { noBody, parseReason } from '../domain/input/body';
import { meetingJson, parsePatch } from '../domain/input/definition';
import { isObj } from '../domain/input/text';
import { requireStatus } from '../domain/lifecycle';
import type { Meeting } from '../domain/model';
import { rosterDigest } from '../domain/protocol';
import { alreadyIssued, type Context } from './context';
import { createdData, patchLottery } from './lotteries';
import { lotteryView, type LotteryView } from './views';

/**
 * issue 11, the lottery's life on the meeting day: the meeting particulars amended after the lock, cancelling,
 * and a real lottery created from a rehearsal's roster (protocol.md §7 and §8.2).
 */

const meetingData = (m: Meeting): MeetingData => meetingJson(m) as MeetingData;

/**
 * Amends the meeting particulars (PATCH …/meeting): the body is the meeting, field by field (a field sent empty
 * or null is removed). In draft it is the definition's PATCH (`lottery.updated`); from the lock until the record
 * is issued it is `meeting.updated`, which touches neither the roster, the secret nor the commitment. The day
 * cannot change while a ceremony is open (adjourn first), nor once stage 1 was drawn on it.
 */
export function updateMeeting(c: Context, actor: string, id: string, body: unknown): LotteryView {
  if (!isObj(body) || Object.keys(body).length === 0)
    throw validationFailed([
      fieldProblem('body', 'NOTHING_TO_CHANGE', '沒有要修改的會議資料', 'no meeting particulars to change'),
    ]);
  const draft = c.store.read(() => {
    const l = c.mustGetLottery(id);
    return l.status === 'draft' && l.cancelledAt === null;
  });
  if (draft) return patchLottery(c, actor, id, { meeting: body });
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'updateMeeting', l.cancelledAt !== null);
    if (c.store.record(id, 'full')) throw meetingFinal();
    const next = parsePatch({ meeting: body }, l.meeting).meeting ?? l.meeting;
    if (meetingDay(next.date) !== meetingDay(l.meeting.date)) {
      if (l.status !== 'locked') throw dayDrawn(meetingDay(l.meeting.date));
      if (c.store.openCeremonyOf(id)) throw dayWhileOpen();
    }
    if (JSON.stringify(meetingJson(next)) === JSON.stringify(meetingJson(l.meeting)))
      return lotteryView(c, l);
    c.store.updateMeeting(id, next);
    c.journal(tx, { type: 'meeting.updated', data: { lottery: id, meeting: meetingData(next) } }, actor);
    return lotteryView(c, c.mustGetLottery(id));
  });
}

/** A draft or locked lottery, real or rehearsal, cancelled with a reason; refused while a ceremony is open. */
export function cancelLottery(c: Context, actor: string, id: string, body: unknown): LotteryView {
  const reason = parseReason(body, '作廢須說明理由（reason）', 'cancelling needs a reason');
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'cancel', l.cancelledAt !== null);
    if (c.store.openCeremonyOf(id))
      throw new LotteryError('CEREMONY_OPEN', {
        zh: '抽籤程序進行中，不能作廢：請先休會',
        en: 'A ceremony is open: adjourn it before cancelling the lottery',
      });
    const e = c.journal(tx, { type: 'lottery.cancelled', data: { lottery: id, reason } }, actor);
    c.store.setCancelled(id, e.at, reason);
    return lotteryView(c, c.mustGetLottery(id));
  });
}

/**
 * 「以此名冊建立正式抽籤」: a new real lottery (draft) with the rehearsal's definition, roster and exclusions.
 * Journalled on both sides: `lottery.created` with `from`, its `roster.loaded`, then `lottery.copied` on the
 * rehearsal's. The rehearsal itself stays a rehearsal.
 */
export function copyRehearsal(c: Context, actor: string, id: string, body: unknown): LotteryView {
  noBody(body, '建立正式抽籤不需輸入任何內容', 'Creating the real lottery takes no body');
  return c.store.write((tx) => {
    const src = c.mustGetLottery(id);
    requireStatus(src.status, 'copy', src.cancelledAt !== null);
    if (src.rehearsal !== true) throw notRehearsal();
    const roster = c.store.roster(id);
    if (roster.length === 0)
      throw new LotteryError('CONFLICT', {
        zh: '此演練尚未載入名冊，無從建立正式抽籤',
        en: 'The rehearsal has no roster to create the real lottery from',
      });
    let to = c.newId(`${src.year}-`);
    while (c.store.lottery(to)) to = c.newId(`${src.year}-`);
    const def = {
      year: src.year,
      agency: src.agency,
      title: src.title,
      stages: src.stages,
      meeting: src.meeting,
      // Drawn as it was rehearsed: a physical rehearsal's real lottery is drawn with balls too.
      ...(src.method === 'physical' ? { method: 'physical' as const } : {}),
    };
    c.store.insertLottery({ id: to, ...def, createdAt: c.now(), copiedFrom: id });
    c.journal(tx, { type: 'lottery.created', data: createdData(to, def, id) }, actor);
    const digest = rosterDigest(roster, c.d.sha256);
    c.store.replaceRoster(to, roster, digest);
    const poolSize = roster.filter((e) => !e.excluded).length;
    c.journal(
      tx,
      { type: 'roster.loaded', data: { lottery: to, count: roster.length, poolSize, rosterDigest: digest } },
      actor,
    );
    c.journal(tx, { type: 'lottery.copied', data: { lottery: id, to } }, actor);
    return lotteryView(c, c.mustGetLottery(to));
  });
}

function meetingFinal(): LotteryError {
  const e = alreadyIssued();
  return new LotteryError('ALREADY_ISSUED', {
    zh: `${e.zh}：會議資料已載於紀錄，不能再修改`,
    en: `${e.en}: the meeting particulars it prints are final`,
  });
}

function dayWhileOpen(): LotteryError {
  return new LotteryError('CEREMONY_OPEN', {
    zh: '抽籤程序進行中，不能變更會議日期：請先休會',
    en: 'A ceremony is open: adjourn it before changing the meeting date',
  });
}

function dayDrawn(day: string | undefined): LotteryError {
  return new LotteryError('ALREADY_DRAWN', {
    zh: `已於會議日（${day ?? '—'}）抽籤，不能變更會議日期，只能變更時間`,
    en: `Stage 1 was drawn on the meeting day (${day ?? '—'}): the date cannot change, only the time`,
  });
}

function notRehearsal(): LotteryError {
  return new LotteryError('NOT_REHEARSAL', {
    zh: '只有演練可以「以此名冊建立正式抽籤」',
    en: 'Only a rehearsal can be copied into a real lottery',
  });
}
