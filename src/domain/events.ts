import type { Json } from './canonical';
import type { Meeting, StageDef } from './model';

/**
 * Every journal entry type and its `data`, as protocol.md §7's table states them. The journal writer accepts
 * only these, so an entry cannot be written with a misspelt type or a missing field, and a test holds this
 * union and the table to each other. Adding an entry type: add it here, write it from one service, and add its
 * row to protocol.md §7 (docs/architecture.md walks through it).
 *
 * The verifier still reads unknown types (protocol.md §7: they are hashed like any other): this union is what
 * this service writes, not what a chain may hold.
 */

// Mapped copies of the model's interfaces: a type literal is assignable to the journal's JSON data, an
// interface is not, and the fields stay declared once, in model.ts.
/** A stage as the definition journals it. */
export type StageData = { [K in keyof StageDef]: StageDef[K] };
/** The officials acting in their roles (protocol.md §7, `meeting`). Absent fields are left out. */
export type MeetingData = { [K in keyof Meeting]: Meeting[K] };
export type LockedQuota = { stage: number; percent: string; poolSize: number; quota: number };

export type EventDataMap = {
  'user.added': { user: string; role: string };
  'user.revoked': { user: string };
  'user.locked': { user: string; until: string };
  'user.unlocked': { user: string };
  'lottery.created': {
    lottery: string;
    year: number;
    agency: string;
    title: string;
    stages: StageData[];
    meeting: MeetingData;
  };
  /** `{lottery}` plus the new value of each field changed. */
  'lottery.updated': { lottery: string; title?: string; stages?: StageData[]; meeting?: MeetingData };
  'roster.loaded': { lottery: string; count: number; poolSize: number; rosterDigest: string };
  'roster.entry.updated': {
    lottery: string;
    entry: string;
    excluded: boolean;
    count: number;
    poolSize: number;
    rosterDigest: string;
  };
  /** `protocol` is present from lottery-draw/v2 on; v1 locks were journalled without it. */
  'lottery.locked': {
    lottery: string;
    protocol?: string;
    rosterDigest: string;
    commitment: string;
    quotas: LockedQuota[];
  };
  'lottery.unlocked': { lottery: string; reason: string };
  /** Stage 1 also reveals `entropy` and `secret`: with the entropy fixed, the outcome no longer depends on it. */
  'stage.drawn': {
    lottery: string;
    stage: number;
    poolSize: number;
    quota: number;
    seed: string;
    winners: string[];
    entropy?: string;
    secret?: string;
  };
  'ceremony.opened': { lottery: string; commitment: string; keyFingerprint: string };
  'ceremony.adjourned': { lottery: string; commitment: string; reason: string };
  'notice.issued': { lottery: string; sha256: string };
  'record.issued': { lottery: string; sha256: string; public?: true };
  'key.rotated': { publicKey: string; previousPublicKey: string; certificate?: string; endorsement?: string };
};

export type EventType = keyof EventDataMap;

/** One entry this service may write: its type and data, checked together. */
export type JournalEvent = { [T in EventType]: { type: T; data: EventDataMap[T] } }[EventType];

/** Every type in the union, in the order of protocol.md's table; the test compares the two. */
export const EVENT_TYPES: readonly EventType[] = [
  'user.added',
  'user.revoked',
  'lottery.created',
  'lottery.updated',
  'roster.loaded',
  'roster.entry.updated',
  'user.locked',
  'user.unlocked',
  'lottery.locked',
  'lottery.unlocked',
  'stage.drawn',
  'ceremony.opened',
  'ceremony.adjourned',
  'notice.issued',
  'record.issued',
  'key.rotated',
];

/**
 * The data as the journal stores it. Optional fields left undefined are dropped, never written as null: the
 * hash is over JCS(data), and a key present as null would be a different entry from the same event.
 */
export function eventData(event: JournalEvent): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(event.data)) if (v !== undefined) out[k] = v as Json;
  return out;
}
