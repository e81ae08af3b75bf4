import { fieldProblem, type FieldProblem } from '../errors';
import { ENTRY_ID } from '../grammar';
import { ROSTER_FIELDS, type RosterEntry } from '../protocol';
import { clean, codePoints, hasControl, looksLikeNationalId } from './text';

/** Validation of roster rows: the 申報人 the office exports, one row per declarant. */

export const MAX_ROSTER = 100_000;

/** A roster row as it came in: JSON entries, or CSV rows already split into named fields. */
export interface RosterInputRow {
  /** The row number a person sees: the file's line, or the JSON entry's position from 1. */
  row: number;
  values: Record<string, unknown>;
  /** For files: the spreadsheet column letter of each field. */
  columns?: Partial<Record<string, string>>;
}

export interface RosterParse {
  entries: RosterEntry[];
  errors: FieldProblem[];
  warnings: FieldProblem[];
}

/** A row that passed its own checks, waiting for the checks across rows (duplicate ids, same names). */
interface PendingEntry {
  row: number;
  entry: RosterEntry;
  explicitId: boolean;
}

/**
 * Validates and normalises a whole roster. Every bad row is reported, not just the first, because the office
 * fixes its file once. A missing id becomes the data-row number, zero-padded to max(3, digits of the count).
 */
export function parseRoster(rows: readonly RosterInputRow[], opts: { strictFields: boolean }): RosterParse {
  const errors: FieldProblem[] = [];
  const warnings: FieldProblem[] = [];
  if (rows.length > MAX_ROSTER) return { entries: [], errors: [tooManyRows()], warnings };
  const width = Math.max(3, String(rows.length).length);
  const pending: PendingEntry[] = [];
  rows.forEach((r, i) => {
    const p = parseRow(r, i, width, opts, errors);
    if (p) pending.push(p);
  });
  const entries = uniqueIds(pending, errors);
  sameNames(pending, warnings);
  addColumns(rows, [...errors, ...warnings]);
  return { entries: errors.length ? [] : entries, errors, warnings };
}

function tooManyRows(): FieldProblem {
  return fieldProblem(
    'entries',
    'TOO_MANY_ROWS',
    `名冊超過 ${MAX_ROSTER} 列`,
    `roster has more than ${MAX_ROSTER} rows`,
  );
}

/** One row: its fields checked one by one, then its name and id. Undefined when any check failed. */
function parseRow(
  r: RosterInputRow,
  i: number,
  width: number,
  opts: { strictFields: boolean },
  errors: FieldProblem[],
): PendingEntry | undefined {
  const e: Record<string, string> = {};
  let ok = true;
  for (const [k, v] of Object.entries(r.values)) {
    const field = parseField(k, v, r.row, opts, errors);
    if (!field.ok) ok = false;
    else if (field.value !== undefined && field.value !== '') e[k] = field.value;
  }
  if (!e.name) {
    if (!errors.some((x) => x.row === r.row && x.field === 'name'))
      errors.push(fieldProblem('name', 'REQUIRED', '姓名為必填', 'name is required', r.row));
    ok = false;
  }
  const explicitId = e.id !== undefined;
  if (explicitId && !ENTRY_ID.test(e.id as string)) {
    errors.push(
      fieldProblem(
        'id',
        'BAD_ID',
        '編號只能由英數字、底線或連字號組成，至多 32 字',
        'id must be 1–32 letters, digits, _ or -',
        r.row,
      ),
    );
    ok = false;
  }
  if (!explicitId) e.id = String(i + 1).padStart(width, '0');
  return ok ? { row: r.row, entry: e as unknown as RosterEntry, explicitId } : undefined;
}

/**
 * One field of a row: `ok: false` when its error has been recorded; otherwise its cleaned value, or no value
 * for a field to skip (absent, or not a roster field when fields are not strict).
 */
function parseField(
  k: string,
  v: unknown,
  row: number,
  opts: { strictFields: boolean },
  errors: FieldProblem[],
): { ok: true; value?: string } | { ok: false } {
  if (!(ROSTER_FIELDS as readonly string[]).includes(k)) {
    if (!opts.strictFields) return { ok: true };
    errors.push(fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`, row));
    return { ok: false };
  }
  if (v === undefined || v === null) return { ok: true };
  if (typeof v !== 'string') {
    errors.push(fieldProblem(k, 'NOT_STRING', `${k} 必須是文字`, `${k} must be a string`, row));
    return { ok: false };
  }
  const s = clean(v);
  const problem = valueProblem(k, s, row);
  if (problem) {
    errors.push(problem);
    return { ok: false };
  }
  return { ok: true, value: s };
}

/** What is wrong with a cleaned value, if anything: a national ID, control characters, or too long. */
function valueProblem(k: string, s: string, row: number): FieldProblem | undefined {
  if (looksLikeNationalId(s))
    // Never echo the value back: the error names the row and field only.
    return fieldProblem(
      k,
      'NATIONAL_ID',
      '此欄位疑似身分證統一編號或居留證號；名冊不得含此類資料',
      'This value looks like a national ID or resident certificate number; rosters must not contain them',
      row,
    );
  if (hasControl(s))
    return fieldProblem(
      k,
      'CONTROL_CHARACTER',
      `${k} 含有控制字元或雙向控制字元`,
      `${k} contains control or bidi characters`,
      row,
    );
  const max = k === 'excluded' ? 500 : 200;
  if (codePoints(s) > max)
    return fieldProblem(k, 'TOO_LONG', `${k} 超過 ${max} 字`, `${k} is longer than ${max} characters`, row);
  return undefined;
}

/** The entries with unique ids, in row order; every later row with an id already seen is an error. */
function uniqueIds(pending: readonly PendingEntry[], errors: FieldProblem[]): RosterEntry[] {
  const seen = new Map<string, { row: number; explicitId: boolean }>();
  const entries: RosterEntry[] = [];
  for (const p of pending) {
    const prior = seen.get(p.entry.id);
    if (prior) {
      const generated = !p.explicitId || !prior.explicitId;
      errors.push(
        fieldProblem(
          'id',
          'DUPLICATE_ID',
          generated
            ? `編號 ${p.entry.id} 與第 ${prior.row} 列自動編號衝突`
            : `編號 ${p.entry.id} 與第 ${prior.row} 列重複`,
          generated
            ? `id ${p.entry.id} clashes with the number given to row ${prior.row}`
            : `id ${p.entry.id} duplicates row ${prior.row}`,
          p.row,
        ),
      );
      continue;
    }
    seen.set(p.entry.id, { row: p.row, explicitId: p.explicitId });
    entries.push(p.entry);
  }
  return entries;
}

/** Two rows with one name are allowed (two people may share it) but warned of: it may be one person twice. */
function sameNames(pending: readonly PendingEntry[], warnings: FieldProblem[]): void {
  const byName = new Map<string, number>();
  for (const p of pending) {
    const first = byName.get(p.entry.name);
    if (first !== undefined)
      warnings.push(
        fieldProblem(
          'name',
          'SAME_NAME',
          `姓名與第 ${first} 列相同，請確認是否為不同人`,
          `same name as row ${first}: check these are different people`,
          p.row,
        ),
      );
    else byName.set(p.entry.name, p.row);
  }
}

/** Files carry column letters: add them so the office can find the cell. */
function addColumns(rows: readonly RosterInputRow[], problems: readonly FieldProblem[]): void {
  const letters = new Map(rows.map((r) => [r.row, r.columns]));
  for (const p of problems) {
    const col = p.row === undefined ? undefined : letters.get(p.row)?.[p.field];
    if (col !== undefined && p.column === undefined) p.column = col;
  }
}
