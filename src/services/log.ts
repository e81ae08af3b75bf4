import { LotteryError } from '../domain/errors';
import { consistencyProof, inclusionProof, rootAt } from '../domain/log/merkle';
import { bytesBase64, formatCheckpoint } from '../domain/log/note';
import type { LogSigner } from '../keys/log-key';
import type { Store } from '../store/store';
import { sha256Bytes } from '../util/sha256';
import type { Context } from './context';

/**
 * The witnessed log's read side (issue 13, protocol.md §10): the log's key, its signed checkpoint, and RFC 9162
 * proofs. None of these reveals any entry's data: a proof is hashes of hashes, and an inclusion answer carries
 * only the entry's own hash, which the public may already see.
 */
export interface InclusionAnswer {
  seq: number;
  size: number;
  leafIndex: number;
  entryHash: string;
  proof: string[];
}

export interface ConsistencyAnswer {
  from: number;
  to: number;
  proof: string[];
}

const beyond = (what: string, size: number): LotteryError =>
  new LotteryError('CONFLICT', {
    zh: `${what}超出目前的紀錄樹（共 ${size} 筆）`,
    en: `${what} is beyond the log's current tree (${size} entries)`,
  });

/** Cosignature lines (`— NAME BASE64`) in key-name order: the same note text for everyone, whatever order they came. */
const byKeyName = (a: string, b: string): number => {
  const na = a.split(' ')[1] ?? '';
  const nb = b.split(' ')[1] ?? '';
  return na < nb ? -1 : na > nb ? 1 : a < b ? -1 : a > b ? 1 : 0;
};

const invalid = (zh: string, en: string): LotteryError => new LotteryError('VALIDATION_FAILED', { zh, en });

export class LogService {
  private cached: { size: number; note: string } | undefined;

  constructor(
    private readonly d: {
      store: Store;
      signer: LogSigner;
      /** The stored cosignature lines for the tree of `size` entries whose root is `rootHex` (WSRV's store). */
      cosignatureLines?: (size: number, rootHex: string) => readonly string[];
    },
  ) {}

  get origin(): string {
    return this.d.signer.name;
  }

  verifierKey(): string {
    return this.d.signer.verifierKey;
  }

  size(): number {
    return this.d.store.read(() => this.d.store.log.size());
  }

  /** The checkpoint body of the first `size` entries. */
  checkpointText(size: number): string {
    const root = this.d.store.read(() => rootAt(sha256Bytes, this.d.store.log.nodes, size));
    return formatCheckpoint({ origin: this.origin, size, root });
  }

  /**
   * The signed note of the first `size` entries (the latest when absent): the log's signature line, then every
   * cosignature stored for that tree, sorted by key name. Ed25519 is deterministic, so the log's line is the
   * same each time; the latest is cached until the head moves. `etag` names the tree and its cosignatures.
   */
  checkpoint(at?: number): { size: number; rootHex: string; note: string; etag: string } {
    const { size, signed } = this.d.store.read(() => {
      const n = this.d.store.log.size();
      const want = at ?? n;
      if (want > n) throw beyond('size ', n);
      if (this.cached?.size === want) return { size: want, signed: this.cached.note };
      const text = formatCheckpoint({
        origin: this.origin,
        size: want,
        root: rootAt(sha256Bytes, this.d.store.log.nodes, want),
      });
      return { size: want, signed: `${text}\n${this.d.signer.signLine(text)}\n` };
    });
    if (at === undefined) this.cached = { size, note: signed };
    const rootHex = Buffer.from(signed.split('\n')[2] ?? '', 'base64').toString('hex');
    const cosigs = [...(this.d.cosignatureLines?.(size, rootHex) ?? [])].sort(byKeyName);
    return {
      size,
      rootHex,
      note: signed + cosigs.map((l) => `${l}\n`).join(''),
      etag: `"${size}.${rootHex}${cosigs.length > 0 ? `.${cosigs.length}` : ''}"`,
    };
  }

  inclusion(seq: number, size: number): InclusionAnswer {
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw invalid('seq 須為正整數', 'seq must be a positive integer');
    if (!Number.isSafeInteger(size) || size < 1)
      throw invalid('size 須為正整數', 'size must be a positive integer');
    if (seq > size) throw invalid('seq 不可大於 size', 'seq must not exceed size');
    return this.d.store.read(() => {
      const n = this.d.store.log.size();
      if (size > n) throw beyond('size ', n);
      return {
        seq,
        size,
        leafIndex: seq - 1,
        // The entry's own hash (the leaf input), as the journal shows it; not the leaf hash.
        entryHash: this.d.store.log.entryHash(seq),
        proof: inclusionProof(sha256Bytes, this.d.store.log.nodes, seq - 1, size).map(bytesBase64),
      };
    });
  }

  consistency(from: number, to: number): ConsistencyAnswer {
    if (!Number.isSafeInteger(from) || from < 1)
      throw invalid('from 須為正整數', 'from must be a positive integer');
    if (!Number.isSafeInteger(to) || to < 1) throw invalid('to 須為正整數', 'to must be a positive integer');
    if (from > to) throw invalid('from 不可大於 to', 'from must not exceed to');
    return this.d.store.read(() => {
      const n = this.d.store.log.size();
      if (to > n) throw beyond('to ', n);
      return {
        from,
        to,
        proof: consistencyProof(sha256Bytes, this.d.store.log.nodes, from, to).map(bytesBase64),
      };
    });
  }
}

/**
 * At start (server, CLI, app): journals `log.key {key}` when the journal's last `log.key` is not the current log
 * key, the first start included, so that a verifier holding only the RSA journal key reaches the log key through
 * the signed journal (protocol.md §10). Returns the entry's seq, or undefined when nothing was written.
 */
export function journalLogKey(c: Context): number | undefined {
  const signer = c.d.logSigner;
  if (!signer) return undefined;
  return c.store.write((tx) => {
    const last = c.store.journalPage({ before: Number.MAX_SAFE_INTEGER, limit: 1, type: 'log.key' })[0];
    if (last?.data.key === signer.verifierKey) return undefined;
    return c.journal(tx, { type: 'log.key', data: { key: signer.verifierKey } }, 'system').seq;
  });
}
