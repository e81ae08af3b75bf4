import { requireStatus } from '../domain/lifecycle';
import { jcs, ZERO_HASH, type Json } from '../domain/canonical';
import { bundleFormatOf, type Bundle } from '../domain/bundle';
import { checkpointMessage, pemBody, type Checkpoint } from '../domain/checkpoint';
import { checkChain, type ChainResult, type JournalEntry } from '../domain/journal';
import { meetingJson } from '../domain/input/definition';
import { PROTOCOL_V1, sortRoster } from '../domain/protocol';
import { signerFromPem } from '../keys/signer';
import type { Store } from '../store/store';
import { type Context } from './context';
import { bundleLog } from './audit-log';
import { physicalBundle } from './physical-view';

/**
 * What auditors read: the bundle, the journal in pages, its verification, signed checkpoints of its head, and
 * the journalled rotation of the key that signs them.
 */

/** The audit bundle: only once every stage is drawn. */
export function bundle(c: Context, id: string): Bundle {
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'exportBundle', l.cancelledAt !== null);
    const results = c.store.results(id);
    const journal = [...c.store.journalRows()].map((r) => ({
      ...r,
      data: JSON.parse(r.data as string) as Json,
    }));
    const b: Bundle = {
      format: bundleFormatOf(l.protocol ?? PROTOCOL_V1),
      lottery: {
        id,
        year: l.year,
        agency: l.agency,
        title: l.title,
        stages: l.stages.map((s) => ({ stage: s.stage, label: s.label, percent: s.percent })),
        meeting: meetingJson(l.meeting),
        // issue 11: only for a rehearsal, so that a real lottery's bundle stays byte for byte as it was.
        ...(l.rehearsal === true ? { rehearsal: true as const } : {}),
      },
      roster: sortRoster(c.store.roster(id)),
      rosterDigest: l.rosterDigest as string,
      commitment: l.commitment as string,
      secret: l.secret as string,
      entropy: l.entropy as string,
      seed: l.seed as string,
      stages: results.map((r, i) => ({
        stage: r.stage,
        percent: (l.stages[i] as { percent: string }).percent,
        poolSize: r.poolSize,
        quota: r.quota,
        winners: r.winners,
      })),
      journal,
      checkpoint: checkpointInTx(c),
      ...recordRef(c.store, id),
    };
    // issue 13: the witnessed log, after every other key, so that a bundle without one is as it was.
    const log = bundleLog(c, id, journal as unknown as JournalEntry[]);
    const full = l.method === 'physical' ? physicalBundle(c, l, b) : b;
    return log ? { ...full, log } : full;
  });
}

function recordRef(store: Store, id: string): { record?: { sha256: string; publicSha256: string } } {
  const full = store.record(id, 'full');
  const pub = store.record(id, 'public');
  return full && pub ? { record: { sha256: full.sha256, publicSha256: pub.sha256 } } : {};
}

export function journalPage(
  c: Context,
  q: { after?: number; before?: number; limit?: number; lottery?: string; type?: string },
): { entries: JournalEntry[]; head: { seq: number; hash: string } } {
  return c.store.read(() => ({
    entries: c.store.journalPage({ limit: 100, ...q }),
    head: c.store.journalHead() ?? { seq: 0, hash: ZERO_HASH },
  }));
}

export async function verifyJournal(c: Context): Promise<ChainResult> {
  const rows = c.store.read(() => [...c.store.journalRows()]);
  return checkChain(rows, c.d.sha256);
}

export function checkpoint(c: Context): Checkpoint {
  return c.store.read(() => checkpointInTx(c));
}

/**
 * A signed checkpoint of the journal head, read in the caller's transaction (it opens none of its own), so
 * that the bundle's or the record's checkpoint names the journal they were read with.
 */
export function checkpointInTx(c: Context): Checkpoint {
  const head = c.store.journalHead() ?? { seq: 0, hash: ZERO_HASH };
  const at = c.now();
  const body = { seq: head.seq, hash: head.hash, at };
  const cp: Checkpoint = {
    ...body,
    alg: 'RS256',
    signature: c.d.signer.sign(checkpointMessage(body)),
    publicKey: c.d.signer.publicKeyPem,
  };
  if (c.d.signer.certificatePem) cp.certificate = c.d.signer.certificatePem;
  return cp;
}

/**
 * At start-up: when the service signs with a key other than the journal's current one (an office's PKCS#12
 * replacing the local key), journal `key.rotated` with the new public key and certificate, endorsed by the
 * old key where the service still holds it, so older checkpoints stay verifiable with the key they name and
 * the change of key is itself on the record. Returns the entry's seq, if one was written.
 */
export function journalSigningKey(c: Context, localKeyPem: string): number | undefined {
  const local = signerFromPem(localKeyPem);
  const signer = c.d.signer;
  return c.store.write((tx) => {
    const rotations = c.store.journalPage({ limit: 1000, type: 'key.rotated' });
    const last = rotations[rotations.length - 1];
    const current = typeof last?.data.publicKey === 'string' ? last.data.publicKey : local.publicKeyPem;
    if (pemBody(current) === pemBody(signer.publicKeyPem)) return undefined;
    const data = {
      publicKey: signer.publicKeyPem,
      previousPublicKey: current,
      certificate: signer.certificatePem || undefined,
      // The old key vouches for the new one: a rotation nobody holding the old key agreed to is visible as such.
      endorsement:
        pemBody(current) === pemBody(local.publicKeyPem)
          ? local.sign(jcs({ publicKey: signer.publicKeyPem }))
          : undefined,
    };
    return c.journal(tx, { type: 'key.rotated', data }, 'system').seq;
  });
}
