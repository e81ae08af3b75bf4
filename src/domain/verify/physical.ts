import type { Bundle, BundleStage } from '../bundle';
import { replayBalls, sheetEntries, sheetPreimage, type BallStep } from '../physical';
import { initialPool, type RosterEntry } from '../protocol';
import { canonicalPercent, comparePercent, isValidPercent, LEGAL_FLOOR_PERCENT, quota } from '../quota';
import type { LotteryReplay } from '../replay';
import { commitmentCheck } from './draw';
import { fromProblems, sameJson, type Check, type VerifyDeps } from './report';

/**
 * The checks of a physical draw (實體抽籤, protocol.md §6.1 and §8.2), in their place in the checklist:
 * commitment, randomness, quotas, physical.sheets, physical.balls, winners. Everything but the randomness is
 * recomputed: the pools from the roster and each stage's winners, the sheets from the pools, the balls from the
 * journal. The randomness is named as not verifiable, and does not fail the bundle.
 */
export async function physicalDrawChecks(
  b: Bundle,
  l: LotteryReplay | undefined,
  deps: VerifyDeps,
): Promise<Check[]> {
  const pools = stagePools(b);
  return [
    await commitmentCheck(b, deps),
    randomness(),
    physicalQuotas(b, pools),
    await sheetsCheck(b, l, pools, deps),
    ballsCheck(b, l, pools),
    physicalWinners(b, l, pools),
  ];
}

/** randomness: a ball drawn from a drum leaves nothing to recompute; reported, never failed (§8.2). */
function randomness(): Check {
  return {
    name: 'randomness',
    ok: true,
    notVerifiable: true,
    detail:
      'not verifiable: physical draw (the balls were drawn from a drum; only the record of them is checked)',
  };
}

/** Each stage's pool: stage 1's the roster's entries not excluded, stage k+1's stage k's winners (bundle's). */
function stagePools(b: Bundle): string[][] {
  const pools: string[][] = [];
  let pool = initialPool(b.roster);
  for (let i = 0; i < b.lottery.stages.length; i++) {
    pools.push(pool);
    pool = b.stages[i]?.winners ?? [];
  }
  return pools;
}

/** quotas (physical): the rates, the pools recomputed, each quota the exact ceiling, and each quota met. */
function physicalQuotas(b: Bundle, pools: string[][]): Check {
  const rules = b.lottery.stages;
  const problems: string[] = [];
  if (!rules.every((r) => isValidPercent(r.percent))) problems.push('a stage percent is not a valid decimal');
  else {
    if (rules.some((r) => canonicalPercent(r.percent) !== r.percent))
      problems.push('a percent is not in its canonical form');
    const first = rules[0];
    if (first && comparePercent(first.percent, LEGAL_FLOOR_PERCENT) < 0)
      problems.push(`stage 1 rate ${first.percent}% is below the legal floor of 5%`);
    if (b.stages.length !== rules.length)
      problems.push(`${b.stages.length} stages recorded, the lottery has ${rules.length}`);
    b.stages.forEach((st, i) => {
      const rule = rules[i];
      const pool = pools[i];
      if (!rule || !pool) return;
      const q = quota(pool.length, rule.percent);
      if (st.stage !== i + 1 || rule.stage !== i + 1) problems.push(`stage ${i + 1} is numbered ${st.stage}`);
      if (st.percent !== rule.percent) problems.push(`stage ${i + 1} percent ${st.percent} differs`);
      if (st.poolSize !== pool.length || st.quota !== q)
        problems.push(
          `stage ${i + 1}: pool ${pool.length} quota ${q} recomputed, bundle says ${st.poolSize} and ${st.quota}`,
        );
      if (st.winners.length !== q)
        problems.push(`stage ${i + 1}: ${st.winners.length} winners, the quota is ${q}`);
    });
  }
  return fromProblems(
    'quotas',
    problems,
    b.stages
      .map((st) => `stage ${st.stage}: ceil(${st.poolSize} × ${st.percent}%) = ${st.quota}, met`)
      .join('; '),
  );
}

/** The journal's sheet for a stage: the last `poolsheet.issued` for it before its first ball (or at all). */
function journalSheet(l: LotteryReplay, stage: number): LotteryReplay['sheets'][number] | undefined {
  const firstBall = l.balls.find((x) => x.stage === stage)?.seq ?? Number.POSITIVE_INFINITY;
  const before = l.sheets.filter((s) => s.stage === stage && s.seq < firstBall);
  return before[before.length - 1];
}

/** physical.sheets: each sheet is its pool in id order, and its digest is the bundle's and the journal's. */
async function sheetsCheck(
  b: Bundle,
  l: LotteryReplay | undefined,
  pools: string[][],
  deps: VerifyDeps,
): Promise<Check> {
  const problems: string[] = [];
  for (const [i, st] of b.stages.entries()) {
    const pool = pools[i];
    if (!pool) continue;
    const want = await deps.sha256(sheetPreimage(b.lottery.id, st.stage, sheetEntries(pool)));
    const j = l ? journalSheet(l, st.stage) : undefined;
    if (st.sheet !== want)
      problems.push(`stage ${st.stage}: the sheet digest is not that of its pool in id order (${want})`);
    if (!j) problems.push(`stage ${st.stage}: no poolsheet.issued in the journal before its first ball`);
    else if (j.sha256 !== want || j.poolSize !== pool.length)
      problems.push(`stage ${st.stage}: the sheet journalled at seq ${j.seq} is not its pool in id order`);
  }
  return fromProblems(
    'physical.sheets',
    problems,
    `${b.stages.length} sheets number their pools in id order`,
  );
}

/** Each stage's standing balls replayed from the journal, with what broke a rule. */
function stageBalls(
  l: LotteryReplay,
  st: BundleStage,
  sheet: readonly string[],
): ReturnType<typeof replayBalls> {
  return replayBalls(st.stage, sheet, ballSteps(l, st.stage));
}

/** The journal's ball entries of one stage, in order, as replayBalls takes them. */
function ballSteps(l: LotteryReplay, stage: number): BallStep[] {
  return l.balls
    .filter((x) => x.stage === stage)
    .map((x) =>
      x.kind === 'ball'
        ? { kind: 'ball', seq: x.seq, number: x.number, entry: x.entry }
        : { kind: 'undone', seq: x.seq, number: x.number, reason: x.reason },
    );
}

/**
 * physical.balls: in the journal, every ball is on its stage's sheet and names its entry, none is drawn twice,
 * an undo withdraws the last ball before any other, and each stage is recorded by its quota-th ball with none
 * after; the standing balls are the bundle's, in draw order.
 */
function ballsCheck(b: Bundle, l: LotteryReplay | undefined, pools: string[][]): Check {
  const problems: string[] = [];
  if (!l) problems.push('no such lottery in the journal');
  else {
    for (const [i, st] of b.stages.entries()) {
      const out = stageBalls(l, st, sheetEntries(pools[i] ?? []));
      problems.push(...out.problems);
      const numbers = out.balls.map((x) => x.number);
      if (!sameJson(numbers, st.balls ?? []))
        problems.push(
          `stage ${st.stage}: the journal's balls are ${numbers.join(', ') || 'none'}, the bundle's ${(st.balls ?? []).join(', ')}`,
        );
      const rec = l.draws.find((d) => d.stage === st.stage);
      const last = out.balls[out.balls.length - 1];
      const after = l.balls.find((x) => x.stage === st.stage && rec !== undefined && x.seq > rec.seq);
      if (rec && after)
        problems.push(`stage ${st.stage}: a ball entry at seq ${after.seq} after it was recorded`);
      if (rec && last && last.seq > rec.seq)
        problems.push(`stage ${st.stage}: recorded before its last ball`);
      if (rec && rec.quota !== undefined && out.balls.length !== rec.quota)
        problems.push(
          `stage ${st.stage}: recorded with ${out.balls.length} balls for a quota of ${rec.quota}`,
        );
    }
    const stray = l.balls.find((x) => !b.stages.some((st) => st.stage === x.stage));
    if (stray) problems.push(`a ball at seq ${stray.seq} for stage ${stray.stage}, which was not recorded`);
  }
  return fromProblems(
    'physical.balls',
    problems,
    b.stages
      .map((st) => `stage ${st.stage}: ${(st.balls ?? []).length} balls, each on its sheet, in order`)
      .join('; '),
  );
}

/** winners (physical): each stage's winners are its balls' entries on its sheet, in draw order. */
function physicalWinners(b: Bundle, l: LotteryReplay | undefined, pools: string[][]): Check {
  const problems: string[] = [];
  b.stages.forEach((st, i) => {
    const sheet = sheetEntries(pools[i] ?? []);
    const fromBalls = (st.balls ?? []).map((n) => sheet[n - 1] ?? `(no ${n} on the sheet)`);
    if (!sameJson(fromBalls, st.winners))
      problems.push(
        `stage ${st.stage}: the balls name ${fromBalls.join(', ')}; the bundle's winners are ${st.winners.join(', ')}`,
      );
    const rec = l?.draws.find((d) => d.stage === st.stage);
    if (rec && !sameJson(rec.winners, st.winners))
      problems.push(`stage ${st.stage}: stage.recorded at seq ${rec.seq} names other winners`);
  });
  return fromProblems('winners', problems, `${b.stages.length} stages: the winners are the balls drawn`);
}

/** journal.draws (physical): the `stage.recorded` entries are the bundle's stages, and nothing was drawn by seed. */
export function physicalJournalDraws(b: Bundle, l: LotteryReplay | undefined): Check {
  const problems: string[] = [];
  if (!l) problems.push('no such lottery in the journal');
  else {
    if (l.method !== 'physical') problems.push('the journal did not create the lottery as a physical draw');
    if (l.draws.length !== b.stages.length)
      problems.push(`journal records ${l.draws.length} stages, bundle ${b.stages.length}`);
    l.draws.forEach((d, i) => {
      const st = b.stages[i];
      if (d.method !== 'physical') problems.push(`stage ${d.stage} was drawn by seed at seq ${d.seq}`);
      if (d.stage !== i + 1) problems.push(`entry ${i + 1} at seq ${d.seq} is for stage ${d.stage}`);
      if (st && !sameJson(d.winners, st.winners))
        problems.push(`stage ${d.stage} winners differ (seq ${d.seq})`);
      if (st && (d.poolSize !== st.poolSize || d.quota !== st.quota))
        problems.push(`stage ${d.stage} pool size or quota differs (seq ${d.seq})`);
    });
    // issue 11: a cancelled lottery is never drawn, by seed or by balls.
    if (l.cancelled) problems.push(`the lottery was cancelled at seq ${l.cancelled.seq}`);
  }
  return fromProblems(
    'journal.draws',
    problems,
    `${b.stages.length} stage.recorded entries match the bundle`,
  );
}

/**
 * `verify --db` on a physical draw (protocol.md §8.4): each recorded stage recomputed from the roster tables and
 * the journal's balls: its pool and quota, its balls on its sheet by the rules of §6.1, its winners the standing
 * balls' entries, as journalled and as stored.
 */
export function physicalTableProblems(
  l: LotteryReplay,
  roster: readonly RosterEntry[],
  results: ReadonlyArray<{ stage: number; winners: string[]; poolSize?: number; quota?: number }>,
): string[] {
  const problems: string[] = [];
  let pool = initialPool(roster);
  for (const d of l.draws) {
    const rule = l.stages[d.stage - 1];
    if (d.method !== 'physical' || !rule || !isValidPercent(rule.percent)) {
      problems.push(`stage ${d.stage} at seq ${d.seq} is not a physical stage of the lottery`);
      break;
    }
    const q = quota(pool.length, rule.percent);
    if (d.poolSize !== pool.length || d.quota !== q)
      problems.push(
        `stage ${d.stage}: pool ${pool.length} and quota ${q} recomputed, the journal has others`,
      );
    const out = replayBalls(d.stage, sheetEntries(pool), ballSteps(l, d.stage));
    problems.push(...out.problems);
    const fromBalls = out.balls.map((x) => x.entry);
    if (!sameJson(fromBalls, d.winners) || fromBalls.length !== q)
      problems.push(`stage ${d.stage}: the journalled winners are not its ${q} balls`);
    const r = results.find((x) => x.stage === d.stage);
    if (r && !sameJson(r.winners, fromBalls))
      problems.push(`stage ${d.stage}: the stored winners are not the balls`);
    if (r && r.poolSize !== undefined && (r.poolSize !== pool.length || r.quota !== q))
      problems.push(`stage ${d.stage}: the stored pool size or quota is not the recomputed one`);
    pool = d.winners;
  }
  return problems;
}
