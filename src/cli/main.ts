#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { configFromEnv } from '../config';
import {
  assertCheckpointKeys,
  BundleUnreadable,
  DEFAULT_MAX_BUNDLE_BYTES,
  parseCheckpoint,
  readBundleJson,
} from '../domain/bundle';
import { checkLabel } from '../domain/checks';
import { canonicalEntropy } from '../domain/entropy';
import { parseStrictJson } from '../domain/json';
import type { Checkpoint } from '../domain/checkpoint';
import { isLotteryError } from '../domain/errors';
import { verifyBundle, verifyDatabase, type Report } from '../domain/verify';
import { keyPathFor, loadOrCreateKey, nodeVerifyDeps, sha256Node, signerFromPem } from '../keys/signer';
import { startServer } from '../server';
import { Services } from '../services/services';
import { Auth } from '../services/auth';
import { Store } from '../store/store';
import { jsonLogger } from '../util/log';
import { safeText } from './escape';
import crypto from 'node:crypto';

const USAGE = `lottery — 財產申報實質審查公開抽籤系統

Usage:
  lottery serve                                   start the service (PORT, LOTTERY_DB, HOST)
  lottery user add --name NAME --role ROLE [--display NAME] [--json] [--db PATH]
                                                  roles: admin, ethics, drawer, auditor; prints the token once
    lottery user add ... --password-stdin         also set a web sign-in password, read from standard input
  lottery user unlock NAME [--db PATH]          lift sign-in lockouts of NAME
  lottery user list [--json] [--db PATH]
  lottery user revoke NAME [--db PATH]
    lottery backup DEST [--db PATH]                 consistent copy of the live database (mode 0600; not the key)
  lottery verify BUNDLE.json --fingerprint SHA256:HEX | --key PUBLIC.pem
                 [--commitment HEX] [--entropy DICE] [--checkpoint SAVED.json] [--pdf RECORD.pdf] [--max-bytes N] [--json]
                                                  --fingerprint: the key fingerprint printed on the notice (抽籤公告)
                                                  and the record (抽籤紀錄); without a trust anchor key.pinned fails
                                                  --commitment: 16+ hex digits written down from the notice
                                                  --entropy: the dice as read aloud and written into the minutes
                                                  --checkpoint: a checkpoint saved earlier (GET /api/v1/journal/checkpoint)
                                                  --max-bytes: largest bundle read, in bytes (default 64 MiB)
  lottery verify --db PATH [--checkpoint FILE] [--json]
                                                  exit 0: every check holds; 1: a check fails; 2: unreadable input
`;

interface Out {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin?: AsyncIterable<Buffer | string>;
}

export class UsageError extends Error {}

function parseArgs(args: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const boolean = new Set(['json', 'help']);
  // An option given twice is refused: `--fingerprint WRONG --fingerprint RIGHT` must not quietly pin the last one.
  const set = (name: string, v: string | true): void => {
    if (flags.has(name)) throw new UsageError(`--${name} is given more than once`);
    flags.set(name, v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const name = a.slice(2);
        const next = args[i + 1];
        if (boolean.has(name) || next === undefined || next.startsWith('--')) set(name, true);
        else {
          set(name, next);
          i++;
        }
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

function str(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function dbPath(flags: Map<string, string | true>): string {
  return path.resolve(str(flags, 'db') ?? configFromEnv().dbFile);
}

function printReport(r: Report, json: boolean, io: Out): void {
  if (json) {
    io.out(safeJson(r) + '\n');
    return;
  }
  if (r.protocol) io.out(`協定 protocol: ${r.protocol}\n`);
  for (const c of r.checks) {
    const label = checkLabel(c.name);
    io.out(
      `${c.ok ? '通過 PASS' : '失敗 FAIL'}  ${safeText(c.name)}（${label.zh} / ${label.en}）: ${safeText(c.detail)}\n`,
    );
  }
  for (const w of r.warnings) io.out(`注意 WARN  ${safeText(w)}\n`);
  if (r.brokenAt !== undefined) io.out(`日誌於第 ${r.brokenAt} 筆斷裂 journal broken at seq ${r.brokenAt}\n`);
  io.out(
    r.ok
      ? '通過：每項檢查皆成立 OK: every check holds\n'
      : '未通過：至少一項檢查不成立 FAILED: at least one check does not hold\n',
  );
  if (r.checks.some((c) => c.name === 'key.pinned' && !c.ok))
    io.out(
      '請以抽籤公告或抽籤紀錄上印的金鑰指紋驗證：--fingerprint SHA256:…（或 --key 機關公布的公鑰）\n' +
        'Pin the key: pass --fingerprint SHA256:… as printed on the notice (抽籤公告) and the record (抽籤紀錄), or --key\n',
    );
}

/** Options each command knows: anything else is a usage error (a mistyped --checkpoint must not pass quietly). */
const OPTIONS: Record<string, string[]> = {
  serve: ['help'],
  user: ['name', 'role', 'display', 'json', 'db', 'password-stdin', 'help'],
  verify: [
    'db',
    'checkpoint',
    'key',
    'fingerprint',
    'commitment',
    'entropy',
    'pdf',
    'max-bytes',
    'json',
    'help',
  ],
  backup: ['db', 'help'],
};

function checkOptions(cmd: string, flags: Map<string, string | true>): void {
  const known = OPTIONS[cmd] ?? [];
  const unknown = [...flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new UsageError(`unknown option ${unknown.map((u) => `--${u}`).join(', ')} for ${cmd}`);
}

/** JSON output with bidi and other format characters escaped, so a hostile bundle cannot reorder a terminal line. */
function safeJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(
    /[\u2028\u2029\p{Cf}]/gu,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

function readTrustedKey(file: string): string {
  // A key or certificate is a few kilobytes; /dev/zero or a huge file must not be read whole.
  const pem = readRegularFile(file, 1024 * 1024, 'key').toString('utf8');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch {
    throw new Error(`${file} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`${file} is not an RSA key (the protocol signs with RS256)`);
  // A certificate file works too (the office publishes its certificate): compare its public key.
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** --max-bytes N: a positive integer, default 64 MiB. */
function maxBytesFlag(flags: Map<string, string | true>): number {
  const v = str(flags, 'max-bytes');
  if (v === undefined) return DEFAULT_MAX_BUNDLE_BYTES;
  const n = /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('--max-bytes needs a positive integer (bytes)');
  return n;
}

/**
 * The file's bytes, refusing it once more than maxBytes arrive: stat's size is only a first answer (a pipe or
 * /dev/zero says 0, a file can grow between stat and read), so the read itself is bounded too.
 */
/** A regular file of at most maxBytes, read with a bound (a device or a growing file cannot exhaust memory). */
function readRegularFile(file: string, maxBytes: number, what: string): Buffer {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new BundleUnreadable(`${what} ${file} is not a regular file (不是一般檔案)`);
  if (st.size > maxBytes)
    throw new BundleUnreadable(`${what} is ${st.size} bytes, larger than ${maxBytes} (檔案超過大小上限)`);
  return readAtMost(file, st.size, maxBytes);
}

function readAtMost(file: string, statSize: number, maxBytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    // One more byte than allowed, so "exactly maxBytes" and "more" can be told apart.
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(statSize + 1, 64 * 1024)));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw new BundleUnreadable(
          `bundle larger than --max-bytes ${maxBytes} (稽核包超過 ${maxBytes} 位元組的上限)`,
        );
    }
    return buf.subarray(0, total);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The bundle file → JSON value, or BundleUnreadable. A function of its own so the bytes and the decoded text
 * (together about three times the file) are garbage once it returns, not held through the whole verification.
 */
function readBundleFile(file: string, maxBytes: number, asBundle = true): unknown {
  // Size first, from the file system: a hostile multi-gigabyte "bundle" must not be read into memory at all.
  const size = fs.statSync(file).size;
  if (size > maxBytes)
    throw new BundleUnreadable(
      `bundle is ${size} bytes, larger than --max-bytes ${maxBytes} (稽核包超過 ${maxBytes} 位元組的上限)`,
    );
  const bytes = readAtMost(file, size, maxBytes);
  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text, so the strict reader refuses it instead of the decoder hiding it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BundleUnreadable('bundle is not valid UTF-8 (稽核包不是有效的 UTF-8)');
  }
  return asBundle ? readBundleJson(text, bytes.length, maxBytes) : parseStrictJson(text, { maxBytes });
}

/** A saved checkpoint is as hostile as a bundle: the same strict reading and key rules (protocol.md §8.1). */
function readSavedCheckpoint(file: string): Checkpoint {
  const raw = readBundleFile(file, 1024 * 1024, false);
  assertCheckpointKeys(raw);
  const cp = parseCheckpoint(raw);
  if (!cp) throw new BundleUnreadable('the saved checkpoint is malformed (檢查點格式錯誤)');
  return cp;
}

async function verifyCommand(
  positional: string[],
  flags: Map<string, string | true>,
  io: Out,
): Promise<number> {
  if (flags.has('db') && positional.length > 0)
    throw new UsageError('give either a bundle file or --db PATH, not both');
  if (flags.has('db') && (flags.has('key') || flags.has('pdf')))
    throw new UsageError('--key and --pdf go with a bundle, not with --db');
  if (flags.has('db') && flags.has('max-bytes'))
    throw new UsageError('--max-bytes goes with a bundle, not with --db');
  if (flags.has('db') && (flags.has('fingerprint') || flags.has('commitment') || flags.has('entropy')))
    throw new UsageError('--fingerprint, --commitment and --entropy go with a bundle, not with --db');
  if (positional.length > 1) throw new UsageError('verify takes one bundle file');
  const json = flags.get('json') === true;
  const dbFlag = str(flags, 'db');
  if (dbFlag !== undefined) {
    let store: Store;
    try {
      store = Store.openReadOnly(path.resolve(dbFlag));
    } catch (e) {
      io.err(`cannot open database: ${safeText(e instanceof Error ? e.message : String(e))}\n`);
      return 2;
    }
    let checkpoint: Checkpoint | undefined;
    const cpFile = str(flags, 'checkpoint');
    if (cpFile !== undefined) {
      try {
        checkpoint = readSavedCheckpoint(cpFile);
      } catch (e) {
        io.err(`cannot read checkpoint: ${safeText(e instanceof Error ? e.message : String(e))}\n`);
        return 2;
      }
    }
    try {
      const snap = store.snapshot();
      const keyFile = keyPathFor(path.resolve(dbFlag));
      const currentKey = fs.existsSync(keyFile)
        ? crypto
            .createPublicKey(fs.readFileSync(keyFile, 'utf8'))
            .export({ type: 'spki', format: 'pem' })
            .toString()
        : undefined;
      const report = await verifyDatabase(snap, nodeVerifyDeps, checkpoint, currentKey);
      printReport(report, json, io);
      return report.ok ? 0 : 1;
    } catch (e) {
      io.err(`cannot read database: ${safeText(e instanceof Error ? e.message : String(e))}\n`);
      return 2;
    } finally {
      store.close();
    }
  }
  const file = positional[0];
  if (!file) throw new UsageError('verify needs a bundle file or --db PATH');
  let value: unknown;
  let key: string | undefined;
  let pdf: Buffer | undefined;
  let observedCheckpoint: Checkpoint | undefined;
  const maxBytes = maxBytesFlag(flags);
  const fingerprint = str(flags, 'fingerprint');
  if (
    flags.has('fingerprint') &&
    (fingerprint === undefined || !/^SHA256:[0-9a-fA-F]{64}$/.test(fingerprint))
  )
    throw new UsageError(
      '--fingerprint takes SHA256: and 64 hex digits, as printed on the notice and the record',
    );
  const dice = str(flags, 'entropy');
  const observedEntropy = dice === undefined ? undefined : canonicalEntropy(dice);
  if (dice !== undefined && observedEntropy === undefined)
    throw new UsageError('--entropy takes the dice as read aloud: 10 to 64 digits, spaces allowed');
  const observed = str(flags, 'commitment');
  if (flags.has('commitment') && (observed === undefined || !/^[0-9a-f]{16,64}$/i.test(observed)))
    throw new UsageError(
      '--commitment takes 16 to 64 hex digits of the commitment written down from the notice',
    );
  try {
    value = readBundleFile(file, maxBytes);
    const keyFile = str(flags, 'key');
    if (keyFile !== undefined) key = readTrustedKey(keyFile);
    const pdfFile = str(flags, 'pdf');
    // The record PDF is as hostile as the bundle: the same size limit (a record is well under 1 MiB).
    if (pdfFile !== undefined) pdf = readRegularFile(pdfFile, maxBytes, 'record PDF');
    const cpFile = str(flags, 'checkpoint');
    if (cpFile !== undefined) {
      observedCheckpoint = readSavedCheckpoint(cpFile);
    }
  } catch (e) {
    const msg = e instanceof BundleUnreadable || e instanceof Error ? e.message : String(e);
    if (json)
      io.out(JSON.stringify({ ok: false, protocol: null, checks: [], warnings: [], error: msg }) + '\n');
    else io.err(`無法讀取 unreadable input: ${safeText(msg)}\n`);
    return 2;
  }
  const report = await verifyBundle(value, nodeVerifyDeps, {
    ...(key === undefined ? {} : { trustedPublicKey: key }),
    ...(fingerprint === undefined ? {} : { trustedFingerprint: fingerprint }),
    ...(observed === undefined ? {} : { observedCommitment: observed.toLowerCase() }),
    ...(observedEntropy === undefined ? {} : { observedEntropy }),
    ...(observedCheckpoint === undefined ? {} : { observedCheckpoint }),
    ...(pdf === undefined ? {} : { pdf }),
  });
  printReport(report, json, io);
  return report.ok ? 0 : 1;
}

function authDeps(store: Store): ConstructorParameters<typeof Auth>[0] {
  return { store, clock: () => new Date(), randomBytes: (n) => crypto.randomBytes(n), sha256: sha256Node };
}

/** The password from standard input (one line), so it never appears in the shell history or process list. */
async function readPassword(io: Out): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin ?? process.stdin) chunks.push(Buffer.from(c as Buffer));
  const pw = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (pw === '') throw new UsageError('--password-stdin read an empty password');
  return pw;
}

function cliServices(flags: Map<string, string | true>): { services: Services; store: Store } {
  const file = dbPath(flags);
  const store = Store.open(file);
  const signer = signerFromPem(loadOrCreateKey(keyPathFor(file)).pem);
  return {
    store,
    services: new Services({
      store,
      signer,
      clock: () => new Date(),
      randomBytes: (n) => crypto.randomBytes(n),
      sha256: sha256Node,
    }),
  };
}

async function userCommand(
  positional: string[],
  flags: Map<string, string | true>,
  io: Out,
): Promise<number> {
  const sub = positional[0];
  const json = flags.get('json') === true;
  if (sub === 'add') {
    const name = str(flags, 'name');
    const role = str(flags, 'role');
    if (!name || !role) throw new UsageError('user add needs --name and --role');
    const display = str(flags, 'display');
    const password = flags.get('password-stdin') === true ? await readPassword(io) : undefined;
    const { services, store } = cliServices(flags);
    try {
      const u = services.addUser('cli', display ? { name, role, display } : { name, role });
      if (password !== undefined) new Auth(authDeps(store)).setPassword(u.id, password);
      if (json) io.out(JSON.stringify(u) + '\n');
      else io.out(`user ${u.name} (${u.role}) created, id ${u.id}\ntoken (shown once): ${u.token}\n`);
    } finally {
      store.close();
    }
    return 0;
  }
  if (sub === 'unlock') {
    const name = positional[1];
    if (!name) throw new UsageError('user unlock needs a NAME');
    const { store } = cliServices(flags);
    try {
      new Auth(authDeps(store)).unlock('cli', name);
      io.out(`sign-in lockouts of ${safeText(name)} lifted\n`);
    } finally {
      store.close();
    }
    return 0;
  }
  if (sub === 'list') {
    const { store } = cliServices(flags);
    try {
      const users = store
        .listUsers()
        .map((u) => ({ id: u.id, name: u.name, role: u.role, revoked: u.revoked_at !== null }));
      io.out(
        json
          ? JSON.stringify(users) + '\n'
          : users
              .map((u) => `${u.id}\t${safeText(u.name)}\t${u.role}${u.revoked ? '\trevoked' : ''}\n`)
              .join(''),
      );
    } finally {
      store.close();
    }
    return 0;
  }
  if (sub === 'revoke') {
    const name = positional[1];
    if (!name) throw new UsageError('user revoke needs a NAME');
    const { services, store } = cliServices(flags);
    try {
      services.revokeUser('cli', name);
      io.out(`user ${safeText(name)} revoked\n`);
    } finally {
      store.close();
    }
    return 0;
  }
  throw new UsageError(`unknown user command ${sub ?? ''}`);
}

async function serve(io: Out): Promise<number> {
  const config = configFromEnv();
  const log = jsonLogger((l) => process.stdout.write(l));
  const running = await startServer(config, log);
  io.out(
    `asset-review-lottery listening on ${running.url}\n` +
      `database: ${config.dbFile}\n` +
      (running.store.listUsers().length === 0
        ? `No users yet. Create the first one (it prints an API token; --password-stdin also sets a web sign-in password):\n` +
          `  echo 'a long passphrase' | npx lottery user add --name 林怡芬 --role ethics --password-stdin --db ${config.dbFile}\n`
        : ''),
  );
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}

export async function main(
  args: string[],
  io: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<number> {
  let positional: string[] = [];
  let flags = new Map<string, string | true>();
  let cmd: string | undefined;
  try {
    ({ positional, flags } = parseArgs(args));
    cmd = positional.shift();
    if (cmd === undefined || cmd === 'help' || flags.get('help') === true) {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    checkOptions(cmd, flags);
    if (cmd === 'serve') return await serve(io);
    if (cmd === 'user') return await userCommand(positional, flags, io);
    if (cmd === 'verify') return await verifyCommand(positional, flags, io);
    if (cmd === 'backup') {
      const dest = positional[0];
      if (!dest || positional.length > 1) throw new UsageError('backup needs one DEST file');
      let store: Store;
      try {
        store = Store.openReadOnly(dbPath(flags));
      } catch (e) {
        io.err(`cannot open database: ${safeText(e instanceof Error ? e.message : String(e))}\n`);
        return 2;
      }
      try {
        store.backupTo(dest);
      } catch (e) {
        io.err(`backup failed: ${safeText(e instanceof Error ? e.message : String(e))}\n`);
        return 1;
      } finally {
        store.close();
      }
      io.out(
        `backup written to ${path.resolve(dest)} (mode 0600). The signing key is not in it: back up ${keyPathFor(dbPath(flags))} separately.\n`,
      );
      return 0;
    }
    throw new UsageError(`unknown command ${cmd}`);
  } catch (e) {
    if (e instanceof UsageError) {
      // A program reading --json gets the same shape as for unreadable input, not only text on stderr.
      if (args.includes('--json'))
        io.out(
          JSON.stringify({ ok: false, protocol: null, checks: [], warnings: [], error: e.message }) + '\n',
        );
      io.err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (isLotteryError(e)) {
      io.err(`${e.code}: ${e.zh} / ${e.en}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(70);
    },
  );
}
