import type { Json } from './canonical';
import type { DefinedLottery, MeetingJson, StageDef } from './model';
import type { Checkpoint } from './checkpoint';
import { HEX64, LOTTERY_ID } from './grammar';
import { BundleUnreadable, DEFAULT_MAX_BUNDLE_BYTES, parseStrictJson } from './json';
import { COSIGNER_KEYS, readLog, type BundleLog } from './bundle-log';
import type { RawEntry } from './journal';
import { PROTOCOL_V1, PROTOCOL_V2, type Protocol, type RosterEntry } from './protocol';

/**
 * The audit bundle lottery-audit-bundle/v1: everything an auditor needs to re-run a lottery without our
 * server. Parsed as hostile input: size and depth are bounded before anything walks it, and the shape is
 * checked field by field into fresh objects (so a "__proto__" key is just an unknown key).
 */
export const BUNDLE_FORMAT_V1 = 'lottery-audit-bundle/v1';
/** A lottery drawn under lottery-draw/v2. Same keys as v1: the format alone names the protocol applied. */
export const BUNDLE_FORMAT_V2 = 'lottery-audit-bundle/v2';
export type BundleFormat = typeof BUNDLE_FORMAT_V1 | typeof BUNDLE_FORMAT_V2;
export const BUNDLE_FORMAT = BUNDLE_FORMAT_V1;
export const bundleFormatOf = (protocol: Protocol): BundleFormat =>
  protocol === PROTOCOL_V2 ? BUNDLE_FORMAT_V2 : BUNDLE_FORMAT_V1;
export const protocolOfFormat = (format: BundleFormat): Protocol =>
  format === BUNDLE_FORMAT_V2 ? PROTOCOL_V2 : PROTOCOL_V1;
export const MAX_BUNDLE_DEPTH = 32;

/** The bundle's `lottery`: the definition under its id, with the meeting as journalled (protocol.md §8). */
export type BundleLottery = DefinedLottery<MeetingJson>;

export interface BundleStage {
  stage: number;
  percent: string;
  poolSize: number;
  quota: number;
  winners: string[];
  /** Physical draws only (protocol.md §8.1): the stage's pool-sheet digest and its balls in draw order. */
  sheet?: string;
  balls?: number[];
}

export interface Bundle {
  format: BundleFormat;
  lottery: BundleLottery;
  roster: RosterEntry[];
  rosterDigest: string;
  commitment: string;
  secret: string;
  entropy: string;
  seed: string;
  stages: BundleStage[];
  journal: RawEntry[];
  checkpoint: Checkpoint;
  record?: { sha256: string; publicSha256?: string };
  /** issue 13: the witnessed log at the lottery's checkpoint (protocol.md §8.1); absent in older bundles. */
  log?: BundleLog;
}

export { BundleUnreadable, DEFAULT_MAX_BUNDLE_BYTES };
export type { BundleCosigner, BundleLog } from './bundle-log';

/**
 * Text → JSON value, or BundleUnreadable (the CLI's exit 2). byteLength is the file's size, known before it was
 * decoded; the strict reader refuses duplicate keys, non-integer numbers, lone surrogates, a BOM and deep
 * nesting (see json.ts for why each).
 */
export function readBundleJson(
  text: string,
  byteLength: number,
  maxBytes: number = DEFAULT_MAX_BUNDLE_BYTES,
): unknown {
  if (byteLength > maxBytes)
    throw new BundleUnreadable(`bundle larger than ${maxBytes} bytes (稽核包超過 ${maxBytes} 位元組的上限)`);
  // The size is already bounded by byteLength (the bytes the text came from); 3 UTF-8 bytes per UTF-16 unit is
  // an upper bound, so the reader need not count the text again.
  const value = parseStrictJson(text, {
    maxDepth: MAX_BUNDLE_DEPTH,
    maxBytes: Math.max(maxBytes, 3 * text.length),
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BundleUnreadable('bundle is not a JSON object (稽核包不是 JSON 物件)');
  assertKnownKeys(value);
  return value;
}

type Obj = Record<string, unknown>;

/**
 * Every key a bundle may have (protocol.md §8.1), per object; `data` of journal entries is free-form. An unknown
 * key makes the bundle unreadable: a verifier that ignored it would let two implementations read one file
 * differently, or carry a value past every check.
 */
const KNOWN_KEYS = {
  bundle: [
    'format',
    'lottery',
    'roster',
    'rosterDigest',
    'commitment',
    'secret',
    'entropy',
    'seed',
    'stages',
    'journal',
    'checkpoint',
    'record',
    'log',
  ],
  lottery: ['id', 'year', 'agency', 'title', 'stages', 'meeting', 'method', 'rehearsal'],
  stageDef: ['stage', 'label', 'percent'],
  meeting: ['name', 'date', 'venue', 'chair', 'drawer', 'monitor', 'recorder', 'witnesses'],
  roster: ['id', 'name', 'unit', 'title', 'category', 'excluded'],
  stage: ['stage', 'percent', 'poolSize', 'quota', 'winners', 'sheet', 'balls'],
  journal: ['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash'],
  checkpoint: ['seq', 'hash', 'at', 'alg', 'signature', 'publicKey', 'certificate'],
  record: ['sha256', 'publicSha256'],
  log: ['key', 'checkpoint', 'cosignatures', 'inclusion', 'consistency'],
  cosigner: COSIGNER_KEYS,
  inclusion: ['seq', 'proof'],
  consistency: ['from', 'to', 'proof'],
} as const;

function unknownKey(o: unknown, allowed: readonly string[], where: string): void {
  if (!isObj(o)) return;
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new BundleUnreadable(
        `unknown key ${JSON.stringify(k)} in ${where} (不認得的鍵：稽核包只能有 protocol.md §8.1 所列的鍵)`,
      );
}
const each = (v: unknown, f: (x: unknown, i: number) => void): void => {
  if (Array.isArray(v)) v.forEach(f);
};

/** Refuses unknown keys anywhere outside journal data (protocol.md §8.1). Types are `format`'s business. */
export function assertKnownKeys(value: unknown): void {
  if (!isObj(value)) return;
  unknownKey(value, KNOWN_KEYS.bundle, 'the bundle');
  const l = own(value, 'lottery');
  unknownKey(l, KNOWN_KEYS.lottery, 'lottery');
  if (isObj(l)) {
    each(own(l, 'stages'), (s, i) => unknownKey(s, KNOWN_KEYS.stageDef, `lottery.stages[${i}]`));
    unknownKey(own(l, 'meeting'), KNOWN_KEYS.meeting, 'lottery.meeting');
  }
  each(own(value, 'roster'), (e, i) => unknownKey(e, KNOWN_KEYS.roster, `roster[${i}]`));
  each(own(value, 'stages'), (e, i) => unknownKey(e, KNOWN_KEYS.stage, `stages[${i}]`));
  each(own(value, 'journal'), (e, i) => unknownKey(e, KNOWN_KEYS.journal, `journal[${i}]`));
  unknownKey(own(value, 'checkpoint'), KNOWN_KEYS.checkpoint, 'checkpoint');
  unknownKey(own(value, 'record'), KNOWN_KEYS.record, 'record');
  const log = own(value, 'log');
  unknownKey(log, KNOWN_KEYS.log, 'log');
  if (isObj(log)) {
    each(own(log, 'cosignatures'), (e, i) => unknownKey(e, KNOWN_KEYS.cosigner, `log.cosignatures[${i}]`));
    each(own(log, 'inclusion'), (e, i) => unknownKey(e, KNOWN_KEYS.inclusion, `log.inclusion[${i}]`));
    unknownKey(own(log, 'consistency'), KNOWN_KEYS.consistency, 'log.consistency');
  }
}

/** A saved checkpoint (`--checkpoint FILE`): the same key rules as the bundle's. */
export function assertCheckpointKeys(value: unknown): void {
  if (!isObj(value)) throw new BundleUnreadable('checkpoint is not a JSON object');
  unknownKey(value, KNOWN_KEYS.checkpoint, 'the checkpoint');
}

/** Shape of a checkpoint, or undefined. */
export function parseCheckpoint(c: unknown): Checkpoint | undefined {
  if (
    !isObj(c) ||
    !isInt(own(c, 'seq')) ||
    !isStr(own(c, 'hash')) ||
    !isStr(own(c, 'at')) ||
    own(c, 'alg') !== 'RS256' ||
    !isStr(own(c, 'signature')) ||
    !isStr(own(c, 'publicKey'))
  )
    return undefined;
  const cert = own(c, 'certificate');
  if (cert !== undefined && !isStr(cert)) return undefined;
  const checkpoint: Checkpoint = {
    seq: c.seq as number,
    hash: c.hash as string,
    at: c.at as string,
    alg: 'RS256',
    signature: c.signature as string,
    publicKey: c.publicKey as string,
  };
  if (isStr(cert)) checkpoint.certificate = cert;
  return checkpoint;
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** Shape check: the `format` check. Returns the typed bundle or the list of what is wrong. */
export function parseBundle(value: unknown): { bundle: Bundle } | { problems: string[] } {
  const p: string[] = [];
  if (!isObj(value)) return { problems: ['bundle is not an object'] };
  const format = own(value, 'format');
  if (format !== BUNDLE_FORMAT_V1 && format !== BUNDLE_FORMAT_V2)
    p.push(`format is neither ${BUNDLE_FORMAT_V1} nor ${BUNDLE_FORMAT_V2}`);
  const lottery = readLottery(own(value, 'lottery'), p);
  const roster = readRoster(own(value, 'roster'), p);
  // A physical draw (protocol.md §6.1) has no seed and no entropy: the bundle leaves both out, and they read as ''.
  const physical = lottery?.method === 'physical';
  for (const k of ['rosterDigest', 'commitment', 'secret', ...(physical ? [] : ['seed'])]) {
    const v = own(value, k);
    if (!isStr(v) || !HEX64.test(v)) p.push(`${k} is not 64 lowercase hex digits`);
  }
  const entropy = physical ? '' : own(value, 'entropy');
  if (!isStr(entropy)) p.push('entropy is not a string');
  if (physical && (own(value, 'seed') !== undefined || own(value, 'entropy') !== undefined))
    p.push('a physical draw has no seed and no entropy');
  const stages = readStages(own(value, 'stages'), p, physical);
  const journal = readJournal(own(value, 'journal'), p);
  const checkpoint = parseCheckpoint(own(value, 'checkpoint'));
  if (!checkpoint) p.push('checkpoint is malformed');
  const record = readRecord(own(value, 'record'), p);
  const log = readLog(own(value, 'log'), p);

  if (p.length > 0 || !lottery || !checkpoint || !isStr(entropy)) return { problems: p };
  const bundle: Bundle = {
    format: format === BUNDLE_FORMAT_V2 ? BUNDLE_FORMAT_V2 : BUNDLE_FORMAT_V1,
    lottery,
    roster,
    rosterDigest: own(value, 'rosterDigest') as string,
    commitment: own(value, 'commitment') as string,
    secret: own(value, 'secret') as string,
    entropy,
    seed: physical ? '' : (own(value, 'seed') as string),
    stages,
    journal,
    checkpoint,
  };
  if (record) bundle.record = record;
  if (log) bundle.log = log;
  return { bundle };
}

/** `lottery`, or undefined (with its problems pushed onto p). */
function readLottery(l: unknown, p: string[]): BundleLottery | undefined {
  if (!isObj(l)) {
    p.push('lottery is missing');
    return undefined;
  }
  const id = own(l, 'id');
  const year = own(l, 'year');
  const agency = own(l, 'agency');
  // Absent, not null: `?? ''` would read a null title as absent, where another verifier fails `format`.
  const title = own(l, 'title') === undefined ? '' : own(l, 'title');
  const stages = own(l, 'stages');
  const meeting = own(l, 'meeting') === undefined ? {} : own(l, 'meeting');
  if (!isStr(id) || !LOTTERY_ID.test(id)) p.push('lottery.id is malformed');
  if (!isInt(year)) p.push('lottery.year is not an integer');
  if (!isStr(agency)) p.push('lottery.agency is not a string');
  if (!isStr(title)) p.push('lottery.title is not a string');
  if (!isObj(meeting)) p.push('lottery.meeting is not an object');
  const method = own(l, 'method');
  if (method !== undefined && method !== 'physical') p.push('lottery.method is present but not "physical"');
  // issue 11: present only for a rehearsal, and then `true`.
  const rehearsal = own(l, 'rehearsal');
  if (rehearsal !== undefined && rehearsal !== true) p.push('lottery.rehearsal is present and not true');
  const defs: StageDef[] = [];
  if (!Array.isArray(stages) || stages.length === 0) p.push('lottery.stages is not a non-empty array');
  else
    stages.forEach((s, i) => {
      if (!isObj(s) || !isInt(own(s, 'stage')) || !isStr(own(s, 'label')) || !isStr(own(s, 'percent')))
        p.push(`lottery.stages[${i}] is malformed`);
      else defs.push({ stage: s.stage as number, label: s.label as string, percent: s.percent as string });
    });
  if (isStr(id) && isInt(year) && isStr(agency) && isStr(title) && isObj(meeting))
    return {
      id,
      year,
      agency,
      title,
      stages: defs,
      meeting: meeting as { [key: string]: Json },
      ...(method === 'physical' ? { method } : {}),
      ...(rehearsal === true ? { rehearsal: true as const } : {}),
    };
  return undefined;
}

/** `roster`: objects of strings with an id and a name, and only the fields §2 names. */
function readRoster(r: unknown, p: string[]): RosterEntry[] {
  const roster: RosterEntry[] = [];
  if (!Array.isArray(r)) p.push('roster is not an array');
  else
    r.forEach((e, i) => {
      if (!isObj(e)) return p.push(`roster[${i}] is not an object`);
      const entry: Record<string, string> = {};
      for (const [k, v] of Object.entries(e)) {
        if (!(KNOWN_KEYS.roster as readonly string[]).includes(k))
          p.push(`roster[${i}] has an unknown field`);
        else if (!isStr(v)) p.push(`roster[${i}].${k} is not a string`);
        else entry[k] = v;
      }
      if (!isStr(entry.id) || !isStr(entry.name)) p.push(`roster[${i}] lacks id or name`);
      else roster.push(entry as unknown as RosterEntry);
    });
  return roster;
}

/** A physical stage's `sheet` and `balls` (required), or a random stage's (absent). */
function physicalStage(
  s: Obj,
  i: number,
  p: string[],
  physical: boolean,
): Pick<BundleStage, 'sheet' | 'balls'> {
  const sheet = own(s, 'sheet');
  const balls = own(s, 'balls');
  if (!physical) {
    if (sheet !== undefined || balls !== undefined)
      p.push(`stages[${i}] has balls but the draw is not physical`);
    return {};
  }
  if (!isStr(sheet) || !HEX64.test(sheet) || !Array.isArray(balls) || !balls.every(isInt)) {
    p.push(`stages[${i}] lacks a sheet digest or its balls`);
    return {};
  }
  return { sheet, balls: [...(balls as number[])] };
}

/** `stages`: what was drawn, stage by stage. */
function readStages(st: unknown, p: string[], physical: boolean): BundleStage[] {
  const stages: BundleStage[] = [];
  if (!Array.isArray(st)) p.push('stages is not an array');
  else
    st.forEach((s, i) => {
      const w = isObj(s) ? own(s, 'winners') : undefined;
      if (
        !isObj(s) ||
        !isInt(own(s, 'stage')) ||
        !isStr(own(s, 'percent')) ||
        !isInt(own(s, 'poolSize')) ||
        !isInt(own(s, 'quota')) ||
        !Array.isArray(w) ||
        !w.every(isStr)
      )
        p.push(`stages[${i}] is malformed`);
      else
        stages.push({
          stage: s.stage as number,
          percent: s.percent as string,
          poolSize: s.poolSize as number,
          quota: s.quota as number,
          winners: [...(w as string[])],
          ...physicalStage(s, i, p, physical),
        });
    });
  return stages;
}

/** `journal`: objects, their seven fields copied as they are (the chain checks them, protocol.md §7). */
function readJournal(j: unknown, p: string[]): RawEntry[] {
  const journal: RawEntry[] = [];
  if (!Array.isArray(j)) p.push('journal is not an array');
  else
    j.forEach((e, i) => {
      if (!isObj(e)) return p.push(`journal[${i}] is not an object`);
      journal.push({
        seq: own(e, 'seq'),
        at: own(e, 'at'),
        type: own(e, 'type'),
        actor: own(e, 'actor'),
        data: own(e, 'data'),
        prev: own(e, 'prev'),
        hash: own(e, 'hash'),
      });
    });
  return journal;
}

/** `record`, when present: the issued record's hashes. */
function readRecord(rec: unknown, p: string[]): Bundle['record'] {
  if (rec === undefined) return undefined;
  const ps = isObj(rec) ? own(rec, 'publicSha256') : undefined;
  if (!isObj(rec) || !isStr(own(rec, 'sha256')) || (ps !== undefined && !isStr(ps))) {
    p.push('record is malformed');
    return undefined;
  }
  const record: NonNullable<Bundle['record']> = { sha256: rec.sha256 as string };
  if (isStr(own(rec, 'publicSha256'))) record.publicSha256 = rec.publicSha256 as string;
  return record;
}
