import { parseBundle, protocolOfFormat, type Bundle } from '../bundle';
import { checkChain } from '../journal';
import { PROTOCOL_V2, type Protocol } from '../protocol';
import { ceremonyChecks } from './ceremony';
import {
  anchoredKeys,
  checkpointHead,
  checkpointObserved,
  checkpointSignature,
  keyPinned,
} from './checkpoint';
import {
  commitmentCheck,
  commitmentObserved,
  entropyForm,
  entropyObserved,
  expectedDraw,
  quotasCheck,
  seedCheck,
  winnersCheck,
} from './draw';
import { journalChain, journalDraws, journalLocked, journalLottery, replayBundle } from './journal';
import { physicalDrawChecks, physicalJournalDraws } from './physical';
import { rehearsalCheck } from './life';
import { logChecks } from './log';
import { recordChecks } from './record';
import { finish, type Check, type Report, type VerifyDeps, type VerifyOptions } from './report';
import { rosterDigest, rosterOrder } from './roster';

export type { Check, Report, VerifyDeps, VerifyOptions } from './report';
export type { CheckName } from '../checks';
export { verifyDatabase, type DatabaseSnapshot } from './database';

/**
 * Verifies an audit bundle (already read strictly from JSON, still hostile). The checks run in the order of
 * protocol.md §8.2; when `format` fails, nothing else can be read and nothing else runs.
 */
export async function verifyBundle(
  value: unknown,
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<Report> {
  const parsed = parseBundle(value);
  if ('problems' in parsed) return finish([formatFailed(parsed.problems)], [], null);
  const b = parsed.bundle;
  const protocol = protocolOfFormat(b.format);
  const v2 = protocol === PROTOCOL_V2;
  const warnings: string[] = [];
  const checks: Check[] = [formatPassed(b, protocol)];
  // The replay reads the entries whether or not the chain holds; it runs first so that a rehearsal is reported
  // right after the format (issue 11).
  const { entries, lottery: l } = replayBundle(b, warnings);
  checks.push(rehearsalCheck(b, l));
  checks.push(rosterOrder(b), await rosterDigest(b, deps));
  // A physical draw (protocol.md §6.1) has no seed: its own checks stand where the seed's are.
  const physical = b.lottery.method === 'physical';
  if (physical) checks.push(...(await physicalDrawChecks(b, l, deps)));
  else {
    checks.push(await commitmentCheck(b, deps), await seedCheck(b, protocol, deps));
    if (v2) checks.push(entropyForm(b));
    const expected = expectedDraw(b);
    checks.push(quotasCheck(b, expected), winnersCheck(b, expected));
  }

  const chain = await checkChain(b.journal, deps.sha256);
  checks.push(journalChain(chain));
  const draws = physical ? physicalJournalDraws(b, l) : journalDraws(b, l);
  checks.push(journalLottery(b, l), journalLocked(b, l, protocol, warnings), draws);
  if (v2) checks.push(...ceremonyChecks(b, l, warnings));
  if (b.record || opts.pdf) checks.push(...(await recordChecks(b, l, entries, deps, opts)));

  checks.push(checkpointHead(b, chain, entries), await checkpointSignature(b, deps));
  const anchored = await anchoredKeys(b, entries, deps, opts);
  checks.push(keyPinned(b, anchored));
  if (opts.observedCommitment !== undefined) checks.push(commitmentObserved(b, opts.observedCommitment));
  if (opts.observedEntropy !== undefined) checks.push(entropyObserved(b, opts.observedEntropy));
  if (opts.observedCheckpoint !== undefined)
    checks.push(await checkpointObserved(opts.observedCheckpoint, entries, chain, anchored, deps));
  // issue 13: the witnessed log, when the bundle has one or a log flag asks for it.
  checks.push(...(await logChecks(b, entries, deps, opts)));

  return finish(checks, warnings, protocol, chain.ok ? undefined : chain.brokenAt);
}

/** format: the bundle's shape (protocol.md §8.2); at most 20 problems are named. */
function formatFailed(problems: string[]): Check {
  const shown = problems.slice(0, 20);
  const more = problems.length - shown.length;
  return { name: 'format', ok: false, detail: shown.join('; ') + (more > 0 ? `; and ${more} more` : '') };
}

function formatPassed(b: Bundle, protocol: Protocol): Check {
  return { name: 'format', ok: true, detail: `${b.format}, protocol ${protocol}` };
}
