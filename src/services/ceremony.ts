import { sessionField, type Via } from './sessions';
import { meetingDay, taipeiDate } from '../domain/ceremony';
import { groupDigits, parseEntropyDigits } from '../domain/input/entropy';
import { LotteryError } from '../domain/errors';
import { STAGE_NUMBER } from '../domain/grammar';
import { isRecord, noBody, onlyFields, parseReason } from '../domain/input/body';
import { requireProtocol, requireStatus, statusAfterDraw } from '../domain/lifecycle';
import type { StageDef } from '../domain/model';
import {
  commitment,
  drawStage,
  initialPool,
  PROTOCOL,
  PROTOCOL_V2,
  rosterDigest,
  type StageOutcome,
} from '../domain/protocol';
import type { LotteryRow, ResultRow, WriteTx } from '../store/store';
import { ceremonyNotOpen, ceremonyOpen, notFound, userOf, type Context } from './context';
import {
  lotteryView,
  person,
  poolAndQuotas,
  type DrawAnswer,
  type LockAnswer,
  type LotteryView,
  type OpenCeremonyAnswer,
} from './views';
import { checkedKind, checkedState } from './integrity';
import { issuePoolSheet, refuseAdjournMidDraw, wrongMethod } from './physical';

/**
 * The heart: lock (the commitment), unlock, the ceremony (lottery-draw/v2, protocol.md §4.2: opened on the
 * meeting day, adjourned, its token) and the draw. Each is one write transaction that re-reads what it
 * depends on; every refusal comes before the first write.
 */

export function lock(c: Context, actor: string, id: string): LockAnswer {
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'lock', l.cancelledAt !== null);
    const roster = c.store.roster(id);
    const pool = initialPool(roster);
    if (pool.length === 0)
      throw new LotteryError('EMPTY_POOL', {
        zh: '抽籤母體為空：請先載入名冊，且至少一人未被排除',
        en: 'The pool is empty: load a roster with at least one entry that is not excluded',
      });
    // The digest is recomputed from the stored rows, not taken from the column, so what is locked is what is there.
    const digest = rosterDigest(roster, c.d.sha256);
    const secret = c.d.randomBytes(32).toString('hex');
    const cm = commitment(secret, c.d.sha256);
    const quotas = poolAndQuotas(l, roster);
    // Every lock from now on is lottery-draw/v2 (protocol.md §4.2): the protocol is fixed here, journalled with
    // the commitment, so a verifier applies the rules the lottery was locked under.
    c.store.setLocked(id, secret, cm, PROTOCOL);
    c.d.fault?.('lock');
    c.journal(
      tx,
      {
        type: 'lottery.locked',
        data: { lottery: id, protocol: PROTOCOL, rosterDigest: digest, commitment: cm, quotas },
      },
      actor,
    );
    if (l.method === 'physical') issuePoolSheet(c, tx, actor, l, 1, pool);
    return {
      status: 'locked',
      rosterDigest: digest,
      commitment: cm,
      quotas: quotas.map(({ stage, poolSize, quota }) => ({ stage, poolSize, quota })),
    };
  });
}

export function unlock(c: Context, actor: string, id: string, body: unknown): LotteryView {
  const reason = parseReason(body);
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'unlock', l.cancelledAt !== null);
    // Re-locking draws a new secret. While the room is gathered round an open ceremony that would void the
    // commitment it was shown, so it needs an adjournment first, which the record and the verifier report.
    const open = c.store.openCeremonyOf(id);
    if (open) throw ceremonyOpen(open, c.displayName(open.userId));
    c.store.setUnlocked(id);
    c.store.physical.voidSheets(id);
    // The discarded commitment stays in the journal (lottery.locked); the secret behind it is never revealed,
    // and the next lock draws a fresh one.
    c.journal(tx, { type: 'lottery.unlocked', data: { lottery: id, reason } }, actor);
    return lotteryView(c, c.mustGetLottery(id));
  });
}

// ---- the ceremony (lottery-draw/v2, protocol.md §4.2) ----

/** The Taipei date now, against the meeting's date: opening and every draw happen on the meeting day only. */
export function requireMeetingDay(c: Context, l: LotteryRow): void {
  // issue 11: a rehearsal (演練) may be drawn on any day, with or without a meeting date, if the journal says so.
  checkedKind(c, l);
  if (l.rehearsal === true) return;
  const day = meetingDay(l.meeting.date);
  if (day === undefined)
    throw new LotteryError('MEETING_DATE_REQUIRED', {
      zh: '請先填寫抽籤會議日期，才能開始抽籤程序',
      en: 'Set the meeting date before opening the ceremony',
    });
  const today = taipeiDate(c.d.clock().getTime());
  if (today !== day)
    throw new LotteryError(
      'NOT_MEETING_DAY',
      {
        zh: `今天（${today}）不是抽籤會議日（${day}）：抽籤只能在會議當天進行`,
        en: `Today (${today}, Asia/Taipei) is not the meeting day (${day}): the draw happens at the meeting only`,
      },
      { extra: { today, meetingDay: day } },
    );
}

/**
 * Opens (or reopens) the ceremony: journals `ceremony.opened` and hands the opener a one-time token, stored
 * only as its hash. Reopening is the opener's alone while it is open, so that another ethics credential
 * cannot take the ceremony over; after an adjournment anyone may open it again.
 */
export function openCeremony(
  c: Context,
  actor: string,
  id: string,
  body: unknown,
  via?: Via,
): OpenCeremonyAnswer {
  const userId = userOf(actor);
  noBody(body, '開啟抽籤程序不需輸入任何內容', 'Opening the ceremony takes no body');
  const token = c.d.randomBytes(32).toString('base64url');
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'openCeremony', l.cancelledAt !== null);
    requireProtocol(l.status, l.protocol, 'openCeremony');
    // Before stage 1 the ceremony opens on the meeting day only. After it the outcome is fixed by the seed, and
    // the opener may reopen (a crashed projector) to reveal the later stages even past midnight.
    if (l.status === 'locked') requireMeetingDay(c, l);
    const open = c.store.openCeremonyOf(id);
    // Only the opener may reopen, unless their account was revoked: otherwise a lottery drawn halfway would
    // wait for ever on a user who can no longer sign in.
    const openerGone = open !== undefined && Boolean(c.store.userById(open.userId)?.revoked_at);
    if (open && open.userId !== userId && !openerGone) throw ceremonyOpen(open, c.displayName(open.userId));
    const at = c.now();
    if (open) c.store.endCeremony(id, { at, how: 'reopened', by: userId });
    const keyFingerprint = c.keyFingerprint();
    const cm = l.commitment as string;
    const session = sessionField(c, tx, actor, via);
    const e = c.journal(
      tx,
      { type: 'ceremony.opened', data: { lottery: id, commitment: cm, keyFingerprint, ...session } },
      actor,
    );
    c.store.openCeremony({
      lotteryId: id,
      seq: e.seq,
      tokenHash: c.d.sha256(token),
      userId,
      commitment: cm,
      openedAt: e.at,
    });
    return {
      ceremonyToken: token,
      commitment: cm,
      keyFingerprint,
      openedAt: e.at,
      openedBy: c.displayName(userId),
    };
  });
}

/** Adjourns the open ceremony before stage 1 (the meeting is postponed): the token is void, the lock stays. */
export function adjournCeremony(c: Context, actor: string, id: string, body: unknown): LotteryView {
  const reason = parseReason(body, '休會須說明理由（reason）', 'adjourning needs a reason');
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'adjourn', l.cancelledAt !== null);
    const open = c.store.openCeremonyOf(id);
    if (!open) throw ceremonyNotOpen();
    refuseAdjournMidDraw(c, l);
    c.store.endCeremony(id, { at: c.now(), how: 'adjourned', by: userOf(actor, ''), reason });
    c.journal(
      tx,
      { type: 'ceremony.adjourned', data: { lottery: id, commitment: open.commitment, reason } },
      actor,
    );
    return lotteryView(c, c.mustGetLottery(id));
  });
}

/**
 * The server's read-back of the dice before the draw button is enabled: the projector shows this answer, not
 * what the browser thinks it sent. Writes nothing.
 */
export function readEntropy(
  c: Context,
  id: string,
  body: unknown,
): { digits: string; grouped: string; count: number } {
  c.store.read(() => c.mustGetLottery(id));
  onlyFields(body, ['entropy']);
  const digits = parseEntropyDigits(isRecord(body) ? body.entropy : undefined);
  return { digits, grouped: groupDigits(digits), count: digits.length };
}

// ---- the draw ----

/**
 * Draws one stage: the refusals in order, the ceremony's inputs, the integrity re-check, the computation, then
 * the writes and the journal entry, and the answer the projector shows.
 */
export function draw(
  c: Context,
  actor: string,
  id: string,
  stageParam: string,
  body: unknown,
  via?: Via,
): DrawAnswer {
  if (!STAGE_NUMBER.test(stageParam)) throw notFound('此階段', 'Stage');
  const stage = Number(stageParam);
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    const { def, results } = drawRefusals(c, l, stage);
    const entropy = ceremonyEntropy(c, actor, l, stage, body);
    const roster = c.store.roster(id);
    const { seedHex, pool } = checkedState(c, l, stage, entropy, roster, results);
    const out = drawStage(seedHex, { stage, percent: def.percent }, pool);
    const at = persistDraw(c, tx, actor, l, { stage, entropy, seedHex, out, via });
    const byId = new Map(roster.map((e) => [e.id, e]));
    return {
      stage,
      poolSize: out.poolSize,
      quota: out.quota,
      winners: out.winners.map((w) => person(byId.get(w), w)),
      seed: seedHex,
      digits: entropy,
      drawnBy: c.displayName(userOf(actor, actor)),
      drawnAt: at,
    };
  });
}

/** The draw's refusals, in the order the API has always checked them; returns the stage and the results so far. */
function drawRefusals(c: Context, l: LotteryRow, stage: number): { def: StageDef; results: ResultRow[] } {
  const def = l.stages[stage - 1];
  if (!def) throw notFound(`第 ${stage} 階段`, `Stage ${stage}`);
  if (l.method === 'physical') throw wrongMethod(true);
  const results = c.store.results(l.id);
  const done = results.find((r) => r.stage === stage);
  // A stage drawn already answers who drew it and when, whatever the status: a drawn lottery has every
  // stage's result, so this comes before the lifecycle's refusal of `drawn`. Draft and locked lotteries have
  // no results, so for them the order is as it always was.
  if (done) throw stageAlreadyDrawn(c, l, stage, done);
  requireStatus(l.status, 'draw', l.cancelledAt !== null);
  // A v1 lottery not yet drawn must be locked again under v2; one already drawing under v1 has its outcome
  // fixed by its seed, so its later stages only reveal it and may finish under v1's rules.
  requireProtocol(l.status, l.protocol, 'draw');
  if (results.length !== stage - 1)
    throw new LotteryError('STAGE_OUT_OF_ORDER', {
      zh: `請先抽第 ${results.length + 1} 階段`,
      en: `Draw stage ${results.length + 1} first`,
    });
  return { def, results };
}

function stageAlreadyDrawn(c: Context, l: LotteryRow, stage: number, done: ResultRow): LotteryError {
  const entry = c.store
    .journalPage({ limit: 1000, lottery: l.id, type: 'stage.drawn' })
    .find((e) => e.data.stage === stage);
  return new LotteryError(
    'STAGE_ALREADY_DRAWN',
    {
      zh: `第 ${stage} 階段已於 ${done.drawnAt} 抽出，結果不會改變`,
      en: `Stage ${stage} was already drawn at ${done.drawnAt}; its result is final`,
    },
    {
      extra: {
        stage,
        digits: l.entropy,
        drawnBy: entry ? c.displayName(userOf(entry.actor, entry.actor)) : null,
        drawnAt: done.drawnAt,
      },
    },
  );
}

/**
 * What the room brings to the draw. Under v2: the open ceremony's token from its opener, and at stage 1 the
 * dice and the commitment the projector showed. Under v1 (finishing a lottery drawn halfway): nothing.
 * Returns the entropy the seed is made from.
 */
function ceremonyEntropy(c: Context, actor: string, l: LotteryRow, stage: number, body: unknown): string {
  if (l.protocol !== PROTOCOL_V2) {
    noBody(body, '第 2 階段以後不需輸入任何內容', 'Stages after the first take no body');
    return l.entropy as string;
  }
  const open = c.store.openCeremonyOf(l.id);
  if (!open) throw ceremonyNotOpen();
  // Stage 1 on the meeting day only (opening at 23:59 does not allow it at 00:01); later stages reveal an
  // outcome the seed already fixed, so a meeting that runs past midnight can finish.
  if (stage === 1) requireMeetingDay(c, l);
  const token = isRecord(body) ? body.ceremonyToken : undefined;
  if (typeof token !== 'string' || open.userId !== userOf(actor, '') || c.d.sha256(token) !== open.tokenHash)
    throw new LotteryError('CEREMONY_TOKEN_REQUIRED', {
      zh: '此操作需要本次抽籤程序的憑證：請在開啟抽籤程序的投影電腦上操作，或重新開啟抽籤程序',
      en: 'This needs the ceremony token of the open ceremony: draw from the screen that opened it, or reopen it',
    });
  if (stage !== 1) {
    onlyFields(body, ['ceremonyToken']);
    return l.entropy as string;
  }
  const entropy = parseEntropyDigits(isRecord(body) ? body.entropy : undefined);
  if (!isRecord(body) || body.commitment !== l.commitment)
    throw new LotteryError(
      'COMMITMENT_MISMATCH',
      {
        zh: '投影幕顯示的承諾值不是目前的承諾值：請重新整理頁面，向在場人員宣讀新的承諾值後再抽籤',
        en: 'The commitment shown to the room is not the current one: reload, read the new one aloud, then draw',
      },
      { extra: { commitment: l.commitment } },
    );
  onlyFields(body, ['ceremonyToken', 'entropy', 'commitment']);
  return entropy;
}

/** Writes the stage's result and the lottery's new state, and journals `stage.drawn`; returns when it was drawn. */
function persistDraw(
  c: Context,
  tx: WriteTx,
  actor: string,
  l: LotteryRow,
  d: { stage: number; entropy: string; seedHex: string; out: StageOutcome; via?: Via | undefined },
): string {
  const { stage, entropy, seedHex, out } = d;
  const session = sessionField(c, tx, actor, d.via);
  const at = c.now();
  const status = statusAfterDraw(stage, l.stages.length);
  c.store.insertResult(l.id, {
    stage,
    poolSize: out.poolSize,
    quota: out.quota,
    winners: out.winners,
    drawnAt: at,
  });
  c.store.setDrawn(l.id, status, entropy, seedHex);
  c.d.fault?.('draw');
  c.journal(
    tx,
    {
      type: 'stage.drawn',
      data: {
        lottery: l.id,
        stage,
        poolSize: out.poolSize,
        quota: out.quota,
        seed: seedHex,
        winners: out.winners,
        // The secret is revealed here and not before: with the entropy fixed, the outcome no longer depends on it.
        ...(stage === 1 ? { entropy, secret: l.secret as string } : {}),
        ...session,
      },
    },
    actor,
  );
  return at;
}
