import crypto from 'node:crypto';
import { jcs, ZERO_HASH, type Json, type Sha256 } from '../domain/canonical';
import { bundleFormatOf, type Bundle } from '../domain/bundle';
import { keyFingerprintSync, meetingDay, taipeiDate } from '../domain/ceremony';
import { groupDigits, parseEntropyDigits } from '../domain/entropy';
import { checkpointMessage, pemBody, type Checkpoint } from '../domain/checkpoint';
import { fieldProblem, LotteryError, validationFailed } from '../domain/errors';
import {
  checkChain,
  makeEntry,
  type ChainResult,
  type JournalData,
  type JournalEntry,
} from '../domain/journal';
import {
  LOTTERY_ID,
  meetingJson,
  parseCreate,
  parsePatch,
  parseRoster,
  reasonText,
  type RosterInputRow,
} from '../domain/lottery';
import {
  commitment,
  drawStage,
  initialPool,
  PROTOCOL,
  PROTOCOL_V1,
  PROTOCOL_V2,
  rosterDigest,
  seed,
  sortRoster,
  type RosterEntry,
} from '../domain/protocol';
import { quota as quotaOf } from '../domain/quota';
import { DEFAULT_PUBLIC_FIELDS, publicPerson, type PublicField, type PublicPerson } from '../domain/publish';
import type { LotteryStatus } from '../domain/replay';
import type { FieldProblem } from '../domain/errors';
import { signerFromPem, type Signer } from '../keys/signer';
import { renderNotice } from '../record/notice';
import { renderRecord, type RecordCeremony, type RecordData } from '../record/render';
import { signPdf } from '../record/sign';
import {
  ROLES,
  type CeremonyRow,
  type LotteryRow,
  type ResultRow,
  type Role,
  type Store,
} from '../store/store';

/**
 * Use cases. Each state change is one BEGIN IMMEDIATE transaction that re-reads the state it depends on,
 * asks the domain to decide, writes the tables and appends the journal entry. A refusal throws before
 * anything is written, so refused requests leave no trace in the journal (they go to the service log).
 */
export interface Deps {
  store: Store;
  clock: () => Date;
  randomBytes: (n: number) => Buffer;
  sha256: Sha256;
  signer: Signer;
  /** Base URL of the public verification pages, for the record's QR code. */
  publicUrl?: string;
  /** What the public record shows of each winner. */
  publicFields?: readonly PublicField[];
  /**
   * Crash testing only (LOTTERY_FAULT_INJECTION=1): called at named points inside write transactions, where the
   * crash test kills the process, to prove a transaction is all or nothing.
   */
  fault?: (point: FaultPoint) => void;
}

export type FaultPoint = 'roster.load' | 'lock' | 'draw' | 'record';

export interface UserView {
  id: string;
  name: string;
  role: Role;
}

const notFound = (zh: string, en: string): LotteryError =>
  new LotteryError('NOT_FOUND', { zh: `找不到${zh}`, en: `${en} not found` });

function poolAndQuotas(
  l: LotteryRow,
  roster: readonly RosterEntry[],
): Array<{ stage: number; percent: string; poolSize: number; quota: number }> {
  let pool = roster.filter((e) => !e.excluded).length;
  return l.stages.map((s) => {
    const q = quotaOf(pool, s.percent);
    const out = { stage: s.stage, percent: s.percent, poolSize: pool, quota: q };
    pool = q;
    return out;
  });
}

/** Each stage's definition with the pool and quota it has now: what the views and the notice show. */
function stageViews(
  l: LotteryRow,
  quotas: ReturnType<typeof poolAndQuotas>,
): Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }> {
  return l.stages.map((s, i) => ({
    stage: s.stage,
    label: s.label,
    percent: s.percent,
    poolSize: quotas[i]?.poolSize ?? 0,
    quota: quotas[i]?.quota ?? 0,
  }));
}

export class Services {
  constructor(private readonly d: Deps) {}

  private now(): string {
    return this.d.clock().toISOString();
  }

  /** Appends one journal entry at the head. Must run inside store.write(). */
  private journal(type: string, actor: string, data: JournalData): JournalEntry {
    const e = makeEntry(this.d.store.journalHead(), { at: this.now(), type, actor, data }, this.d.sha256);
    this.d.store.appendJournal(e);
    return e;
  }

  private mustGet(id: string): LotteryRow {
    const l = LOTTERY_ID.test(id) ? this.d.store.lottery(id) : undefined;
    if (!l) throw notFound('此抽籤', 'Lottery');
    return l;
  }

  private newId(prefix: string, bytes = 6): string {
    const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
    const raw = this.d.randomBytes(bytes * 2);
    let s = '';
    for (const b of raw) s += alphabet[b % 32];
    return `${prefix}${s.slice(0, bytes + 4)}`;
  }

  // ---- users ----

  addUser(
    actor: string,
    input: { name: string; role: string; display?: string },
  ): UserView & { token: string } {
    const name = input.name.normalize('NFC');
    if (!/^\S{1,64}$/u.test(name) || /[\p{Cc}\p{Cf}\p{Cs}]/u.test(name))
      throw new LotteryError('VALIDATION_FAILED', {
        zh: '帳號名稱不得為空白或含空白，至多 64 字',
        en: 'name must be 1–64 characters without whitespace',
      });
    if (!(ROLES as readonly string[]).includes(input.role))
      throw new LotteryError('VALIDATION_FAILED', {
        zh: `角色須為 ${ROLES.join('、')} 之一`,
        en: `role must be one of ${ROLES.join(', ')}`,
      });
    const role = input.role as Role;
    const token = this.d.randomBytes(32).toString('base64url');
    return this.d.store.write(() => {
      if (this.d.store.userByName(name))
        throw new LotteryError('CONFLICT', { zh: `帳號 ${name} 已存在`, en: `user ${name} already exists` });
      const id = this.newId('u');
      this.d.store.insertUser({
        id,
        name,
        role,
        tokenHash: this.d.sha256(token),
        createdAt: this.now(),
        ...(input.display ? { display: input.display } : {}),
      });
      this.journal('user.added', actor, { user: id, role });
      return { id, name, role, token };
    });
  }

  revokeUser(actor: string, name: string): void {
    this.d.store.write(() => {
      const u = this.d.store.userByName(name);
      if (!u) throw notFound(`帳號 ${name}`, `User ${name}`);
      this.d.store.revokeUser(u.id, this.now());
      this.journal('user.revoked', actor, { user: u.id });
    });
  }

  /** Every account, revoked ones too: the journal names actors by id, and auditors read names. */
  listUsers(): Array<UserView & { display: string | null }> {
    return this.d.store.read(() =>
      this.d.store.listUsers().map((u) => ({ id: u.id, name: u.name, display: u.display, role: u.role })),
    );
  }

  /** Bearer token → user. Lookup by SHA-256 of the token: the table never holds a usable credential. */
  authenticate(token: string): UserView | undefined {
    const u = this.d.store.userByTokenHash(this.d.sha256(token));
    if (!u || u.revoked_at) return undefined;
    return { id: u.id, name: u.name, role: u.role };
  }

  // ---- lotteries ----

  createLottery(actor: string, body: unknown): LotteryView {
    const def = parseCreate(body);
    return this.d.store.write(() => {
      let id = this.newId(`${def.year}-`);
      while (this.d.store.lottery(id)) id = this.newId(`${def.year}-`);
      this.d.store.insertLottery({ id, ...def, createdAt: this.now() });
      this.journal('lottery.created', actor, {
        lottery: id,
        year: def.year,
        agency: def.agency,
        title: def.title,
        stages: def.stages.map((s) => ({ stage: s.stage, label: s.label, percent: s.percent })),
        meeting: meetingJson(def.meeting),
      });
      return this.view(this.mustGet(id));
    });
  }

  patchLottery(actor: string, id: string, body: unknown): LotteryView {
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      const patch = parsePatch(body, l.meeting);
      if (l.status !== 'draft') throw notDraft();
      const next = {
        title: patch.title ?? l.title,
        stages: patch.stages ?? l.stages,
        meeting: patch.meeting ?? l.meeting,
      };
      this.d.store.updateDefinition(id, next);
      const data: JournalData = { lottery: id };
      if (patch.title !== undefined) data.title = next.title;
      if (patch.stages !== undefined)
        data.stages = next.stages.map((s) => ({ stage: s.stage, label: s.label, percent: s.percent }));
      if (patch.meeting !== undefined) data.meeting = meetingJson(next.meeting);
      this.journal('lottery.updated', actor, data);
      return this.view(this.mustGet(id));
    });
  }

  listLotteries(): LotteryView[] {
    return this.d.store.read(() => this.d.store.listLotteries().map((l) => this.view(l)));
  }

  getLottery(id: string): LotteryView {
    return this.d.store.read(() => this.view(this.mustGet(id)));
  }

  getRoster(id: string): { lottery: string; rosterDigest: string | null; entries: RosterEntry[] } {
    return this.d.store.read(() => {
      const l = this.mustGet(id);
      return { lottery: id, rosterDigest: l.rosterDigest, entries: this.d.store.roster(id) };
    });
  }

  /**
   * Replaces the whole roster atomically. Any invalid row: 422 listing every bad row, and nothing changes.
   * `dryRun` validates at any status and saves nothing.
   */
  loadRoster(
    actor: string,
    id: string,
    rows: readonly RosterInputRow[],
    opts: { strictFields: boolean; dryRun?: boolean; warnings?: FieldProblem[]; errors?: FieldProblem[] },
  ): RosterLoadReport {
    const parsed = parseRoster(rows, { strictFields: opts.strictFields });
    const warnings = [...(opts.warnings ?? []), ...parsed.warnings];
    // Every error of the file at once, in row order: the office fixes its file in one pass.
    const pre = new Set((opts.errors ?? []).map((e) => `${e.row}:${e.code}`));
    const errors = [
      ...(opts.errors ?? []),
      ...parsed.errors.filter((e) => !pre.has(`${e.row}:${e.code}`)),
    ].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    if (errors.length > 0)
      throw new LotteryError(
        'ROSTER_INVALID',
        {
          zh: `名冊有 ${errors.length} 處錯誤，未載入`,
          en: `The roster has ${errors.length} error${errors.length === 1 ? '' : 's'} and was not loaded`,
        },
        { problems: errors, extra: { warnings } },
      );
    if (parsed.entries.length === 0)
      throw new LotteryError(
        'ROSTER_INVALID',
        { zh: '名冊沒有任何申報人', en: 'The roster has no entries' },
        { problems: [], extra: { warnings } },
      );
    const digest = rosterDigest(parsed.entries, this.d.sha256);
    const report: RosterLoadReport = {
      count: parsed.entries.length,
      poolSize: parsed.entries.filter((e) => !e.excluded).length,
      rosterDigest: digest,
      units: countUnits(parsed.entries),
      warnings,
    };
    if (opts.dryRun) {
      this.mustGet(id);
      return { ...report, dryRun: true };
    }
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status !== 'draft') throw notDraft();
      this.d.store.replaceRoster(id, parsed.entries, digest);
      this.d.fault?.('roster.load');
      this.journal('roster.loaded', actor, {
        lottery: id,
        count: report.count,
        poolSize: report.poolSize,
        rosterDigest: digest,
      });
      return report;
    });
  }

  /**
   * Edits one entry's exclusion reason while in draft (the roster table's inline edit). The whole digest is
   * recomputed and journalled, so the change is as visible as a reload.
   */
  updateEntry(actor: string, id: string, entryId: string, body: unknown): RosterLoadReport {
    const b =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : undefined;
    const fail = (code: string, zh: string, en: string): LotteryError =>
      new LotteryError(
        'VALIDATION_FAILED',
        { zh, en },
        { problems: [{ field: 'excluded', code, message: { zh, en } }] },
      );
    if (!b || Object.keys(b).some((k) => k !== 'excluded') || !('excluded' in b))
      throw fail(
        'REQUIRED',
        '內容須為 {"excluded": "理由"} 或 {"excluded": null}',
        'the body must be {"excluded": "reason"} or {"excluded": null}',
      );
    const raw = b.excluded;
    if (raw !== null && typeof raw !== 'string')
      throw fail('NOT_STRING', 'excluded 必須是文字或 null', 'excluded must be a string or null');
    const reason = raw === null ? '' : reasonText(raw, 'excluded');
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status !== 'draft') throw notDraft();
      if (this.d.store.updateEntryExclusion(id, entryId, reason === '' ? null : reason) !== 1)
        throw notFound(`編號 ${entryId} 的申報人`, `Entry ${entryId}`);
      const roster = this.d.store.roster(id);
      const digest = rosterDigest(roster, this.d.sha256);
      this.d.store.setRosterDigest(id, digest);
      const poolSize = roster.filter((e) => !e.excluded).length;
      this.journal('roster.entry.updated', actor, {
        lottery: id,
        entry: entryId,
        excluded: reason !== '',
        count: roster.length,
        poolSize,
        rosterDigest: digest,
      });
      return {
        count: roster.length,
        poolSize,
        rosterDigest: digest,
        units: countUnits(roster),
        warnings: [],
      };
    });
  }

  lock(
    actor: string,
    id: string,
  ): {
    status: LotteryStatus;
    rosterDigest: string;
    commitment: string;
    quotas: Array<{ stage: number; poolSize: number; quota: number }>;
  } {
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status !== 'draft') throw notDraft();
      const roster = this.d.store.roster(id);
      const pool = initialPool(roster);
      if (pool.length === 0)
        throw new LotteryError('EMPTY_POOL', {
          zh: '抽籤母體為空：請先載入名冊，且至少一人未被排除',
          en: 'The pool is empty: load a roster with at least one entry that is not excluded',
        });
      // The digest is recomputed from the stored rows, not taken from the column, so what is locked is what is there.
      const digest = rosterDigest(roster, this.d.sha256);
      const secret = this.d.randomBytes(32).toString('hex');
      const c = commitment(secret, this.d.sha256);
      const quotas = poolAndQuotas(l, roster);
      // Every lock from now on is lottery-draw/v2 (protocol.md §4.2): the protocol is fixed here, journalled with
      // the commitment, so a verifier applies the rules the lottery was locked under.
      this.d.store.setLocked(id, secret, c, PROTOCOL);
      this.d.fault?.('lock');
      this.journal('lottery.locked', actor, {
        lottery: id,
        protocol: PROTOCOL,
        rosterDigest: digest,
        commitment: c,
        quotas,
      });
      return {
        status: 'locked',
        rosterDigest: digest,
        commitment: c,
        quotas: quotas.map(({ stage, poolSize, quota }) => ({ stage, poolSize, quota })),
      };
    });
  }

  unlock(actor: string, id: string, body: unknown): LotteryView {
    const reason = parseReason(body);
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status === 'drawing' || l.status === 'drawn')
        throw new LotteryError('ALREADY_DRAWN', {
          zh: '已開始抽籤，不能解除鎖定',
          en: 'A stage has been drawn: the lottery cannot be unlocked',
        });
      if (l.status !== 'locked')
        throw new LotteryError('NOT_LOCKED', {
          zh: '抽籤尚未鎖定，無須解除',
          en: 'The lottery is not locked, so there is nothing to unlock',
        });
      // Re-locking draws a new secret. While the room is gathered round an open ceremony that would void the
      // commitment it was shown, so it needs an adjournment first, which the record and the verifier report.
      const open = this.d.store.openCeremonyOf(id);
      if (open) throw ceremonyOpen(open, this.displayName(open.userId));
      this.d.store.setUnlocked(id);
      // The discarded commitment stays in the journal (lottery.locked); the secret behind it is never revealed,
      // and the next lock draws a fresh one.
      this.journal('lottery.unlocked', actor, { lottery: id, reason });
      return this.view(this.mustGet(id));
    });
  }

  // ---- the ceremony (lottery-draw/v2, protocol.md §4.2) ----

  /** Every commitment the lottery ever had, with when: the notice's observers compare against these. */
  private lockHistory(id: string): LockHistory {
    const locks = this.d.store.journalPage({ limit: 1000, lottery: id, type: 'lottery.locked' });
    const unlocks = this.d.store.journalPage({ limit: 1000, lottery: id, type: 'lottery.unlocked' });
    return locks.map((e) => {
      const u = unlocks.find((x) => x.seq > e.seq);
      const out: LockHistory[number] = { seq: e.seq, at: e.at, commitment: String(e.data.commitment) };
      if (u) out.unlockedAt = u.at;
      return out;
    });
  }

  private ceremonyView(id: string): CeremonyView {
    const rows = this.d.store.ceremonies(id);
    const history: CeremonyView['history'] = [];
    for (const r of rows) {
      history.push({ kind: 'opened', at: r.openedAt, by: this.displayName(r.userId), seq: r.seq });
      if (r.endedHow === 'adjourned' && r.endedAt) {
        const ev: CeremonyView['history'][number] = {
          kind: 'adjourned',
          at: r.endedAt,
          by: r.endedBy ? this.displayName(r.endedBy) : '',
        };
        if (r.endReason !== null) ev.reason = r.endReason;
        history.push(ev);
      }
    }
    const open = rows.find((r) => r.endedAt === null);
    return {
      open: open ? { seq: open.seq, openedAt: open.openedAt, openedBy: this.displayName(open.userId) } : null,
      history,
    };
  }

  private noticeRef(id: string): NoticeRef | null {
    const n = this.d.store.notice(id);
    return n ? { sha256: n.sha256, issuedAt: n.issuedAt, commitment: n.commitment } : null;
  }

  /** `SHA256:` + hex of the checkpoint key's DER SPKI: what the notice, projector and record print. */
  keyFingerprint(): string {
    return keyFingerprintSync(this.d.signer.publicKeyPem, (b) =>
      crypto.createHash('sha256').update(b).digest('hex'),
    );
  }

  private displayName(userId: string): string {
    const u = this.d.store.userById(userId);
    return u ? (u.display ?? u.name) : userId;
  }

  /** The Taipei date now, against the meeting's date: opening and every draw happen on the meeting day only. */
  private requireMeetingDay(l: LotteryRow): void {
    const day = meetingDay(l.meeting.date);
    if (day === undefined)
      throw new LotteryError('MEETING_DATE_REQUIRED', {
        zh: '請先填寫抽籤會議日期，才能開始抽籤程序',
        en: 'Set the meeting date before opening the ceremony',
      });
    const today = taipeiDate(this.d.clock().getTime());
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
  openCeremony(
    actor: string,
    id: string,
    body: unknown,
  ): {
    ceremonyToken: string;
    commitment: string;
    keyFingerprint: string;
    openedAt: string;
    openedBy: string;
  } {
    const userId = userOf(actor);
    noBody(body, '開啟抽籤程序不需輸入任何內容', 'Opening the ceremony takes no body');
    const token = this.d.randomBytes(32).toString('base64url');
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status === 'draft') throw notLocked();
      if (l.status === 'drawn')
        throw new LotteryError('ALREADY_DRAWN', {
          zh: '各階段皆已抽出，抽籤程序已結束',
          en: 'Every stage has been drawn: the ceremony is over',
        });
      if (l.protocol !== PROTOCOL_V2) throw relockRequired();
      // Before stage 1 the ceremony opens on the meeting day only. After it the outcome is fixed by the seed, and
      // the opener may reopen (a crashed projector) to reveal the later stages even past midnight.
      if (l.status === 'locked') this.requireMeetingDay(l);
      const open = this.d.store.openCeremonyOf(id);
      // Only the opener may reopen, unless their account was revoked: otherwise a lottery drawn halfway would
      // wait for ever on a user who can no longer sign in.
      const openerGone = open !== undefined && Boolean(this.d.store.userById(open.userId)?.revoked_at);
      if (open && open.userId !== userId && !openerGone)
        throw ceremonyOpen(open, this.displayName(open.userId));
      const at = this.now();
      if (open) this.d.store.endCeremony(id, { at, how: 'reopened', by: userId });
      const keyFingerprint = this.keyFingerprint();
      const commitment = l.commitment as string;
      const e = this.journal('ceremony.opened', actor, { lottery: id, commitment, keyFingerprint });
      this.d.store.openCeremony({
        lotteryId: id,
        seq: e.seq,
        tokenHash: this.d.sha256(token),
        userId,
        commitment,
        openedAt: e.at,
      });
      return {
        ceremonyToken: token,
        commitment,
        keyFingerprint,
        openedAt: e.at,
        openedBy: this.displayName(userId),
      };
    });
  }

  /** Adjourns the open ceremony before stage 1 (the meeting is postponed): the token is void, the lock stays. */
  adjournCeremony(actor: string, id: string, body: unknown): LotteryView {
    const reason = parseReason(body, '休會須說明理由（reason）', 'adjourning needs a reason');
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      if (l.status === 'draft') throw notLocked();
      if (l.status !== 'locked')
        throw new LotteryError('ALREADY_DRAWN', {
          zh: '第 1 階段已抽出，不能休會',
          en: 'Stage 1 has been drawn: the ceremony cannot be adjourned',
        });
      const open = this.d.store.openCeremonyOf(id);
      if (!open) throw ceremonyNotOpen();
      this.d.store.endCeremony(id, { at: this.now(), how: 'adjourned', by: userOf(actor, ''), reason });
      this.journal('ceremony.adjourned', actor, { lottery: id, commitment: open.commitment, reason });
      return this.view(this.mustGet(id));
    });
  }

  /**
   * The server's read-back of the dice before the draw button is enabled: the projector shows this answer, not
   * what the browser thinks it sent. Writes nothing.
   */
  readEntropy(id: string, body: unknown): { digits: string; grouped: string; count: number } {
    this.d.store.read(() => this.mustGet(id));
    onlyFields(body, ['entropy']);
    const digits = parseEntropyDigits(isRecord(body) ? body.entropy : undefined);
    return { digits, grouped: groupDigits(digits), count: digits.length };
  }

  draw(actor: string, id: string, stageParam: string, body: unknown): DrawAnswer {
    if (!/^[1-9]\d{0,2}$/.test(stageParam)) throw notFound('此階段', 'Stage');
    const stage = Number(stageParam);
    return this.d.store.write(() => {
      const l = this.mustGet(id);
      const def = l.stages[stage - 1];
      if (!def) throw notFound(`第 ${stage} 階段`, `Stage ${stage}`);
      if (l.status === 'draft') throw notLocked();
      // A v1 lottery not yet drawn must be locked again under v2; one already drawing under v1 has its outcome
      // fixed by its seed, so its later stages only reveal it and may finish under v1's rules.
      if (l.protocol !== PROTOCOL_V2 && l.status === 'locked') throw relockRequired();
      const v2 = l.protocol === PROTOCOL_V2;
      const results = this.d.store.results(id);
      const done = results.find((r) => r.stage === stage);
      if (done) {
        const entry = this.d.store
          .journalPage({ limit: 1000, lottery: id, type: 'stage.drawn' })
          .find((e) => e.data.stage === stage);
        throw new LotteryError(
          'STAGE_ALREADY_DRAWN',
          {
            zh: `第 ${stage} 階段已於 ${done.drawnAt} 抽出，結果不會改變`,
            en: `Stage ${stage} was already drawn at ${done.drawnAt}; its result is final`,
          },
          {
            extra: {
              stage,
              digits: l.entropy,
              drawnBy: entry ? this.displayName(userOf(entry.actor, entry.actor)) : null,
              drawnAt: done.drawnAt,
            },
          },
        );
      }
      if (results.length !== stage - 1)
        throw new LotteryError('STAGE_OUT_OF_ORDER', {
          zh: `請先抽第 ${results.length + 1} 階段`,
          en: `Draw stage ${results.length + 1} first`,
        });
      let entropy: string;
      if (v2) {
        const open = this.d.store.openCeremonyOf(id);
        if (!open) throw ceremonyNotOpen();
        // Stage 1 on the meeting day only (opening at 23:59 does not allow it at 00:01); later stages reveal an
        // outcome the seed already fixed, so a meeting that runs past midnight can finish.
        if (stage === 1) this.requireMeetingDay(l);
        const token = isRecord(body) ? body.ceremonyToken : undefined;
        if (
          typeof token !== 'string' ||
          open.userId !== userOf(actor, '') ||
          this.d.sha256(token) !== open.tokenHash
        )
          throw new LotteryError('CEREMONY_TOKEN_REQUIRED', {
            zh: '此操作需要本次抽籤程序的憑證：請在開啟抽籤程序的投影電腦上操作，或重新開啟抽籤程序',
            en: 'This needs the ceremony token of the open ceremony: draw from the screen that opened it, or reopen it',
          });
        if (stage === 1) {
          entropy = parseEntropyDigits(isRecord(body) ? body.entropy : undefined);
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
        } else {
          onlyFields(body, ['ceremonyToken']);
          entropy = l.entropy as string;
        }
      } else {
        noBody(body, '第 2 階段以後不需輸入任何內容', 'Stages after the first take no body');
        entropy = l.entropy as string;
      }
      const roster = this.d.store.roster(id);
      const { seedHex, pool } = this.checkedState(l, stage, entropy, roster, results);
      const out = drawStage(seedHex, { stage, percent: def.percent }, pool);
      const at = this.now();
      const status: LotteryStatus = stage === l.stages.length ? 'drawn' : 'drawing';
      this.d.store.insertResult(id, {
        stage,
        poolSize: out.poolSize,
        quota: out.quota,
        winners: out.winners,
        drawnAt: at,
      });
      this.d.store.setDrawn(id, status, entropy, seedHex);
      this.d.fault?.('draw');
      const data: JournalData = {
        lottery: id,
        stage,
        poolSize: out.poolSize,
        quota: out.quota,
        seed: seedHex,
        winners: out.winners,
      };
      if (stage === 1) {
        // The secret is revealed here and not before: with the entropy fixed, the outcome no longer depends on it.
        data.entropy = entropy;
        data.secret = l.secret as string;
      }
      this.journal('stage.drawn', actor, data);
      const byId = new Map(roster.map((e) => [e.id, e]));
      return {
        stage,
        poolSize: out.poolSize,
        quota: out.quota,
        winners: out.winners.map((w) => person(byId.get(w), w)),
        seed: seedHex,
        digits: entropy,
        drawnBy: this.displayName(userOf(actor, actor)),
        drawnAt: at,
      };
    });
  }

  /**
   * Before drawing, the server re-checks its own state against its tables and the journalled lock: the secret
   * hashes to the commitment, the stored roster is the one locked, and stage k+1's pool is stage k's journalled
   * winners. A database edited behind the service's back (a new secret, a shrunken roster) would otherwise draw
   * an outcome the commitment never bound. On a mismatch nothing is written: 500 STATE_INTEGRITY, logged loudly.
   */
  private checkedState(
    l: LotteryRow,
    stage: number,
    entropy: string,
    roster: RosterEntry[],
    results: ResultRow[],
  ): { seedHex: string; pool: string[] } {
    const id = l.id;
    const problems: string[] = [];
    const locks = this.d.store.journalPage({
      limit: 1,
      before: Number.MAX_SAFE_INTEGER,
      lottery: id,
      type: 'lottery.locked',
    });
    const lock = locks[locks.length - 1]?.data;
    const protocol = l.protocol === PROTOCOL_V2 ? PROTOCOL_V2 : PROTOCOL_V1;
    if (!l.secret || !l.commitment || !l.rosterDigest)
      problems.push('no secret, commitment or digest stored');
    else {
      if (this.d.sha256(l.secret) !== l.commitment)
        problems.push('the stored secret does not hash to the commitment');
      if (!lock) problems.push('no lottery.locked entry in the journal');
      else {
        if (lock.commitment !== l.commitment)
          problems.push('the stored commitment is not the one journalled at lock');
        if (lock.rosterDigest !== l.rosterDigest)
          problems.push('the stored roster digest is not the one journalled at lock');
        if ((lock.protocol ?? PROTOCOL_V1) !== protocol)
          problems.push('the stored protocol is not the one journalled at lock');
      }
      if (rosterDigest(roster, this.d.sha256) !== l.rosterDigest)
        problems.push('the stored roster is not the one locked');
    }
    let seedHex = '';
    let pool: string[] = [];
    if (problems.length === 0) {
      const expectedSeed = seed(
        { lottery: id, rosterDigest: l.rosterDigest as string, secret: l.secret as string, entropy },
        this.d.sha256,
        protocol,
      );
      if (stage === 1) {
        seedHex = expectedSeed;
        pool = initialPool(roster);
      } else {
        const draws = this.d.store.journalPage({ limit: 1000, lottery: id, type: 'stage.drawn' });
        const prev = results[stage - 2];
        const prevEntry = draws.find((e) => e.data.stage === stage - 1);
        if (!l.seed || l.seed !== expectedSeed) problems.push('the stored seed does not recompute');
        if (!prev || !prevEntry || jcs(prevEntry.data.winners ?? null) !== jcs(prev.winners))
          problems.push(`stage ${stage - 1}'s stored winners are not the journalled ones`);
        seedHex = expectedSeed;
        pool = prev ? [...prev.winners] : [];
      }
    }
    if (problems.length > 0)
      throw new LotteryError(
        'STATE_INTEGRITY',
        {
          zh: `系統狀態與日誌或承諾值不符，已停止抽籤，未寫入任何資料：${problems.join('；')}`,
          en: `The server's state disagrees with its journal or its commitment; nothing was drawn or written: ${problems.join('; ')}`,
        },
        { extra: { lottery: id, problems } },
      );
    return { seedHex, pool };
  }

  /** The audit bundle: only once every stage is drawn. */
  bundle(id: string): Bundle {
    return this.d.store.read(() => {
      const l = this.mustGet(id);
      if (l.status !== 'drawn')
        throw new LotteryError('NOT_DRAWN', {
          zh: '尚未抽完所有階段，無法匯出稽核包',
          en: 'The audit bundle exists once every stage is drawn',
        });
      const results = this.d.store.results(id);
      const journal = [...this.d.store.journalRows()].map((r) => ({
        ...r,
        data: JSON.parse(r.data as string) as Json,
      }));
      return {
        format: bundleFormatOf(l.protocol ?? PROTOCOL_V1),
        lottery: {
          id,
          year: l.year,
          agency: l.agency,
          title: l.title,
          stages: l.stages.map((s) => ({ stage: s.stage, label: s.label, percent: s.percent })),
          meeting: meetingJson(l.meeting),
        },
        roster: sortRoster(this.d.store.roster(id)),
        rosterDigest: l.rosterDigest as string,
        commitment: l.commitment as string,
        secret: l.secret as string,
        entropy: l.entropy as string,
        seed: l.seed as string,
        stages: results.map((r, i) => ({
          stage: r.stage,
          percent: (l.stages[i] as { percent: string }).percent,
          poolSize: r.poolSize,
          quota: r.quota,
          winners: r.winners,
        })),
        journal,
        checkpoint: this.checkpointUnlocked(),
        ...recordRef(this.d.store, id),
      };
    });
  }

  private publicCache = new Map<string, { head: number; json: string }>();

  /**
   * The public view as JSON text, cached per lottery until the journal head moves. Every state change writes a
   * journal entry, so an unchanged head (one indexed read, shared by every process on the file) means the view
   * is unchanged; the public page is what the whole country may reload during a ceremony.
   */
  publicViewJson(id: string): string {
    const head = this.d.store.journalHead()?.seq ?? 0;
    const hit = this.publicCache.get(id);
    if (hit && hit.head === head) return hit.json;
    const json = JSON.stringify(this.publicView(id));
    if (this.publicCache.size > 1000) this.publicCache.clear();
    this.publicCache.set(id, { head, json });
    return json;
  }

  publicView(id: string): PublicView {
    return this.d.store.read(() => {
      const l = this.mustGet(id);
      const roster = this.d.store.roster(id);
      const quotas = poolAndQuotas(l, roster);
      const results = this.d.store.results(id);
      const byId = new Map(roster.map((e) => [e.id, e]));
      const v: PublicView = {
        id,
        year: l.year,
        agency: l.agency,
        title: l.title,
        status: l.status,
        count: roster.length,
        excludedCount: roster.filter((e) => e.excluded).length,
        poolSize: roster.length - roster.filter((e) => e.excluded).length,
        stages: stageViews(l, quotas),
        rosterDigest: l.status === 'draft' ? null : l.rosterDigest,
        commitment: l.commitment,
        protocol: l.protocol,
        keyFingerprint: this.keyFingerprint(),
        locks: this.lockHistory(id),
        ceremony: this.ceremonyView(id).history.map(({ kind, at, reason }) =>
          reason === undefined ? { kind, at } : { kind, at, reason },
        ),
        notice: this.noticeRef(id),
      };
      if (results.length > 0) {
        v.seed = l.seed;
        v.entropy = l.entropy;
        v.secret = l.secret;
        v.results = resultViews(results, byId).map((r) => ({
          ...r,
          winners: r.winners.map((w) => publicPerson(w, this.d.publicFields ?? DEFAULT_PUBLIC_FIELDS)),
        }));
      }
      return v;
    });
  }

  // ---- journal ----

  journalPage(q: { after?: number; before?: number; limit?: number; lottery?: string; type?: string }): {
    entries: JournalEntry[];
    head: { seq: number; hash: string };
  } {
    return this.d.store.read(() => ({
      entries: this.d.store.journalPage({ limit: 100, ...q }),
      head: this.d.store.journalHead() ?? { seq: 0, hash: '0'.repeat(64) },
    }));
  }

  async verifyJournal(): Promise<ChainResult> {
    const rows = this.d.store.read(() => [...this.d.store.journalRows()]);
    return checkChain(rows, this.d.sha256);
  }

  checkpoint(): Checkpoint {
    return this.d.store.read(() => this.checkpointUnlocked());
  }

  private checkpointUnlocked(): Checkpoint {
    const head = this.d.store.journalHead() ?? { seq: 0, hash: '0'.repeat(64) };
    const at = this.now();
    const body = { seq: head.seq, hash: head.hash, at };
    const cp: Checkpoint = {
      ...body,
      alg: 'RS256',
      signature: this.d.signer.sign(checkpointMessage(body)),
      publicKey: this.d.signer.publicKeyPem,
    };
    if (this.d.signer.certificatePem) cp.certificate = this.d.signer.certificatePem;
    return cp;
  }

  /**
   * At start-up: when the service signs with a key other than the journal's current one (an office's PKCS#12
   * replacing the local key), journal `key.rotated` with the new public key and certificate, endorsed by the
   * old key where the service still holds it, so older checkpoints stay verifiable with the key they name and
   * the change of key is itself on the record. Returns the entry's seq, if one was written.
   */
  journalSigningKey(localKeyPem: string): number | undefined {
    const local = signerFromPem(localKeyPem);
    return this.d.store.write(() => {
      const rotations = this.d.store.journalPage({ limit: 1000, type: 'key.rotated' });
      const last = rotations[rotations.length - 1];
      const current = typeof last?.data.publicKey === 'string' ? last.data.publicKey : local.publicKeyPem;
      if (pemBody(current) === pemBody(this.d.signer.publicKeyPem)) return undefined;
      const data: JournalData = { publicKey: this.d.signer.publicKeyPem, previousPublicKey: current };
      if (this.d.signer.certificatePem) data.certificate = this.d.signer.certificatePem;
      // The old key vouches for the new one: a rotation nobody holding the old key agreed to is visible as such.
      if (pemBody(current) === pemBody(local.publicKeyPem))
        data.endorsement = local.sign(jcs({ publicKey: this.d.signer.publicKeyPem }));
      return this.journal('key.rotated', 'system', data).seq;
    });
  }

  // ---- the record ----

  /**
   * Issues the record once, after the last stage: the full copy and the public copy, rendered, signed, stored
   * and journalled (`record.issued`, twice) in one transaction. Rendering is asynchronous, so it happens first,
   * from a snapshot; the transaction then checks that the journal head is still the one the record names (its
   * checkpoint is "the journal as it stood just before the record was issued") and retries otherwise.
   */
  async issueRecord(
    actor: string,
    id: string,
  ): Promise<{ sha256: string; publicSha256: string; issuedAt: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const snap = this.d.store.read(() => {
        const l = this.mustGet(id);
        if (l.status !== 'drawn')
          throw new LotteryError('NOT_DRAWN', {
            zh: '尚未抽完所有階段，不能產製紀錄',
            en: 'The record is issued once every stage is drawn',
          });
        if (this.d.store.record(id, 'full')) throw alreadyIssued();
        return {
          l,
          roster: this.d.store.roster(id),
          results: this.d.store.results(id),
          checkpoint: this.checkpointUnlocked(),
          keyFingerprint: this.keyFingerprint(),
          ceremonies: this.ceremonyView(id).history.map((h) => ({
            kind: h.kind,
            at: new Date(h.at),
            by: h.by,
            ...(h.reason === undefined ? {} : { reason: h.reason }),
          })),
        };
      });
      const certificatePem = this.d.signer.certificatePem;
      if (!certificatePem) throw new Error('the signing key has no certificate');
      const issuedAt = this.d.clock();
      const data = (publicCopy: boolean): RecordData =>
        recordData(
          snap,
          issuedAt,
          publicCopy,
          this.d.publicUrl ?? 'http://localhost:3000',
          this.d.publicFields ?? DEFAULT_PUBLIC_FIELDS,
        );
      const cms = {
        privateKeyPem: this.d.signer.privateKeyPem,
        certificatePem,
        chainPem: this.d.signer.chainPem,
      };
      const full = await signPdf(await renderRecord(data(false)), cms, issuedAt, id);
      const pub = await signPdf(await renderRecord(data(true)), cms, issuedAt, id);
      const sha = crypto.createHash('sha256').update(full).digest('hex');
      const publicSha = crypto.createHash('sha256').update(pub).digest('hex');
      const done = this.d.store.write(() => {
        if (this.d.store.record(id, 'full')) throw alreadyIssued();
        const head = this.d.store.journalHead() ?? { seq: 0, hash: ZERO_HASH };
        if (head.seq !== snap.checkpoint.seq || head.hash !== snap.checkpoint.hash) return false;
        const at = issuedAt.toISOString();
        this.d.store.insertRecord(id, 'full', full, sha, at);
        this.d.fault?.('record');
        this.d.store.insertRecord(id, 'public', pub, publicSha, at);
        this.journal('record.issued', actor, { lottery: id, sha256: sha });
        this.journal('record.issued', actor, { lottery: id, sha256: publicSha, public: true });
        return true;
      });
      if (done) return { sha256: sha, publicSha256: publicSha, issuedAt: issuedAt.toISOString() };
    }
    throw new LotteryError('CONFLICT', {
      zh: '日誌持續變動中，請稍後再產製紀錄',
      en: 'The journal kept changing; issue the record again',
    });
  }

  /**
   * The pre-meeting notice (抽籤公告), after the lock: pools, quotas, digest, commitment and key fingerprint, signed
   * like the record, stored and journalled (`notice.issued`) in one transaction, so observers can write the
   * commitment down before the meeting and compare it with the record afterwards.
   */
  async issueNotice(actor: string, id: string): Promise<{ sha256: string; issuedAt: string; pdf: Buffer }> {
    const snap = this.d.store.read(() => {
      const l = this.mustGet(id);
      if (l.status === 'draft') throw notLocked();
      const roster = this.d.store.roster(id);
      const lock = this.lockHistory(id).at(-1);
      return { l, roster, lockedAt: lock?.at ?? l.createdAt };
    });
    const { l, roster } = snap;
    const certificatePem = this.d.signer.certificatePem;
    if (!certificatePem) throw new Error('the signing key has no certificate');
    const issuedAt = this.d.clock();
    const quotas = poolAndQuotas(l, roster);
    const unsigned = await renderNotice({
      lotteryId: id,
      agency: l.agency,
      title: l.title,
      year: l.year,
      meeting: l.meeting,
      count: roster.length,
      excludedCount: roster.filter((e) => e.excluded).length,
      stages: stageViews(l, quotas),
      rosterDigest: l.rosterDigest ?? '',
      commitment: l.commitment ?? '',
      keyFingerprint: this.keyFingerprint(),
      lockedAt: new Date(snap.lockedAt),
      issuedAt,
      publicUrl: `${this.d.publicUrl ?? 'http://localhost:3000'}/verify/${encodeURIComponent(id)}`,
    });
    const pdf = await signPdf(
      unsigned,
      { privateKeyPem: this.d.signer.privateKeyPem, certificatePem, chainPem: this.d.signer.chainPem },
      issuedAt,
      id,
      'notice',
    );
    const sha = crypto.createHash('sha256').update(pdf).digest('hex');
    return this.d.store.write(() => {
      // The notice names a commitment: if the lottery was unlocked or re-locked while it rendered, it is stale.
      const now = this.mustGet(id);
      if (now.commitment !== l.commitment || now.status === 'draft')
        throw new LotteryError('CONFLICT', {
          zh: '公告產製期間抽籤已解除或重新鎖定，請重新產製公告',
          en: 'The lottery was unlocked or re-locked while the notice was made; issue it again',
        });
      const e = this.journal('notice.issued', actor, { lottery: id, sha256: sha });
      this.d.store.insertNotice({
        lotteryId: id,
        seq: e.seq,
        commitment: l.commitment ?? '',
        pdf,
        sha256: sha,
        issuedAt: issuedAt.toISOString(),
      });
      return { sha256: sha, issuedAt: issuedAt.toISOString(), pdf };
    });
  }

  noticePdf(id: string): Buffer {
    return this.d.store.read(() => {
      this.mustGet(id);
      const n = this.d.store.notice(id);
      if (!n)
        throw new LotteryError('NOT_ISSUED', {
          zh: '尚未產製抽籤公告',
          en: 'The notice has not been issued yet',
        });
      return n.pdf;
    });
  }

  recordPdf(id: string, kind: 'full' | 'public'): Buffer {
    return this.d.store.read(() => {
      this.mustGet(id);
      const r = this.d.store.record(id, kind);
      if (!r)
        throw new LotteryError('NOT_ISSUED', {
          zh: '抽籤紀錄尚未產製',
          en: 'The record has not been issued yet',
        });
      return r.pdf;
    });
  }

  private view(l: LotteryRow): LotteryView {
    const roster = this.d.store.roster(l.id);
    const quotas = poolAndQuotas(l, roster);
    const results = this.d.store.results(l.id);
    const byId = new Map(roster.map((e) => [e.id, e]));
    const drawnBy = new Map<number, string>();
    if (results.length > 0)
      for (const e of this.d.store.journalPage({ limit: 1000, lottery: l.id, type: 'stage.drawn' }))
        if (typeof e.data.stage === 'number')
          drawnBy.set(e.data.stage, this.displayName(userOf(e.actor, e.actor)));
    const v: LotteryView = {
      id: l.id,
      year: l.year,
      agency: l.agency,
      title: l.title,
      status: l.status,
      stages: stageViews(l, quotas),
      meeting: meetingJson(l.meeting),
      count: roster.length,
      poolSize: quotas[0]?.poolSize ?? 0,
      rosterDigest: l.rosterDigest,
      commitment: l.commitment,
      quotas: quotas.map(({ stage, poolSize, quota }) => ({ stage, poolSize, quota })),
      results: resultViews(results, byId).map((r) => {
        // Who drew, from the journal: a reloaded projector or a second screen shows it beside the digits.
        const by = drawnBy.get(r.stage);
        return by === undefined ? r : { ...r, drawnBy: by };
      }),
      createdAt: l.createdAt,
      protocol: l.protocol,
      keyFingerprint: this.keyFingerprint(),
      locks: this.lockHistory(l.id),
      ceremony: this.ceremonyView(l.id),
      notice: this.noticeRef(l.id),
    };
    if (results.length > 0) {
      v.seed = l.seed;
      v.entropy = l.entropy;
      v.secret = l.secret;
    }
    return v;
  }
}

function alreadyIssued(): LotteryError {
  return new LotteryError('ALREADY_ISSUED', {
    zh: '抽籤紀錄已產製，不能重複產製',
    en: 'The record has already been issued',
  });
}

function recordRef(store: Store, id: string): { record?: { sha256: string; publicSha256: string } } {
  const full = store.record(id, 'full');
  const pub = store.record(id, 'public');
  return full && pub ? { record: { sha256: full.sha256, publicSha256: pub.sha256 } } : {};
}

function recordData(
  snap: {
    l: LotteryRow;
    roster: RosterEntry[];
    results: Array<{ stage: number; poolSize: number; quota: number; winners: string[]; drawnAt: string }>;
    checkpoint: Checkpoint;
    keyFingerprint: string;
    ceremonies: RecordCeremony[];
  },
  issuedAt: Date,
  publicCopy: boolean,
  publicUrl: string,
  publicFields: readonly PublicField[],
): RecordData {
  const { l, roster, results, checkpoint } = snap;
  const byId = new Map(roster.map((e) => [e.id, e]));
  return {
    lotteryId: l.id,
    agency: l.agency,
    title: l.title,
    year: l.year,
    meeting: l.meeting,
    stages: results.map((r, i) => ({
      stage: r.stage,
      label: l.stages[i]?.label ?? '',
      percent: l.stages[i]?.percent ?? '',
      poolSize: r.poolSize,
      quota: r.quota,
      winners: r.winners.map((w) => byId.get(w) ?? { id: w, name: '' }),
    })),
    roster: sortRoster(roster),
    rosterDigest: l.rosterDigest ?? '',
    commitment: l.commitment ?? '',
    entropy: l.entropy ?? '',
    secret: l.secret ?? '',
    seed: l.seed ?? '',
    protocol: l.protocol ?? PROTOCOL_V1,
    keyFingerprint: snap.keyFingerprint,
    ceremonies: snap.ceremonies,
    checkpoint: {
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      at: checkpoint.at,
      alg: checkpoint.alg,
      signature: checkpoint.signature,
    },
    issuedAt,
    ...(results[0] ? { drawnAt: new Date(results[0].drawnAt) } : {}),
    verifyUrl: `${publicUrl}/verify/${encodeURIComponent(l.id)}`,
    publicCopy,
    publicFields,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The user id of an actor `user:ID`; a CLI or system actor has none (fallback, or 403). */
function userOf(actor: string, fallback?: string): string {
  if (actor.startsWith('user:')) return actor.slice(5);
  if (fallback !== undefined) return fallback;
  throw new LotteryError('FORBIDDEN', {
    zh: '抽籤程序只能由登入的使用者開啟',
    en: 'Only a signed-in user can open a ceremony',
  });
}

/** Refuses fields other than these: an unexpected field is refused rather than silently ignored. */
function onlyFields(body: unknown, allowed: readonly string[]): void {
  if (body === undefined || body === null) return;
  if (!isRecord(body))
    throw new LotteryError('VALIDATION_FAILED', {
      zh: '內容須為 JSON 物件',
      en: 'The body must be a JSON object',
    });
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw validationFailed(
      extra.map((k) => fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`)),
    );
}

function relockRequired(): LotteryError {
  return new LotteryError('RELOCK_REQUIRED', {
    zh: '此抽籤以舊版協定（lottery-draw/v1）鎖定：請解除鎖定後重新鎖定，改用 lottery-draw/v2 再抽籤',
    en: 'This lottery was locked under lottery-draw/v1: unlock and lock it again (lottery-draw/v2) before drawing',
  });
}

function ceremonyOpen(open: CeremonyRow, by: string): LotteryError {
  return new LotteryError(
    'CEREMONY_OPEN',
    {
      zh: `抽籤程序已由 ${by} 於 ${open.openedAt} 開啟：只有開啟者可以重新開啟；如須改由他人進行，請先休會`,
      en: `The ceremony was opened by ${by} at ${open.openedAt}: only they can reopen it; adjourn it first to hand it over`,
    },
    { extra: { openedBy: by, openedAt: open.openedAt } },
  );
}

function ceremonyNotOpen(): LotteryError {
  return new LotteryError('CEREMONY_NOT_OPEN', {
    zh: '抽籤程序尚未開啟（或已休會）：請在會議當天於投影電腦上開啟抽籤程序',
    en: 'No ceremony is open (never opened, or adjourned): open it on the projector on the meeting day',
  });
}

/** Takes no body: anything sent is refused rather than silently ignored. */
function noBody(body: unknown, zh: string, en: string): undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return undefined;
  throw new LotteryError(
    'VALIDATION_FAILED',
    { zh, en },
    {
      problems: [
        { field: 'body', code: 'UNEXPECTED_BODY', message: { zh: '不需內容', en: 'no body expected' } },
      ],
    },
  );
}

function parseReason(
  body: unknown,
  requiredZh = '解除鎖定須說明理由（reason）',
  requiredEn = 'unlock needs a reason',
): string {
  const raw =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).reason
      : undefined;
  const fail = (code: string, zh: string, en: string): LotteryError =>
    new LotteryError(
      'VALIDATION_FAILED',
      { zh, en },
      { problems: [{ field: 'reason', code, message: { zh, en } }] },
    );
  if (typeof body === 'object' && body !== null && Object.keys(body).some((k) => k !== 'reason'))
    throw fail('UNKNOWN_FIELD', '只接受 reason 欄位', 'only a reason is accepted');
  if (typeof raw !== 'string' || raw.trim() === '') throw fail('REQUIRED', requiredZh, requiredEn);
  return reasonText(raw, 'reason');
}

function notDraft(): LotteryError {
  return new LotteryError('NOT_DRAFT', {
    zh: '抽籤已鎖定，名冊與設定不能再變更',
    en: 'The lottery is no longer a draft: roster and settings are fixed',
  });
}

function notLocked(): LotteryError {
  return new LotteryError('NOT_LOCKED', {
    zh: '名冊尚未鎖定，不能抽籤',
    en: 'The roster is not locked: nothing can be drawn yet',
  });
}

function person(e: RosterEntry | undefined, id: string): Person {
  const p: Person = { id, name: e?.name ?? '' };
  if (e?.unit) p.unit = e.unit;
  if (e?.title) p.title = e.title;
  return p;
}

function resultViews(
  results: readonly ResultRow[],
  byId: ReadonlyMap<string, RosterEntry>,
): StageResultView[] {
  return results.map((r) => ({
    stage: r.stage,
    poolSize: r.poolSize,
    quota: r.quota,
    winners: r.winners.map((w) => person(byId.get(w), w)),
    drawnAt: r.drawnAt,
  }));
}

function countUnits(
  entries: readonly RosterEntry[],
): Array<{ unit: string; count: number; poolSize: number }> {
  const m = new Map<string, { count: number; poolSize: number }>();
  for (const e of entries) {
    const k = e.unit ?? '';
    const c = m.get(k) ?? { count: 0, poolSize: 0 };
    c.count++;
    if (!e.excluded) c.poolSize++;
    m.set(k, c);
  }
  return [...m.entries()].map(([unit, c]) => ({ unit, ...c }));
}

export interface Person {
  id: string;
  name: string;
  unit?: string;
  title?: string;
}

export interface StageResultView {
  stage: number;
  poolSize: number;
  quota: number;
  winners: Person[];
  drawnAt: string;
  /** The display name of who drew it (signed-in views only). */
  drawnBy?: string;
}

export interface LotteryView {
  id: string;
  year: number;
  agency: string;
  title: string;
  status: LotteryStatus;
  stages: Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }>;
  meeting: { [key: string]: Json };
  count: number;
  poolSize: number;
  rosterDigest: string | null;
  commitment: string | null;
  quotas: Array<{ stage: number; poolSize: number; quota: number }>;
  results: StageResultView[];
  createdAt: string;
  seed?: string | null;
  entropy?: string | null;
  secret?: string | null;
  protocol: string | null;
  keyFingerprint: string;
  locks: LockHistory;
  ceremony: CeremonyView;
  notice: NoticeRef | null;
}

export type LockHistory = Array<{ seq: number; at: string; commitment: string; unlockedAt?: string }>;
export interface NoticeRef {
  sha256: string;
  issuedAt: string;
  commitment: string;
}

export interface CeremonyView {
  /** The open ceremony, if any: a projector holding an older token learns from this that it was voided. */
  open: { seq: number; openedAt: string; openedBy: string } | null;
  /** Every opening and adjournment, in order. */
  history: Array<{ kind: 'opened' | 'adjourned'; at: string; by: string; seq?: number; reason?: string }>;
}

export interface PublicView {
  id: string;
  year: number;
  agency: string;
  title: string;
  status: LotteryStatus;
  count: number;
  excludedCount: number;
  poolSize: number;
  stages: Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }>;
  rosterDigest: string | null;
  commitment: string | null;
  seed?: string | null;
  entropy?: string | null;
  secret?: string | null;
  protocol: string | null;
  keyFingerprint: string;
  /** Every commitment this lottery ever had, with times. */
  locks: LockHistory;
  /** Every opening and adjournment of the ceremony (when, and an adjournment's reason). */
  ceremony: Array<{ kind: 'opened' | 'adjourned'; at: string; reason?: string }>;
  notice: NoticeRef | null;
  /** Each drawn stage, its winners showing only what LOTTERY_PUBLIC_FIELDS publishes. */
  results?: Array<Omit<StageResultView, 'winners'> & { winners: PublicPerson[] }>;
}

export interface RosterLoadReport {
  count: number;
  poolSize: number;
  rosterDigest: string;
  units: Array<{ unit: string; count: number; poolSize: number }>;
  warnings: FieldProblem[];
  dryRun?: boolean;
}

export interface DrawAnswer {
  stage: number;
  poolSize: number;
  quota: number;
  winners: Person[];
  seed: string;
  /** The canonical digits hashed into the seed, as journalled: the projector shows these after the draw. */
  digits: string;
  /** Who drew (display name) and when, as journalled. */
  drawnBy: string;
  drawnAt: string;
}
