import fs from 'node:fs';
import path from 'node:path';
import { jcs } from '../../src/domain/canonical';
import type { Checkpoint } from '../../src/domain/checkpoint';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import type { RosterEntry } from '../../src/domain/protocol';
import type { DatabaseSnapshot, VerifyOptions } from '../../src/domain/verify';
import { sha256 } from '../helpers/crypto';

/**
 * The checked-in honest lottery-audit-bundle/v2 (test/fixtures/bundle-v2.json, written once by
 * make-bundle-v2.mjs) and its companions: the fingerprint the notice printed, a checkpoint an observer saved after
 * the lock, and the issued record. Read fresh on every call, so that a test may edit its copy.
 */
const dir = path.join(__dirname, '..', 'fixtures');
const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

export interface FixtureBundle {
  format: string;
  lottery: {
    id: string;
    year: number;
    agency: string;
    title: string;
    stages: Array<{ stage: number; label: string; percent: string }>;
    meeting: Record<string, unknown>;
  };
  roster: RosterEntry[];
  rosterDigest: string;
  commitment: string;
  secret: string;
  entropy: string;
  seed: string;
  stages: Array<{ stage: number; percent: string; poolSize: number; quota: number; winners: string[] }>;
  journal: JournalEntry[];
  checkpoint: Checkpoint;
  record?: { sha256: string; publicSha256?: string };
}

export const fixtureBundle = (): FixtureBundle => JSON.parse(read('bundle-v2.json')) as FixtureBundle;
/** An honest physical draw (實體抽籤): test/fixtures/bundle-physical.json, by make-bundle-physical.mjs. */
export const fixturePhysicalBundle = (): FixtureBundle =>
  JSON.parse(read('bundle-physical.json')) as FixtureBundle;
export const fixturePhysicalFingerprint = (): string => read('bundle-physical.fingerprint.txt').trim();
export const fixtureFingerprint = (): string => read('bundle-v2.fingerprint.txt').trim();
export const fixtureSavedCheckpoint = (): Checkpoint =>
  JSON.parse(read('bundle-v2.checkpoint.json')) as Checkpoint;
export const fixtureRecordPdf = (): Uint8Array =>
  new Uint8Array(fs.readFileSync(path.join(dir, 'bundle-v2.record.pdf')));

/** Every option the verifier takes, each as an observer in the room would give it: every check runs. */
export function everyOption(b: FixtureBundle): VerifyOptions {
  return {
    trustedFingerprint: fixtureFingerprint(),
    observedCommitment: b.commitment.slice(0, 16),
    observedEntropy: b.entropy,
    observedCheckpoint: fixtureSavedCheckpoint(),
    pdf: fixtureRecordPdf(),
  };
}

/** The database `verify --db` would read after this lottery: the journal rows and the lottery's tables. */
export function fixtureSnapshot(b: FixtureBundle): DatabaseSnapshot {
  return {
    journal: b.journal.map((e) => ({ ...e, data: jcs(e.data) })),
    lotteries: [
      {
        id: b.lottery.id,
        status: 'drawn',
        rosterDigest: b.rosterDigest,
        roster: b.roster,
        results: b.stages.map(({ stage, winners, poolSize, quota }) => ({ stage, winners, poolSize, quota })),
        protocol: 'lottery-draw/v2',
        year: b.lottery.year,
        agency: b.lottery.agency,
        title: b.lottery.title,
        stages: b.lottery.stages,
        meeting: b.lottery.meeting,
        commitment: b.commitment,
        secret: b.secret,
        entropy: b.entropy,
        seed: b.seed,
      },
    ],
  };
}

/** Recomputes every entry's seq, prev and hash from `from` on, as a forger who rewrote the journal would. */
export function rechain(b: FixtureBundle, from = 0): void {
  let prev = from > 0 ? b.journal[from - 1] : undefined;
  for (let i = from; i < b.journal.length; i++) {
    const e = b.journal[i] as JournalEntry;
    const n = makeEntry(prev, { at: e.at, type: e.type, actor: e.actor, data: e.data }, sha256);
    b.journal[i] = n;
    prev = n;
  }
}
