import type { Bundle } from '../bundle';
import type { CheckName } from '../checks';
import type { JournalEntry } from '../journal';
import { equalBytes, leafHash, rootAt, verifyConsistency, verifyInclusion } from '../log/merkle';
import {
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  verifyCosignature,
  verifyNoteSignature,
  type VerifierKey,
  type VerifyEd25519Async,
} from '../log/note';
import { bytesHex, hexBytes, logView, proofHashes, type LogView } from './log-tree';
import type { Check, VerifyDeps, VerifyOptions } from './report';

export { lotteryCheckpointSize, lotteryOpenSize } from './log-tree';

/**
 * The witnessed log's checks (issue 13, protocol.md §8.2): the log key, the checkpoint note at N_L, the inclusion
 * of the lottery's entries, the consistency from the tree the ceremony opened under, and, with pinned witness
 * keys, the quorum of cosignatures. Each fails closed and says what is missing.
 *
 * The hole they close: the service's own keys can rewrite a drawn lottery (a new secret, the same dice, another
 * winner) and re-sign everything it signs. The cosignatures of the room's witnesses are over the tree's root at
 * N_L, which any rewrite before N_L changes, and the service holds none of their keys.
 */
const fail = (name: CheckName, detail: string): Check => ({ name, ok: false, detail });
const pass = (name: CheckName, detail: string): Check => ({ name, ok: true, detail });
const short = (root: Uint8Array): string => bytesHex(root).slice(0, 16);

export async function logChecks(
  b: Bundle,
  entries: readonly JournalEntry[],
  deps: VerifyDeps,
  opts: VerifyOptions,
): Promise<Check[]> {
  const cosign = opts.witnessKeys !== undefined || opts.witnesses !== undefined;
  const names: CheckName[] = ['log.key', 'log.checkpoint', 'log.inclusion', 'log.consistency'];
  if (cosign) names.push('log.cosigned');
  if (!b.log) {
    if (opts.logKey === undefined && !cosign) return [];
    return names.map((n) => fail(n, 'the bundle has no log (稽核包沒有見證紀錄): drawn before issue 13'));
  }
  const { hashBytes: h, verifyEd25519: ed } = deps;
  if (!h || !ed)
    return names.map((n) =>
      fail(n, 'cannot check the log: this verifier has no SHA-256 of bytes or Ed25519'),
    );
  const v = logView(h, b.log, b.lottery.id, entries);
  const checks = [logKey(v, opts), await logCheckpoint(v, ed), logInclusion(v), logConsistency(v)];
  if (cosign) checks.push(await logCosigned(v, opts, ed));
  return checks;
}

/** log.key: the bundle's log key is the pinned one, or the journal's last `log.key` at or before N_L. */
function logKey(v: LogView, opts: VerifyOptions): Check {
  const name: CheckName = 'log.key';
  if (!v.key)
    return fail(name, "the bundle's log key is not an Ed25519 verifier key NAME+KEYID+BASE64(0x01‖key)");
  let held: string;
  if (opts.logKey !== undefined) {
    const pinned = parseVerifierKey(v.h, opts.logKey.trim());
    if (!pinned || pinned.type !== SIG_ED25519)
      return fail(name, 'the pinned log key is not a log verifier key');
    if (pinned.name !== v.key.name || !equalBytes(pinned.publicKey, v.key.publicKey))
      return fail(name, `the bundle's log key ${v.log.key} is not the pinned log key`);
    held = 'is the pinned log key (--log-key)';
  } else {
    if (v.size === undefined) return fail(name, 'the lottery has no final stage entry, so N_L is unknown');
    const n = v.size;
    const entry = v.entries.filter((e) => e.type === 'log.key' && e.seq <= n).pop();
    if (!entry)
      return fail(
        name,
        `no log.key entry at or before seq ${n} and no --log-key: the log key is not anchored`,
      );
    if (entry.data.key !== v.log.key)
      return fail(name, `the bundle's log key is not the journal's log.key entry at seq ${entry.seq}`);
    held = `is the journal's log.key entry at seq ${entry.seq} (anchored by the journal's checkpoint, key.pinned)`;
  }
  if (!v.checkpoint) return fail(name, 'the checkpoint note cannot be read, so its origin cannot be matched');
  if (v.checkpoint.origin !== v.key.name)
    return fail(
      name,
      `the checkpoint's origin ${v.checkpoint.origin} is not the log key's name ${v.key.name}`,
    );
  return pass(name, `the log key ${v.key.name} ${held}, and names the checkpoint's origin`);
}

/** log.checkpoint: signed by the log key, at N_L, with the root of the journal's tree at N_L. */
async function logCheckpoint(v: LogView, ed: VerifyEd25519Async): Promise<Check> {
  const name: CheckName = 'log.checkpoint';
  if (!v.note || !v.checkpoint)
    return fail(name, 'the checkpoint is not a signed note with a checkpoint body');
  if (!v.key) return fail(name, 'no log key to check the signature with');
  if (!(await verifyNoteSignature(v.note, v.key, ed)))
    return fail(name, "the log's signature on the checkpoint does not verify with the log key");
  if (v.size === undefined) return fail(name, 'the lottery has no final stage entry, so N_L is unknown');
  if (v.checkpoint.size !== v.size)
    return fail(
      name,
      `the checkpoint is at size ${v.checkpoint.size}, the lottery's last stage entry is seq ${v.size}`,
    );
  if (typeof v.tree === 'string') return fail(name, v.tree);
  const root = rootAt(v.h, v.tree, v.size);
  if (!equalBytes(root, v.checkpoint.root))
    return fail(name, `the checkpoint's root is not the tree of the journal's hashes at size ${v.size}`);
  return pass(name, `signed by the log key at size ${v.size}, root ${short(root)}… (the journal's tree)`);
}

/** log.inclusion: one verifying proof per entry of the lottery up to N_L, and no other. */
function logInclusion(v: LogView): Check {
  const name: CheckName = 'log.inclusion';
  if (!v.checkpoint) return fail(name, 'no checkpoint to prove inclusion in');
  if (v.size === undefined) return fail(name, 'the lottery has no final stage entry, so N_L is unknown');
  const n = v.size;
  const cp = v.checkpoint;
  const wanted = new Map(
    v.entries.filter((e) => e.data.lottery === v.lotteryId && e.seq <= n).map((e) => [e.seq, e]),
  );
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const p of v.log.inclusion) {
    const e = wanted.get(p.seq);
    const proof = proofHashes(p.proof);
    if (!e) problems.push(`a proof for seq ${p.seq}, which is not an entry of this lottery up to seq ${n}`);
    else if (seen.has(p.seq)) problems.push(`two proofs for seq ${p.seq}`);
    else if (!proof) problems.push(`the proof for seq ${p.seq} is not base64 SHA-256 hashes`);
    else if (!verifyInclusion(v.h, p.seq - 1, cp.size, leafHash(v.h, hexBytes(e.hash)), proof, cp.root))
      problems.push(`the inclusion proof of seq ${p.seq} does not verify against the checkpoint`);
    seen.add(p.seq);
  }
  for (const seq of wanted.keys()) if (!seen.has(seq)) problems.push(`no inclusion proof for seq ${seq}`);
  if (problems.length > 0)
    return fail(
      name,
      problems.slice(0, 10).join('; ') + (problems.length > 10 ? `; and ${problems.length - 10} more` : ''),
    );
  return pass(name, `the lottery's ${wanted.size} entries up to seq ${n} are in the checkpoint's tree`);
}

/** log.consistency: the tree the ceremony opened under (S_open) is a prefix of the checkpoint's (N_L). */
function logConsistency(v: LogView): Check {
  const name: CheckName = 'log.consistency';
  const c = v.log.consistency;
  if (v.size === undefined || v.open === undefined)
    return fail(name, 'the journal has no ceremony.opened and final stage entry of this lottery');
  if (c.from !== v.open || c.to !== v.size)
    return fail(
      name,
      `the proof is from ${c.from} to ${c.to}; the ceremony opened at seq ${v.open}, the checkpoint is at ${v.size}`,
    );
  if (!v.checkpoint) return fail(name, 'no checkpoint to prove consistency with');
  if (typeof v.tree === 'string') return fail(name, v.tree);
  const proof = proofHashes(c.proof);
  if (!proof) return fail(name, 'the proof is not base64 SHA-256 hashes');
  const first = rootAt(v.h, v.tree, v.open);
  if (!verifyConsistency(v.h, v.open, v.size, first, v.checkpoint.root, proof))
    return fail(name, `the consistency proof from seq ${v.open} to ${v.size} does not verify`);
  return pass(
    name,
    `the tree at seq ${v.open} (ceremony opened), root ${short(first)}…, is a prefix of the checkpoint's`,
  );
}

/** The pinned witness keys, each once; a reason when one is not a cosigner key (0x04). */
function witnessKeys(v: LogView, texts: readonly string[]): VerifierKey[] | string {
  const keys: VerifierKey[] = [];
  for (const [i, t] of texts.entries()) {
    const k = parseVerifierKey(v.h, t.trim());
    if (!k || k.type !== SIG_COSIGNATURE_V1)
      return `witness key ${i + 1} is not a cosigner verifier key (type 0x04)`;
    if (!keys.some((o) => o.name === k.name && o.id === k.id && equalBytes(o.publicKey, k.publicKey)))
      keys.push(k);
  }
  return keys;
}

/** log.cosigned: at least K of the pinned witness keys have a valid cosignature on the checkpoint. */
async function logCosigned(v: LogView, opts: VerifyOptions, ed: VerifyEd25519Async): Promise<Check> {
  const name: CheckName = 'log.cosigned';
  const keys = witnessKeys(v, opts.witnessKeys ?? []);
  if (typeof keys === 'string') return fail(name, keys);
  const k = opts.witnesses ?? keys.length;
  if (k > 0 && keys.length === 0) return fail(name, 'no witness key pinned (--witness-key FILE)');
  if (k > keys.length)
    return fail(name, `a quorum of ${k} needs at least ${k} witness keys, ${keys.length} pinned`);
  if (!v.note || !v.checkpoint)
    return fail(name, 'the checkpoint is not a signed note with a checkpoint body');
  const signed: string[] = [];
  const missing: string[] = [];
  for (const key of keys) {
    const t = await verifyCosignature(v.note, key, ed);
    if (t === undefined) missing.push(key.name);
    else signed.push(`${key.name} (time ${t})`);
  }
  const at = `the checkpoint at size ${v.checkpoint.size}, root ${short(v.checkpoint.root)}…`;
  if (signed.length < k)
    return fail(
      name,
      `${signed.length} of the ${keys.length} pinned witness keys cosigned ${at}, ${k} needed; no valid cosignature by ${missing.join(', ')}`,
    );
  return pass(
    name,
    `${signed.length} of ${keys.length} pinned witnesses cosigned ${at} (quorum ${k}): ${signed.join('; ') || 'none needed'}`,
  );
}
