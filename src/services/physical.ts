import { sessionField, type Via } from './sessions';
import { LotteryError, fieldProblem, validationFailed } from '../domain/errors';
import { STAGE_NUMBER } from '../domain/grammar';
import { isRecord, onlyFields, parseReason } from '../domain/input/body';
import { requireProtocol, requireStatus, statusAfterDraw } from '../domain/lifecycle';
import { sheetDigest, sheetEntries } from '../domain/physical';
import type { RosterEntry } from '../domain/protocol';
import { quota as quotaOf } from '../domain/quota';
import type { BallRow, LotteryRow, PoolSheetRow, WriteTx } from '../store/store';
import { requireMeetingDay } from './ceremony';
import { ceremonyNotOpen, notFound, userOf, type Context } from './context';
import { checkedSheet } from './integrity';
import { person, type Person } from './views';

/**
 * Physical draws (實體抽籤, protocol.md §6.1): the numbered pool sheet of each stage, and the balls the drawer
 * enters as they come out of the drum, each journalled at once. A stage closes when its quota is reached.
 */

export interface BallAnswer {
  stage: number;
  quota: number;
  /** The balls of the stage still standing, in draw order. */
  balls: Array<{ number: number; person: Person; drawnAt: string }>;
  /** Set once the quota is reached: the stage is recorded and the balls are its winners. */
  recorded: boolean;
  status: string;
}

export const wrongMethod = (physical: boolean): LotteryError =>
  physical
    ? new LotteryError('WRONG_METHOD', {
        zh: '此抽籤為實體抽籤：請逐一輸入抽出的球號，不能由電腦抽籤',
        en: 'This lottery is drawn with balls (physical): enter each ball drawn; the computer does not draw it',
      })
    : new LotteryError('WRONG_METHOD', {
        zh: '此抽籤由電腦抽籤，不能輸入球號',
        en: 'This lottery is drawn by the computer: there are no balls to enter',
      });

/** Issues stage `stage`'s sheet: the pool in id order, journalled by its digest. Call inside a write. */
export function issuePoolSheet(
  c: Context,
  tx: WriteTx,
  actor: string,
  l: LotteryRow,
  stage: number,
  pool: readonly string[],
): void {
  const entries = sheetEntries(pool);
  const sha256 = sheetDigest(l.id, stage, entries, c.d.sha256);
  const e = c.journal(
    tx,
    { type: 'poolsheet.issued', data: { lottery: l.id, stage, poolSize: entries.length, sha256 } },
    actor,
  );
  // The row carries the entry's own time, so that verify --db can hold the table to the journal exactly.
  c.store.physical.insertSheet(l.id, { stage, entries, sha256, issuedAt: e.at });
}

/** An adjournment is refused once a ball is in: the room saw it leave the drum. */
export function refuseAdjournMidDraw(c: Context, l: LotteryRow): void {
  if (l.method === 'physical' && c.store.physical.balls(l.id).length > 0)
    throw new LotteryError('ALREADY_DRAWN', {
      zh: '已開始抽球，不能休會',
      en: 'Balls have been drawn: the ceremony cannot be adjourned',
    });
}

function stageOf(stageParam: string): number {
  if (!STAGE_NUMBER.test(stageParam)) throw notFound('此階段', 'Stage');
  return Number(stageParam);
}

/** The refusals every ball request shares, in order; returns the stage's sheet and balls so far. */
function ballRefusals(
  c: Context,
  actor: string,
  l: LotteryRow,
  stage: number,
  body: unknown,
): { sheet: PoolSheetRow; balls: BallRow[]; quota: number } {
  if (l.method !== 'physical') throw wrongMethod(false);
  const def = l.stages[stage - 1];
  if (!def) throw notFound(`第 ${stage} 階段`, `Stage ${stage}`);
  const results = c.store.results(l.id);
  if (results.some((r) => r.stage === stage))
    throw new LotteryError('STAGE_ALREADY_DRAWN', {
      zh: `第 ${stage} 階段已抽滿，結果不會改變`,
      en: `Stage ${stage} has reached its quota; its result is final`,
    });
  requireStatus(l.status, 'ball', l.cancelledAt !== null);
  requireProtocol(l.status, l.protocol, 'draw');
  if (results.length !== stage - 1)
    throw new LotteryError('STAGE_OUT_OF_ORDER', {
      zh: `請先抽第 ${results.length + 1} 階段`,
      en: `Draw stage ${results.length + 1} first`,
    });
  const open = c.store.openCeremonyOf(l.id);
  if (!open) throw ceremonyNotOpen();
  if (stage === 1) requireMeetingDay(c, l);
  const token = isRecord(body) ? body.ceremonyToken : undefined;
  if (typeof token !== 'string' || open.userId !== userOf(actor, '') || c.d.sha256(token) !== open.tokenHash)
    throw new LotteryError('CEREMONY_TOKEN_REQUIRED', {
      zh: '此操作需要本次抽籤程序的憑證：請在開啟抽籤程序的投影電腦上操作，或重新開啟抽籤程序',
      en: 'This needs the ceremony token of the open ceremony: enter balls from the screen that opened it, or reopen it',
    });
  const sheet = c.store.physical.sheets(l.id).find((s) => s.stage === stage);
  if (!sheet) throw notFound(`第 ${stage} 階段的號次表`, `Stage ${stage}'s pool sheet`);
  checkedSheet(c, l, stage, sheet);
  const balls = c.store.physical.balls(l.id).filter((b) => b.stage === stage);
  return { sheet, balls, quota: quotaOf(sheet.entries.length, def.percent) };
}

/** The ball's number: a whole number printed on the sheet. */
function ballNumber(body: unknown, sheet: PoolSheetRow, stage: number): number {
  const n = isRecord(body) ? body.number : undefined;
  if (!Number.isSafeInteger(n))
    throw validationFailed([
      fieldProblem(
        'number',
        'BAD_NUMBER',
        '球號必須是整數，如 7',
        'the ball number must be a whole number, e.g. 7',
      ),
    ]);
  const number = n as number;
  if (number < 1 || number > sheet.entries.length)
    throw new LotteryError(
      'BALL_NOT_ON_SHEET',
      {
        zh: `第 ${stage} 階段的號次表只有 1 至 ${sheet.entries.length} 號，沒有 ${number} 號：請核對球上的號碼`,
        en: `Stage ${stage}'s pool sheet runs from 1 to ${sheet.entries.length}; there is no ball ${number}: check the number on the ball`,
      },
      { extra: { number, poolSize: sheet.entries.length } },
    );
  return number;
}

const live = (balls: readonly BallRow[]): BallRow[] => balls.filter((b) => b.undoneAt === null);

function answer(c: Context, l: LotteryRow, stage: number, quota: number, recorded: boolean): BallAnswer {
  const byId = new Map<string, RosterEntry>(c.store.roster(l.id).map((e) => [e.id, e]));
  const balls = live(c.store.physical.balls(l.id).filter((b) => b.stage === stage));
  return {
    stage,
    quota,
    balls: balls.map((b) => ({
      number: b.number,
      person: person(byId.get(b.entry), b.entry),
      drawnAt: b.drawnAt,
    })),
    recorded,
    status: c.mustGetLottery(l.id).status,
  };
}

/** Enters one ball; the quota-th closes the stage (`stage.recorded`) and issues the next stage's sheet. */
export function enterBall(
  c: Context,
  actor: string,
  id: string,
  stageParam: string,
  body: unknown,
  via?: Via,
): BallAnswer {
  const stage = stageOf(stageParam);
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    const { sheet, balls, quota } = ballRefusals(c, actor, l, stage, body);
    onlyFields(body, ['ceremonyToken', 'number']);
    const number = ballNumber(body, sheet, stage);
    const standing = live(balls);
    const dup = standing.find((b) => b.number === number);
    if (dup)
      throw new LotteryError(
        'BALL_ALREADY_DRAWN',
        {
          zh: `${number} 號已於 ${dup.drawnAt} 抽出：同一顆球不能抽兩次，請核對球上的號碼`,
          en: `Ball ${number} was already drawn at ${dup.drawnAt}: a ball cannot be drawn twice; check the number`,
        },
        { extra: { number, drawnAt: dup.drawnAt } },
      );
    const entry = sheet.entries[number - 1] as string;
    const e = c.journal(tx, { type: 'stage.ball', data: { lottery: id, stage, number, entry } }, actor);
    c.store.physical.insertBall(id, {
      stage,
      position: balls.length + 1,
      number,
      entry,
      seq: e.seq,
      drawnAt: e.at,
    });
    const winners = [...standing.map((b) => b.entry), entry];
    const recorded = winners.length >= quota;
    if (recorded)
      recordStage(c, tx, actor, l, { stage, poolSize: sheet.entries.length, quota, winners }, via);
    return answer(c, l, stage, quota, recorded);
  });
}

function recordStage(
  c: Context,
  tx: WriteTx,
  actor: string,
  l: LotteryRow,
  r: { stage: number; poolSize: number; quota: number; winners: string[] },
  via?: Via,
): void {
  const at = c.now();
  c.store.insertResult(l.id, {
    stage: r.stage,
    poolSize: r.poolSize,
    quota: r.quota,
    winners: r.winners,
    drawnAt: at,
  });
  // No seed and no entropy in a physical draw: the columns hold '' (db/migrations/006_physical.sql).
  c.store.setDrawn(l.id, statusAfterDraw(r.stage, l.stages.length), '', '');
  const session = sessionField(c, tx, actor, via);
  c.journal(
    tx,
    { type: 'stage.recorded', data: { lottery: l.id, method: 'physical', ...r, ...session } },
    actor,
  );
  if (r.stage < l.stages.length) issuePoolSheet(c, tx, actor, l, r.stage + 1, r.winners);
}

/** Withdraws the last ball entered, while no other has come after it, with the reason (`stage.ball.undone`). */
export function undoBall(
  c: Context,
  actor: string,
  id: string,
  stageParam: string,
  body: unknown,
): BallAnswer {
  const stage = stageOf(stageParam);
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    const { sheet, balls, quota } = ballRefusals(c, actor, l, stage, body);
    onlyFields(body, ['ceremonyToken', 'number', 'reason']);
    const number = ballNumber(body, sheet, stage);
    const reason = parseReason(
      { reason: isRecord(body) ? body.reason : undefined },
      '撤銷球號須說明理由（reason）',
      'undoing a ball needs a reason',
    );
    const last = balls[balls.length - 1];
    if (!last || last.undoneAt !== null || last.number !== number)
      throw new LotteryError(
        'NO_BALL_TO_UNDO',
        {
          zh: `只能撤銷最後輸入、且其後尚未輸入其他球的球號；${number} 號不是`,
          en: `Only the last ball entered can be undone, before any other ball; ball ${number} is not it`,
        },
        { extra: { number, last: last && last.undoneAt === null ? last.number : null } },
      );
    const e = c.journal(
      tx,
      { type: 'stage.ball.undone', data: { lottery: id, stage, number, reason } },
      actor,
    );
    // The entry's own time, as for the ball itself: verify --db holds the row to the journal exactly.
    c.store.physical.undoBall(id, stage, last.position, e.at, reason);
    return answer(c, l, stage, quota, false);
  });
}

/** A stage's sheet with the names on it: what the pool-sheet PDF and the ball-entry screen print. */
export function poolSheet(
  c: Context,
  id: string,
  stageParam: string,
): { lottery: LotteryRow; stage: number; sheet: PoolSheetRow; people: Person[] } {
  const stage = stageOf(stageParam);
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    if (l.method !== 'physical') throw wrongMethod(false);
    const sheet = c.store.physical.sheets(id).find((s) => s.stage === stage);
    if (!sheet) throw notFound(`第 ${stage} 階段的號次表`, `Stage ${stage}'s pool sheet`);
    const byId = new Map<string, RosterEntry>(c.store.roster(id).map((e) => [e.id, e]));
    return { lottery: l, stage, sheet, people: sheet.entries.map((e) => person(byId.get(e), e)) };
  });
}
