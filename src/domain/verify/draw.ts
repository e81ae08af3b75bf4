import type { Bundle } from '../bundle';
import { ENTROPY_DIGITS } from '../grammar';
import { OBSERVED_COMMITMENT } from '../grammar';
import { parseEntropy } from '../input/entropy';
import { drawAll, initialPool, PROTOCOL_V2, seedPreimage, type Protocol } from '../protocol';
import { canonicalPercent, comparePercent, isValidPercent, LEGAL_FLOOR_PERCENT, quota } from '../quota';
import { fromProblems, sameJson, type Check, type VerifyDeps } from './report';

/** commitment: the revealed secret is the one committed to before the roster was locked (protocol.md §3). */
export async function commitmentCheck(b: Bundle, deps: VerifyDeps): Promise<Check> {
  const c = await deps.sha256(b.secret);
  return {
    name: 'commitment',
    ok: c === b.commitment,
    detail:
      c === b.commitment
        ? 'H(secret) equals the published commitment'
        : `H(secret) = ${c}, commitment is ${b.commitment}`,
  };
}

/** seed: recomputed with the version's preimage (protocol.md §4). */
export async function seedCheck(b: Bundle, protocol: Protocol, deps: VerifyDeps): Promise<Check> {
  const s = await deps.sha256(
    seedPreimage(
      { lottery: b.lottery.id, rosterDigest: b.rosterDigest, secret: b.secret, entropy: b.entropy },
      protocol,
    ),
  );
  // Under v1 the seed check also holds the entropy to v1's normal form; under v2 that is entropy.form's job.
  let entropyOk = true;
  if (protocol !== PROTOCOL_V2)
    try {
      entropyOk = parseEntropy({ entropy: b.entropy }) === b.entropy;
    } catch {
      entropyOk = false;
    }
  return {
    name: 'seed',
    ok: s === b.seed && entropyOk,
    detail: !entropyOk
      ? 'entropy is not in the form the protocol hashes (trimmed, NFC, 1–200 characters, no control or format characters)'
      : s === b.seed
        ? `seed = H(JCS({protocol: ${protocol}, …})) = ${s}`
        : `recomputed seed ${s}, bundle says ${b.seed}`,
  };
}

/** entropy.form (v2): the dice are canonical digits, so no look-alike spelling reaches the seed (§4.1). */
export function entropyForm(b: Bundle): Check {
  const ok = ENTROPY_DIGITS.test(b.entropy);
  return {
    name: 'entropy.form',
    ok,
    detail: ok
      ? `${b.entropy.length} canonical digits`
      : `entropy ${JSON.stringify(b.entropy)} is not 10–64 canonical digits (protocol.md §4.1)`,
  };
}

/** The draw recomputed from the bundle's seed and the lottery's rates, or undefined when a rate is invalid. */
export type ExpectedDraw = ReturnType<typeof drawAll> | undefined;

export function expectedDraw(b: Bundle): ExpectedDraw {
  const rules = b.lottery.stages.map((d) => ({ stage: d.stage, percent: d.percent }));
  return rules.every((r) => isValidPercent(r.percent))
    ? drawAll(b.seed, rules, initialPool(b.roster))
    : undefined;
}

/** quotas: the rates are the lottery's, stage by stage, and each quota is the exact ceiling. */
export function quotasCheck(b: Bundle, expected: ExpectedDraw): Check {
  const rules = b.lottery.stages.map((d) => ({ stage: d.stage, percent: d.percent }));
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
      if (st.stage !== i + 1 || rule.stage !== i + 1) problems.push(`stage ${i + 1} is numbered ${st.stage}`);
      if (st.percent !== rule.percent)
        problems.push(`stage ${i + 1} percent ${st.percent} differs from the lottery's ${rule.percent}`);
      if (st.poolSize !== exp.poolSize)
        problems.push(`stage ${i + 1} pool is ${exp.poolSize}, bundle says ${st.poolSize}`);
      if (st.quota !== quota(exp.poolSize, rule.percent))
        problems.push(`stage ${i + 1} quota is ${exp.quota}, bundle says ${st.quota}`);
    });
  }
  return fromProblems(
    'quotas',
    problems,
    b.stages.map((st) => `stage ${st.stage}: ceil(${st.poolSize} × ${st.percent}%) = ${st.quota}`).join('; '),
  );
}

/** winners: each stage's winners are the selection recomputed from the seed (protocol.md §6). */
export function winnersCheck(b: Bundle, expected: ExpectedDraw): Check {
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
  return fromProblems(
    'winners',
    problems,
    b.stages
      .map(
        (st) =>
          `stage ${st.stage}: ${st.winners.length} winner${st.winners.length === 1 ? '' : 's'} recomputed`,
      )
      .join('; '),
  );
}

/** commitment.observed: the commitment is the one written down from the notice or the projector. */
export function commitmentObserved(b: Bundle, observed: string): Check {
  const want = observed.toLowerCase();
  const ok = OBSERVED_COMMITMENT.test(want) && b.commitment.startsWith(want);
  return {
    name: 'commitment.observed',
    ok,
    detail: ok
      ? `the commitment starts with ${want}, as observed`
      : `the commitment ${b.commitment.slice(0, 16)}… does not start with the observed ${want}`,
  };
}

/** entropy.observed: the entropy is the dice written down in the room. */
export function entropyObserved(b: Bundle, observed: string): Check {
  const ok = b.entropy === observed;
  return {
    name: 'entropy.observed',
    ok,
    detail: ok
      ? `the entropy is ${observed}, as written down in the room`
      : `the entropy ${JSON.stringify(b.entropy)} is not the ${observed} written down in the room`,
  };
}
