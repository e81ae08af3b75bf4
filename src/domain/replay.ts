import type { Json } from './canonical';
import type { JournalEntry } from './journal';
import { allows, statusAfterDraw } from './lifecycle';
import type { Lottery, MeetingJson } from './model';
import { PROTOCOL_V1, type Protocol } from './protocol';
import { lifeSteps } from './replay-life';
import { physicalSteps } from './replay-physical';

/**
 * Replays the journal into the state of each lottery. The journal is the record of truth: the tables are a
 * cache of it that the service reads quickly, and `lottery verify --db` compares the two, so that a forged
 * winner or a changed roster in the tables is reported even though the chain itself is intact.
 */
import type { StageDef } from './model';

export interface LockEvent {
  seq: number;
  at: string;
  rosterDigest: string;
  commitment: string;
  /** `data.protocol`; a lock without it is v1. Anything else is kept as written so a verifier can refuse it. */
  protocol: Protocol | string;
  quotas: Array<{ stage: number; percent: string; poolSize: number; quota: number }>;
  /** `data.quotas` as journalled, compared whole (as JCS) by journal.locked. */
  rawQuotas: Json | undefined;
}

/** A `ceremony.opened` or `ceremony.adjourned` entry (lottery-draw/v2, protocol.md §4.2). */
export interface CeremonyEvent {
  seq: number;
  at: string;
  kind: 'opened' | 'adjourned';
  actor: string;
  commitment?: string;
  keyFingerprint?: string;
  reason?: string;
}

export interface DrawEvent {
  seq: number;
  at: string;
  actor: string;
  stage: number;
  seed: string;
  winners: string[];
  poolSize?: number;
  quota?: number;
  entropy?: string;
  secret?: string;
  /** `stage.recorded` (a physical draw, protocol.md §6.1): no seed (''), the winners are the balls'. */
  method?: 'physical';
}

/** A `poolsheet.issued` entry (physical draws). */
export interface SheetEvent {
  seq: number;
  at: string;
  stage: number;
  poolSize: number;
  sha256: string;
}

/** A `stage.ball` or `stage.ball.undone` entry (physical draws), in journal order. */
export interface BallEvent {
  seq: number;
  at: string;
  actor: string;
  kind: 'ball' | 'undone';
  stage: number;
  number: number;
  entry: string;
  reason: string;
}

/**
 * A lottery as its journal tells it: the lottery's shape (domain/model.ts), with the meeting as journalled, and
 * every entry that moved it on.
 */
export interface LotteryReplay extends Lottery<MeetingJson> {
  rosterDigest?: string;
  rosterCount?: number;
  locks: LockEvent[];
  unlocks: number[];
  ceremonies: CeremonyEvent[];
  notices: Array<{ seq: number; at: string; sha256: string }>;
  draws: DrawEvent[];
  records: Array<{ seq: number; sha256: string; public: boolean }>;
  /** `lottery.created`'s `method`, when physical (protocol.md §6.1). */
  method?: 'physical';
  sheets: SheetEvent[];
  balls: BallEvent[];
  // issue 11: the lottery's life on the meeting day (protocol.md §8.2, Replay)
  /** Whether any `record.issued` of the lottery has been replayed (well formed or not). */
  recordSeen: boolean;
  /** Each `meeting.updated`: applied (`ok`), or refused by the replay rule with the reason. */
  meetingUpdates: Array<{
    seq: number;
    at: string;
    ok: boolean;
    reason?: string;
    /** An applied update that moved the meeting day (a warning, protocol.md §9). */
    movedDay?: { from: string | undefined; to: string | undefined };
  }>;
  /** The first `lottery.cancelled`. */
  cancelled?: { seq: number; at: string; reason: string };
}

export interface ReplayResult {
  lotteries: Map<string, LotteryReplay>;
  users: Map<string, { role: string }>;
  /** Entries that are not a legal transition from the state before them. */
  anomalies: Array<{ seq: number; lottery?: string; reason: string }>;
}

type D = { [key: string]: Json };
const str = (d: D, k: string): string | undefined =>
  typeof d[k] === 'string' ? (d[k] as string) : undefined;
const int = (d: D, k: string): number | undefined =>
  Number.isSafeInteger(d[k]) ? (d[k] as number) : undefined;
const isJsonObject = (v: Json | undefined): v is D =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strArr = (v: Json | undefined): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

function stageDefs(v: Json | undefined): StageDef[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: StageDef[] = [];
  for (const s of v) {
    if (!isJsonObject(s)) return undefined;
    const stage = int(s, 'stage');
    const label = str(s, 'label');
    const percent = str(s, 'percent');
    if (stage === undefined || label === undefined || percent === undefined) return undefined;
    out.push({ stage, label, percent });
  }
  return out;
}

export function replay(entries: Iterable<JournalEntry>): ReplayResult {
  const result: ReplayResult = { lotteries: new Map(), users: new Map(), anomalies: [] };
  for (const e of entries) replayEntry(result, e);
  return result;
}

/** Records that an entry is not a legal transition from the state before it. */
export type Bad = (reason: string) => void;
/** What one entry of a lottery's own type does to the lottery's state. */
export type Step = (l: LotteryReplay, e: JournalEntry, bad: Bad) => void;

/** The types that speak of one lottery, by prefix: each must name a lottery that was created. */
const LOTTERY_PREFIXES = [
  'lottery.',
  'roster.',
  'stage.',
  'record.',
  'ceremony.',
  'notice.',
  'poolsheet.',
  'meeting.',
];

function replayEntry(result: ReplayResult, e: JournalEntry): void {
  const d = e.data;
  const id = str(d, 'lottery');
  const bad: Bad = (reason) => {
    result.anomalies.push(id === undefined ? { seq: e.seq, reason } : { seq: e.seq, lottery: id, reason });
  };
  if (e.type === 'user.added') return userAdded(result.users, d, bad);
  // issue 12: a role changed by an admin; the users map holds each account's role as it now stands.
  if (e.type === 'user.role.changed') {
    const user = str(d, 'user');
    const role = str(d, 'role');
    if (user && role && result.users.has(user)) result.users.set(user, { role });
    else bad('user.role.changed for an unknown user or without a role');
    return;
  }
  if (!LOTTERY_PREFIXES.some((p) => e.type.startsWith(p))) return;
  if (id === undefined) return bad(`${e.type} names no lottery`);
  const l = result.lotteries.get(id);
  if (e.type === 'lottery.created') return created(result.lotteries, id, l, d, bad);
  if (!l) return bad(`${e.type} for a lottery never created`);
  if (l.cancelled) bad(`${e.type} after the lottery was cancelled at seq ${l.cancelled.seq}`);
  // A type this version does not know, under a lottery's prefix, changes nothing (protocol.md §7).
  STEPS.get(e.type)?.(l, e, bad);
}

function userAdded(users: ReplayResult['users'], d: D, bad: Bad): void {
  const user = str(d, 'user');
  const role = str(d, 'role');
  if (user && role) users.set(user, { role });
  else bad('user.added without user and role');
}

function created(
  lotteries: ReplayResult['lotteries'],
  id: string,
  l: LotteryReplay | undefined,
  d: D,
  bad: Bad,
): void {
  const year = int(d, 'year');
  const agency = str(d, 'agency');
  const stages = stageDefs(d.stages);
  const meeting = d.meeting;
  if (l) bad('lottery created twice');
  else if (year === undefined || agency === undefined || !stages) bad('lottery.created is malformed');
  else
    lotteries.set(id, {
      id,
      year,
      agency,
      title: str(d, 'title') ?? '',
      stages,
      meeting: isJsonObject(meeting) ? meeting : {},
      status: 'draft',
      locks: [],
      unlocks: [],
      ceremonies: [],
      notices: [],
      draws: [],
      records: [],
      sheets: [],
      balls: [],
      ...(d.method === 'physical' ? { method: 'physical' as const } : {}),
      recordSeen: false,
      meetingUpdates: [],
      // issue 11: a rehearsal is one whose lottery.created says `rehearsal: true`, nothing else.
      ...(d.rehearsal === true ? { rehearsal: true as const } : {}),
    });
}

const updated: Step = (l, { data: d }, bad) => {
  if (!allows(l.status, 'patch')) bad('lottery updated after draft');
  const title = str(d, 'title');
  if (title !== undefined) l.title = title;
  const stages = stageDefs(d.stages);
  if (stages) l.stages = stages;
  const m = d.meeting;
  if (isJsonObject(m)) l.meeting = m;
};

const rosterChanged: Step = (l, { type, data: d }, bad) => {
  if (!allows(l.status, 'roster')) bad('roster changed after draft');
  const digest = str(d, 'rosterDigest');
  if (digest === undefined) bad(`${type} without rosterDigest`);
  else l.rosterDigest = digest;
  const count = int(d, 'count');
  if (count !== undefined) l.rosterCount = count;
};

/** `data.quotas`, keeping only the well-formed ones (the raw value is kept beside them, compared whole). */
function lockQuotas(v: Json | undefined): LockEvent['quotas'] {
  const quotas: LockEvent['quotas'] = [];
  if (Array.isArray(v))
    for (const q of v) {
      if (!isJsonObject(q)) continue;
      const stage = int(q, 'stage');
      const percent = str(q, 'percent');
      const poolSize = int(q, 'poolSize');
      const quota = int(q, 'quota');
      if (stage !== undefined && percent !== undefined && poolSize !== undefined && quota !== undefined)
        quotas.push({ stage, percent, poolSize, quota });
    }
  return quotas;
}

const locked: Step = (l, e, bad) => {
  const d = e.data;
  if (!allows(l.status, 'lock')) bad('locked when not in draft');
  const rosterDigest = str(d, 'rosterDigest');
  const commitment = str(d, 'commitment');
  const quotas = lockQuotas(d.quotas);
  if (rosterDigest === undefined || commitment === undefined) return bad('lottery.locked is malformed');
  if (l.rosterDigest !== undefined && rosterDigest !== l.rosterDigest)
    bad('locked a roster digest other than the one loaded');
  const protocol = d.protocol === undefined ? PROTOCOL_V1 : d.protocol;
  if (typeof protocol !== 'string') bad('lottery.locked names a protocol that is not a string');
  l.locks.push({
    seq: e.seq,
    at: e.at,
    rosterDigest,
    commitment,
    protocol: typeof protocol === 'string' ? protocol : JSON.stringify(protocol),
    quotas,
    rawQuotas: d.quotas,
  });
  l.status = 'locked';
};

const unlocked: Step = (l, e, bad) => {
  if (!allows(l.status, 'unlock')) bad('unlocked when not locked');
  if (ceremonyOpen(l)) bad('unlocked while a ceremony was open');
  l.unlocks.push(e.seq);
  l.status = 'draft';
};

const drawn: Step = (l, e, bad) => {
  const d = e.data;
  const stage = int(d, 'stage');
  const seed = str(d, 'seed');
  const winners = strArr(d.winners);
  if (stage === undefined || seed === undefined || !winners) return bad('stage.drawn is malformed');
  if (!allows(l.status, 'draw')) bad('drawn when not locked');
  if (stage !== l.draws.length + 1) bad(`stage ${stage} drawn out of order`);
  const ev: DrawEvent = { seq: e.seq, at: e.at, actor: e.actor, stage, seed, winners };
  const poolSize = int(d, 'poolSize');
  const quota = int(d, 'quota');
  const entropy = str(d, 'entropy');
  const secret = str(d, 'secret');
  if (poolSize !== undefined) ev.poolSize = poolSize;
  if (quota !== undefined) ev.quota = quota;
  if (entropy !== undefined) ev.entropy = entropy;
  if (secret !== undefined) ev.secret = secret;
  l.draws.push(ev);
  l.status = statusAfterDraw(l.draws.length, l.stages.length);
};

const ceremony: Step = (l, e, bad) => {
  const d = e.data;
  const kind = e.type === 'ceremony.opened' ? 'opened' : 'adjourned';
  // Either kind needs the lock in force that opening needs. The service refuses adjourning once stage 1 is drawn
  // by the status; here that shows as a draw before the adjournment, which also catches one made before an unlock.
  if (!allows(l.status, 'openCeremony')) bad(`${e.type} when not locked`);
  if (kind === 'adjourned' && !ceremonyOpen(l)) bad('adjourned with no ceremony open');
  if (kind === 'adjourned' && l.draws.length > 0) bad('adjourned after stage 1 was drawn');
  const ev: CeremonyEvent = { seq: e.seq, at: e.at, kind, actor: e.actor };
  const c = str(d, 'commitment');
  const fp = str(d, 'keyFingerprint');
  const reason = str(d, 'reason');
  if (c !== undefined) ev.commitment = c;
  if (fp !== undefined) ev.keyFingerprint = fp;
  if (reason !== undefined) ev.reason = reason;
  l.ceremonies.push(ev);
};

const noticeIssued: Step = (l, e, bad) => {
  const sha = str(e.data, 'sha256');
  if (!allows(l.status, 'issueNotice')) bad('notice issued before the lock');
  if (sha) l.notices.push({ seq: e.seq, at: e.at, sha256: sha });
};

const recordIssued: Step = (l, e, bad) => {
  const sha = str(e.data, 'sha256');
  if (!allows(l.status, 'issueRecord')) bad('record issued before the last stage was drawn');
  if (sha) l.records.push({ seq: e.seq, sha256: sha, public: e.data.public === true });
  l.recordSeen = true;
};

/** Each lottery entry type this version knows, and what it does; `lottery.created` is handled before these. */
const STEPS: ReadonlyMap<string, Step> = new Map([
  ['lottery.updated', updated],
  ['roster.loaded', rosterChanged],
  ['roster.entry.updated', rosterChanged],
  ['lottery.locked', locked],
  ['lottery.unlocked', unlocked],
  ['stage.drawn', drawn],
  ['ceremony.opened', ceremony],
  ['ceremony.adjourned', ceremony],
  ['notice.issued', noticeIssued],
  ['record.issued', recordIssued],
  ...physicalSteps((l) => ceremonyOpen(l) !== undefined),
  // issue 11; `lottery.copied` changes nothing but is refused after a cancellation like any other entry.
  ...lifeSteps(
    (l) => ceremonyOpen(l) !== undefined,
    (l) => currentLock(l) !== undefined,
  ),
]);

/** The lock in force now: the last lottery.locked, when no unlock came after it. */
export function currentLock(l: LotteryReplay): LockEvent | undefined {
  const last = l.locks[l.locks.length - 1];
  const lastUnlock = l.unlocks[l.unlocks.length - 1] ?? 0;
  return last && last.seq > lastUnlock ? last : undefined;
}

/**
 * A ceremony is open when the last ceremony entry since the lock in force is an opening (v2). Under v1 there
 * are none.
 */
export function ceremonyOpen(l: LotteryReplay): CeremonyEvent | undefined {
  const lock = currentLock(l);
  if (!lock) return undefined;
  const last = l.ceremonies[l.ceremonies.length - 1];
  return last && last.seq > lock.seq && last.kind === 'opened' ? last : undefined;
}

/** The lock that counts: the last lottery.locked before the first draw (earlier ones were undone by unlock). */
export function effectiveLock(l: LotteryReplay): { lock: LockEvent | undefined; earlier: LockEvent[] } {
  const firstDraw = l.draws[0]?.seq ?? Number.POSITIVE_INFINITY;
  const before = l.locks.filter((k) => k.seq < firstDraw);
  return { lock: before[before.length - 1], earlier: before.slice(0, -1) };
}
