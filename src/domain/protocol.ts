import seedrandom from 'seedrandom';
import { compareBytes, jcs, type Sha256 } from './canonical';
import { HEX64 } from './grammar';
import { quota } from './quota';

/**
 * The draw protocol lottery-draw/v1. docs/protocol.md is the normative text; this file must match it
 * line for line, since auditors re-implement it from there.
 *
 * Threat in one line: whoever runs the server knows the secret before the meeting, and whoever types the
 * entropy does not. The seed needs both, and the commitment H(secret) is published before the entropy exists,
 * so neither party alone can choose the outcome.
 */
export const PROTOCOL_V1 = 'lottery-draw/v1';
/** v2 (protocol.md §4.1–4.2): canonical digit entropy and the ceremony. Every lock from now on is v2. */
export const PROTOCOL_V2 = 'lottery-draw/v2';
export type Protocol = typeof PROTOCOL_V1 | typeof PROTOCOL_V2;
/** The protocol new locks use. */
export const PROTOCOL: Protocol = PROTOCOL_V2;
export const isProtocol = (v: unknown): v is Protocol => v === PROTOCOL_V1 || v === PROTOCOL_V2;

export const ROSTER_FIELDS = ['id', 'name', 'unit', 'title', 'category', 'excluded'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

export interface RosterEntry {
  id: string;
  name: string;
  unit?: string;
  title?: string;
  category?: string;
  /** A reason: the entry is bound by the digest but is not in the pool. */
  excluded?: string;
}

export interface StageRule {
  stage: number;
  percent: string;
}

export interface StageOutcome {
  stage: number;
  percent: string;
  poolSize: number;
  quota: number;
  winners: string[];
}

/** The object of an entry's non-empty fields, in a fixed shape. */
export function digestEntry(e: RosterEntry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ROSTER_FIELDS) {
    const v = e[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  return out;
}

export function sortRoster<T extends { id: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => compareBytes(a.id, b.id));
}

/** JCS(entries sorted by id, each the object of its non-empty fields): the roster digest's preimage. */
export function rosterPreimage(entries: readonly RosterEntry[]): string {
  return jcs(sortRoster(entries).map(digestEntry));
}

/** Roster digest = H(JCS(entries sorted by id, each the object of its non-empty fields)). */
export function rosterDigest(entries: readonly RosterEntry[], sha256: Sha256): string {
  return sha256(rosterPreimage(entries));
}

/** Stage 1's pool: the ids of entries that are not excluded, sorted by id. */
export function initialPool(entries: readonly RosterEntry[]): string[] {
  return sortRoster(entries.filter((e) => !e.excluded)).map((e) => e.id);
}

export function commitment(secretHex: string, sha256: Sha256): string {
  if (!HEX64.test(secretHex)) throw new RangeError('secret must be 64 lowercase hex digits');
  return sha256(secretHex);
}

export interface SeedInput {
  lottery: string;
  rosterDigest: string;
  secret: string;
  entropy: string;
}

/** The seed's preimage names the protocol, so a v1 seed and a v2 seed of the same inputs differ. */
export function seedPreimage(input: SeedInput, protocol: Protocol = PROTOCOL_V1): string {
  return jcs({
    protocol,
    lottery: input.lottery,
    rosterDigest: input.rosterDigest,
    secret: input.secret,
    entropy: input.entropy,
  });
}

/** Seed = H(JCS({protocol, lottery, rosterDigest, secret, entropy})). */
export function seed(input: SeedInput, sha256: Sha256, protocol: Protocol = PROTOCOL_V1): string {
  return sha256(seedPreimage(input, protocol));
}

const TWO32 = 0x1_0000_0000;

/** An unbiased integer in [0, m) by rejection sampling on 32-bit outputs. */
export function uniform(next32: () => number, m: number): number {
  if (!Number.isSafeInteger(m) || m < 1 || m > TWO32) throw new RangeError('uniform: m out of range');
  const limit = TWO32 - (TWO32 % m);
  for (;;) {
    const x = next32();
    if (x < limit) return x % m;
  }
}

/**
 * Selection for stage n: seedrandom's default ARC4 keyed with the string `${seed}/${n}`, then a partial
 * Fisher–Yates over the id-sorted pool. seedrandom keys on the low 8 bits of each character and repeats a
 * periodic key, so it must only ever see this fixed-format hex string; we refuse anything else.
 */
export function select(seedHex: string, stage: number, pool: readonly string[], count: number): string[] {
  if (!HEX64.test(seedHex)) throw new RangeError('seed must be 64 lowercase hex digits');
  if (!Number.isSafeInteger(stage) || stage < 1) throw new RangeError('stage must be a positive integer');
  if (!Number.isSafeInteger(count) || count < 0 || count > pool.length) throw new RangeError('bad count');
  const rng = seedrandom(`${seedHex}/${stage}`);
  const next32 = (): number => rng.int32() >>> 0;
  const a = [...pool].sort(compareBytes);
  for (let i = 0; i < count; i++) {
    const j = i + uniform(next32, a.length - i);
    const t = a[i] as string;
    a[i] = a[j] as string;
    a[j] = t;
  }
  return a.slice(0, count);
}

/** One stage: quota from the pool and percent, then selection. Stage k+1's pool is stage k's winners. */
export function drawStage(seedHex: string, rule: StageRule, pool: readonly string[]): StageOutcome {
  const q = quota(pool.length, rule.percent);
  return {
    stage: rule.stage,
    percent: rule.percent,
    poolSize: pool.length,
    quota: q,
    winners: select(seedHex, rule.stage, pool, q),
  };
}

/** Every stage from a seed: the whole outcome is fixed once the seed is. */
export function drawAll(
  seedHex: string,
  rules: readonly StageRule[],
  firstPool: readonly string[],
): StageOutcome[] {
  const out: StageOutcome[] = [];
  let pool: readonly string[] = firstPool;
  for (const rule of rules) {
    const r = drawStage(seedHex, rule, pool);
    out.push(r);
    pool = r.winners;
  }
  return out;
}
