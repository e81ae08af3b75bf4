import type { Bundle } from '../bundle';
import type { ChainResult, JournalEntry } from '../journal';
import { PROTOCOL_V2, type Protocol } from '../protocol';
import { effectiveLock, replay, type LotteryReplay } from '../replay';
import { parsedEntries, sameJson, type Check } from './report';

/** journal.chain: the hash chain holds from seq 1 to the last entry (protocol.md §7). */
export function journalChain(chain: ChainResult): Check {
  return {
    name: 'journal.chain',
    ok: chain.ok,
    detail: chain.ok
      ? `${chain.length} entries, head ${chain.head.hash}`
      : `broken at seq ${chain.brokenAt}: ${chain.reason}`,
  };
}

/** The bundle's journal replayed: its well-formed entries, and the bundle's lottery as they make it. */
export interface BundleReplay {
  entries: JournalEntry[];
  lottery: LotteryReplay | undefined;
}

/** Replays every well-formed entry, whether or not the chain holds; the lottery's anomalies become warnings. */
export function replayBundle(b: Bundle, warnings: string[]): BundleReplay {
  const entries = parsedEntries(b.journal);
  const rp = replay(entries);
  for (const a of rp.anomalies)
    if (a.lottery === b.lottery.id) warnings.push(`journal seq ${a.seq}: ${a.reason}`);
  return { entries, lottery: rp.lotteries.get(b.lottery.id) };
}

/** journal.lottery: the rates and particulars in the bundle are the ones journalled, not edited afterwards. */
export function journalLottery(b: Bundle, l: LotteryReplay | undefined): Check {
  const problems: string[] = [];
  if (!l) problems.push(`the journal never created lottery ${b.lottery.id}`);
  else {
    if (l.year !== b.lottery.year) problems.push('year differs');
    if (l.agency !== b.lottery.agency) problems.push('agency differs');
    if (l.title !== b.lottery.title) problems.push('title differs');
    if (!sameJson(l.stages, b.lottery.stages)) problems.push('stages or rates differ');
    if (!sameJson(l.meeting, b.lottery.meeting)) problems.push('meeting differs');
    // issue 11: a meeting.updated with no lock in force, or after the record, is one no service writes.
    for (const u of l.meetingUpdates)
      if (!u.ok) problems.push(`seq ${u.seq}: ${u.reason ?? 'meeting.updated refused'}`);
  }
  return {
    name: 'journal.lottery',
    ok: problems.length === 0,
    detail: problems.length
      ? `bundle and journal disagree: ${problems.join(', ')}`
      : 'year, agency, title, rates and meeting match the journal',
  };
}

/**
 * journal.locked: digest, commitment, rates, pools, quotas and protocol were fixed before the first draw. Every
 * earlier lock's commitment becomes a warning.
 */
export function journalLocked(
  b: Bundle,
  l: LotteryReplay | undefined,
  protocol: Protocol,
  warnings: string[],
): Check {
  if (!l) return { name: 'journal.locked', ok: false, detail: 'no such lottery in the journal' };
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
  let detail: string;
  if (!lock) detail = 'no lottery.locked entry before the first draw';
  else if (!firstDraw) detail = 'no stage.drawn entry';
  else if (notFromDraft)
    detail = `the lock at seq ${notFromDraft.seq} is followed by another lock with no unlock between them`;
  else if (protocol !== PROTOCOL_V2 && v2Lock)
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
  else
    return {
      name: 'journal.locked',
      ok: true,
      detail: `digest, commitment and quotas journalled at seq ${lock.seq} under ${protocol}, before the first draw at seq ${firstDraw.seq}`,
    };
  return { name: 'journal.locked', ok: false, detail };
}

/** journal.draws: what the journal says was drawn is what the bundle says was drawn. */
export function journalDraws(b: Bundle, l: LotteryReplay | undefined): Check {
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
    // issue 11: a cancelled lottery is never drawn; a bundle exists only for a drawn one.
    if (l.cancelled) problems.push(`the lottery was cancelled at seq ${l.cancelled.seq}`);
  }
  return {
    name: 'journal.draws',
    ok: problems.length === 0,
    detail: problems.join('; ') || `${b.stages.length} stage.drawn entries match the bundle`,
  };
}
