import { requireStatus } from '../domain/lifecycle';
import { LotteryError, type FieldProblem } from '../domain/errors';
import { parseExclusion } from '../domain/input/body';
import { parseRoster, type RosterInputRow } from '../domain/input/roster';
import { rosterDigest, type RosterEntry } from '../domain/protocol';
import { notFound, type Context } from './context';
import type { RosterLoadReport } from './views';

/** The roster (名冊): loaded whole, edited one exclusion at a time, in draft only, each change journalled. */

export function getRoster(
  c: Context,
  id: string,
): { lottery: string; rosterDigest: string | null; entries: RosterEntry[] } {
  return c.store.read(() => {
    const l = c.mustGetLottery(id);
    return { lottery: id, rosterDigest: l.rosterDigest, entries: c.store.roster(id) };
  });
}

/** The importer's errors and the validator's, without repeats. */
function rosterErrors(pre: readonly FieldProblem[], parsed: readonly FieldProblem[]): FieldProblem[] {
  // Every error of the file at once, in row order: the office fixes its file in one pass.
  const seen = new Set(pre.map((e) => `${e.row}:${e.code}`));
  return [...pre, ...parsed.filter((e) => !seen.has(`${e.row}:${e.code}`))].sort(
    (a, b) => (a.row ?? 0) - (b.row ?? 0),
  );
}

/**
 * Replaces the whole roster atomically. Any invalid row: 422 listing every bad row, and nothing changes.
 * `dryRun` validates at any status and saves nothing.
 */
export function loadRoster(
  c: Context,
  actor: string,
  id: string,
  rows: readonly RosterInputRow[],
  opts: { strictFields: boolean; dryRun?: boolean; warnings?: FieldProblem[]; errors?: FieldProblem[] },
): RosterLoadReport {
  const parsed = parseRoster(rows, { strictFields: opts.strictFields });
  const warnings = [...(opts.warnings ?? []), ...parsed.warnings];
  const errors = rosterErrors(opts.errors ?? [], parsed.errors);
  if (errors.length > 0)
    throw new LotteryError(
      'ROSTER_INVALID',
      {
        zh: `名冊有 ${errors.length} 處錯誤，未載入`,
        en: `The roster has ${errors.length} error${errors.length === 1 ? '' : 's'} and was not loaded`,
      },
      { problems: errors, extra: { warnings } },
    );
  if (parsed.entries.length === 0)
    throw new LotteryError(
      'ROSTER_INVALID',
      { zh: '名冊沒有任何申報人', en: 'The roster has no entries' },
      { problems: [], extra: { warnings } },
    );
  const digest = rosterDigest(parsed.entries, c.d.sha256);
  const report: RosterLoadReport = {
    count: parsed.entries.length,
    poolSize: parsed.entries.filter((e) => !e.excluded).length,
    rosterDigest: digest,
    units: countUnits(parsed.entries),
    warnings,
  };
  if (opts.dryRun) {
    c.mustGetLottery(id);
    return { ...report, dryRun: true };
  }
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'roster', l.cancelledAt !== null);
    c.store.replaceRoster(id, parsed.entries, digest);
    c.d.fault?.('roster.load');
    c.journal(
      tx,
      {
        type: 'roster.loaded',
        data: { lottery: id, count: report.count, poolSize: report.poolSize, rosterDigest: digest },
      },
      actor,
    );
    return report;
  });
}

/**
 * Edits one entry's exclusion reason while in draft (the roster table's inline edit). The whole digest is
 * recomputed and journalled, so the change is as visible as a reload.
 */
export function updateEntry(
  c: Context,
  actor: string,
  id: string,
  entryId: string,
  body: unknown,
): RosterLoadReport {
  const reason = parseExclusion(body);
  return c.store.write((tx) => {
    const l = c.mustGetLottery(id);
    requireStatus(l.status, 'roster', l.cancelledAt !== null);
    if (c.store.updateEntryExclusion(id, entryId, reason === '' ? null : reason) !== 1)
      throw notFound(`編號 ${entryId} 的申報人`, `Entry ${entryId}`);
    const roster = c.store.roster(id);
    const digest = rosterDigest(roster, c.d.sha256);
    c.store.setRosterDigest(id, digest);
    const poolSize = roster.filter((e) => !e.excluded).length;
    c.journal(
      tx,
      {
        type: 'roster.entry.updated',
        data: {
          lottery: id,
          entry: entryId,
          excluded: reason !== '',
          count: roster.length,
          poolSize,
          rosterDigest: digest,
        },
      },
      actor,
    );
    return { count: roster.length, poolSize, rosterDigest: digest, units: countUnits(roster), warnings: [] };
  });
}

function countUnits(
  entries: readonly RosterEntry[],
): Array<{ unit: string; count: number; poolSize: number }> {
  const m = new Map<string, { count: number; poolSize: number }>();
  for (const e of entries) {
    const k = e.unit ?? '';
    const c = m.get(k) ?? { count: 0, poolSize: 0 };
    c.count++;
    if (!e.excluded) c.poolSize++;
    m.set(k, c);
  }
  return [...m.entries()].map(([unit, c]) => ({ unit, ...c }));
}
