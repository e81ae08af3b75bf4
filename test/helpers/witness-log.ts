import crypto from 'node:crypto';
import type { JournalEvent } from '../../src/domain/events';
import { makeEntry, type JournalEntry } from '../../src/domain/journal';
import { checkpointMessage } from '../../src/domain/checkpoint';
import { consistencyProof, inclusionProof, memoryTree, rootAt } from '../../src/domain/log/merkle';
import {
  bytesBase64,
  cosignatureBytes,
  cosignatureMessage,
  formatCheckpoint,
  formatVerifierKey,
  keyId,
  signatureLine,
  SIG_COSIGNATURE_V1,
} from '../../src/domain/log/note';
import {
  drawAll,
  initialPool,
  PROTOCOL_V2,
  seed as seedOf,
  type RosterEntry,
} from '../../src/domain/protocol';
import { lotteryCheckpointSize, lotteryOpenSize } from '../../src/domain/verify/log';
import { logSignerFromPem, type LogSigner } from '../../src/keys/log-key';
import { sha256Node, type Signer } from '../../src/keys/signer';
import { LogService } from '../../src/services/log';
import { Services } from '../../src/services/services';
import { sha256Bytes } from '../../src/util/sha256';
import { sha256 } from './crypto';
import { testSigner, type TestApp } from './app';

/**
 * The witnessed log in tests (issue 13): a log key journalled as `log.key`, services whose bundle carries the
 * log, witnesses holding node:crypto Ed25519 keys who cosign, and the rewrite of a drawn lottery an attacker
 * holding every one of the service's keys would make.
 */
export const ORIGIN = 'lottery.example.gov.tw/asset-review-lottery';

export interface WitnessLog {
  signer: LogSigner;
  /** The log key's private PEM (make_corpus.py re-signs rewritten notes with it). */
  pem: string;
  services: Services;
  /** Cosignature lines stored per tree size, as WSRV's store keeps them. */
  lines: Map<number, string[]>;
}

/** Journals `log.key` (as the service does at start) and returns services whose bundles carry the log. */
export function withLog(t: TestApp, opts: { signer?: Signer; clock?: () => Date } = {}): WitnessLog {
  const pem = crypto
    .generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const signer = logSignerFromPem(pem, ORIGIN);
  const event = { type: 'log.key', data: { key: signer.verifierKey } } as unknown as JournalEvent;
  t.store.write((tx) =>
    tx.appendJournal(event, { actor: 'system', at: new Date().toISOString() }, sha256Node),
  );
  const lines = new Map<number, string[]>();
  const log = new LogService({ store: t.store, signer, cosignatureLines: (size) => lines.get(size) ?? [] });
  const services = new Services({
    store: t.store,
    signer: opts.signer ?? testSigner(),
    clock: opts.clock ?? ((): Date => new Date()),
    randomBytes: (n) => crypto.randomBytes(n),
    sha256: sha256Node,
    log,
  });
  return { signer, pem, services, lines };
}

export interface Witness {
  name: string;
  /** The private key (PKCS#8 PEM), for make_corpus.py. */
  pem: string;
  vkey: string;
  cosign(checkpointText: string, timestamp: number): string;
}

export function witness(name: string): Witness {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  const id = keyId(sha256Bytes, name, SIG_COSIGNATURE_V1, raw);
  return {
    name,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    vkey: formatVerifierKey(sha256Bytes, name, SIG_COSIGNATURE_V1, raw),
    cosign: (text, timestamp) => {
      const sig = crypto.sign(null, Buffer.from(cosignatureMessage(text, timestamp)), privateKey);
      return signatureLine(name, id, cosignatureBytes(timestamp, new Uint8Array(sig)));
    },
  };
}

/** The checkpoint body of a signed note (everything before the blank line). */
export const noteText = (note: string): string => note.slice(0, note.lastIndexOf('\n\n') + 1);

export type AnyBundle = Record<string, unknown> & {
  lottery: { id: string; stages: Array<{ percent: string }> };
  roster: RosterEntry[];
  rosterDigest: string;
  secret: string;
  commitment: string;
  entropy: string;
  seed: string;
  stages: Array<{ stage: number; percent: string; poolSize: number; quota: number; winners: string[] }>;
  journal: JournalEntry[];
  checkpoint: Record<string, unknown>;
  log: { key: string; checkpoint: string; inclusion: Array<{ seq: number; proof: string[] }> } & Record<
    string,
    unknown
  >;
};

/** A new secret that gives other winners under the same dice; the draw re-derived from it. */
function newDraw(b: AnyBundle): void {
  const before = b.stages.map((s) => s.winners.join()).join('|');
  for (const ch of 'cdef0123456789ab') {
    b.secret = ch.repeat(64);
    b.commitment = sha256(b.secret);
    b.seed = seedOf(
      { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
      sha256,
      PROTOCOL_V2,
    );
    const stages = b.lottery.stages.map((s, i) => ({ stage: i + 1, percent: s.percent }));
    b.stages = drawAll(b.seed, stages, initialPool(b.roster));
    if (b.stages.map((s) => s.winners.join()).join('|') !== before) return;
  }
  throw new Error('no secret found that changes the winners');
}

/**
 * The issue's attack, by the keyholder: a new secret, the same dice, another winner. The lottery's entries from
 * the lock on say so, every hash is re-chained, the RS256 checkpoint re-signed with the service's own key, and
 * the log rebuilt: the tree over the new hashes, a fresh note signed by the log key, fresh proofs. The old
 * cosignature lines are kept on the note (they no longer verify: they are over the old root).
 */
export function rewriteWithServiceKeys(original: AnyBundle, logSigner: LogSigner): AnyBundle {
  const b = structuredClone(original);
  newDraw(b);
  for (const e of b.journal) {
    if (e.data.lottery !== b.lottery.id) continue;
    if (e.type === 'lottery.locked') {
      e.data.commitment = b.commitment;
      e.data.quotas = b.stages.map(({ stage, percent, poolSize, quota }) => ({
        stage,
        percent,
        poolSize,
        quota,
      }));
    }
    if (e.type === 'ceremony.opened') e.data.commitment = b.commitment;
    if (e.type === 'stage.drawn') {
      const st = b.stages[(e.data.stage as number) - 1] as AnyBundle['stages'][number];
      Object.assign(e.data, { seed: b.seed, winners: st.winners, poolSize: st.poolSize, quota: st.quota });
      if ('secret' in e.data) e.data.secret = b.secret;
    }
  }
  let prev: JournalEntry | undefined;
  b.journal = b.journal.map(
    (e) => (prev = makeEntry(prev, { at: e.at, type: e.type, actor: e.actor, data: e.data }, sha256)),
  );
  const head = b.journal[b.journal.length - 1] as JournalEntry;
  const body = { seq: head.seq, hash: head.hash, at: head.at };
  b.checkpoint = { ...b.checkpoint, ...body, signature: testSigner().sign(checkpointMessage(body)) };
  // The log, rebuilt over the rewritten journal with the log's own key.
  const n = lotteryCheckpointSize(b.journal, b.lottery.id) as number;
  const open = lotteryOpenSize(b.journal, b.lottery.id) as number;
  const tree = memoryTree(
    sha256Bytes,
    b.journal.slice(0, n).map((e) => new Uint8Array(Buffer.from(e.hash, 'hex'))),
  );
  const text = formatCheckpoint({ origin: logSigner.name, size: n, root: rootAt(sha256Bytes, tree, n) });
  const oldLines =
    original.log.checkpoint
      .split('\n\n')[1]
      ?.split('\n')
      .filter((l) => l !== '')
      .slice(1) ?? [];
  b.log.checkpoint = `${text}\n${[logSigner.signLine(text), ...oldLines].map((l) => `${l}\n`).join('')}`;
  b.log.inclusion = b.log.inclusion.map(({ seq }) => ({
    seq,
    proof: inclusionProof(sha256Bytes, tree, seq - 1, n).map(bytesBase64),
  }));
  b.log.consistency = {
    from: open,
    to: n,
    proof: consistencyProof(sha256Bytes, tree, open, n).map(bytesBase64),
  };
  return b;
}
