/** `lottery verify`: a bundle file against a trust anchor, or a live database read-only (protocol.md §8). */
import path from 'node:path';
import { openDatabaseReadOnly } from '../../compose';
import { BundleUnreadable, DEFAULT_MAX_BUNDLE_BYTES } from '../../domain/bundle';
import type { Checkpoint } from '../../domain/checkpoint';
import { canonicalEntropy } from '../../domain/input/entropy';
import { KEY_FINGERPRINT, OBSERVED_COMMITMENT } from '../../domain/grammar';
import { verifyBundle, verifyDatabase, type VerifyOptions } from '../../domain/verify';
import { keyPathFor, nodeVerifyDeps } from '../../keys/signer';
import type { Store } from '../../store/store';
import { list, messageOf, str, UsageError, type Flags, type Out } from '../args';
import { safeText } from '../escape';
import {
  currentPublicKey,
  readBundleFile,
  readRegularFile,
  readSavedCheckpoint,
  readTrustedKey,
  readVerifierKey,
} from '../inputs';
import { SIG_COSIGNATURE_V1, SIG_ED25519 } from '../../domain/log/note';
import { jsonFailure, printReport } from '../report';

export async function verifyCommand(positional: string[], flags: Flags, io: Out): Promise<number> {
  refuseMixedOptions(positional, flags);
  const json = flags.get('json') === true;
  const dbFlag = str(flags, 'db');
  if (dbFlag !== undefined) return verifyDatabaseFile(dbFlag, flags, json, io);
  const file = positional[0];
  if (!file) throw new UsageError('verify needs a bundle file or --db PATH');
  return verifyBundleFile(file, flags, json, io);
}

/** A bundle's trust anchors and a database's do not mix: say which goes with which instead of ignoring one. */
function refuseMixedOptions(positional: string[], flags: Flags): void {
  if (flags.has('db') && positional.length > 0)
    throw new UsageError('give either a bundle file or --db PATH, not both');
  if (flags.has('db') && (flags.has('key') || flags.has('pdf')))
    throw new UsageError('--key and --pdf go with a bundle, not with --db');
  if (flags.has('db') && flags.has('max-bytes'))
    throw new UsageError('--max-bytes goes with a bundle, not with --db');
  if (flags.has('db') && (flags.has('fingerprint') || flags.has('commitment') || flags.has('entropy')))
    throw new UsageError('--fingerprint, --commitment and --entropy go with a bundle, not with --db');
  if (flags.has('db') && (flags.has('log-key') || flags.has('witness-key') || flags.has('witnesses')))
    throw new UsageError('--log-key, --witness-key and --witnesses go with a bundle, not with --db');
  if (positional.length > 1) throw new UsageError('verify takes one bundle file');
}

async function verifyDatabaseFile(dbFlag: string, flags: Flags, json: boolean, io: Out): Promise<number> {
  let store: Store;
  try {
    store = openDatabaseReadOnly(path.resolve(dbFlag));
  } catch (e) {
    io.err(`cannot open database: ${safeText(messageOf(e))}\n`);
    return 2;
  }
  let checkpoint: Checkpoint | undefined;
  const cpFile = str(flags, 'checkpoint');
  if (cpFile !== undefined) {
    try {
      checkpoint = readSavedCheckpoint(cpFile);
    } catch (e) {
      io.err(`cannot read checkpoint: ${safeText(messageOf(e))}\n`);
      return 2;
    }
  }
  try {
    const snap = store.snapshot();
    const currentKey = currentPublicKey(keyPathFor(path.resolve(dbFlag)));
    const report = await verifyDatabase(snap, nodeVerifyDeps, checkpoint, currentKey);
    printReport(report, json, io);
    return report.ok ? 0 : 1;
  } catch (e) {
    io.err(`cannot read database: ${safeText(messageOf(e))}\n`);
    return 2;
  } finally {
    store.close();
  }
}

/** --max-bytes N: a positive integer, default 64 MiB. */
function maxBytesFlag(flags: Flags): number {
  const v = str(flags, 'max-bytes');
  if (v === undefined) return DEFAULT_MAX_BUNDLE_BYTES;
  const n = /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('--max-bytes needs a positive integer (bytes)');
  return n;
}

/** What was seen in the room (fingerprint, dice, commitment), each refused unless it is in its grammar. */
function observedOptions(flags: Flags): VerifyOptions {
  const fingerprint = str(flags, 'fingerprint');
  if (flags.has('fingerprint') && (fingerprint === undefined || !KEY_FINGERPRINT.test(fingerprint)))
    throw new UsageError(
      '--fingerprint takes SHA256: and 64 hex digits, as printed on the notice and the record',
    );
  const dice = str(flags, 'entropy');
  const observedEntropy = dice === undefined ? undefined : canonicalEntropy(dice);
  if (dice !== undefined && observedEntropy === undefined)
    throw new UsageError('--entropy takes the dice as read aloud: 10 to 64 digits, spaces allowed');
  const observed = str(flags, 'commitment');
  if (flags.has('commitment') && (observed === undefined || !OBSERVED_COMMITMENT.test(observed)))
    throw new UsageError(
      '--commitment takes 16 to 64 hex digits of the commitment written down from the notice',
    );
  return {
    ...(fingerprint === undefined ? {} : { trustedFingerprint: fingerprint }),
    ...(observed === undefined ? {} : { observedCommitment: observed.toLowerCase() }),
    ...(observedEntropy === undefined ? {} : { observedEntropy }),
  };
}

/** --witnesses K: how many of the pinned witness keys must have cosigned (a non-negative integer). */
function witnessesFlag(flags: Flags): number | undefined {
  const v = str(flags, 'witnesses');
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,3}$/.test(v))
    throw new UsageError('--witnesses takes how many witnesses must have cosigned: 0–999');
  return Number(v);
}

/** The log's key and the witnesses' (issue 13), each read as hostile input: a vkey, or a file holding one. */
function readLogInputs(flags: Flags): Pick<VerifyOptions, 'logKey' | 'witnessKeys'> {
  const logKey = str(flags, 'log-key');
  const witnessFiles = list(flags, 'witness-key');
  return {
    ...(logKey === undefined ? {} : { logKey: readVerifierKey(logKey, SIG_ED25519, 'log key') }),
    ...(witnessFiles.length === 0
      ? {}
      : {
          witnessKeys: witnessFiles.map((f) => readVerifierKey(f, SIG_COSIGNATURE_V1, 'witness key', true)),
        }),
  };
}

interface BundleInputs {
  log: Pick<VerifyOptions, 'logKey' | 'witnessKeys'>;
  value: unknown;
  key?: string;
  pdf?: Buffer;
  observedCheckpoint?: Checkpoint;
}

function readBundleInputs(file: string, flags: Flags, maxBytes: number): BundleInputs {
  const value = readBundleFile(file, maxBytes);
  let key: string | undefined;
  let pdf: Buffer | undefined;
  let observedCheckpoint: Checkpoint | undefined;
  const keyFile = str(flags, 'key');
  if (keyFile !== undefined) key = readTrustedKey(keyFile);
  const pdfFile = str(flags, 'pdf');
  // The record PDF is as hostile as the bundle: the same size limit (a record is well under 1 MiB).
  if (pdfFile !== undefined) pdf = readRegularFile(pdfFile, maxBytes, 'record PDF');
  const cpFile = str(flags, 'checkpoint');
  if (cpFile !== undefined) {
    observedCheckpoint = readSavedCheckpoint(cpFile);
  }
  return { value, key, pdf, observedCheckpoint, log: readLogInputs(flags) };
}

async function verifyBundleFile(file: string, flags: Flags, json: boolean, io: Out): Promise<number> {
  const maxBytes = maxBytesFlag(flags);
  const observed = observedOptions(flags);
  const witnesses = witnessesFlag(flags);
  let inputs: BundleInputs;
  try {
    inputs = readBundleInputs(file, flags, maxBytes);
  } catch (e) {
    const msg = e instanceof BundleUnreadable || e instanceof Error ? e.message : String(e);
    if (json) io.out(jsonFailure(msg));
    else io.err(`無法讀取 unreadable input: ${safeText(msg)}\n`);
    return 2;
  }
  const { value, key, pdf, observedCheckpoint, log } = inputs;
  const report = await verifyBundle(value, nodeVerifyDeps, {
    ...(key === undefined ? {} : { trustedPublicKey: key }),
    ...observed,
    ...(observedCheckpoint === undefined ? {} : { observedCheckpoint }),
    ...(pdf === undefined ? {} : { pdf }),
    ...log,
    ...(witnesses === undefined ? {} : { witnesses }),
  });
  printReport(report, json, io);
  return report.ok ? 0 : 1;
}
