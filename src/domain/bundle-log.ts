/**
 * The bundle's `log` (issue 13, protocol.md §8.1): the witnessed log at the lottery's checkpoint. Read as hostile
 * input like the rest of the bundle (bundle.ts): the shape here, what it proves in verify/log.ts.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

export const COSIGNER_KEYS = ['name', 'role', 'keyName', 'publicKey', 'timestamp'] as const;

/** A registered witness whose cosignature is on the note: for display, trust comes from pinned keys. */
export interface BundleCosigner {
  name: string;
  role: string;
  keyName: string;
  publicKey: string;
  timestamp: number;
}

export interface BundleLog {
  /** The log's verifier key `NAME+KEYID+BASE64(0x01 ‖ key)`. */
  key: string;
  /** The signed checkpoint note at N_L: the log's signature, then the cosignatures. */
  checkpoint: string;
  cosignatures: BundleCosigner[];
  /** One proof per entry of the lottery (data.lottery = its id) with seq ≤ N_L, against the checkpoint. */
  inclusion: Array<{ seq: number; proof: string[] }>;
  /** From the tree the ceremony opened under (S_open) to the checkpoint's (N_L). */
  consistency: { from: number; to: number; proof: string[] };
}

const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

/** `log`, when present (issue 13): its shape only; what it proves is the log checks' business. */
export function readLog(v: unknown, p: string[]): BundleLog | undefined {
  if (v === undefined) return undefined;
  const bad = (what: string): undefined => {
    p.push(`log.${what} is malformed`);
    return undefined;
  };
  if (!isObj(v)) {
    p.push('log is not an object');
    return undefined;
  }
  const key = own(v, 'key');
  const checkpoint = own(v, 'checkpoint');
  if (!isStr(key)) return bad('key');
  if (!isStr(checkpoint)) return bad('checkpoint');
  const cos = own(v, 'cosignatures');
  const cosignatures: BundleCosigner[] = [];
  if (!Array.isArray(cos)) return bad('cosignatures');
  for (const c of cos) {
    if (!isObj(c)) return bad('cosignatures');
    const [name, role, keyName, publicKey, timestamp] = COSIGNER_KEYS.map((k) => own(c, k));
    if (!isStr(name) || !isStr(role) || !isStr(keyName) || !isStr(publicKey) || !isInt(timestamp))
      return bad('cosignatures');
    cosignatures.push({ name, role, keyName, publicKey, timestamp });
  }
  const inc = own(v, 'inclusion');
  const inclusion: BundleLog['inclusion'] = [];
  if (!Array.isArray(inc)) return bad('inclusion');
  for (const e of inc) {
    const seq = isObj(e) ? own(e, 'seq') : undefined;
    const proof = isObj(e) ? own(e, 'proof') : undefined;
    if (!isInt(seq) || !isStrArray(proof)) return bad('inclusion');
    inclusion.push({ seq, proof: [...proof] });
  }
  const con = own(v, 'consistency');
  const from = isObj(con) ? own(con, 'from') : undefined;
  const to = isObj(con) ? own(con, 'to') : undefined;
  const proof = isObj(con) ? own(con, 'proof') : undefined;
  if (!isInt(from) || !isInt(to) || !isStrArray(proof)) return bad('consistency');
  return { key, checkpoint, cosignatures, inclusion, consistency: { from, to, proof: [...proof] } };
}
