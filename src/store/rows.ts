import type { Protocol, RosterEntry } from '../domain/protocol';
import type { Lottery, LotteryStatus, Meeting, Role, StageDef } from '../domain/model';

/**
 * The tables' rows as the rest of the service reads them, and the mapping from SQLite's column names. Only
 * the store builds these; nothing outside src/store sees a column name.
 */

export interface UserRow {
  id: string;
  name: string;
  display: string | null;
  role: Role;
  created_at: string;
  revoked_at: string | null;
}

/** The lotteries table's row: the lottery (domain/model.ts) and what the lock and the draw fixed. */
export interface LotteryRow extends Lottery {
  rosterDigest: string | null;
  secret: string | null;
  commitment: string | null;
  entropy: string | null;
  seed: string | null;
  /** The protocol it was locked under; null in draft. */
  protocol: Protocol | null;
  createdAt: string;
  // issue 11 (migration 005)
  /** When it was cancelled (`lottery.cancelled`), and why; null while it lives. */
  cancelledAt: string | null;
  cancelReason: string | null;
  /** The rehearsal whose roster and exclusions it was created from. */
  copiedFrom: string | null;
}

export interface CeremonyRow {
  lotteryId: string;
  seq: number;
  tokenHash: string;
  userId: string;
  commitment: string;
  openedAt: string;
  endedAt: string | null;
  endedHow: 'reopened' | 'adjourned' | null;
  endReason: string | null;
  endedBy: string | null;
}

export interface ResultRow {
  stage: number;
  poolSize: number;
  quota: number;
  winners: string[];
  drawnAt: string;
}

export interface SessionRow {
  userId: string;
  csrf: string;
  createdAt: string;
  lastSeen: string;
  expiresAt: string;
}

export interface NoticeRow {
  seq: number;
  commitment: string;
  pdf: Buffer;
  sha256: string;
  issuedAt: string;
}

export interface JournalFilter {
  after?: number;
  /** The page that ends just before this seq (the newest entries below it), still returned in seq order. */
  before?: number;
  limit: number;
  lottery?: string;
  type?: string;
}

export interface LotteryDbRow {
  id: string;
  year: number;
  agency: string;
  title: string;
  stages: string;
  meeting: string;
  status: LotteryStatus;
  roster_digest: string | null;
  secret: string | null;
  commitment: string | null;
  entropy: string | null;
  seed: string | null;
  protocol: Protocol | null;
  created_at: string;
  /** 006_physical.sql; absent on a file not yet migrated. */
  method?: string;
  rehearsal: number;
  cancelled_at: string | null;
  cancel_reason: string | null;
  copied_from: string | null;
}

export function toLottery(r: LotteryDbRow): LotteryRow {
  return {
    id: r.id,
    year: r.year,
    agency: r.agency,
    title: r.title,
    stages: JSON.parse(r.stages) as StageDef[],
    meeting: JSON.parse(r.meeting) as Meeting,
    status: r.status,
    rosterDigest: r.roster_digest,
    secret: r.secret,
    commitment: r.commitment,
    entropy: r.entropy,
    seed: r.seed,
    protocol: r.protocol,
    createdAt: r.created_at,
    ...(r.method === 'physical' ? { method: 'physical' as const } : {}),
    cancelledAt: r.cancelled_at,
    cancelReason: r.cancel_reason,
    copiedFrom: r.copied_from,
    ...(r.rehearsal === 1 ? { rehearsal: true as const } : {}),
  };
}

export interface CeremonyDbRow {
  lottery_id: string;
  seq: number;
  token_hash: string;
  user_id: string;
  commitment: string;
  opened_at: string;
  ended_at: string | null;
  ended_how: 'reopened' | 'adjourned' | null;
  end_reason: string | null;
  ended_by: string | null;
}

export function toCeremony(r: CeremonyDbRow): CeremonyRow {
  return {
    lotteryId: r.lottery_id,
    seq: r.seq,
    tokenHash: r.token_hash,
    userId: r.user_id,
    commitment: r.commitment,
    openedAt: r.opened_at,
    endedAt: r.ended_at,
    endedHow: r.ended_how,
    endReason: r.end_reason,
    endedBy: r.ended_by,
  };
}

export interface SessionDbRow {
  user_id: string;
  csrf: string;
  created_at: string;
  last_seen: string;
  expires_at: string;
}

export function toSession(r: SessionDbRow): SessionRow {
  return {
    userId: r.user_id,
    csrf: r.csrf,
    createdAt: r.created_at,
    lastSeen: r.last_seen,
    expiresAt: r.expires_at,
  };
}

export interface ResultDbRow {
  stage: number;
  pool_size: number;
  quota: number;
  winners: string;
  drawn_at: string;
}

export function toResult(r: ResultDbRow): ResultRow {
  return {
    stage: r.stage,
    poolSize: r.pool_size,
    quota: r.quota,
    winners: JSON.parse(r.winners) as string[],
    drawnAt: r.drawn_at,
  };
}

/** A roster row without its NULL columns: an entry's optional fields are absent, never null. */
export function toRosterEntry(r: Record<string, string | null>): RosterEntry {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (v !== null) e[k] = v;
  return e as unknown as RosterEntry;
}
