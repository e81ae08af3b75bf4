/**
 * Who cosigned what, as the journal tells it (issue 13): `witness.registered` names a key, `checkpoint.cosigned`
 * records its cosignature of a tree. For display only (the bundle's `log.cosignatures`, the record, the notice):
 * trust comes from the keys an auditor pins, never from this list. Pure.
 */
export interface JournalledCosigner {
  name: string;
  role: string;
  keyName: string;
  /** Standard base64 of the 32-byte Ed25519 key. */
  publicKey: string;
  timestamp: number;
  size: number;
  /** Lowercase hex of the tree's root. */
  rootHash: string;
}

interface Entry {
  seq: number;
  type: string;
  data: { [key: string]: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The registration of `keyName` in force at `seq`: a room witness of this lottery, or a remote witness. */
function registration(
  entries: readonly Entry[],
  lotteryId: string,
  keyName: string,
  seq: number,
): Entry | undefined {
  let found: Entry | undefined;
  for (const e of entries) {
    if (e.seq >= seq) break;
    if (e.type !== 'witness.registered' || e.data.keyName !== keyName) continue;
    if (e.data.lottery === lotteryId || (e.data.lottery === undefined && e.data.role === 'remote')) found = e;
  }
  return found;
}

/**
 * The journalled cosignatures that concern the lottery, each joined with its key's registration, in key-name
 * order: with `tree`, those of exactly that tree (the bundle's note); without, those journalled for the lottery
 * (`checkpoint.cosigned` naming it: its room witnesses at N_L), as the record prints them.
 */
export function journalledCosigners(
  entries: readonly Entry[],
  lotteryId: string,
  tree?: { size: number; rootHash: string },
): JournalledCosigner[] {
  const byKey = new Map<string, JournalledCosigner>();
  for (const e of entries) {
    if (e.type !== 'checkpoint.cosigned') continue;
    const d = e.data;
    const keyName = str(d.keyName);
    const rootHash = str(d.rootHash);
    if (keyName === undefined || rootHash === undefined || typeof d.size !== 'number') continue;
    if (typeof d.timestamp !== 'number') continue;
    if (tree ? d.size !== tree.size || rootHash !== tree.rootHash : d.lottery !== lotteryId) continue;
    const r = registration(entries, lotteryId, keyName, e.seq);
    const name = str(r?.data.name);
    const role = str(r?.data.role);
    const publicKey = str(r?.data.publicKey);
    if (name === undefined || role === undefined || publicKey === undefined) continue;
    byKey.set(keyName, { name, role, keyName, publicKey, timestamp: d.timestamp, size: d.size, rootHash });
  }
  return [...byKey.values()].sort((a, b) => (a.keyName < b.keyName ? -1 : a.keyName > b.keyName ? 1 : 0));
}
