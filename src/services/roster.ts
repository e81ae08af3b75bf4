import { requireStatus } from '../domain/lifecycle';
import { LotteryError, type FieldProblem } from '../domain/errors';
import { parseExclusion } from '../domain/input/body';
import { parseRoster, type RosterInputRow } from '../domain/input/roster';
import { rosterDigest, type RosterEntry } from '../domain/protocol';
import { carryExclusions, notCarriedWarnings, rosterDiff } from '../domain/roster-diff';
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

/** What a roster upload carries besides its rows. */
export interface LoadOptions {
  strictFields: boolean;
  dryRun?: boolean;
  warnings?: FieldProblem[];
  errors?: FieldProblem[];
  /**
   * Whether the upload has an excluded column (a file: its header; JSON: any entry with the key). Without one,
   * the reasons already on the roster are kept by id (issue 12); with one, the file's replace them.
   */
  excludedColumn?: boolean;
  /** The rosterDigest the dry run reported: the load is refused (409) when it would load anything else. */
  expect?: string;
}

/** The rows checked; throws 422 with every error of the file. */
function validRoster(
  rows: readonly RosterInputRow[],
  opts: LoadOptions,
): { entries: RosterEntry[]; warnings: FieldProblem[] } {
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
  return { entries: parsed.entries, warnings };
}

/**
 * Replaces the whole roster atomically. Any invalid row: 422 listing every bad row, and nothing changes.
 * `dryRun` validates at any status and saves nothing. Over an existing roster the answer has a `diff`, and the
 * real load applies the same plan inside its transaction (the current roster is re-read there).
 */
export function loadRoster(
  c: Context,
  actor: string,
  id: string,
  rows: readonly RosterInputRow[],
  opts: LoadOptions,
): RosterLoadReport {
  const valid = validRoster(rows, opts);
  const excludedColumn = opts.excludedColumn ?? rows.some((r) => Object.hasOwn(r.values, 'excluded'));
  // Without any id, parseRoster numbers the rows: those numbers name a row, not a person (issue 12 attack).
  const idColumn = rows.some((r) => typeof r.values.id === 'string' && r.values.id.trim() !== '');
  const plan = (): { entries: RosterEntry[]; report: RosterLoadReport } => {
    const l = c.mustGetLottery(id);
    if (!opts.dryRun) requireStatus(l.status, 'roster', l.cancelledAt !== null);
    const prev = c.store.roster(id);
    const carried = carryExclusions(prev, valid.entries, excludedColumn, idColumn);
    const entries = carried.entries;
    const digest = rosterDigest(entries, c.d.sha256);
    if (opts.expect !== undefined && opts.expect !== digest) throw changedSincePreview();
    const report: RosterLoadReport = {
      count: entries.length,
      poolSize: entries.filter((e) => !e.excluded).length,
      rosterDigest: digest,
      units: countUnits(entries),
      warnings: [...notCarriedWarnings(carried.notCarried), ...valid.warnings],
      ...(prev.length > 0
        ? { diff: rosterDiff(prev, l.rosterDigest, entries, excludedColumn, carried, idColumn) }
        : {}),
    };
    return { entries, report };
  };
  if (opts.dryRun) return c.store.read(() => ({ ...plan().report, dryRun: true }));
  return c.store.write((tx) => {
    const { entries, report } = plan();
    c.store.replaceRoster(id, entries, report.rosterDigest);
    c.d.fault?.('roster.load');
    c.journal(
      tx,
      {
        type: 'roster.loaded',
        data: {
          lottery: id,
          count: report.count,
          poolSize: report.poolSize,
          rosterDigest: report.rosterDigest,
        },
      },
      actor,
    );
    return report;
  });
}

function changedSincePreview(): LotteryError {
  return new LotteryError('CONFLICT', {
    zh: '名冊在檢查後已有變更，請重新檢查檔案後再載入',
    en: 'The roster changed after the check: check the file again before loading it',
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
