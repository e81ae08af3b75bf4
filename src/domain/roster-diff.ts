import type { RosterEntry, RosterField } from './protocol';

/**
 * A roster loaded over another (issue 12). The reasons the office typed on the page (不列入抽籤原因) are the
 * result of its own review, not of the exported file: a file without an excluded column must not erase them in
 * silence. So a file without the column keeps each reason by id, and one with the column replaces them; either
 * way the dry run lists what the load would do, and the load does exactly that.
 */

/** How many items each list of the diff shows at most; `counts` has the full numbers. */
export const DIFF_LIST_MAX = 1000;

export interface Person {
  id: string;
  name: string;
}

export interface RosterDiff {
  /** The roster being replaced. */
  previous: { count: number; rosterDigest: string | null };
  added: Person[];
  removed: Person[];
  /** People in both, with the fields (other than excluded) whose value differs. */
  changed: Array<Person & { fields: RosterField[] }>;
  exclusions: {
    /** A reason that stays as it is. */
    kept: Array<Person & { reason: string }>;
    /** A reason that goes: its person left the roster (`removed`), or the file's cell is blank. */
    dropped: Array<Person & { reason: string; removed: boolean }>;
    /** A reason the file sets or changes (`from` is null for a new one). */
    changed: Array<Person & { from: string | null; to: string }>;
  };
  /** True when the file had no excluded column, so the reasons already on the roster were kept. */
  keptReasons: boolean;
  counts: {
    added: number;
    removed: number;
    changed: number;
    kept: number;
    dropped: number;
    exclusionsChanged: number;
  };
  /** True when some list above was cut at DIFF_LIST_MAX. */
  truncated: boolean;
}

const COMPARED: readonly RosterField[] = ['name', 'unit', 'title', 'category'];

/** The new entries with the old reasons carried over by id, when the file had no excluded column. */
export function carryExclusions(
  prev: readonly RosterEntry[],
  next: readonly RosterEntry[],
  excludedColumn: boolean,
): RosterEntry[] {
  if (excludedColumn) return [...next];
  const reasons = new Map(prev.filter((e) => e.excluded).map((e) => [e.id, e.excluded as string]));
  return next.map((e) => {
    const reason = reasons.get(e.id);
    const rest: RosterEntry = { ...e };
    delete rest.excluded;
    return reason === undefined ? rest : { ...rest, excluded: reason };
  });
}

/** What loading `next` (already merged by carryExclusions) over `prev` changes. */
export function rosterDiff(
  prev: readonly RosterEntry[],
  prevDigest: string | null,
  next: readonly RosterEntry[],
  excludedColumn: boolean,
): RosterDiff {
  const before = new Map(prev.map((e) => [e.id, e]));
  const after = new Map(next.map((e) => [e.id, e]));
  const d: RosterDiff = {
    previous: { count: prev.length, rosterDigest: prevDigest },
    added: [],
    removed: [],
    changed: [],
    exclusions: { kept: [], dropped: [], changed: [] },
    keptReasons: !excludedColumn,
    counts: { added: 0, removed: 0, changed: 0, kept: 0, dropped: 0, exclusionsChanged: 0 },
    truncated: false,
  };
  const push = <T>(list: T[], item: T): void => {
    if (list.length < DIFF_LIST_MAX) list.push(item);
    else d.truncated = true;
  };
  for (const e of next) {
    const old = before.get(e.id);
    const p = { id: e.id, name: e.name };
    if (!old) {
      d.counts.added++;
      push(d.added, p);
    } else {
      const fields = COMPARED.filter((f) => (old[f] ?? '') !== (e[f] ?? ''));
      if (fields.length > 0) {
        d.counts.changed++;
        push(d.changed, { ...p, fields });
      }
    }
    const from = old?.excluded ?? null;
    const to = e.excluded ?? null;
    if (from !== null && from === to) {
      d.counts.kept++;
      push(d.exclusions.kept, { ...p, reason: from });
    } else if (from !== null && to === null) {
      d.counts.dropped++;
      push(d.exclusions.dropped, { ...p, reason: from, removed: false });
    } else if (to !== null) {
      d.counts.exclusionsChanged++;
      push(d.exclusions.changed, { ...p, from, to });
    }
  }
  for (const e of prev) {
    if (after.has(e.id)) continue;
    d.counts.removed++;
    push(d.removed, { id: e.id, name: e.name });
    if (e.excluded) {
      d.counts.dropped++;
      push(d.exclusions.dropped, { id: e.id, name: e.name, reason: e.excluded, removed: true });
    }
  }
  return d;
}
