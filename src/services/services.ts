import type { Bundle } from '../domain/bundle';
import type { Checkpoint } from '../domain/checkpoint';
import type { ChainResult, JournalEntry } from '../domain/journal';
import type { RosterInputRow } from '../domain/input/roster';
import type { RosterEntry } from '../domain/protocol';
import * as audit from './audit';
import * as ceremony from './ceremony';
import * as physical from './physical';
import { Context, type Deps } from './context';
import * as exportsRoom from './exports';
import * as life from './life';
import * as lotteries from './lotteries';
import * as record from './record';
import type { RecordChecklist } from './record-checklist';
import * as roster from './roster';
import * as users from './users';
import { journalLogKey, LogService } from './log';
import type { Via } from './sessions';
import {
  publicView,
  PublicViewCache,
  type DrawAnswer,
  type LockAnswer,
  type LotteryView,
  type OpenCeremonyAnswer,
  type PublicView,
  type RosterLoadReport,
  type UserView,
} from './views';

/**
 * The use cases, one room each (users, lotteries, roster, ceremony, audit, record, views, with what they share
 * in context.ts), behind the one object the HTTP app, the CLI and the bench call. This class decides nothing:
 * each method hands its call to its room.
 */
export type { Deps, FaultPoint } from './context';
export type { Via } from './sessions';
export type {
  CeremonyView,
  DrawAnswer,
  LockAnswer,
  LockHistory,
  LotteryView,
  NoticeRef,
  OpenCeremonyAnswer,
  Person,
  PublicView,
  RosterLoadReport,
  StageResultView,
  UserView,
} from './views';

export class Services {
  private readonly c: Context;
  private readonly publicCache: PublicViewCache;

  /** issue 13: the witnessed log's read side (protocol.md §10); undefined without a log key. */
  readonly log: LogService | undefined;

  constructor(d: Deps) {
    this.c = new Context(d);
    this.publicCache = new PublicViewCache(this.c);
    // The stored cosignatures (WSRV's store.cosignatures.linesFor(size, rootHex)) are passed as cosignatureLines.
    this.log = d.logSigner ? new LogService({ store: d.store, signer: d.logSigner }) : undefined;
  }

  /** issue 13: `log.key` journalled when the log key differs from the last one journalled; its seq, if written. */
  journalLogKey(): number | undefined {
    return journalLogKey(this.c);
  }

  // ---- users ----

  addUser(
    actor: string,
    input: { name: string; role: string; display?: string; password?: string },
  ): UserView & { token: string } {
    return users.addUser(this.c, actor, input);
  }

  // issue 12: users managed on the web and by the CLI (services/users.ts)
  setUserPassword(actor: string, name: string, password: string): void {
    users.setUserPassword(this.c, actor, name, password);
  }

  changeRole(actor: string, name: string, role: string): void {
    users.changeRole(this.c, actor, name, role);
  }

  revokeToken(actor: string, name: string): { name: string; token: string } {
    return users.revokeToken(this.c, actor, name);
  }

  unlockUser(actor: string, name: string): void {
    users.unlockUser(this.c, actor, name);
  }

  listAccounts(): users.AccountView[] {
    return users.listAccounts(this.c);
  }

  revokeUser(actor: string, name: string): void {
    users.revokeUser(this.c, actor, name);
  }

  /** Every account, revoked ones too: the journal names actors by id, and auditors read names. */
  listUsers(): Array<UserView & { display: string | null }> {
    return users.listUsers(this.c);
  }

  /** Bearer token → user. Lookup by SHA-256 of the token: the table never holds a usable credential. */
  authenticate(token: string): UserView | undefined {
    return users.authenticate(this.c, token);
  }

  // ---- lotteries and their rosters ----

  createLottery(actor: string, body: unknown): LotteryView {
    return lotteries.createLottery(this.c, actor, body);
  }

  patchLottery(actor: string, id: string, body: unknown): LotteryView {
    return lotteries.patchLottery(this.c, actor, id, body);
  }

  listLotteries(filter?: lotteries.LotteryFilter): LotteryView[] {
    return lotteries.listLotteries(this.c, filter);
  }

  // issue 11: the meeting after the lock, cancelling, a real lottery from a rehearsal (services/life.ts)

  updateMeeting(actor: string, id: string, body: unknown): LotteryView {
    return life.updateMeeting(this.c, actor, id, body);
  }

  cancelLottery(actor: string, id: string, body: unknown): LotteryView {
    return life.cancelLottery(this.c, actor, id, body);
  }

  copyRehearsal(actor: string, id: string, body: unknown): LotteryView {
    return life.copyRehearsal(this.c, actor, id, body);
  }

  getLottery(id: string): LotteryView {
    return lotteries.getLottery(this.c, id);
  }

  getRoster(id: string): { lottery: string; rosterDigest: string | null; entries: RosterEntry[] } {
    return roster.getRoster(this.c, id);
  }

  /**
   * Replaces the whole roster atomically. Any invalid row: 422 listing every bad row, and nothing changes.
   * `dryRun` validates at any status and saves nothing.
   */
  loadRoster(
    actor: string,
    id: string,
    rows: readonly RosterInputRow[],
    opts: roster.LoadOptions,
  ): RosterLoadReport {
    return roster.loadRoster(this.c, actor, id, rows, opts);
  }

  /** Edits one entry's exclusion reason while in draft (the roster table's inline edit). */
  updateEntry(actor: string, id: string, entryId: string, body: unknown): RosterLoadReport {
    return roster.updateEntry(this.c, actor, id, entryId, body);
  }

  // ---- the lock, the ceremony and the draw ----

  lock(actor: string, id: string): LockAnswer {
    return ceremony.lock(this.c, actor, id);
  }

  unlock(actor: string, id: string, body: unknown): LotteryView {
    return ceremony.unlock(this.c, actor, id, body);
  }

  /** Opens (or reopens) the ceremony and hands the opener its one-time token. */
  openCeremony(actor: string, id: string, body: unknown, via?: Via): OpenCeremonyAnswer {
    return ceremony.openCeremony(this.c, actor, id, body, via);
  }

  adjournCeremony(actor: string, id: string, body: unknown): LotteryView {
    return ceremony.adjournCeremony(this.c, actor, id, body);
  }

  readEntropy(id: string, body: unknown): { digits: string; grouped: string; count: number } {
    return ceremony.readEntropy(this.c, id, body);
  }

  draw(actor: string, id: string, stageParam: string, body: unknown, via?: Via): DrawAnswer {
    return ceremony.draw(this.c, actor, id, stageParam, body, via);
  }

  // ---- physical draws (實體抽籤, protocol.md §6.1) ----

  /** Enters one ball drawn from the drum; the quota-th closes the stage. */
  enterBall(actor: string, id: string, stageParam: string, body: unknown, via?: Via): physical.BallAnswer {
    return physical.enterBall(this.c, actor, id, stageParam, body, via);
  }

  /** Withdraws the last ball entered, before the next one, with a reason. */
  undoBall(actor: string, id: string, stageParam: string, body: unknown): physical.BallAnswer {
    return physical.undoBall(this.c, actor, id, stageParam, body);
  }

  /** A stage's numbered pool sheet with the names on it. */
  poolSheet(id: string, stageParam: string): ReturnType<typeof physical.poolSheet> {
    return physical.poolSheet(this.c, id, stageParam);
  }

  /** `SHA256:` + hex of the checkpoint key's DER SPKI: what the notice, projector and record print. */
  keyFingerprint(): string {
    return this.c.keyFingerprint();
  }

  // ---- views ----

  /** The public view as JSON text, cached per lottery until the journal head moves (views.ts). */
  publicViewJson(id: string): string {
    return this.publicCache.json(id);
  }

  publicView(id: string): PublicView {
    return publicView(this.c, id);
  }

  // ---- audit ----

  /** The audit bundle: only once every stage is drawn. */
  bundle(id: string): Bundle {
    return audit.bundle(this.c, id);
  }

  journalPage(q: { after?: number; before?: number; limit?: number; lottery?: string; type?: string }): {
    entries: JournalEntry[];
    head: { seq: number; hash: string };
  } {
    return audit.journalPage(this.c, q);
  }

  verifyJournal(): Promise<ChainResult> {
    return audit.verifyJournal(this.c);
  }

  checkpoint(): Checkpoint {
    return audit.checkpoint(this.c);
  }

  /** At start-up: journals `key.rotated` when the service signs with a key other than the journal's current one. */
  journalSigningKey(localKeyPem: string): number | undefined {
    return audit.journalSigningKey(this.c, localKeyPem);
  }

  // ---- the notice and the record ----

  issueRecord(actor: string, id: string): Promise<record.IssuedRecord> {
    return record.issueRecord(this.c, actor, id);
  }

  /** What the confirmation page lists before the record is issued (record-checklist.ts). */
  recordChecklist(id: string): RecordChecklist {
    return record.recordChecklist(this.c, id);
  }

  issueNotice(actor: string, id: string): Promise<{ sha256: string; issuedAt: string; pdf: Buffer }> {
    return record.issueNotice(this.c, actor, id);
  }

  noticePdf(id: string): Buffer {
    return record.noticePdf(this.c, id);
  }

  recordPdf(id: string, kind: 'full' | 'public'): Buffer {
    return record.recordPdf(this.c, id, kind);
  }

  // ---- issue 12: exports and letters (services/exports.ts; reads, not journalled) ----

  /** A drawn, real lottery's results as xlsx or CSV (UTF-8 with a BOM, or Big5: 422 on a character it lacks). */
  exportResults(id: string, format: exportsRoom.ResultsFormat): Promise<exportsRoom.ExportFile> {
    return exportsRoom.resultsFile(this.c, id, format);
  }

  /** The notification letters (通知), one page per person drawn. */
  exportLetters(id: string): Promise<exportsRoom.ExportFile> {
    return exportsRoom.lettersPdf(this.c, id);
  }

  /** The yearly summary for the upper-level ethics office. */
  exportSummary(year: number): Promise<exportsRoom.ExportFile> {
    return exportsRoom.yearSummary(this.c, year);
  }
}
