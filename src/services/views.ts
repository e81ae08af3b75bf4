import type { Json } from '../domain/canonical';
import type { FieldProblem } from '../domain/errors';
import { meetingJson } from '../domain/input/definition';
import type { RosterEntry } from '../domain/protocol';
import type { RosterDiff } from '../domain/roster-diff';
import { DEFAULT_PUBLIC_FIELDS, publicPerson, type PublicPerson } from '../domain/publish';
import { quota as quotaOf } from '../domain/quota';
import type { LotteryRow, ResultRow } from '../store/store';
import type { LotteryStatus, Role } from '../domain/model';
import { userOf, type Context } from './context';
import { physicalView, type PhysicalView } from './physical-view';
import { lifeView, type LifeView } from './life-view';
import { cosignersOf, type Cosigner } from './witness-cosign';

/**
 * The answers' shapes, what the signed-in and the public views show, and the public view's cache. Reads only:
 * every function here runs inside the caller's read or write transaction.
 */

export interface UserView {
  id: string;
  name: string;
  role: Role;
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

/** What the lock and the draw fixed, shown alike by the signed-in view and the public one. */
export interface FixedValues {
  rosterDigest: string | null;
  commitment: string | null;
  seed?: string | null;
  entropy?: string | null;
  secret?: string | null;
  protocol: string | null;
  keyFingerprint: string;
  /** Every commitment this lottery ever had, with times. */
  locks: LockHistory;
}

export interface LotteryView extends FixedValues, LifeView {
  id: string;
  year: number;
  agency: string;
  title: string;
  status: LotteryStatus;
  stages: Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }>;
  meeting: { [key: string]: Json };
  count: number;
  poolSize: number;
  quotas: Array<{ stage: number; poolSize: number; quota: number }>;
  results: StageResultView[];
  createdAt: string;
  ceremony: CeremonyView;
  notice: NoticeRef | null;
  /** Physical draws only (實體抽籤, protocol.md §6.1): absent for the random draw. */
  method?: 'physical';
  physical?: PhysicalView;
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

export interface PublicView
  extends FixedValues, Pick<LifeView, 'rehearsal' | 'cancelled' | 'meetingAmendedAt'> {
  id: string;
  year: number;
  agency: string;
  title: string;
  status: LotteryStatus;
  count: number;
  excludedCount: number;
  poolSize: number;
  stages: Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }>;
  /** Every opening and adjournment of the ceremony (when, and an adjournment's reason). */
  ceremony: Array<{ kind: 'opened' | 'adjourned'; at: string; reason?: string }>;
  notice: NoticeRef | null;
  /** Each drawn stage, its winners showing only what LOTTERY_PUBLIC_FIELDS publishes. */
  results?: Array<Omit<StageResultView, 'winners'> & { winners: PublicPerson[] }>;
  /** issue 13: who has cosigned the lottery's checkpoint (size N_L), by key name; only once someone has. */
  cosigners?: Cosigner[];
}

export interface RosterLoadReport {
  count: number;
  poolSize: number;
  rosterDigest: string;
  units: Array<{ unit: string; count: number; poolSize: number }>;
  warnings: FieldProblem[];
  dryRun?: boolean;
  /** Over an existing roster: what the load changes (issue 12). */
  diff?: RosterDiff;
}

export interface LockAnswer {
  status: LotteryStatus;
  rosterDigest: string;
  commitment: string;
  quotas: Array<{ stage: number; poolSize: number; quota: number }>;
}

export interface OpenCeremonyAnswer {
  ceremonyToken: string;
  commitment: string;
  keyFingerprint: string;
  openedAt: string;
  openedBy: string;
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

export type StageQuotas = Array<{ stage: number; percent: string; poolSize: number; quota: number }>;

export function poolAndQuotas(l: LotteryRow, roster: readonly RosterEntry[]): StageQuotas {
  let pool = roster.filter((e) => !e.excluded).length;
  return l.stages.map((s) => {
    const q = quotaOf(pool, s.percent);
    const out = { stage: s.stage, percent: s.percent, poolSize: pool, quota: q };
    pool = q;
    return out;
  });
}

/** Each stage's definition with the pool and quota it has now: what the views and the notice show. */
export function stageViews(
  l: LotteryRow,
  quotas: StageQuotas,
): Array<{ stage: number; label: string; percent: string; poolSize: number; quota: number }> {
  return l.stages.map((s, i) => ({
    stage: s.stage,
    label: s.label,
    percent: s.percent,
    poolSize: quotas[i]?.poolSize ?? 0,
    quota: quotas[i]?.quota ?? 0,
  }));
}

export function person(e: RosterEntry | undefined, id: string): Person {
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

/** Every commitment the lottery ever had, with when: the notice's observers compare against these. */
export function lockHistory(c: Context, id: string): LockHistory {
  const locks = c.store.journalPage({ limit: 1000, lottery: id, type: 'lottery.locked' });
  const unlocks = c.store.journalPage({ limit: 1000, lottery: id, type: 'lottery.unlocked' });
  return locks.map((e) => {
    const u = unlocks.find((x) => x.seq > e.seq);
    const out: LockHistory[number] = { seq: e.seq, at: e.at, commitment: String(e.data.commitment) };
    if (u) out.unlockedAt = u.at;
    return out;
  });
}

export function ceremonyView(c: Context, id: string): CeremonyView {
  const rows = c.store.ceremonies(id);
  const history: CeremonyView['history'] = [];
  for (const r of rows) {
    history.push({ kind: 'opened', at: r.openedAt, by: c.displayName(r.userId), seq: r.seq });
    if (r.endedHow === 'adjourned' && r.endedAt) {
      const ev: CeremonyView['history'][number] = {
        kind: 'adjourned',
        at: r.endedAt,
        by: r.endedBy ? c.displayName(r.endedBy) : '',
      };
      if (r.endReason !== null) ev.reason = r.endReason;
      history.push(ev);
    }
  }
  const open = rows.find((r) => r.endedAt === null);
  return {
    open: open ? { seq: open.seq, openedAt: open.openedAt, openedBy: c.displayName(open.userId) } : null,
    history,
  };
}

function noticeRef(c: Context, id: string): NoticeRef | null {
  const n = c.store.notice(id);
  return n ? { sha256: n.sha256, issuedAt: n.issuedAt, commitment: n.commitment } : null;
}

/** The signed-in view of one lottery. */
export function lotteryView(c: Context, l: LotteryRow): LotteryView {
  const roster = c.store.roster(l.id);
  const quotas = poolAndQuotas(l, roster);
  const results = c.store.results(l.id);
  const byId = new Map(roster.map((e) => [e.id, e]));
  const drawnBy = new Map<number, string>();
  if (results.length > 0)
    for (const e of c.store.journalPage({ limit: 1000, lottery: l.id, type: 'stage.drawn' }))
      if (typeof e.data.stage === 'number')
        drawnBy.set(e.data.stage, c.displayName(userOf(e.actor, e.actor)));
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
    keyFingerprint: c.keyFingerprint(),
    locks: lockHistory(c, l.id),
    ceremony: ceremonyView(c, l.id),
    notice: noticeRef(c, l.id),
  };
  if (l.method === 'physical') {
    v.method = 'physical';
    v.physical = physicalView(c, l);
  }
  if (results.length > 0) {
    v.seed = l.seed;
    v.entropy = l.entropy;
    v.secret = l.secret;
  }
  return { ...v, ...lifeView(c, l) };
}

/** What anyone may read: no roster names, and winners only as LOTTERY_PUBLIC_FIELDS publishes them. */
export function publicView(c: Context, id: string): PublicView {
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    const roster = c.store.roster(id);
    const quotas = poolAndQuotas(l, roster);
    const results = c.store.results(id);
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
      keyFingerprint: c.keyFingerprint(),
      locks: lockHistory(c, id),
      ceremony: ceremonyView(c, id).history.map(({ kind, at, reason }) =>
        reason === undefined ? { kind, at } : { kind, at, reason },
      ),
      notice: noticeRef(c, id),
    };
    const { rehearsal, cancelled, meetingAmendedAt } = lifeView(c, l);
    Object.assign(v, rehearsal ? { rehearsal } : {}, cancelled ? { cancelled } : {});
    if (meetingAmendedAt) v.meetingAmendedAt = meetingAmendedAt;
    if (results.length > 0) {
      v.seed = l.seed;
      v.entropy = l.entropy;
      v.secret = l.secret;
      v.results = resultViews(results, byId).map((r) => ({
        ...r,
        winners: r.winners.map((w) => publicPerson(w, c.d.publicFields ?? DEFAULT_PUBLIC_FIELDS)),
      }));
      const cosigners = cosignersOf(c, id);
      if (cosigners.length > 0) v.cosigners = cosigners;
    }
    return v;
  });
}

/**
 * The public view as JSON text, cached per lottery until the journal head moves. Every state change writes a
 * journal entry, so an unchanged head (one indexed read, shared by every process on the file) means the view
 * is unchanged; the public page is what the whole country may reload during a ceremony.
 */
export class PublicViewCache {
  private readonly cache = new Map<string, { head: number; json: string }>();

  constructor(private readonly c: Context) {}

  json(id: string): string {
    const head = this.c.store.journalHead()?.seq ?? 0;
    const hit = this.cache.get(id);
    if (hit && hit.head === head) return hit.json;
    const json = JSON.stringify(publicView(this.c, id));
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(id, { head, json });
    return json;
  }
}
