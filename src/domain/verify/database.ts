import type { Checkpoint } from '../checkpoint';
import { ENTROPY_DIGITS } from '../grammar';
import { checkChain, type RawEntry } from '../journal';
import {
  drawAll,
  initialPool,
  PROTOCOL_V1,
  PROTOCOL_V2,
  rosterPreimage,
  seedPreimage,
  type RosterEntry,
} from '../protocol';
import { isValidPercent } from '../quota';
import { effectiveLock, replay, type LockEvent, type LotteryReplay } from '../replay';
import { databaseCheckpointChecks } from './checkpoint';
import { finish, parsedEntries, sameJson, type Check, type Report, type VerifyDeps } from './report';
import { physicalTableProblems } from './physical';
import { physicalRowProblems } from './physical-rows';
import { sessionsCheck } from './sessions';

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
    /** issue 11 (migration 005): the rehearsal mark and the cancellation, each against the journal. */
    rehearsal?: boolean;
    cancelled?: boolean;
    /** Physical draws (migration 006): the method column, and the pool sheets and balls tables. */
    method?: string;
    sheets?: Array<{ stage: number; entries: string[]; sha256: string; issuedAt: string }>;
    balls?: Array<{
      stage: number;
      position: number;
      number: number;
      entry: string;
      seq: number;
      drawnAt: string;
      undoneAt: string | null;
      undoReason: string | null;
    }>;
  }>;
}

type TableLottery = DatabaseSnapshot['lotteries'][number];

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
  const warnings: string[] = [];
  const rows = [...snap.journal];
  const chain = await checkChain(rows, deps.sha256);
  const checks: Check[] = [
    {
      name: 'journal.chain',
      ok: chain.ok,
      detail: chain.ok
        ? `${chain.length} entries, head seq ${chain.head.seq} ${chain.head.hash}`
        : `broken at seq ${chain.brokenAt}: ${chain.reason}`,
    },
  ];
  const entries = parsedEntries(rows);
  // issue 13: who pressed the button; up to a break, as the replay below.
  checks.push(sessionsCheck(chain.ok ? entries : entries.filter((e) => e.seq < chain.brokenAt)));
  // Past a break, the journal says nothing the tables could be checked against.
  const rp = replay(chain.ok ? entries : entries.filter((e) => e.seq < chain.brokenAt));
  for (const a of rp.anomalies) warnings.push(`journal seq ${a.seq}: ${a.reason}`);
  for (const t of snap.lotteries) checks.push(await tablesCheck(t, rp.lotteries.get(t.id), deps));
  for (const id of rp.lotteries.keys())
    if (!snap.lotteries.some((t) => t.id === id))
      checks.push({
        name: `tables.lottery:${id}`,
        ok: false,
        detail: 'journalled but missing from the tables',
      });
  if (checkpoint)
    checks.push(...(await databaseCheckpointChecks(checkpoint, entries, chain, deps, currentPublicKey)));
  return finish(checks, warnings, null, chain.ok ? undefined : chain.brokenAt);
}

/** tables.lottery:ID: one lottery's rows against the journal's replay of it, every problem named. */
async function tablesCheck(t: TableLottery, l: LotteryReplay | undefined, deps: VerifyDeps): Promise<Check> {
  const problems: string[] = [];
  if (!l) problems.push('the journal never created it');
  else {
    if (l.status !== t.status) problems.push(`status is ${t.status}, the journal says ${l.status}`);
    problems.push(...(await rosterProblems(t, l, deps)));
    problems.push(...particularProblems(t, l));
    problems.push(...(await secretProblems(t, l, deps)));
    problems.push(...(await recomputeDraws(t.id, l, t.roster, t.results, deps)));
    problems.push(...(await physicalRowProblems(t, l, deps)));
    const drawn = new Map(l.draws.map((d) => [d.stage, d.winners]));
    if (t.results.length !== l.draws.length)
      problems.push(`${t.results.length} results stored, ${l.draws.length} journalled`);
    for (const r of t.results) {
      const w = drawn.get(r.stage);
      if (!w || !sameJson(w, r.winners)) problems.push(`stage ${r.stage} winners differ from the journal`);
    }
  }
  return {
    name: `tables.lottery:${t.id}`,
    ok: problems.length === 0,
    detail: problems.join('; ') || 'tables match the journal',
  };
}

/** The lock a locked table answers to: the lock that counts, else the last one journalled. */
const tableLock = (l: LotteryReplay): LockEvent | undefined =>
  effectiveLock(l).lock ?? l.locks[l.locks.length - 1];

/** The stored roster against the digest journalled at lock (or, in draft, at load), and the stored digest. */
async function rosterProblems(t: TableLottery, l: LotteryReplay, deps: VerifyDeps): Promise<string[]> {
  if (t.status === 'draft' && t.roster.length === 0) return [];
  const problems: string[] = [];
  const digest = await deps.sha256(rosterPreimage(t.roster));
  if (t.status !== 'draft') {
    const lock = tableLock(l);
    if (!lock) problems.push('locked in the table but never locked in the journal');
    else if (digest !== lock.rosterDigest)
      problems.push('the stored roster does not match the digest journalled at lock');
  } else if (l.rosterDigest !== undefined && digest !== l.rosterDigest)
    problems.push('the stored roster does not match the digest journalled at load');
  if (t.rosterDigest !== null && t.rosterDigest !== digest)
    problems.push("the stored roster digest is not the roster's");
  return problems;
}

/** The columns a public page or the record shows: year, agency, title, stages and rates, meeting. */
function particularProblems(t: TableLottery, l: LotteryReplay): string[] {
  const problems: string[] = [];
  if (t.year !== undefined && t.year !== l.year) problems.push('year differs from the journal');
  if (t.agency !== undefined && t.agency !== l.agency) problems.push('agency differs from the journal');
  if (t.title !== undefined && t.title !== l.title) problems.push('title differs from the journal');
  if (t.stages !== undefined && !sameJson(t.stages, l.stages))
    problems.push('stages or rates differ from the journal');
  if (t.meeting !== undefined && !sameJson(t.meeting, l.meeting))
    problems.push('meeting differs from the journal');
  if (t.rehearsal !== undefined && t.rehearsal !== (l.rehearsal === true))
    problems.push(
      `rehearsal is ${String(t.rehearsal)} in the table, the journal says ${String(l.rehearsal === true)}`,
    );
  if (t.cancelled !== undefined && t.cancelled !== (l.cancelled !== undefined))
    problems.push(
      `cancelled is ${String(t.cancelled)} in the table, the journal says ${String(l.cancelled !== undefined)}`,
    );
  return problems;
}

/** Commitment, secret, entropy, seed and protocol columns against the lock and stage 1's draw. */
async function secretProblems(t: TableLottery, l: LotteryReplay, deps: VerifyDeps): Promise<string[]> {
  const problems: string[] = [];
  if (t.commitment !== undefined) {
    const lock = t.status === 'draft' ? undefined : tableLock(l);
    if ((t.commitment ?? undefined) !== lock?.commitment)
      problems.push('commitment differs from the journal');
    if (t.secret !== undefined && (t.secret === null) !== (t.commitment === null))
      problems.push('secret and commitment are not stored together');
    else if (t.secret && t.commitment && (await deps.sha256(t.secret)) !== t.commitment)
      problems.push('the stored secret does not hash to the commitment');
  }
  const first = l.draws[0];
  // A physical draw (protocol.md §6.1) has no entropy and no seed: its tables hold '' once a stage is recorded,
  // and its secret is never revealed in the journal.
  const physical = first?.method === 'physical';
  if (t.entropy !== undefined && (t.entropy ?? undefined) !== (physical ? '' : first?.entropy))
    problems.push('entropy differs from the journal');
  if (t.seed !== undefined && (t.seed ?? undefined) !== first?.seed)
    problems.push('seed differs from the journal');
  if (first && !physical && t.secret !== undefined && t.secret !== first.secret)
    problems.push('secret differs from the one revealed in the journal');
  if (t.protocol !== undefined && t.status !== 'draft') {
    const lock = tableLock(l);
    if (lock && (t.protocol ?? PROTOCOL_V1) !== lock.protocol)
      problems.push(`protocol is ${t.protocol ?? '(none)'}, the journal locked under ${lock.protocol}`);
  }
  return problems;
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
  results: TableLottery['results'],
  deps: VerifyDeps,
): Promise<string[]> {
  const first = l.draws[0];
  if (!first) return [];
  if (l.method === 'physical') return physicalTableProblems(l, roster, results);
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
