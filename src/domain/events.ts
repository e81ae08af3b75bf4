import type { Json } from './canonical';
import type { LotteryDefinition, Meeting, StageDef } from './model';

/**
 * Every journal entry type and its `data`, as protocol.md §7's table states them. The journal writer accepts
 * only these, so an entry cannot be written with a misspelt type or a missing field, and a test holds this
 * union and the table to each other. Adding an entry type: add it here and to EVENT_FIELDS (the compiler insists),
 * write it from one service, and add its row to protocol.md §7 (docs/architecture.md walks through it).
 *
 * The verifier still reads unknown types (protocol.md §7: they are hashed like any other): this union is what
 * this service writes, not what a chain may hold.
 */

/** A stage as the definition journals it. */
export type StageData = StageDef;
/** The officials acting in their roles (protocol.md §7, `meeting`). Absent fields are left out. */
export type MeetingData = Meeting;
export type LockedQuota = { stage: number; percent: string; poolSize: number; quota: number };

export type EventDataMap = {
  'user.added': { user: string; role: string };
  'user.revoked': { user: string };
  'user.locked': { user: string; until: string };
  'user.unlocked': { user: string };
  /** The lottery's definition (domain/model.ts) under its id. */
  'lottery.created': { lottery: string; from?: string } & LotteryDefinition;
  /** `{lottery}` plus the new value of each field changed. */
  'lottery.updated': { lottery: string } & Partial<Pick<LotteryDefinition, 'title' | 'stages' | 'meeting'>>;
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
    /** issue 13: the session it came from (absent in older entries). */
    session?: string;
  };
  'ceremony.opened': { lottery: string; commitment: string; keyFingerprint: string; session?: string };
  'ceremony.adjourned': { lottery: string; commitment: string; reason: string };
  'notice.issued': { lottery: string; sha256: string };
  'record.issued': { lottery: string; sha256: string; public?: true };
  'key.rotated': { publicKey: string; previousPublicKey: string; certificate?: string; endorsement?: string };
  // ---- physical draws (實體抽籤, protocol.md §6.1) ----
  /** A stage's numbered pool sheet: `sha256` is H(JCS({lottery, stage, entries})), entries the pool in id order. */
  'poolsheet.issued': { lottery: string; stage: number; poolSize: number; sha256: string };
  /** One ball drawn from the drum: its number on the stage's sheet, and the entry that number stands for. */
  'stage.ball': { lottery: string; stage: number; number: number; entry: string };
  /** The last ball entered, withdrawn before the next one (a mistyped number), with the reason. */
  'stage.ball.undone': { lottery: string; stage: number; number: number; reason: string };
  /** A physical stage closed when its quota was reached: the winners are the balls' entries in draw order. */
  'stage.recorded': {
    lottery: string;
    stage: number;
    method: 'physical';
    poolSize: number;
    quota: number;
    winners: string[];
    session?: string;
  };
  // issue 11, the lottery's life on the meeting day (protocol.md §7)
  /** The whole meeting as it now stands, after the lock and until the record is issued. */
  'meeting.updated': { lottery: string; meeting: MeetingData };
  'lottery.cancelled': { lottery: string; reason: string };
  /** On a rehearsal's side: a real lottery `to` was created from its roster and exclusions. */
  'lottery.copied': { lottery: string; to: string };
  // issue 12: users on the web (protocol.md §7). Never any hash or token in the data.
  /** A sign-in password set: at creation, reset by an admin, or changed by its owner. */
  'user.password.set': { user: string };
  'user.role.changed': { user: string; role: string; previousRole: string };
  /** The API token replaced: the old bearer token no longer works. */
  'user.token.revoked': { user: string };
  // issue 13: the witnessed log and who pressed the button (protocol.md §7, §10)
  /** The log's verifier key (`NAME+KEYID+BASE64(0x01 ‖ pub)`), when it differs from the last one journalled. */
  'log.key': { key: string };
  /** A sign-in (or a bearer token's first opening or draw): `session` = SHA-256 hex of the session id. */
  'session.started': { user: string; session: string };
};

export type EventType = keyof EventDataMap;

/** One entry this service may write: its type and data, checked together. */
export type JournalEvent = { [T in EventType]: { type: T; data: EventDataMap[T] } }[EventType];

/** Whether each field of a type's data is always present or only sometimes. */
export type Presence = 'required' | 'optional';

/** Each field of D, and whether it is required: a field left out, added or marked wrongly fails to compile. */
export type FieldPresence<D> = {
  [K in keyof D]-?: Record<never, never> extends Pick<D, K> ? 'optional' : 'required';
};

/**
 * Every type's data fields at run time, in the order of protocol.md's table; the test compares the two. Typed by
 * EventDataMap, so a type added to the union but not here, or a field that differs, is a compile error.
 */
export const EVENT_FIELDS: { readonly [T in EventType]: FieldPresence<EventDataMap[T]> } = {
  'user.added': { user: 'required', role: 'required' },
  'user.revoked': { user: 'required' },
  'lottery.created': {
    lottery: 'required',
    year: 'required',
    agency: 'required',
    title: 'required',
    stages: 'required',
    meeting: 'required',
    method: 'optional',
    rehearsal: 'optional',
    from: 'optional',
  },
  'lottery.updated': { lottery: 'required', title: 'optional', stages: 'optional', meeting: 'optional' },
  'roster.loaded': { lottery: 'required', count: 'required', poolSize: 'required', rosterDigest: 'required' },
  'roster.entry.updated': {
    lottery: 'required',
    entry: 'required',
    excluded: 'required',
    count: 'required',
    poolSize: 'required',
    rosterDigest: 'required',
  },
  'user.locked': { user: 'required', until: 'required' },
  'user.unlocked': { user: 'required' },
  'lottery.locked': {
    lottery: 'required',
    protocol: 'optional',
    rosterDigest: 'required',
    commitment: 'required',
    quotas: 'required',
  },
  'lottery.unlocked': { lottery: 'required', reason: 'required' },
  'stage.drawn': {
    lottery: 'required',
    stage: 'required',
    poolSize: 'required',
    quota: 'required',
    seed: 'required',
    winners: 'required',
    entropy: 'optional',
    secret: 'optional',
    session: 'optional',
  },
  'ceremony.opened': {
    lottery: 'required',
    commitment: 'required',
    keyFingerprint: 'required',
    session: 'optional',
  },
  'ceremony.adjourned': { lottery: 'required', commitment: 'required', reason: 'required' },
  'notice.issued': { lottery: 'required', sha256: 'required' },
  'record.issued': { lottery: 'required', sha256: 'required', public: 'optional' },
  'key.rotated': {
    publicKey: 'required',
    previousPublicKey: 'required',
    certificate: 'optional',
    endorsement: 'optional',
  },
  'poolsheet.issued': { lottery: 'required', stage: 'required', poolSize: 'required', sha256: 'required' },
  'stage.ball': { lottery: 'required', stage: 'required', number: 'required', entry: 'required' },
  'stage.ball.undone': { lottery: 'required', stage: 'required', number: 'required', reason: 'required' },
  'stage.recorded': {
    lottery: 'required',
    stage: 'required',
    method: 'required',
    poolSize: 'required',
    quota: 'required',
    winners: 'required',
    session: 'optional',
  },
  // issue 11, the lottery's life on the meeting day
  'meeting.updated': { lottery: 'required', meeting: 'required' },
  'lottery.cancelled': { lottery: 'required', reason: 'required' },
  'lottery.copied': { lottery: 'required', to: 'required' },
  // issue 12: users on the web
  'user.password.set': { user: 'required' },
  'user.role.changed': { user: 'required', role: 'required', previousRole: 'required' },
  'user.token.revoked': { user: 'required' },
  // issue 13
  'log.key': { key: 'required' },
  'session.started': { user: 'required', session: 'required' },
};

/** Every type in the union, in the order of protocol.md's table: EVENT_FIELDS's keys, so none can be missed. */
export const EVENT_TYPES: readonly EventType[] = Object.keys(EVENT_FIELDS) as EventType[];

/**
 * The data as the journal stores it. Optional fields left undefined are dropped, never written as null: the
 * hash is over JCS(data), and a key present as null would be a different entry from the same event.
 */
export function eventData(event: JournalEvent): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(event.data)) if (v !== undefined) out[k] = v as Json;
  return out;
}
