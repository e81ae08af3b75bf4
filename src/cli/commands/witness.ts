/**
 * `lottery witness`: the remote witness of an upper-level office (issue 13, docs/witness.md).
 *   witness keygen --name NAME --out FILE          make the witness's Ed25519 key; prints its vkey to register
 *   witness register --name NAME --vkey VKEY       (the ethics office, on the server) register a remote witness
 *   witness --log URL --key FILE --state DIR [--log-key VKEY|FILE] [--once | --every 10m]
 * The decisions are in src/domain/log/witness.ts, the state, the key and the network in src/witness/.
 */
import fs from 'node:fs';
import { openDatabase } from '../../compose';
import type { VerifierKey } from '../../domain/log/note';
import { parseInterval, parseLogKey } from '../../domain/log/witness';
import { WITNESS_KEY_NAME } from '../../services/witness';
import { sha256Bytes } from '../../util/sha256';
import { createWitnessKey, KeyFileError, loadWitnessKey } from '../../witness/key';
import { witnessRound, type Code, type Witness, type WitnessIo } from '../../witness/round';
import { StateDir } from '../../witness/state';
import { dbPath, str, UsageError, type Flags, type Out } from '../args';
import { safeText } from '../escape';

const usage = (zh: string, en: string): UsageError => new UsageError(`${zh}／${en}`);

const ALLOWED: Record<string, string[]> = {
  keygen: ['name', 'out', 'help'],
  register: ['name', 'vkey', 'db', 'help'],
  run: ['log', 'key', 'state', 'log-key', 'once', 'every', 'help'],
};

function onlyOptions(sub: string, flags: Flags): void {
  const extra = [...flags.keys()].filter((k) => !(ALLOWED[sub] ?? []).includes(k));
  if (extra.length > 0)
    throw usage(
      `witness ${sub} 不接受 ${extra.map((e) => `--${e}`).join(', ')}`,
      `unknown option ${extra.map((e) => `--${e}`).join(', ')} for witness ${sub}`,
    );
}

function need(flags: Flags, name: string, sub: string): string {
  const v = str(flags, name);
  const cmd = sub ? `witness ${sub}` : 'witness';
  if (!v) throw usage(`${cmd} 需要 --${name}`, `${cmd} needs --${name}`);
  return v;
}

function keygen(flags: Flags, io: Out): number {
  const name = need(flags, 'name', 'keygen');
  // The names the log registers (services/witness.ts): ASCII, so that no name can look like another's.
  if (!WITNESS_KEY_NAME.test(name))
    throw usage(
      '金鑰名稱須為英文字母、數字與 . _ / : @ -（以字母或數字開頭，至多 128 字元），如 audit.example.gov.tw/lottery',
      'the key name must be ASCII letters, digits and . _ / : @ - (starting with a letter or digit, up to 128), e.g. audit.example.gov.tw/lottery',
    );
  const key = createWitnessKey(name, need(flags, 'out', 'keygen'));
  io.out(`${key.vkey}\n`);
  io.err(
    '已建立見證金鑰（權限 0600，請妥善保管並另行備份）。請將上面這行交給政風單位登錄：\n' +
      'Witness key created (mode 0600; keep it safe, back it up apart). Give the line above to the ethics office to register:\n' +
      `  npx lottery witness register --name NAME --vkey ${key.vkey}\n`,
  );
  return 0;
}

function register(flags: Flags, io: Out): number {
  const name = need(flags, 'name', 'register');
  const vkey = need(flags, 'vkey', 'register');
  const db = openDatabase(dbPath(flags));
  try {
    // One transaction with its `witness.registered` entry (role remote); a malformed or taken key is refused.
    const w = db.services.registerRemoteWitness('cli', { name, vkey });
    io.out(
      `已登錄遠端見證 ${safeText(w.name)}（金鑰 ${safeText(w.keyName)}，指紋 ${w.fingerprint}）／` +
        `remote witness ${safeText(w.name)} registered (key ${safeText(w.keyName)}, fingerprint ${w.fingerprint})\n`,
    );
  } finally {
    db.store.close();
  }
  return 0;
}

/** --log-key: a vkey, or a file holding one. */
function logKeyArg(flags: Flags): VerifierKey | undefined {
  const v = str(flags, 'log-key');
  if (v === undefined) return undefined;
  const text = parseLogKey(sha256Bytes, v) ? v : fs.existsSync(v) ? fs.readFileSync(v, 'utf8') : v;
  const key = parseLogKey(sha256Bytes, text);
  if (!key)
    throw usage(
      '--log-key 不是紀錄金鑰（NAME+KEYID+BASE64，類型 0x01），也不是含有紀錄金鑰的檔案',
      '--log-key is neither a log key (NAME+KEYID+BASE64 of type 0x01) nor a file holding one',
    );
  return key;
}

function logUrl(flags: Flags): string {
  const v = need(flags, 'log', '');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw usage(`--log ${v} 不是網址`, `--log ${v} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw usage('--log 須為 http(s) 網址', '--log must be an http(s) URL');
  return v.replace(/\/+$/, '');
}

/** The interval of --every in ms, or undefined for --once (the default is one round). */
function interval(flags: Flags): number | undefined {
  const once = flags.get('once');
  if (once !== undefined && once !== true) throw usage('--once 不接受值', '--once takes no value');
  const every = str(flags, 'every');
  if (every === undefined) return undefined;
  if (once === true) throw usage('--once 與 --every 只能擇一', 'give --once or --every, not both');
  const ms = parseInterval(every);
  if (ms === undefined)
    throw usage(
      '--every 須如 30s、10m、1h（10 秒至 24 小時）',
      '--every must be like 30s, 10m, 1h (10 s to 24 h)',
    );
  return ms;
}

export interface RunDeps {
  fetch?: typeof fetch;
  clock?: () => Date;
  /** Waits `ms`; false stops the loop (a signal, or a test). */
  sleep?: (ms: number) => Promise<boolean>;
}

/** Sleeps, or ends early (false) on SIGINT/SIGTERM. */
function interruptibleSleep(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const stop = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    function done(v: boolean): void {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(v);
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function run(flags: Flags, io: Out, deps: RunDeps): Promise<number> {
  const every = interval(flags);
  const w: Witness = {
    log: logUrl(flags),
    key: loadWitnessKey(need(flags, 'key', '')),
    state: StateDir.open(need(flags, 'state', '')),
  };
  const pin = logKeyArg(flags);
  if (pin) w.logKey = pin;
  const wio: WitnessIo = {
    fetch: deps.fetch ?? fetch,
    clock: deps.clock ?? (() => new Date()),
    out: io.out,
    err: io.err,
  };
  const sleep = deps.sleep ?? interruptibleSleep;
  for (;;) {
    const code: Code = await witnessRound(w, wio);
    // An inconsistency or a refusal ends the loop: it needs a person. A network failure is tried again.
    if (every === undefined || code === 1) return code;
    if (!(await sleep(every))) return code;
  }
}

export async function witnessCommand(
  positional: string[],
  flags: Flags,
  io: Out,
  deps: RunDeps = {},
): Promise<number> {
  const sub = positional[0] ?? 'run';
  if (!(sub in ALLOWED) || positional.length > 1)
    throw usage(
      `沒有 witness ${positional.join(' ')} 這個指令`,
      `unknown witness command ${positional.join(' ')}`,
    );
  onlyOptions(sub, flags);
  try {
    if (sub === 'keygen') return keygen(flags, io);
    if (sub === 'register') return register(flags, io);
    return await run(flags, io, deps);
  } catch (e) {
    if (e instanceof KeyFileError) {
      io.err(`${e.zh}\n${e.en}\n`);
      return 1;
    }
    throw e;
  }
}
