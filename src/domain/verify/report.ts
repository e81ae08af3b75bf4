import { jcs, ZERO_HASH, type Sha256Async } from '../canonical';
import type { CheckName } from '../checks';
import type { Checkpoint, VerifyRs256 } from '../checkpoint';
import { parseEntry, type JournalEntry, type RawEntry } from '../journal';
import type { HashBytes } from '../log/merkle';
import type { VerifyEd25519Async } from '../log/note';
import type { Protocol } from '../protocol';

/**
 * Every check an auditor runs, by name. The server (GET /api/v1/journal/verify), the CLI (`lottery verify`)
 * and the browser verifier all call these functions; none of them has a copy of this logic. Nothing here
 * trusts the store: everything is recomputed from the bundle or from the journal alone.
 */
export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
  /**
   * Set on a check that names what cannot be checked (a physical draw's randomness, protocol.md §8.2): it is
   * reported, with ok true, and never makes the report fail; every other check still fails closed.
   */
  notVerifiable?: true;
}

export interface Report {
  ok: boolean;
  /** The protocol whose rules were applied, from the bundle's format; null when the format could not be read. */
  protocol: Protocol | null;
  checks: Check[];
  warnings: string[];
  brokenAt?: number;
}

export interface VerifyDeps {
  sha256: Sha256Async;
  verifyRs256: VerifyRs256;
  /** SHA-256 of raw bytes (for a record PDF), lowercase hex. */
  sha256Bytes?: (bytes: Uint8Array) => string | Promise<string>;
  /** issue 13, the log checks: SHA-256 of raw bytes to raw bytes (the Merkle tree's hash), synchronous… */
  hashBytes?: HashBytes;
  /** …and Ed25519 verification (node:crypto, or WebCrypto in the browser, which answers with a Promise). */
  verifyEd25519?: VerifyEd25519Async;
}

export interface VerifyOptions {
  /**
   * Trust anchors (protocol.md §8.3). Without one, `key.pinned` fails: a bundle carries its own key, so a
   * stranger's forgery verifies against itself. The office's published public key (SPKI PEM)…
   */
  trustedPublicKey?: string;
  /** …or its fingerprint as printed on the notice and the record, `SHA256:` + hex. */
  trustedFingerprint?: string;
  /** The commitment written down from the notice or the projector: 16 or more hex digits. */
  observedCommitment?: string;
  /** The canonical digits of the dice written down in the room (the caller canonicalises what was written). */
  observedEntropy?: string;
  /** A checkpoint saved earlier, read strictly by the caller. */
  observedCheckpoint?: Checkpoint;
  /** The record PDF (full or public copy) to check against the bundle. */
  pdf?: Uint8Array;
  /** issue 13: the log's verifier key (vkey text, type 0x01), pinned instead of read from the journal. */
  logKey?: string;
  /** The cosigners' verifier keys (vkey texts, type 0x04) the auditor trusts (`--witness-key`)… */
  witnessKeys?: string[];
  /** …and how many of them must have cosigned the checkpoint (`--witnesses K`; default: all of them). */
  witnesses?: number;
}

/** A check from a list of problems: it holds when there are none, and then says what held. */
export function fromProblems(name: CheckName, problems: readonly string[], held: string): Check {
  return { name, ok: problems.length === 0, detail: problems.join('; ') || held };
}

export const sameJson = (a: unknown, b: unknown): boolean => {
  try {
    return jcs(a) === jcs(b);
  } catch {
    return false;
  }
};

/** RS256 verification that reads a key or signature it cannot parse as "does not verify". */
export async function rs256(deps: VerifyDeps, pem: string, message: string, sig: string): Promise<boolean> {
  try {
    return await deps.verifyRs256(pem, message, sig);
  } catch {
    return false;
  }
}

export function finish(
  checks: Check[],
  warnings: string[],
  protocol: Protocol | null,
  brokenAt?: number,
): Report {
  const r: Report = { ok: checks.length > 0 && checks.every((c) => c.ok), protocol, checks, warnings };
  if (brokenAt !== undefined) r.brokenAt = brokenAt;
  return r;
}

/** The well-formed entries, in order, whether or not the chain holds (protocol.md §8.2, "Replay"). */
export function parsedEntries(rows: readonly RawEntry[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const r of rows) {
    const p = parseEntry(r);
    if ('entry' in p) out.push(p.entry);
  }
  return out;
}

/** The last well-formed entry, or seq 0 and the zero hash when there is none. */
export function lastHead(entries: JournalEntry[]): { seq: number; hash: string } {
  const e = entries[entries.length - 1];
  return e ? { seq: e.seq, hash: e.hash } : { seq: 0, hash: ZERO_HASH };
}
