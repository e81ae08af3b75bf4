import {
  checkExtends,
  checkLogNote,
  cosignedNote,
  evidenceReadme,
  isFailure,
  parseConsistencyAnswer,
  parseLogKey,
  proofNeeded,
  type Failure,
  type LogCheckpoint,
  type Message,
} from '../domain/log/witness';
import { formatVerifierKey, parseNote, SIG_ED25519, type VerifierKey } from '../domain/log/note';
import { verifyEd25519Node } from '../keys/log-key';
import { sha256Bytes } from '../util/sha256';
import { getText, NetworkError, postJson, type FetchFn } from './http';
import type { WitnessKey } from './key';
import { CHECKPOINT, LOG_KEY, REFUSED, type StateDir } from './state';

/**
 * One round of the remote witness (docs/witness.md): fetch the checkpoint, check it against the pinned log key
 * and against the last checkpoint cosigned, cosign, keep, post. Exit codes: 0 cosigned; 1 the log is refused
 * (an inconsistency, now or before), or not trusted, or the cosignature was refused; 2 no answer (network).
 */
export interface Witness {
  /** The log's base URL, without a trailing slash. */
  log: string;
  key: WitnessKey;
  state: StateDir;
  /** --log-key, already parsed; required on the first run, checked against the pin afterwards. */
  logKey?: VerifierKey;
}

export interface WitnessIo {
  fetch: FetchFn;
  clock: () => Date;
  out: (s: string) => void;
  err: (s: string) => void;
}

export type Code = 0 | 1 | 2;

const say = (m: Message): string => `${m.zh}\n${m.en}\n`;
const vkeyText = (k: VerifierKey): string => formatVerifierKey(sha256Bytes, k.name, SIG_ED25519, k.publicKey);
const hex16 = (b: Uint8Array): string => Buffer.from(b).toString('hex').slice(0, 16);

/** The pinned key: DIR/log-key, or --log-key on the first run (pinned once the first checkpoint verifies). */
function pinnedKey(w: Witness, io: WitnessIo): VerifierKey | Code {
  const pinned = w.state.read(LOG_KEY);
  if (pinned === undefined) {
    if (w.logKey) return w.logKey;
    io.err(
      say({
        zh: `第一次執行須以 --log-key 指定紀錄金鑰（抽籤公告與紀錄上印有，或 ${w.log}/api/v1/log/key；請核對後再釘選）`,
        en: `the first run needs --log-key (printed on the notice and the record, or ${w.log}/api/v1/log/key; compare before pinning)`,
      }),
    );
    return 2;
  }
  const key = parseLogKey(sha256Bytes, pinned);
  if (!key) {
    io.err(say({ zh: `${w.state.dir}/log-key 已損壞`, en: `${w.state.dir}/log-key is damaged` }));
    return 1;
  }
  if (w.logKey && vkeyText(w.logKey) !== vkeyText(key)) {
    io.err(
      say({
        zh: `--log-key 與狀態目錄中釘選的紀錄金鑰 ${vkeyText(key)} 不同；紀錄金鑰不會更換，拒絕繼續`,
        en: `--log-key differs from the log key pinned in the state directory (${vkeyText(key)}); a log's key does not change, refusing to go on`,
      }),
    );
    return 1;
  }
  return key;
}

/** Refuses this log for good: evidence, then the marker (the marker last, so it always names its evidence). */
function refuse(
  w: Witness,
  io: WitnessIo,
  f: Failure,
  notes: { prev: LogCheckpoint; prevText: string; curText: string; cur: LogCheckpoint; proof?: string },
  logKey: string,
): Code {
  const at = io.clock();
  const files: Record<string, string> = {
    'previous-checkpoint.txt': notes.prevText,
    'checkpoint.txt': notes.curText,
    'README.txt': evidenceReadme({
      log: w.log,
      logKey,
      at: at.toISOString(),
      reason: f,
      prevSize: notes.prev.checkpoint.size,
      curSize: notes.cur.checkpoint.size,
      proof: notes.proof !== undefined,
    }),
  };
  if (notes.proof !== undefined) files['consistency.json'] = notes.proof;
  const dir = w.state.writeEvidence(at, files);
  w.state.write(REFUSED, `${at.toISOString()}\n${f.zh}\n${f.en}\nevidence: ${dir}\n`);
  io.err(
    say({ zh: `紀錄不一致：${f.zh}`, en: `the log is inconsistent: ${f.en}` }) +
      say({
        zh: `證據已存於 ${w.state.dir}/${dir}；本見證不再為這個紀錄副署。`,
        en: `evidence written to ${w.state.dir}/${dir}; this witness will not cosign for this log again.`,
      }),
  );
  return 1;
}

/** Checks the new checkpoint against the one cosigned last; a Code when the round ends here. */
async function checkAgainstPrevious(
  w: Witness,
  io: WitnessIo,
  key: VerifierKey,
  cur: LogCheckpoint,
  curText: string,
): Promise<Code | undefined> {
  const prevText = w.state.read(CHECKPOINT);
  if (prevText === undefined) return undefined;
  const prev = checkLogNote(sha256Bytes, verifyEd25519Node, key, prevText);
  if (isFailure(prev)) {
    io.err(say({ zh: `${w.state.dir}/checkpoint 已損壞`, en: `${w.state.dir}/checkpoint is damaged` }));
    return 1;
  }
  const range = proofNeeded(prev.checkpoint, cur.checkpoint);
  let proofText: string | undefined;
  let proof: Uint8Array[] | undefined;
  if (range) {
    proofText = await getText(io.fetch, `${w.log}/api/v1/log/consistency?from=${range.from}&to=${range.to}`);
    let body: unknown;
    try {
      body = JSON.parse(proofText) as unknown;
    } catch {
      throw new NetworkError('一致性證明的回應不是 JSON', 'the consistency answer is not JSON');
    }
    const parsed = parseConsistencyAnswer(body, range.from, range.to);
    if (isFailure(parsed)) {
      io.err(say(parsed));
      return 1;
    }
    proof = parsed;
  }
  const f = checkExtends(sha256Bytes, prev.checkpoint, cur.checkpoint, proof);
  if (!f) return undefined;
  const notes = { prev, prevText, cur, curText, ...(proofText !== undefined ? { proof: proofText } : {}) };
  return refuse(w, io, f, notes, vkeyText(key));
}

/** The bilingual message of a problem+json answer, if it has one. */
function problemMessage(text: string): Message | undefined {
  try {
    const m = (JSON.parse(text) as { message?: { zh?: unknown; en?: unknown } }).message;
    return typeof m?.zh === 'string' && typeof m.en === 'string' ? { zh: m.zh, en: m.en } : undefined;
  } catch {
    return undefined;
  }
}

/** What the log answered to the cosignature. */
function posted(w: Witness, io: WitnessIo, status: number, text: string, size: number): Code {
  if (status === 200 || status === 201) {
    let b: { stored?: unknown; already?: unknown } = {};
    try {
      b = JSON.parse(text) as typeof b;
    } catch {
      b = {};
    }
    const mine = (list: unknown): boolean =>
      Array.isArray(list) &&
      list.some((s: { keyName?: unknown; size?: unknown }) => s.keyName === w.key.name && s.size === size);
    if (mine(b.stored)) io.out(say({ zh: '紀錄已儲存這個副署', en: 'the log stored this cosignature' }));
    else if (mine(b.already))
      io.out(say({ zh: '紀錄先前已存有這個副署', en: 'the log already held this cosignature' }));
    else
      io.out(say({ zh: `紀錄回應：${text.slice(0, 200)}`, en: `the log answered: ${text.slice(0, 200)}` }));
    return 0;
  }
  const server = problemMessage(text);
  if (status === 403)
    io.err(
      say({
        zh: `紀錄不認得這把見證金鑰：請政風單位在伺服器上執行 npx lottery witness register --name 名稱 --vkey ${w.key.vkey}`,
        en: `the log does not know this witness key: ask the ethics office to run, on the server, npx lottery witness register --name NAME --vkey ${w.key.vkey}`,
      }),
    );
  else if (status >= 500) {
    io.err(say({ zh: `送出副署時紀錄回應 HTTP ${status}`, en: `posting the cosignature: HTTP ${status}` }));
    return 2;
  } else
    io.err(
      say({ zh: `紀錄拒收副署（HTTP ${status}）`, en: `the log refused the cosignature (HTTP ${status})` }),
    );
  io.err(server ? say(server) : `${text.slice(0, 300)}\n`);
  return 1;
}

/**
 * The cosigned note: the one kept, when the tree is the same one and it is still this key's (the log keeps the
 * first cosignature of a key on a tree); else a new cosignature at the current time.
 */
function cosign(
  w: Witness,
  io: WitnessIo,
  key: VerifierKey,
  cur: LogCheckpoint,
): { note: string; timestamp: number } {
  const kept = w.state.read(CHECKPOINT);
  const line = kept && parseNote(kept)?.signatures.find((s) => s.name === w.key.name && s.id === w.key.id);
  if (kept && line && parseNote(kept)?.text === cur.note.text) {
    const raw = line.signature;
    let timestamp = 0;
    for (let i = 0; i < 8; i++) timestamp = timestamp * 256 + (raw[i] ?? 0);
    return { note: kept, timestamp };
  }
  const timestamp = Math.floor(io.clock().getTime() / 1000);
  return { note: cosignedNote(cur, key, w.key.cosign(cur.note.text, timestamp)), timestamp };
}

async function roundOrThrow(w: Witness, io: WitnessIo): Promise<Code> {
  const refused = w.state.read(REFUSED);
  if (refused !== undefined) {
    io.err(
      say({
        zh: `本見證已拒絕為這個紀錄副署（${w.state.dir}/refused）：`,
        en: `this witness has refused this log for good (${w.state.dir}/refused):`,
      }) + refused,
    );
    return 1;
  }
  const key = pinnedKey(w, io);
  if (typeof key === 'number') return key;
  const curText = await getText(io.fetch, `${w.log}/api/v1/log/checkpoint`);
  const cur = checkLogNote(sha256Bytes, verifyEd25519Node, key, curText);
  if (isFailure(cur)) {
    io.err(say(cur));
    return 1;
  }
  const stop = await checkAgainstPrevious(w, io, key, cur, curText);
  if (stop !== undefined) return stop;
  const { note, timestamp } = cosign(w, io, key, cur);
  // Kept before it is posted: once signed, this is the tree every later one must extend.
  if (w.state.read(LOG_KEY) === undefined) w.state.write(LOG_KEY, `${vkeyText(key)}\n`);
  w.state.write(CHECKPOINT, note);
  const { size, root } = cur.checkpoint;
  io.out(
    say({
      zh: `已副署：${size} 筆，根雜湊 ${hex16(root)}…，時間 ${timestamp}`,
      en: `cosigned: ${size} entries, root ${hex16(root)}…, time ${timestamp}`,
    }),
  );
  const a = await postJson(io.fetch, `${w.log}/api/v1/log/cosignatures`, { note });
  return posted(w, io, a.status, a.text, size);
}

/**
 * One round. A failure to reach the log before cosigning is exit 2 and leaves the state as it was; a failed post
 * (the checkpoint is kept already) is retried by the next round, which finds the same tree or one extending it.
 */
export async function witnessRound(w: Witness, io: WitnessIo): Promise<Code> {
  try {
    return await roundOrThrow(w, io);
  } catch (e) {
    if (e instanceof NetworkError) {
      io.err(say(e));
      return 2;
    }
    throw e;
  }
}
