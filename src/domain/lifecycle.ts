import { LotteryError } from './errors';
import type { LotteryStatus } from './model';
import { PROTOCOL_V2, type Protocol } from './protocol';

/**
 * Which status allows which action, written once. The services refuse a request with `requireStatus`; the
 * replay (and so `lottery verify --db` and the bundle's journal checks) reports a journal entry that no request
 * could have written with `allows`. Written twice, the two drift apart: a rule relaxed in the service but not in
 * the replay would make every honest lottery look tampered with, and the reverse would let a forged entry pass.
 *
 * draft ──lock──▶ locked ──draw 1──▶ drawing ──draw n──▶ drawn
 *   ▲               │
 *   └────unlock─────┘  (before stage 1 only: once the entropy is fixed, the outcome is, and unlocking would let
 *                       the operator draw a new secret against known entropy)
 */
export const LOTTERY_STATUSES: readonly LotteryStatus[] = ['draft', 'locked', 'drawing', 'drawn'];

/** What a request, or the journal entry it writes, does to a lottery. */
export type LotteryAction =
  /** Change title, stages or meeting (`lottery.updated`). */
  | 'patch'
  /** Load the roster or change one entry's exclusion (`roster.loaded`, `roster.entry.updated`). */
  | 'roster'
  /** Fix roster and rates under a commitment (`lottery.locked`). */
  | 'lock'
  /** Undo the lock before stage 1 (`lottery.unlocked`). */
  | 'unlock'
  /** Open or reopen the ceremony (`ceremony.opened`). */
  | 'openCeremony'
  /** Adjourn the open ceremony (`ceremony.adjourned`). */
  | 'adjourn'
  /** Draw a stage (`stage.drawn`). */
  | 'draw'
  /** Issue the pre-meeting notice (`notice.issued`). */
  | 'issueNotice'
  /** Issue the record (`record.issued`). */
  | 'issueRecord'
  /** Export the audit bundle (writes nothing). */
  | 'exportBundle'
  /** Physical draws: enter or undo a ball, record a stage (`stage.ball`, `stage.ball.undone`, `stage.recorded`). */
  | 'ball'
  /** Physical draws: issue a stage's numbered pool sheet (`poolsheet.issued`), at the lock or after stage k. */
  | 'poolSheet'
  // issue 11: the lottery's life on the meeting day
  /** Amend the meeting particulars after the lock, until the record is issued (`meeting.updated`). */
  | 'updateMeeting'
  /** Cancel a lottery before any stage is drawn (`lottery.cancelled`). */
  | 'cancel'
  /** Create a real lottery from a rehearsal's roster (`lottery.copied`); any status. */
  | 'copy';

// The refusals, word for word as the service has always answered them: the HTTP answer is part of the API.

/** The definition and the roster are fixed once locked: what the commitment covers cannot change under it. */
export function notDraft(): LotteryError {
  return new LotteryError('NOT_DRAFT', {
    zh: '抽籤已鎖定，名冊與設定不能再變更',
    en: 'The lottery is no longer a draft: roster and settings are fixed',
  });
}

/** Nothing is drawn, opened or announced before a commitment exists. */
export function notLocked(): LotteryError {
  return new LotteryError('NOT_LOCKED', {
    zh: '名冊尚未鎖定，不能抽籤',
    en: 'The roster is not locked: nothing can be drawn yet',
  });
}

/** A v1 lock not yet drawn is locked again under v2 (protocol.md §4.2) before any ceremony or draw. */
export function relockRequired(): LotteryError {
  return new LotteryError('RELOCK_REQUIRED', {
    zh: '此抽籤以舊版協定（lottery-draw/v1）鎖定：請解除鎖定後重新鎖定，改用 lottery-draw/v2 再抽籤',
    en: 'This lottery was locked under lottery-draw/v1: unlock and lock it again (lottery-draw/v2) before drawing',
  });
}

const unlockNotLocked = (): LotteryError =>
  new LotteryError('NOT_LOCKED', {
    zh: '抽籤尚未鎖定，無須解除',
    en: 'The lottery is not locked, so there is nothing to unlock',
  });
const unlockAfterDraw = (): LotteryError =>
  new LotteryError('ALREADY_DRAWN', {
    zh: '已開始抽籤，不能解除鎖定',
    en: 'A stage has been drawn: the lottery cannot be unlocked',
  });
const ceremonyOver = (): LotteryError =>
  new LotteryError('ALREADY_DRAWN', {
    zh: '各階段皆已抽出，抽籤程序已結束',
    en: 'Every stage has been drawn: the ceremony is over',
  });
const adjournAfterDraw = (): LotteryError =>
  new LotteryError('ALREADY_DRAWN', {
    zh: '第 1 階段已抽出，不能休會',
    en: 'Stage 1 has been drawn: the ceremony cannot be adjourned',
  });
const recordNotDrawn = (): LotteryError =>
  new LotteryError('NOT_DRAWN', {
    zh: '尚未抽完所有階段，不能產製紀錄',
    en: 'The record is issued once every stage is drawn',
  });
const bundleNotDrawn = (): LotteryError =>
  new LotteryError('NOT_DRAWN', {
    zh: '尚未抽完所有階段，無法匯出稽核包',
    en: 'The audit bundle exists once every stage is drawn',
  });

// issue 11's refusals.
const meetingInDraft = (): LotteryError =>
  new LotteryError('NOT_LOCKED', {
    zh: '抽籤尚未鎖定：會議資料請於抽籤設定中修改',
    en: 'The lottery is still a draft: change the meeting with the lottery itself (PATCH)',
  });
const cancelAfterDraw = (): LotteryError =>
  new LotteryError('ALREADY_DRAWN', {
    zh: '已開始抽籤，不能作廢',
    en: 'A stage has been drawn: the lottery cannot be cancelled',
  });

/** A cancelled lottery (`lottery.cancelled`) refuses every further action; it stays in the journal. */
export function cancelledRefusal(): LotteryError {
  return new LotteryError('CANCELLED', {
    zh: '此抽籤已作廢，不能再進行任何操作',
    en: 'This lottery was cancelled: nothing more can be done with it',
  });
}

/** Each action: the statuses that allow it, and the refusal for every other status. */
export interface Rule {
  allowed: readonly LotteryStatus[];
  refused: Readonly<Partial<Record<LotteryStatus, () => LotteryError>>>;
}

/**
 * A rule whose refusals are a `Record` over exactly the statuses not allowed: a status left out of both, or put
 * in both, is a compile error, so no status is forgotten for any action.
 */
function rule<A extends LotteryStatus>(
  allowed: readonly A[],
  refused: Record<Exclude<LotteryStatus, A>, () => LotteryError>,
): Rule {
  return { allowed, refused };
}

export const LIFECYCLE: Readonly<Record<LotteryAction, Rule>> = {
  patch: rule(['draft'], { locked: notDraft, drawing: notDraft, drawn: notDraft }),
  roster: rule(['draft'], { locked: notDraft, drawing: notDraft, drawn: notDraft }),
  lock: rule(['draft'], { locked: notDraft, drawing: notDraft, drawn: notDraft }),
  unlock: rule(['locked'], { draft: unlockNotLocked, drawing: unlockAfterDraw, drawn: unlockAfterDraw }),
  // After stage 1 the ceremony may be reopened (a crashed projector) to reveal the later stages.
  openCeremony: rule(['locked', 'drawing'], { draft: notLocked, drawn: ceremonyOver }),
  // Adjourning postpones the meeting; after stage 1 the outcome is fixed, so there is nothing to postpone.
  adjourn: rule(['locked'], { draft: notLocked, drawing: adjournAfterDraw, drawn: adjournAfterDraw }),
  // A drawn lottery has every stage's result, so the service answers its own STAGE_ALREADY_DRAWN (who drew the
  // stage, and when) before asking here; `drawn` is refused here for the replay, and as the ceremony being over.
  draw: rule(['locked', 'drawing'], { draft: notLocked, drawn: ceremonyOver }),
  // The notice names the commitment, so it exists from the lock on.
  issueNotice: rule(['locked', 'drawing', 'drawn'], { draft: notLocked }),
  issueRecord: rule(['drawn'], { draft: recordNotDrawn, locked: recordNotDrawn, drawing: recordNotDrawn }),
  exportBundle: rule(['drawn'], { draft: bundleNotDrawn, locked: bundleNotDrawn, drawing: bundleNotDrawn }),
  // Physical draws (protocol.md §6.1): balls are entered as a draw is made, so they follow the draw's rule.
  ball: rule(['locked', 'drawing'], { draft: notLocked, drawn: ceremonyOver }),
  poolSheet: rule(['locked', 'drawing'], { draft: notLocked, drawn: ceremonyOver }),
  // issue 11. In draft the meeting is part of the definition and PATCH changes it (`lottery.updated`); from the
  // lock on it is amended alone, until the record is issued (the service and the replay check the record).
  updateMeeting: rule(['locked', 'drawing', 'drawn'], { draft: meetingInDraft }),
  cancel: rule(['draft', 'locked'], { drawing: cancelAfterDraw, drawn: cancelAfterDraw }),
  copy: rule(['draft', 'locked', 'drawing', 'drawn'], {}),
};

/** Whether a lottery in this status may do this: what the replay asks of each journal entry. */
export function allows(status: LotteryStatus, action: LotteryAction): boolean {
  return LIFECYCLE[action].allowed.includes(status);
}

/**
 * Throws the service's refusal when a lottery in this status may not do this. A cancelled lottery (issue 11)
 * refuses every action: pass `cancelled` wherever the row is at hand.
 */
export function requireStatus(status: LotteryStatus, action: LotteryAction, cancelled = false): void {
  if (cancelled) throw cancelledRefusal();
  if (allows(status, action)) return;
  const refuse = LIFECYCLE[action].refused[status];
  // Unreachable: `rule` requires a refusal for every status not allowed. Kept so a hand-built table cannot
  // turn a missing refusal into a silent yes.
  if (!refuse) throw new RangeError(`no refusal for ${action} in ${status}`);
  throw refuse();
}

/**
 * The protocol a lock must be under to go on (protocol.md §4.2). Opening a ceremony needs a v2 lock. A draw needs
 * one too, until stage 1: a lottery already drawing under v1 has its outcome fixed by its seed, so its later
 * stages only reveal it and may finish under v1's rules. Call after `requireStatus`.
 */
export function requireProtocol(
  status: LotteryStatus,
  protocol: Protocol | null | undefined,
  action: 'openCeremony' | 'draw',
): void {
  if (protocol === PROTOCOL_V2) return;
  if (action === 'openCeremony' || status === 'locked') throw relockRequired();
}

/** Where a draw leaves the lottery: drawn once every stage has its result, drawing until then. */
export function statusAfterDraw(stagesDrawn: number, stageCount: number): LotteryStatus {
  return stagesDrawn >= stageCount ? 'drawn' : 'drawing';
}
