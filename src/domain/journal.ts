import { jcs, ZERO_HASH, type Json, type Sha256, type Sha256Async } from './canonical';

/**
 * The journal: one hash chain for the whole database. Each entry's hash covers its seq, time, type, actor,
 * data and the previous entry's hash, so rewriting any entry breaks every later link. The chain alone cannot
 * see a cut-off or appended tail; signed checkpoints (see checkpoint.ts) can.
 */
export interface JournalEntry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: { [key: string]: Json };
  prev: string;
  hash: string;
}

export type JournalData = { [key: string]: Json };

import { ACTOR, ENTRY_TYPE, HEX64, ISO_MS } from './grammar';
export { ISO_MS, ACTOR, ENTRY_TYPE };

/** The exact string whose SHA-256 is the entry's hash: JCS({seq, at, type, actor, data, prev}). */
export function entryPreimage(e: Omit<JournalEntry, 'hash'>): string {
  return jcs({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, data: e.data, prev: e.prev });
}

export function makeEntry(
  prev: { seq: number; hash: string } | undefined,
  fields: { at: string; type: string; actor: string; data: JournalData },
  sha256: Sha256,
): JournalEntry {
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    at: fields.at,
    type: fields.type,
    actor: fields.actor,
    data: fields.data,
    prev: prev ? prev.hash : ZERO_HASH,
  };
  return { ...body, hash: sha256(entryPreimage(body)) };
}

export type ChainResult =
  | { ok: true; length: number; head: { seq: number; hash: string } }
  | { ok: false; length: number; brokenAt: number; reason: string; head: { seq: number; hash: string } };

/**
 * A journal row as it is stored or shipped: hostile until checked. `data` may be the stored text (from
 * SQLite, where it must be exactly its own canonical form, so that no byte of any column can change
 * unnoticed) or the parsed object (from a bundle).
 */
export interface RawEntry {
  seq: unknown;
  at: unknown;
  type: unknown;
  actor: unknown;
  data: unknown;
  prev: unknown;
  hash: unknown;
}

function isPlainObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shape check of one entry; returns a reason, or the typed entry with the canonical text of its data. */
export function parseEntryText(
  raw: RawEntry,
): { entry: JournalEntry; dataText: string } | { reason: string } {
  if (!Number.isSafeInteger(raw.seq)) return { reason: 'seq is not an integer' };
  if (typeof raw.at !== 'string' || !ISO_MS.test(raw.at)) return { reason: 'at is not an ISO-8601 UTC time' };
  if (typeof raw.type !== 'string' || !ENTRY_TYPE.test(raw.type)) return { reason: 'type is malformed' };
  if (typeof raw.actor !== 'string' || !ACTOR.test(raw.actor)) return { reason: 'actor is malformed' };
  if (typeof raw.prev !== 'string' || !HEX64.test(raw.prev)) return { reason: 'prev is not a hash' };
  if (typeof raw.hash !== 'string' || !HEX64.test(raw.hash)) return { reason: 'hash is not a hash' };
  let data: unknown = raw.data;
  let dataText: string;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return { reason: 'data is not JSON' };
    }
    if (!isPlainObject(data)) return { reason: 'data is not an object' };
    try {
      // The stored text must be exactly its own canonical form, so that no byte of the column can change unseen.
      if (jcs(data) !== raw.data) return { reason: 'data is not stored in its canonical form' };
    } catch {
      return { reason: 'data cannot be canonicalised' };
    }
    dataText = raw.data as string;
  } else {
    if (!isPlainObject(data)) return { reason: 'data is not an object' };
    try {
      dataText = jcs(data);
    } catch {
      return { reason: 'data cannot be canonicalised' };
    }
  }
  return {
    entry: {
      seq: raw.seq as number,
      at: raw.at,
      type: raw.type,
      actor: raw.actor,
      data,
      prev: raw.prev,
      hash: raw.hash,
    },
    dataText,
  };
}

export function parseEntry(raw: RawEntry): { entry: JournalEntry } | { reason: string } {
  const p = parseEntryText(raw);
  return 'reason' in p ? p : { entry: p.entry };
}

/**
 * JCS({seq, at, type, actor, data, prev}) from its parts, given the canonical text of data: the keys in JCS order
 * (actor, at, data, prev, seq, type), strings as JSON.stringify writes them (which is RFC 8785's escaping). It
 * equals entryPreimage(e) and saves canonicalising data twice, which is most of the cost of verifying a journal.
 */
export function preimageFromParts(e: Omit<JournalEntry, 'hash' | 'data'>, dataText: string): string {
  return `{"actor":${JSON.stringify(e.actor)},"at":${JSON.stringify(e.at)},"data":${dataText},"prev":${JSON.stringify(e.prev)},"seq":${e.seq},"type":${JSON.stringify(e.type)}}`;
}

/**
 * Checks the chain from seq 1. `brokenAt` is the first seq that fails; a missing entry fails at its own seq
 * (the seq that should have been there). Used by the server, the CLI and the browser verifier alike.
 */
export async function checkChain(rows: Iterable<RawEntry>, sha256: Sha256Async): Promise<ChainResult> {
  let expectSeq = 1;
  let prevHash = ZERO_HASH;
  let length = 0;
  const fail = (reason: string): ChainResult => ({
    ok: false,
    length,
    brokenAt: expectSeq,
    reason,
    head: { seq: expectSeq - 1, hash: prevHash },
  });
  for (const raw of rows) {
    const parsed = parseEntryText(raw);
    if ('reason' in parsed) return fail(`entry ${expectSeq}: ${parsed.reason}`);
    const e = parsed.entry;
    if (e.seq !== expectSeq) {
      return fail(
        e.seq > expectSeq
          ? `entry ${expectSeq} is missing`
          : `entry ${e.seq} appears where ${expectSeq} should be`,
      );
    }
    if (e.prev !== prevHash)
      return fail(`entry ${e.seq}: prev does not match the hash of entry ${e.seq - 1}`);
    const h = sha256(preimageFromParts(e, parsed.dataText));
    // Await only a real promise (WebCrypto): a synchronous hasher keeps the loop synchronous and fast.
    if ((typeof h === 'string' ? h : await h) !== e.hash)
      return fail(`entry ${e.seq}: hash does not match its content`);
    prevHash = e.hash;
    expectSeq++;
    length++;
  }
  return { ok: true, length, head: { seq: expectSeq - 1, hash: prevHash } };
}
