import type { Bundle } from '../bundle';
import { jcs, ZERO_HASH } from '../canonical';
import { keyFingerprint, pemDer, type Sha256Bytes } from '../ceremony';
import { checkpointMessage, pemBody, type Checkpoint } from '../checkpoint';
import type { ChainResult, JournalEntry } from '../journal';
import { lastHead, rs256, type Check, type VerifyDeps, type VerifyOptions } from './report';

/** checkpoint.head: the signed checkpoint covers the journal's head, so no tail was cut off or appended. */
export function checkpointHead(b: Bundle, chain: ChainResult, entries: JournalEntry[]): Check {
  const head = chain.ok ? chain.head : lastHead(entries);
  return b.checkpoint.seq === head.seq && b.checkpoint.hash === head.hash
    ? { name: 'checkpoint.head', ok: true, detail: `checkpoint covers the head, seq ${head.seq}` }
    : {
        name: 'checkpoint.head',
        ok: false,
        detail: `checkpoint is at seq ${b.checkpoint.seq}, the journal's head is seq ${head.seq}`,
      };
}

/** checkpoint.signature: the checkpoint is signed by the key it carries (whose key that is, is key.pinned's). */
export async function checkpointSignature(b: Bundle, deps: VerifyDeps): Promise<Check> {
  const sigOk = await rs256(
    deps,
    b.checkpoint.publicKey,
    checkpointMessage(b.checkpoint),
    b.checkpoint.signature,
  );
  return {
    name: 'checkpoint.signature',
    ok: sigOk,
    detail: sigOk
      ? "RS256 signature is valid with the checkpoint's key"
      : 'RS256 signature does not verify with the checkpoint’s key',
  };
}

/** The keys a trust anchor vouches for, or why there are none. */
export type Anchored =
  | { kind: 'none' }
  | { kind: 'unknown'; detail: string }
  | { kind: 'keys'; has: (pem: string) => boolean; describe: (pem: string) => string };

/** The key rotations (protocol.md §8.2): `key.rotated` entries, of any lottery or none, naming a new key. */
const keyRotations = (entries: JournalEntry[]): JournalEntry[] =>
  entries.filter((e) => e.type === 'key.rotated' && typeof e.data.publicKey === 'string');

/**
 * Every key reached from `start` by key rotations naming the current key as previous and endorsed by it, as DER
 * bodies, `start` first (protocol.md §8.3).
 */
async function walkRotations(start: string, rotations: JournalEntry[], deps: VerifyDeps): Promise<string[]> {
  const reached = [pemBody(start)];
  let cur = start;
  for (const r of rotations) {
    const next = r.data.publicKey as string;
    const prev = r.data.previousPublicKey;
    const endorsement = r.data.endorsement;
    if (typeof prev !== 'string' || typeof endorsement !== 'string' || pemBody(prev) !== pemBody(cur))
      continue;
    if (!(await rs256(deps, cur, jcs({ publicKey: next }), endorsement))) continue;
    cur = next;
    reached.push(pemBody(next));
  }
  return reached;
}

/**
 * With --fingerprint the anchor key is the first key in the bundle with that fingerprint: the checkpoint's, then
 * each rotation's previous and new key in journal order.
 */
async function keyOfFingerprint(
  b: Bundle,
  rotations: JournalEntry[],
  fingerprint: string,
  deps: VerifyDeps,
): Promise<{ key: string; want: string } | { detail: string }> {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(fingerprint);
  if (!m) return { detail: 'the fingerprint is not SHA256: followed by 64 hex digits' };
  const want = `SHA256:${(m[1] ?? '').toLowerCase()}`;
  const sha256Bytes: Sha256Bytes | undefined = deps.sha256Bytes;
  if (!sha256Bytes) return { detail: 'cannot compute key fingerprints (no SHA-256 of bytes)' };
  const candidates = [
    b.checkpoint.publicKey,
    ...rotations.flatMap((r) =>
      [r.data.previousPublicKey, r.data.publicKey].filter((k): k is string => typeof k === 'string'),
    ),
  ];
  for (const k of candidates)
    if (pemDer(k) && (await keyFingerprint(k, sha256Bytes)) === want) return { key: k, want };
  return {
    detail: `no key in the bundle has the fingerprint ${want}: the bundle was not signed by the office that printed it`,
  };
}

/**
 * The keys a trust anchor vouches for (protocol.md §8.3): the anchor key, and every key reached from it by
 * key.rotated entries naming it as previous and endorsed by it. With --fingerprint the anchor key is the first
 * key in the bundle with that fingerprint; with --key it is that key. Given both, both must vouch.
 */
export async function anchoredKeys(
  b: Bundle,
  entries: JournalEntry[],
  deps: VerifyDeps,
  opts: VerifyOptions,
): Promise<Anchored> {
  if (opts.trustedPublicKey === undefined && opts.trustedFingerprint === undefined) return { kind: 'none' };
  const rotations = keyRotations(entries);
  const sets: string[][] = [];
  const notes: string[] = [];
  if (opts.trustedPublicKey !== undefined) {
    sets.push(await walkRotations(opts.trustedPublicKey, rotations, deps));
    notes.push('the trusted key');
  }
  if (opts.trustedFingerprint !== undefined) {
    const start = await keyOfFingerprint(b, rotations, opts.trustedFingerprint, deps);
    if ('detail' in start) return { kind: 'unknown', detail: start.detail };
    sets.push(await walkRotations(start.key, rotations, deps));
    notes.push(`the key with fingerprint ${start.want}`);
  }
  return {
    kind: 'keys',
    has: (pem) => sets.every((set) => set.includes(pemBody(pem))),
    describe: (pem) =>
      sets.every((set) => set[0] === pemBody(pem))
        ? notes.join(' and ')
        : `reached from ${notes.join(' and ')} by endorsed key.rotated entries`,
  };
}

/**
 * key.pinned: a bundle carries its own key, so a stranger's forgery verifies against itself. Only a key the
 * office published (the fingerprint on the notice and the record) establishes whose bundle this is.
 */
export function keyPinned(b: Bundle, anchored: Anchored): Check {
  if (anchored.kind === 'none')
    return {
      name: 'key.pinned',
      ok: false,
      detail:
        'not pinned: no trust anchor was given. Pass --fingerprint SHA256:… as printed on the notice (抽籤公告) and ' +
        'the record (抽籤紀錄), or --key with the office’s published key',
    };
  if (anchored.kind === 'unknown') return { name: 'key.pinned', ok: false, detail: anchored.detail };
  const ok = anchored.has(b.checkpoint.publicKey);
  return {
    name: 'key.pinned',
    ok,
    detail: ok
      ? `the checkpoint's key is ${anchored.describe(b.checkpoint.publicKey)}`
      : "the checkpoint's key is not the trust anchor, nor reached from it by endorsed key.rotated entries",
  };
}

/**
 * checkpoint.observed: a checkpoint saved earlier, by the anchored key, is extended by the bundle's journal, so a
 * journal rewritten before it and re-signed shows.
 */
export async function checkpointObserved(
  cp: Checkpoint,
  entries: JournalEntry[],
  chain: ChainResult,
  anchored: Anchored,
  deps: VerifyDeps,
): Promise<Check> {
  const at = entries.find((e) => e.seq === cp.seq);
  const extendsIt =
    cp.seq === 0
      ? cp.hash === ZERO_HASH
      : at !== undefined && at.hash === cp.hash && (chain.ok || chain.brokenAt > cp.seq);
  let detail: string;
  if (anchored.kind !== 'keys')
    detail = 'cannot establish the saved checkpoint without a trust anchor (--fingerprint or --key)';
  else if (!anchored.has(cp.publicKey)) detail = "the saved checkpoint's key is not the trust anchor";
  else if (!(await rs256(deps, cp.publicKey, checkpointMessage(cp), cp.signature)))
    detail = "the saved checkpoint's signature does not verify";
  else if (!extendsIt)
    detail = `the journal does not extend the saved checkpoint: seq ${cp.seq} does not have hash ${cp.hash}`;
  else
    return {
      name: 'checkpoint.observed',
      ok: true,
      detail: `the journal extends the saved checkpoint at seq ${cp.seq}`,
    };
  return { name: 'checkpoint.observed', ok: false, detail };
}

/**
 * verify --db with a checkpoint the auditor kept from earlier: checkpoint.extends, checkpoint.signature and,
 * when the key in force is known, checkpoint.key.
 */
export async function databaseCheckpointChecks(
  checkpoint: Checkpoint,
  entries: JournalEntry[],
  chain: ChainResult,
  deps: VerifyDeps,
  currentPublicKey: string | undefined,
): Promise<Check[]> {
  const checks = [checkpointExtends(checkpoint, entries, chain)];
  const sigOk = await rs256(deps, checkpoint.publicKey, checkpointMessage(checkpoint), checkpoint.signature);
  checks.push({
    name: 'checkpoint.signature',
    ok: sigOk,
    detail: sigOk ? 'RS256 signature is valid' : 'signature does not verify',
  });
  const key = await checkpointKey(checkpoint, entries, deps, currentPublicKey);
  if (key) checks.push(key);
  return checks;
}

/** checkpoint.extends: the journal must extend the checkpoint (no cut-off tail, no rewrite). */
function checkpointExtends(checkpoint: Checkpoint, entries: JournalEntry[], chain: ChainResult): Check {
  const at = entries.find((e) => e.seq === checkpoint.seq);
  const extendsIt = checkpoint.seq === 0 || (at !== undefined && at.hash === checkpoint.hash);
  return {
    name: 'checkpoint.extends',
    ok: extendsIt && (chain.ok || chain.brokenAt > checkpoint.seq),
    detail: extendsIt
      ? `the journal extends the checkpoint at seq ${checkpoint.seq}`
      : `the journal does not contain the checkpointed entry seq ${checkpoint.seq}`,
  };
}

/**
 * checkpoint.key: the key in force now must be the checkpoint's, or be reached from it by key.rotated entries
 * after it, each endorsed by the key before: a key swapped in without the old key's consent is reported. The key
 * in force is the last key.rotated key, else the key file's; unknown, there is no check.
 */
async function checkpointKey(
  checkpoint: Checkpoint,
  entries: JournalEntry[],
  deps: VerifyDeps,
  currentPublicKey: string | undefined,
): Promise<Check | undefined> {
  const rotations = entries.filter((e) => e.type === 'key.rotated');
  const lastRotation = rotations[rotations.length - 1];
  const keyNow =
    typeof lastRotation?.data.publicKey === 'string' ? lastRotation.data.publicKey : currentPublicKey;
  if (keyNow === undefined) return undefined;
  let cur = checkpoint.publicKey;
  const path: number[] = [];
  for (const r of rotations) {
    const { publicKey, previousPublicKey, endorsement } = r.data;
    if (r.seq <= checkpoint.seq || typeof publicKey !== 'string' || typeof previousPublicKey !== 'string')
      continue;
    if (pemBody(previousPublicKey) !== pemBody(cur) || typeof endorsement !== 'string') continue;
    if (!(await rs256(deps, cur, jcs({ publicKey }), endorsement))) continue;
    cur = publicKey;
    path.push(r.seq);
  }
  const ok = pemBody(cur) === pemBody(keyNow);
  return {
    name: 'checkpoint.key',
    ok,
    detail: ok
      ? path.length
        ? `the signing key changed after the checkpoint, endorsed by the old key (key.rotated at seq ${path.join(', ')})`
        : 'the service still signs with the checkpoint’s key'
      : 'the service signs with a key other than the checkpoint’s, and no key.rotated entry endorsed by the old key explains it',
  };
}
