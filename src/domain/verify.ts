import { compareBytes, jcs, ZERO_HASH, type Sha256Async } from './canonical';
import { parseBundle, protocolOfFormat, type Bundle } from './bundle';
import { keyFingerprint, meetingDay, pemDer, taipeiDateOfIso, type Sha256Bytes } from './ceremony';
import { checkpointMessage, pemBody, type Checkpoint, type VerifyRs256 } from './checkpoint';
import { ENTROPY_DIGITS } from './entropy';
import { checkChain, parseEntry, type JournalEntry, type RawEntry } from './journal';
import { checkPdfSignature } from './pdf';
import {
  drawAll,
  initialPool,
  PROTOCOL_V1,
  PROTOCOL_V2,
  rosterPreimage,
  seedPreimage,
  type Protocol,
  type RosterEntry,
} from './protocol';
import { canonicalPercent, comparePercent, isValidPercent, LEGAL_FLOOR_PERCENT, quota } from './quota';
import { clean, hasControl, parseEntropy } from './lottery';
import { effectiveLock, replay, type LotteryReplay } from './replay';

/**
 * Every check an auditor runs, by name. The server (GET /api/v1/journal/verify), the CLI (`lottery verify`)
 * and the browser verifier all call these functions; none of them has a copy of this logic. Nothing here
 * trusts the store: everything is recomputed from the bundle or from the journal alone.
 */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
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
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;
const sameJson = (a: unknown, b: unknown): boolean => {
  try {
    return jcs(a) === jcs(b);
  } catch {
    return false;
  }
};

function finish(checks: Check[], warnings: string[], protocol: Protocol | null, brokenAt?: number): Report {
  const r: Report = { ok: checks.length > 0 && checks.every((c) => c.ok), protocol, checks, warnings };
  if (brokenAt !== undefined) r.brokenAt = brokenAt;
  return r;
}

function parsedEntries(rows: readonly RawEntry[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const r of rows) {
    const p = parseEntry(r);
    if ('entry' in p) out.push(p.entry);
  }
  return out;
}

/**
 * Verifies an audit bundle (already read strictly from JSON, still hostile). The checks run in the order of
 * protocol.md §8.2; when `format` fails, nothing else can be read and nothing else runs.
 */
export async function verifyBundle(
  value: unknown,
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<Report> {
  const checks: Check[] = [];
  const warnings: string[] = [];
  const parsed = parseBundle(value);
  if ('problems' in parsed) {
    const shown = parsed.problems.slice(0, 20);
    const more = parsed.problems.length - shown.length;
    checks.push({
      name: 'format',
      ok: false,
      detail: shown.join('; ') + (more > 0 ? `; and ${more} more` : ''),
    });
    return finish(checks, warnings, null);
  }
  const b: Bundle = parsed.bundle;
  const protocol = protocolOfFormat(b.format);
  const v2 = protocol === PROTOCOL_V2;
  checks.push({ name: 'format', ok: true, detail: `${b.format}, protocol ${protocol}` });

  // roster.order: well-formed unique ids in byte order, so that the digest is over one canonical list.
  {
    let problem = '';
    for (let i = 0; i < b.roster.length && !problem; i++) {
      const e = b.roster[i] as RosterEntry;
      if (!ID.test(e.id)) problem = `entry ${i + 1} has a malformed id`;
      else if (e.name === '') problem = `entry ${i + 1} has an empty name`;
      else if (Object.values(e).some((v) => v === '' || clean(v) !== v || hasControl(v)))
        problem = `entry ${i + 1} (${e.id}) has a value that is empty, not trimmed and NFC, or holds control characters`;
      else if (i > 0 && compareBytes((b.roster[i - 1] as RosterEntry).id, e.id) >= 0)
        problem = `entry ${i + 1} (${e.id}) is not after ${(b.roster[i - 1] as RosterEntry).id}: ids must be unique and sorted`;
    }
    checks.push({
      name: 'roster.order',
      ok: problem === '',
      detail: problem || `${b.roster.length} entries, unique ids in ascending order`,
    });
  }

  const digest = await deps.sha256(rosterPreimage(b.roster));
  checks.push({
    name: 'roster.digest',
    ok: digest === b.rosterDigest,
    detail:
      digest === b.rosterDigest
        ? `H(JCS(roster)) = ${digest}`
        : `H(JCS(roster)) = ${digest}, bundle says ${b.rosterDigest}`,
  });

  const c = await deps.sha256(b.secret);
  checks.push({
    name: 'commitment',
    ok: c === b.commitment,
    detail:
      c === b.commitment
        ? 'H(secret) equals the published commitment'
        : `H(secret) = ${c}, commitment is ${b.commitment}`,
  });

  const s = await deps.sha256(
    seedPreimage(
      { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
      protocol,
    ),
  );
  // Under v1 the seed check also holds the entropy to v1's normal form; under v2 that is entropy.form's job.
  let entropyOk = true;
  if (!v2)
    try {
      entropyOk = parseEntropy({ entropy: b.entropy }) === b.entropy;
    } catch {
      entropyOk = false;
    }
  checks.push({
    name: 'seed',
    ok: s === b.seed && entropyOk,
    detail: !entropyOk
      ? 'entropy is not in the form the protocol hashes (trimmed, NFC, 1–200 characters, no control or format characters)'
      : s === b.seed
        ? `seed = H(JCS({protocol: ${protocol}, …})) = ${s}`
        : `recomputed seed ${s}, bundle says ${b.seed}`,
  });

  if (v2) {
    const ok = ENTROPY_DIGITS.test(b.entropy);
    checks.push({
      name: 'entropy.form',
      ok,
      detail: ok
        ? `${b.entropy.length} canonical digits`
        : `entropy ${JSON.stringify(b.entropy)} is not 10–64 canonical digits (protocol.md §4.1)`,
    });
  }

  // quotas: the rates are the lottery's, stage by stage, and each quota is the exact ceiling.
  const rules = b.lottery.stages.map((d) => ({ stage: d.stage, percent: d.percent }));
  const expected = rules.every((r) => isValidPercent(r.percent))
    ? drawAll(b.seed, rules, initialPool(b.roster))
    : undefined;
  {
    const problems: string[] = [];
    if (!expected) problems.push('a stage percent is not a valid decimal in (0, 100]');
    else {
      if (rules.some((r) => canonicalPercent(r.percent) !== r.percent))
        problems.push('a percent is not in its canonical form');
      const first = rules[0];
      if (first && comparePercent(first.percent, LEGAL_FLOOR_PERCENT) < 0)
        problems.push(`stage 1 rate ${first.percent}% is below the legal floor of 5% (審核及查閱辦法 §7)`);
      if (b.stages.length !== rules.length)
        problems.push(`${b.stages.length} stages drawn, the lottery has ${rules.length}`);
      b.stages.forEach((st, i) => {
        const rule = rules[i];
        const exp = expected[i];
        if (!rule || !exp) return;
        if (st.stage !== i + 1 || rule.stage !== i + 1)
          problems.push(`stage ${i + 1} is numbered ${st.stage}`);
        if (st.percent !== rule.percent)
          problems.push(`stage ${i + 1} percent ${st.percent} differs from the lottery's ${rule.percent}`);
        if (st.poolSize !== exp.poolSize)
          problems.push(`stage ${i + 1} pool is ${exp.poolSize}, bundle says ${st.poolSize}`);
        if (st.quota !== quota(exp.poolSize, rule.percent))
          problems.push(`stage ${i + 1} quota is ${exp.quota}, bundle says ${st.quota}`);
      });
    }
    checks.push({
      name: 'quotas',
      ok: problems.length === 0,
      detail:
        problems.join('; ') ||
        b.stages
          .map((st) => `stage ${st.stage}: ceil(${st.poolSize} × ${st.percent}%) = ${st.quota}`)
          .join('; '),
    });
  }

  {
    const problems: string[] = [];
    if (!expected) problems.push('cannot recompute without valid percents');
    else
      b.stages.forEach((st, i) => {
        const exp = expected[i];
        if (exp && !sameJson(exp.winners, st.winners))
          problems.push(
            `stage ${i + 1}: expected ${exp.winners.join(', ')}; bundle has ${st.winners.join(', ')}`,
          );
      });
    checks.push({
      name: 'winners',
      ok: problems.length === 0,
      detail:
        problems.join('; ') ||
        b.stages
          .map(
            (st) =>
              `stage ${st.stage}: ${st.winners.length} winner${st.winners.length === 1 ? '' : 's'} recomputed`,
          )
          .join('; '),
    });
  }

  const chain = await checkChain(b.journal, deps.sha256);
  checks.push({
    name: 'journal.chain',
    ok: chain.ok,
    detail: chain.ok
      ? `${chain.length} entries, head ${chain.head.hash}`
      : `broken at seq ${chain.brokenAt}: ${chain.reason}`,
  });

  const entries = parsedEntries(b.journal);
  const rp = replay(entries);
  const l: LotteryReplay | undefined = rp.lotteries.get(b.lottery.id);
  for (const a of rp.anomalies)
    if (a.lottery === b.lottery.id) warnings.push(`journal seq ${a.seq}: ${a.reason}`);

  // journal.lottery: the rates and particulars in the bundle are the ones journalled, not edited afterwards.
  {
    const problems: string[] = [];
    if (!l) problems.push(`the journal never created lottery ${b.lottery.id}`);
    else {
      if (l.year !== b.lottery.year) problems.push('year differs');
      if (l.agency !== b.lottery.agency) problems.push('agency differs');
      if (l.title !== b.lottery.title) problems.push('title differs');
      if (!sameJson(l.stages, b.lottery.stages)) problems.push('stages or rates differ');
      if (!sameJson(l.meeting, b.lottery.meeting)) problems.push('meeting differs');
    }
    checks.push({
      name: 'journal.lottery',
      ok: problems.length === 0,
      detail: problems.length
        ? `bundle and journal disagree: ${problems.join(', ')}`
        : 'year, agency, title, rates and meeting match the journal',
    });
  }

  // journal.locked: digest, commitment, rates, pools, quotas and protocol were fixed before the first draw.
  const lockThatCounts = l ? effectiveLock(l).lock : undefined;
  {
    let detail = '';
    let ok = false;
    if (!l) detail = 'no such lottery in the journal';
    else {
      const { lock, earlier } = effectiveLock(l);
      for (const e of earlier)
        warnings.push(`lottery was locked earlier at seq ${e.seq} with commitment ${e.commitment}`);
      // A lock must come from draft: two locks with no unlock between them is a history the service cannot
      // write, and is how a v2 lock could be followed by a v1 one to escape the ceremony checks.
      const notFromDraft = l.locks.find((k, i) => {
        const next = l.locks[i + 1];
        return next !== undefined && !l.unlocks.some((u) => u > k.seq && u < next.seq);
      });
      const v2Lock = l.locks.find((k) => k.protocol === PROTOCOL_V2);
      const firstDraw = l.draws[0];
      const bundleQuotas = b.stages.map((st) => ({
        stage: st.stage,
        percent: st.percent,
        poolSize: st.poolSize,
        quota: st.quota,
      }));
      if (!lock) detail = 'no lottery.locked entry before the first draw';
      else if (!firstDraw) detail = 'no stage.drawn entry';
      else if (notFromDraft)
        detail = `the lock at seq ${notFromDraft.seq} is followed by another lock with no unlock between them`;
      else if (!v2 && v2Lock)
        detail = `locked under ${PROTOCOL_V2} at seq ${v2Lock.seq}: a v2 lottery is never verified as v1`;
      else if (l.unlocks.some((u) => u > lock.seq && u < firstDraw.seq))
        detail = 'unlocked between the lock and the first draw';
      else if (lock.rosterDigest !== b.rosterDigest)
        detail = `locked roster digest ${lock.rosterDigest} differs from the bundle's`;
      else if (lock.commitment !== b.commitment)
        detail = `locked commitment ${lock.commitment} differs from the bundle's`;
      else if (!sameJson(lock.rawQuotas, bundleQuotas))
        detail = 'the stages, rates, pool sizes or quotas journalled at lock differ from the bundle';
      else if (lock.protocol !== protocol)
        detail = `locked under ${lock.protocol}, the bundle is verified as ${protocol}`;
      else {
        ok = true;
        detail = `digest, commitment and quotas journalled at seq ${lock.seq} under ${protocol}, before the first draw at seq ${firstDraw.seq}`;
      }
    }
    checks.push({ name: 'journal.locked', ok, detail });
  }

  // journal.draws: what the journal says was drawn is what the bundle says was drawn.
  {
    const problems: string[] = [];
    if (!l) problems.push('no such lottery in the journal');
    else {
      if (l.draws.length !== b.stages.length)
        problems.push(`journal has ${l.draws.length} draws, bundle ${b.stages.length}`);
      l.draws.forEach((d, i) => {
        const st = b.stages[i];
        if (d.stage !== i + 1) problems.push(`draw ${i + 1} at seq ${d.seq} is for stage ${d.stage}`);
        if (d.seed !== b.seed) problems.push(`stage ${d.stage} seed differs`);
        if (st && !sameJson(d.winners, st.winners))
          problems.push(`stage ${d.stage} winners differ (seq ${d.seq})`);
        if (st && (d.poolSize !== st.poolSize || d.quota !== st.quota))
          problems.push(`stage ${d.stage} pool size or quota differs (seq ${d.seq})`);
      });
      const d1 = l.draws[0];
      if (d1 && (d1.secret !== b.secret || d1.entropy !== b.entropy))
        problems.push('stage 1 secret or entropy differs from the journal');
    }
    checks.push({
      name: 'journal.draws',
      ok: problems.length === 0,
      detail: problems.join('; ') || `${b.stages.length} stage.drawn entries match the bundle`,
    });
  }

  if (v2) ceremonyChecks(b, l, lockThatCounts?.seq, checks, warnings);

  if (b.record || opts.pdf) await checkRecord(b, l, entries, deps, opts, checks);

  const head = chain.ok ? chain.head : lastHead(entries);
  checks.push(
    b.checkpoint.seq === head.seq && b.checkpoint.hash === head.hash
      ? { name: 'checkpoint.head', ok: true, detail: `checkpoint covers the head, seq ${head.seq}` }
      : {
          name: 'checkpoint.head',
          ok: false,
          detail: `checkpoint is at seq ${b.checkpoint.seq}, the journal's head is seq ${head.seq}`,
        },
  );
  const sigOk = await rs256(
    deps,
    b.checkpoint.publicKey,
    checkpointMessage(b.checkpoint),
    b.checkpoint.signature,
  );
  checks.push({
    name: 'checkpoint.signature',
    ok: sigOk,
    detail: sigOk
      ? "RS256 signature is valid with the checkpoint's key"
      : 'RS256 signature does not verify with the checkpoint’s key',
  });

  // key.pinned: a bundle carries its own key, so a stranger's forgery verifies against itself. Only a key the
  // office published (the fingerprint on the notice and the record) establishes whose bundle this is.
  const anchored = await anchoredKeys(b, entries, deps, opts);
  {
    let ok = false;
    let detail: string;
    if (anchored.kind === 'none')
      detail =
        'not pinned: no trust anchor was given. Pass --fingerprint SHA256:… as printed on the notice (抽籤公告) and ' +
        'the record (抽籤紀錄), or --key with the office’s published key';
    else if (anchored.kind === 'unknown') detail = anchored.detail;
    else {
      ok = anchored.has(b.checkpoint.publicKey);
      detail = ok
        ? `the checkpoint's key is ${anchored.describe(b.checkpoint.publicKey)}`
        : "the checkpoint's key is not the trust anchor, nor reached from it by endorsed key.rotated entries";
    }
    checks.push({ name: 'key.pinned', ok, detail });
  }

  if (opts.observedCommitment !== undefined) {
    const want = opts.observedCommitment.toLowerCase();
    const ok = /^[0-9a-f]{16,64}$/.test(want) && b.commitment.startsWith(want);
    checks.push({
      name: 'commitment.observed',
      ok,
      detail: ok
        ? `the commitment starts with ${want}, as observed`
        : `the commitment ${b.commitment.slice(0, 16)}… does not start with the observed ${want}`,
    });
  }

  if (opts.observedEntropy !== undefined) {
    const ok = b.entropy === opts.observedEntropy;
    checks.push({
      name: 'entropy.observed',
      ok,
      detail: ok
        ? `the entropy is ${opts.observedEntropy}, as written down in the room`
        : `the entropy ${JSON.stringify(b.entropy)} is not the ${opts.observedEntropy} written down in the room`,
    });
  }

  if (opts.observedCheckpoint !== undefined) {
    const cp = opts.observedCheckpoint;
    let ok = false;
    let detail: string;
    const at = entries.find((e) => e.seq === cp.seq);
    const extendsIt =
      cp.seq === 0
        ? cp.hash === ZERO_HASH
        : at !== undefined && at.hash === cp.hash && (chain.ok || chain.brokenAt > cp.seq);
    if (anchored.kind !== 'keys')
      detail = 'cannot establish the saved checkpoint without a trust anchor (--fingerprint or --key)';
    else if (!anchored.has(cp.publicKey)) detail = "the saved checkpoint's key is not the trust anchor";
    else if (!(await rs256(deps, cp.publicKey, checkpointMessage(cp), cp.signature)))
      detail = "the saved checkpoint's signature does not verify";
    else if (!extendsIt)
      detail = `the journal does not extend the saved checkpoint: seq ${cp.seq} does not have hash ${cp.hash}`;
    else {
      ok = true;
      detail = `the journal extends the saved checkpoint at seq ${cp.seq}`;
    }
    checks.push({ name: 'checkpoint.observed', ok, detail });
  }

  return finish(checks, warnings, protocol, chain.ok ? undefined : chain.brokenAt);
}

async function rs256(deps: VerifyDeps, pem: string, message: string, sig: string): Promise<boolean> {
  try {
    return await deps.verifyRs256(pem, message, sig);
  } catch {
    return false;
  }
}

/** ceremony.opened and ceremony.date (v2, protocol.md §8.2). */
function ceremonyChecks(
  b: Bundle,
  l: LotteryReplay | undefined,
  lockSeq: number | undefined,
  checks: Check[],
  warnings: string[],
): void {
  const d1 = l?.draws[0];
  for (const c of l?.ceremonies ?? [])
    if (c.kind === 'adjourned')
      warnings.push(`ceremony adjourned at seq ${c.seq} (${c.at}): ${c.reason ?? '(no reason)'}`);
  {
    let ok = false;
    let detail: string;
    const before = d1 && l ? l.ceremonies.filter((c) => c.seq < d1.seq) : [];
    const last = before[before.length - 1];
    if (!d1) detail = 'no stage.drawn entry';
    else if (!last) detail = `no ceremony.opened before stage 1 was drawn at seq ${d1.seq}`;
    else if (last.kind !== 'opened')
      detail = `the ceremony was adjourned at seq ${last.seq} and not reopened before stage 1 was drawn`;
    else if (last.commitment !== b.commitment)
      detail = `the ceremony opened at seq ${last.seq} names another commitment`;
    else if (lockSeq === undefined || last.seq <= lockSeq)
      detail = `the ceremony opened at seq ${last.seq} is not after the lock that counts`;
    else if (last.actor !== d1.actor)
      detail = `stage 1 was drawn by ${d1.actor}, the ceremony was opened by ${last.actor}: the token is the opener's alone`;
    else {
      ok = true;
      detail = `ceremony opened at seq ${last.seq} for this commitment, before stage 1 at seq ${d1.seq}`;
    }
    checks.push({ name: 'ceremony.opened', ok, detail });
  }
  {
    const day = meetingDay(b.lottery.meeting.date);
    const drawnOn = d1 ? taipeiDateOfIso(d1.at) : undefined;
    const ok = d1 !== undefined && day !== undefined && drawnOn === day;
    checks.push({
      name: 'ceremony.date',
      ok,
      detail: !d1
        ? 'no stage.drawn entry'
        : day === undefined
          ? 'the lottery has no meeting date'
          : ok
            ? `stage 1 was drawn on the meeting day, ${day} (Asia/Taipei)`
            : `stage 1 was drawn on ${drawnOn ?? '?'} (Asia/Taipei), the meeting was on ${day}`,
    });
  }
}

type Anchored =
  | { kind: 'none' }
  | { kind: 'unknown'; detail: string }
  | { kind: 'keys'; has: (pem: string) => boolean; describe: (pem: string) => string };

/**
 * The keys a trust anchor vouches for (protocol.md §8.3): the anchor key, and every key reached from it by
 * key.rotated entries naming it as previous and endorsed by it. With --fingerprint the anchor key is the first
 * key in the bundle with that fingerprint; with --key it is that key. Given both, both must vouch.
 */
async function anchoredKeys(
  b: Bundle,
  entries: JournalEntry[],
  deps: VerifyDeps,
  opts: VerifyOptions,
): Promise<Anchored> {
  if (opts.trustedPublicKey === undefined && opts.trustedFingerprint === undefined) return { kind: 'none' };
  const rotations = entries.filter((e) => e.type === 'key.rotated' && typeof e.data.publicKey === 'string');
  const der = (pem: string): string => pemBody(pem);
  const walk = async (start: string): Promise<string[]> => {
    const reached = [der(start)];
    let cur = start;
    for (const r of rotations) {
      const next = r.data.publicKey as string;
      const prev = r.data.previousPublicKey;
      const endorsement = r.data.endorsement;
      if (typeof prev !== 'string' || typeof endorsement !== 'string' || der(prev) !== der(cur)) continue;
      if (!(await rs256(deps, cur, jcs({ publicKey: next }), endorsement))) continue;
      cur = next;
      reached.push(der(next));
    }
    return reached;
  };
  const sets: string[][] = [];
  const notes: string[] = [];
  if (opts.trustedPublicKey !== undefined) {
    sets.push(await walk(opts.trustedPublicKey));
    notes.push('the trusted key');
  }
  if (opts.trustedFingerprint !== undefined) {
    const m = /^sha256:([0-9a-f]{64})$/i.exec(opts.trustedFingerprint);
    if (!m) return { kind: 'unknown', detail: 'the fingerprint is not SHA256: followed by 64 hex digits' };
    const want = `SHA256:${(m[1] ?? '').toLowerCase()}`;
    const sha256Bytes: Sha256Bytes | undefined = deps.sha256Bytes;
    if (!sha256Bytes)
      return { kind: 'unknown', detail: 'cannot compute key fingerprints (no SHA-256 of bytes)' };
    const candidates = [
      b.checkpoint.publicKey,
      ...rotations.flatMap((r) =>
        [r.data.previousPublicKey, r.data.publicKey].filter((k): k is string => typeof k === 'string'),
      ),
    ];
    let start: string | undefined;
    for (const k of candidates)
      if (pemDer(k) && (await keyFingerprint(k, sha256Bytes)) === want) {
        start = k;
        break;
      }
    if (!start)
      return {
        kind: 'unknown',
        detail: `no key in the bundle has the fingerprint ${want}: the bundle was not signed by the office that printed it`,
      };
    sets.push(await walk(start));
    notes.push(`the key with fingerprint ${want}`);
  }
  return {
    kind: 'keys',
    has: (pem) => sets.every((set) => set.includes(der(pem))),
    describe: (pem) =>
      sets.every((set) => set[0] === der(pem))
        ? notes.join(' and ')
        : `reached from ${notes.join(' and ')} by endorsed key.rotated entries`,
  };
}

/** The record: its hashes are journalled, and a given PDF is one of them, signed with the bundle's certificate. */
async function checkRecord(
  b: Bundle,
  l: LotteryReplay | undefined,
  entries: JournalEntry[],
  deps: VerifyDeps,
  opts: VerifyOptions,
  checks: Check[],
): Promise<void> {
  const issued = l?.records ?? [];
  const full = issued.find((r) => !r.public);
  const pub = issued.find((r) => r.public);
  if (b.record) {
    const ok =
      full?.sha256 === b.record.sha256 &&
      (b.record.publicSha256 === undefined || pub?.sha256 === b.record.publicSha256);
    checks.push({
      name: 'record.journal',
      ok,
      detail: ok
        ? `record.issued entries at seq ${full?.seq}${pub ? ` and ${pub.seq}` : ''} name the record's hashes`
        : 'the record hashes in the bundle are not the ones journalled',
    });
  }
  if (!opts.pdf) return;
  const sha256Bytes = deps.sha256Bytes;
  if (!sha256Bytes) throw new Error('sha256Bytes is needed to check a PDF');
  const h = await sha256Bytes(opts.pdf);
  const which = h === full?.sha256 ? 'the full record' : h === pub?.sha256 ? 'the public copy' : undefined;
  checks.push({
    name: 'record.pdf.hash',
    ok: which !== undefined,
    detail: which
      ? `SHA-256 ${h} is ${which}, journalled`
      : `SHA-256 ${h} is not a record journalled for this lottery`,
  });
  const certs = [
    ...(b.checkpoint.certificate ? [b.checkpoint.certificate] : []),
    ...entries
      .filter((e) => e.type === 'key.rotated' && typeof e.data.certificate === 'string')
      .map((e) => e.data.certificate as string),
  ];
  const sig = await checkPdfSignature(opts.pdf, sha256Bytes, certs);
  checks.push({ name: 'record.pdf.signature', ok: sig.ok, detail: sig.detail });
}

function lastHead(entries: JournalEntry[]): { seq: number; hash: string } {
  const e = entries[entries.length - 1];
  return e ? { seq: e.seq, hash: e.hash } : { seq: 0, hash: ZERO_HASH };
}

/** What `lottery verify --db` is given: the journal rows, and each lottery as the tables hold it. */
export interface DatabaseSnapshot {
  journal: Iterable<RawEntry>;
  lotteries: Array<{
    id: string;
    status: string;
    rosterDigest: string | null;
    roster: RosterEntry[];
    results: Array<{ stage: number; winners: string[]; poolSize?: number; quota?: number }>;
    /** The protocol column (null in draft). */
    protocol?: string | null;
    /** The other columns a public page or the record shows, each checked against the journal. */
    year?: number;
    agency?: string;
    title?: string;
    stages?: unknown;
    meeting?: unknown;
    commitment?: string | null;
    secret?: string | null;
    entropy?: string | null;
    seed?: string | null;
  }>;
}

/**
 * Verifies a database offline: the chain, and each lottery's tables against the journal's replay (status,
 * roster digest recomputed from the stored entries, winners), so a forged row is reported by lottery.
 */
export async function verifyDatabase(
  snap: DatabaseSnapshot,
  deps: VerifyDeps,
  checkpoint?: Checkpoint,
  /** The key the service signs with now (from its key file), when known. */
  currentPublicKey?: string,
): Promise<Report> {
  const checks: Check[] = [];
  const warnings: string[] = [];
  const rows = [...snap.journal];
  const chain = await checkChain(rows, deps.sha256);
  checks.push({
    name: 'journal.chain',
    ok: chain.ok,
    detail: chain.ok
      ? `${chain.length} entries, head seq ${chain.head.seq} ${chain.head.hash}`
      : `broken at seq ${chain.brokenAt}: ${chain.reason}`,
  });
  const entries = parsedEntries(rows);
  const rp = replay(
    chain.ok ? entries : entries.filter((e) => e.seq < (chain.ok ? Infinity : chain.brokenAt)),
  );
  for (const a of rp.anomalies) warnings.push(`journal seq ${a.seq}: ${a.reason}`);

  for (const t of snap.lotteries) {
    const l = rp.lotteries.get(t.id);
    const problems: string[] = [];
    if (!l) problems.push('the journal never created it');
    else {
      if (l.status !== t.status) problems.push(`status is ${t.status}, the journal says ${l.status}`);
      if (t.status !== 'draft' || t.roster.length > 0) {
        const digest = await deps.sha256(rosterPreimage(t.roster));
        if (t.status !== 'draft') {
          const lock = effectiveLock(l).lock ?? l.locks[l.locks.length - 1];
          if (!lock) problems.push('locked in the table but never locked in the journal');
          else if (digest !== lock.rosterDigest)
            problems.push('the stored roster does not match the digest journalled at lock');
        } else if (l.rosterDigest !== undefined && digest !== l.rosterDigest)
          problems.push('the stored roster does not match the digest journalled at load');
        if (t.rosterDigest !== null && t.rosterDigest !== digest)
          problems.push("the stored roster digest is not the roster's");
      }
      if (t.year !== undefined && t.year !== l.year) problems.push('year differs from the journal');
      if (t.agency !== undefined && t.agency !== l.agency) problems.push('agency differs from the journal');
      if (t.title !== undefined && t.title !== l.title) problems.push('title differs from the journal');
      if (t.stages !== undefined && !sameJson(t.stages, l.stages))
        problems.push('stages or rates differ from the journal');
      if (t.meeting !== undefined && !sameJson(t.meeting, l.meeting))
        problems.push('meeting differs from the journal');
      if (t.commitment !== undefined) {
        const lock =
          t.status === 'draft' ? undefined : (effectiveLock(l).lock ?? l.locks[l.locks.length - 1]);
        if ((t.commitment ?? undefined) !== lock?.commitment)
          problems.push('commitment differs from the journal');
        if (t.secret !== undefined && (t.secret === null) !== (t.commitment === null))
          problems.push('secret and commitment are not stored together');
        else if (t.secret && t.commitment && (await deps.sha256(t.secret)) !== t.commitment)
          problems.push('the stored secret does not hash to the commitment');
      }
      const first = l.draws[0];
      if (t.entropy !== undefined && (t.entropy ?? undefined) !== first?.entropy)
        problems.push('entropy differs from the journal');
      if (t.seed !== undefined && (t.seed ?? undefined) !== first?.seed)
        problems.push('seed differs from the journal');
      if (first && t.secret !== undefined && t.secret !== first.secret)
        problems.push('secret differs from the one revealed in the journal');
      if (t.protocol !== undefined && t.status !== 'draft') {
        const lock = effectiveLock(l).lock ?? l.locks[l.locks.length - 1];
        if (lock && (t.protocol ?? PROTOCOL_V1) !== lock.protocol)
          problems.push(`protocol is ${t.protocol ?? '(none)'}, the journal locked under ${lock.protocol}`);
      }
      problems.push(...(await recomputeDraws(t.id, l, t.roster, t.results, deps)));
      const drawn = new Map(l.draws.map((d) => [d.stage, d.winners]));
      if (t.results.length !== l.draws.length)
        problems.push(`${t.results.length} results stored, ${l.draws.length} journalled`);
      for (const r of t.results) {
        const w = drawn.get(r.stage);
        if (!w || !sameJson(w, r.winners)) problems.push(`stage ${r.stage} winners differ from the journal`);
      }
    }
    checks.push({
      name: `tables.lottery:${t.id}`,
      ok: problems.length === 0,
      detail: problems.join('; ') || 'tables match the journal',
    });
  }
  for (const id of rp.lotteries.keys())
    if (!snap.lotteries.some((t) => t.id === id))
      checks.push({
        name: `tables.lottery:${id}`,
        ok: false,
        detail: 'journalled but missing from the tables',
      });

  if (checkpoint) {
    // A checkpoint the auditor kept from earlier: the journal must extend it (no cut-off tail, no rewrite).
    const at = entries.find((e) => e.seq === checkpoint.seq);
    const extendsIt = checkpoint.seq === 0 || (at !== undefined && at.hash === checkpoint.hash);
    checks.push({
      name: 'checkpoint.extends',
      ok: extendsIt && (chain.ok || chain.brokenAt > checkpoint.seq),
      detail: extendsIt
        ? `the journal extends the checkpoint at seq ${checkpoint.seq}`
        : `the journal does not contain the checkpointed entry seq ${checkpoint.seq}`,
    });
    let sigOk = false;
    try {
      sigOk = await deps.verifyRs256(
        checkpoint.publicKey,
        checkpointMessage(checkpoint),
        checkpoint.signature,
      );
    } catch {
      sigOk = false;
    }
    checks.push({
      name: 'checkpoint.signature',
      ok: sigOk,
      detail: sigOk ? 'RS256 signature is valid' : 'signature does not verify',
    });
    // The key in force now must be the checkpoint's, or be reached from it by key.rotated entries after it, each
    // endorsed by the key before: a key swapped in without the old key's consent is reported.
    const rotations = entries.filter((e) => e.type === 'key.rotated');
    const lastRotation = rotations[rotations.length - 1];
    const keyNow =
      typeof lastRotation?.data.publicKey === 'string' ? lastRotation.data.publicKey : currentPublicKey;
    if (keyNow !== undefined) {
      let cur = checkpoint.publicKey;
      const path: number[] = [];
      for (const r of rotations) {
        if (
          r.seq <= checkpoint.seq ||
          typeof r.data.publicKey !== 'string' ||
          typeof r.data.previousPublicKey !== 'string'
        )
          continue;
        if (pemBody(r.data.previousPublicKey) !== pemBody(cur) || typeof r.data.endorsement !== 'string')
          continue;
        let endorsed = false;
        try {
          endorsed = await deps.verifyRs256(cur, jcs({ publicKey: r.data.publicKey }), r.data.endorsement);
        } catch {
          endorsed = false;
        }
        if (!endorsed) continue;
        cur = r.data.publicKey;
        path.push(r.seq);
      }
      const ok = pemBody(cur) === pemBody(keyNow);
      checks.push({
        name: 'checkpoint.key',
        ok,
        detail: ok
          ? path.length
            ? `the signing key changed after the checkpoint, endorsed by the old key (key.rotated at seq ${path.join(', ')})`
            : 'the service still signs with the checkpoint’s key'
          : 'the service signs with a key other than the checkpoint’s, and no key.rotated entry endorsed by the old key explains it',
      });
    }
  }
  return finish(checks, warnings, null, chain.ok ? undefined : chain.brokenAt);
}

/**
 * Recomputes every drawn stage of a lottery from the journal and the roster tables (protocol.md §8.4): the seed
 * from the lock that counts, the revealed secret and the entropy under the lock's protocol, then each stage's
 * pool, quota and winners, which must be both the journalled ones and the stored ones. Without this a stage
 * drawn from 5 people after locking 20 passes, since the tables and the journal can agree with each other.
 */
async function recomputeDraws(
  id: string,
  l: LotteryReplay,
  roster: RosterEntry[],
  results: DatabaseSnapshot['lotteries'][number]['results'],
  deps: VerifyDeps,
): Promise<string[]> {
  const first = l.draws[0];
  if (!first) return [];
  const lock = effectiveLock(l).lock;
  if (!lock) return ['drawn without a lock before the first draw'];
  if (lock.protocol !== PROTOCOL_V1 && lock.protocol !== PROTOCOL_V2)
    return [`locked under an unknown protocol ${JSON.stringify(lock.protocol)}`];
  if (first.secret === undefined || first.entropy === undefined)
    return ["stage 1's entry does not reveal the secret and the entropy"];
  const problems: string[] = [];
  if ((await deps.sha256(first.secret)) !== lock.commitment)
    problems.push('the revealed secret does not hash to the commitment journalled at lock');
  if (lock.protocol === PROTOCOL_V2 && !ENTROPY_DIGITS.test(first.entropy))
    problems.push('the entropy is not 10–64 canonical digits');
  const seedHex = await deps.sha256(
    seedPreimage(
      { lottery: id, rosterDigest: lock.rosterDigest, secret: first.secret, entropy: first.entropy },
      lock.protocol,
    ),
  );
  if (!l.stages.every((s) => isValidPercent(s.percent))) return [...problems, 'a stage percent is invalid'];
  const expected = drawAll(
    seedHex,
    l.stages.map((s) => ({ stage: s.stage, percent: s.percent })),
    initialPool(roster),
  );
  l.draws.forEach((d, i) => {
    const exp = expected[i];
    if (!exp) {
      problems.push(`stage ${d.stage} drawn, the lottery has ${expected.length} stages`);
      return;
    }
    if (d.seed !== seedHex) problems.push(`stage ${d.stage}: the journalled seed is not the recomputed one`);
    if (d.poolSize !== exp.poolSize || d.quota !== exp.quota)
      problems.push(
        `stage ${d.stage}: pool ${exp.poolSize} and quota ${exp.quota} recomputed, the journal has ${d.poolSize ?? '?'} and ${d.quota ?? '?'}`,
      );
    if (!sameJson(d.winners, exp.winners))
      problems.push(`stage ${d.stage}: the journalled winners are not the recomputed ones`);
    const r = results.find((x) => x.stage === exp.stage);
    if (r && !sameJson(r.winners, exp.winners))
      problems.push(`stage ${d.stage}: the stored winners are not the recomputed ones`);
    if (r && r.poolSize !== undefined && (r.poolSize !== exp.poolSize || r.quota !== exp.quota))
      problems.push(`stage ${d.stage}: the stored pool size or quota is not the recomputed one`);
  });
  return problems;
}
