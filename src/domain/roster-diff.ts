import type { FieldProblem } from './errors';
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

/** One changed field, with its old and new value ('' for an empty one). */
export interface FieldChange {
  field: RosterField;
  from: string;
  to: string;
}

/** Why a typed reason was not carried to the new roster although the file has no excluded column. */
export type NotCarriedWhy = 'NAME_CHANGED' | 'NOT_UNIQUE';

export interface RosterDiff {
  /** The roster being replaced. */
  previous: { count: number; rosterDigest: string | null };
  added: Person[];
  removed: Person[];
  /** People in both, with the fields (other than excluded) whose value differs, old → new. */
  changed: Array<Person & { fields: FieldChange[] }>;
  exclusions: {
    /** A reason that stays as it is (`id` is the person's id in the new roster). */
    kept: Array<Person & { reason: string }>;
    /**
     * A reason that goes: its person left the roster (`removed`), the file's cell is blank, or (`why`) the id
     * now names someone else, or the person cannot be told apart in a roster without ids. `id`/`name` are the
     * person the reason was typed for.
     */
    dropped: Array<Person & { reason: string; removed: boolean; why?: NotCarriedWhy; now?: string }>;
    /** A reason the file sets or changes (`from` is null for a new one). */
    changed: Array<Person & { from: string | null; to: string }>;
  };
  /** True when the file had no excluded column, so the reasons already on the roster were kept. */
  keptReasons: boolean;
  /** How people were matched: by id, or by name and unit when the file has no id column (generated ids). */
  matchedBy: 'id' | 'name-unit';
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

/** A name as a person reads it: NFC, trimmed (the same 王小明 typed on a Mac and on Windows). */
const norm = (s: string | undefined): string => (s ?? '').normalize('NFC').trim();
const personKey = (e: RosterEntry): string => `${norm(e.name)}\u0000${norm(e.unit)}`;

/** The entries whose (name, unit) no other entry of the list shares, by that key. */
function uniqueByPerson(list: readonly RosterEntry[]): Map<string, RosterEntry> {
  const seen = new Map<string, RosterEntry | null>();
  for (const e of list) seen.set(personKey(e), seen.has(personKey(e)) ? null : e);
  const out = new Map<string, RosterEntry>();
  for (const [k, e] of seen) if (e) out.set(k, e);
  return out;
}

export interface NotCarried {
  id: string;
  name: string;
  reason: string;
  why: NotCarriedWhy;
  /** NAME_CHANGED: the name the id now has. */
  now?: string;
}

export interface Carried {
  entries: RosterEntry[];
  /** Reason → the new entry's id it went to, by the old entry's id. */
  kept: Map<string, string>;
  notCarried: NotCarried[];
}

/**
 * The new entries with the old reasons carried over, when the file had no excluded column. A reason is the
 * office's finding about one person, so it follows the person, never the row number: with ids, only when the
 * id AND the name are the same (an id re-used for someone else must not take the reason along, issue 12 attack:
 * 林怡芬 inserted as row 2 would have left the pool with 李美華's 留職停薪); without an id column (ids numbered
 * by row) never by id, only by (name, unit) when that pair is unique in both rosters.
 */
export function carryExclusions(
  prev: readonly RosterEntry[],
  next: readonly RosterEntry[],
  excludedColumn: boolean,
  idColumn = true,
): Carried {
  const kept = new Map<string, string>();
  const notCarried: NotCarried[] = [];
  if (excludedColumn) return { entries: [...next], kept, notCarried };
  const target = new Map<RosterEntry, string>(); // new entry → reason
  const byId = new Map(next.map((e) => [e.id, e]));
  const prevUnique = uniqueByPerson(prev);
  const nextUnique = uniqueByPerson(next);
  for (const old of prev) {
    if (!old.excluded) continue;
    const base = { id: old.id, name: old.name, reason: old.excluded };
    if (idColumn) {
      const e = byId.get(old.id);
      if (!e) continue; // removed: the diff lists it
      if (norm(e.name) === norm(old.name)) {
        target.set(e, old.excluded);
        kept.set(old.id, e.id);
      } else notCarried.push({ ...base, why: 'NAME_CHANGED', now: e.name });
      continue;
    }
    const k = personKey(old);
    const e = nextUnique.get(k);
    if (e && prevUnique.get(k) === old) {
      target.set(e, old.excluded);
      kept.set(old.id, e.id);
    } else if (next.some((n) => personKey(n) === k)) notCarried.push({ ...base, why: 'NOT_UNIQUE' });
  }
  const entries = next.map((e) => {
    const rest: RosterEntry = { ...e };
    delete rest.excluded;
    const reason = target.get(e);
    return reason === undefined ? rest : { ...rest, excluded: reason };
  });
  return { entries, kept, notCarried };
}

/** The loud warnings for reasons not carried: the office must look at these people again. */
export function notCarriedWarnings(list: readonly NotCarried[]): FieldProblem[] {
  return list.map((n) =>
    n.why === 'NAME_CHANGED'
      ? {
          field: 'excluded',
          code: 'REASON_NOT_KEPT_NAME_CHANGED',
          message: {
            zh: `編號 ${n.id} 的姓名由 ${n.name} 變為 ${n.now ?? ''}，原因未保留（「${n.reason}」）`,
            en: `The name of id ${n.id} changed from ${n.name} to ${n.now ?? ''}: its exclusion ("${n.reason}") was not kept`,
          },
        }
      : {
          field: 'excluded',
          code: 'REASON_NOT_KEPT_NOT_UNIQUE',
          message: {
            zh: `名冊沒有編號欄，且 ${n.name} 的姓名與單位不只一筆，原因未保留（「${n.reason}」）`,
            en: `The roster has no id column and ${n.name} shares name and unit with another entry: the exclusion ("${n.reason}") was not kept`,
          },
        },
  );
}

/** Each entry's matching key: its id, or (ids numbered by row) its name and unit with its occurrence. */
function keys(list: readonly RosterEntry[], idColumn: boolean): Map<string, RosterEntry> {
  const out = new Map<string, RosterEntry>();
  const nth = new Map<string, number>();
  for (const e of list) {
    if (idColumn) out.set(e.id, e);
    else {
      const k = personKey(e);
      const n = (nth.get(k) ?? 0) + 1;
      nth.set(k, n);
      out.set(`${k}\u0000${n}`, e);
    }
  }
  return out;
}

/**
 * What loading `next` (already merged by carryExclusions, whose result is `carried`) over `prev` changes.
 * Without an id column, people are matched by name and unit: ids numbered by row say nothing about who is who.
 */
export function rosterDiff(
  prev: readonly RosterEntry[],
  prevDigest: string | null,
  next: readonly RosterEntry[],
  excludedColumn: boolean,
  carried?: Carried,
  idColumn = true,
): RosterDiff {
  const before = keys(prev, idColumn);
  const after = keys(next, idColumn);
  const d: RosterDiff = {
    previous: { count: prev.length, rosterDigest: prevDigest },
    added: [],
    removed: [],
    changed: [],
    exclusions: { kept: [], dropped: [], changed: [] },
    keptReasons: !excludedColumn,
    matchedBy: idColumn ? 'id' : 'name-unit',
    counts: { added: 0, removed: 0, changed: 0, kept: 0, dropped: 0, exclusionsChanged: 0 },
    truncated: false,
  };
  const push = <T>(list: T[], item: T): void => {
    if (list.length < DIFF_LIST_MAX) list.push(item);
    else d.truncated = true;
  };
  for (const [k, e] of after) {
    const old = before.get(k);
    const p = { id: e.id, name: e.name };
    if (!old) {
      d.counts.added++;
      push(d.added, p);
    } else {
      const fields = COMPARED.filter((f) => (old[f] ?? '') !== (e[f] ?? '')).map((field) => ({
        field,
        from: old[field] ?? '',
        to: e[field] ?? '',
      }));
      if (fields.length > 0) {
        d.counts.changed++;
        push(d.changed, { ...p, fields });
      }
    }
    if (carried && !excludedColumn) continue;
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
  for (const [k, e] of before) {
    if (after.has(k)) continue;
    d.counts.removed++;
    push(d.removed, { id: e.id, name: e.name });
    if (e.excluded && !carried?.kept.has(e.id) && !carried?.notCarried.some((n) => n.id === e.id)) {
      d.counts.dropped++;
      push(d.exclusions.dropped, { id: e.id, name: e.name, reason: e.excluded, removed: true });
    }
  }
  if (carried && !excludedColumn) carriedExclusions(d, prev, next, carried, push);
  return d;
}

/** The exclusion lists from what carryExclusions did: each reason kept where it went, or dropped and why. */
function carriedExclusions(
  d: RosterDiff,
  prev: readonly RosterEntry[],
  next: readonly RosterEntry[],
  carried: Carried,
  push: <T>(list: T[], item: T) => void,
): void {
  const nextById = new Map(next.map((e) => [e.id, e]));
  for (const old of prev) {
    const to = carried.kept.get(old.id);
    if (!old.excluded || to === undefined) continue;
    d.counts.kept++;
    push(d.exclusions.kept, { id: to, name: nextById.get(to)?.name ?? old.name, reason: old.excluded });
  }
  for (const n of carried.notCarried) {
    d.counts.dropped++;
    push(d.exclusions.dropped, {
      id: n.id,
      name: n.name,
      reason: n.reason,
      removed: false,
      why: n.why,
      ...(n.now === undefined ? {} : { now: n.now }),
    });
  }
}
