import type { Json } from './canonical';
import { fieldProblem, LotteryError, validationFailed, type FieldProblem } from './errors';
import { ROSTER_FIELDS, type RosterEntry } from './protocol';
import {
  canonicalPercent,
  comparePercent,
  isValidPercent,
  LEGAL_FLOOR_PERCENT,
  PERCENT_PATTERN,
} from './quota';
import type { StageDef } from './replay';

/** Validation of what people type: lottery definitions, meeting particulars, roster rows, entropy. */

import { ENTRY_ID, LOTTERY_ID } from './grammar';
export { LOTTERY_ID, ENTRY_ID };
export const MAX_ROSTER = 100_000;

export const DEFAULT_STAGES: StageDef[] = [
  { stage: 1, label: '實質審查', percent: '10' },
  { stage: 2, label: '前後年度申報財產比對', percent: '2' },
];

import { MEETING_FIELDS, type Meeting } from './model';
export { MEETING_FIELDS, type Meeting };

// Control characters hide text; bidi controls reorder it on screen so that "D013" can display as "310D" or a
// failed check can look passed. Neither belongs in a name or in what the room typed. U+FFFD means a decoding
// already lost a character, which would print the wrong person. A lone surrogate (Cs) has no UTF-8 form, so it
// could not be hashed the same way in every language.
const CONTROL = /[\p{Cc}\p{Cs}\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufffd]/u;
const FORMAT = /\p{Cf}/u;

// ROC national ID (A123456789: a letter, 1/2 for sex or 8/9 for new-style resident certificates, 8 digits) and
// old-style resident certificate numbers (AB12345678). 公職人員財產申報 rosters never need them, and a lottery
// database that holds them would be a store of personal data it has no reason to keep.
// Searched for anywhere in a value after NFKC (so full-width Ａ１２３… counts), as a token of its own:
// 「身分證A123456789已離職」 holds one too.
const NATIONAL_ID = /(?<![A-Za-z0-9])[A-Z](?:[12589]\d{8}|[A-D]\d{8})(?![0-9])/i;

export function looksLikeNationalId(s: string): boolean {
  return NATIONAL_ID.test(s.normalize('NFKC'));
}

export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/** A reason (an exclusion, an unlock): cleaned, without control or bidi characters, at most 500 characters. */
export function reasonText(raw: string, field: string): string {
  const s = clean(raw);
  if (hasControl(s))
    throw validationFailed([
      fieldProblem(
        field,
        'CONTROL_CHARACTER',
        '理由不得含控制字元或雙向控制字元',
        'the reason must not contain control or bidi characters',
      ),
    ]);
  if (Array.from(s).length > 500)
    throw validationFailed([
      fieldProblem(field, 'TOO_LONG', '理由至多 500 字', 'the reason is longer than 500 characters'),
    ]);
  return s;
}

/** Trim and NFC-normalise, the form in which every value is stored and hashed. */
export function clean(s: string): string {
  return s.normalize('NFC').trim();
}

function codePoints(s: string): number {
  return Array.from(s).length;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(
  problems: FieldProblem[],
  field: string,
  v: unknown,
  opts: { max: number; required?: boolean },
): string | undefined {
  if (v === undefined || v === null) {
    if (opts.required)
      problems.push(fieldProblem(field, 'REQUIRED', `${field} 為必填`, `${field} is required`));
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push(fieldProblem(field, 'NOT_STRING', `${field} 必須是文字`, `${field} must be a string`));
    return undefined;
  }
  const s = clean(v);
  if (hasControl(s)) {
    problems.push(
      fieldProblem(
        field,
        'CONTROL_CHARACTER',
        `${field} 含有控制字元或雙向控制字元`,
        `${field} contains control or bidi characters`,
      ),
    );
    return undefined;
  }
  if (codePoints(s) > opts.max) {
    problems.push(
      fieldProblem(
        field,
        'TOO_LONG',
        `${field} 超過 ${opts.max} 字`,
        `${field} is longer than ${opts.max} characters`,
      ),
    );
    return undefined;
  }
  if (s === '' && opts.required) {
    problems.push(fieldProblem(field, 'REQUIRED', `${field} 為必填`, `${field} is required`));
    return undefined;
  }
  return s;
}

function unknownKeys(
  problems: FieldProblem[],
  o: Record<string, unknown>,
  allowed: readonly string[],
  prefix = '',
): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      problems.push(
        fieldProblem(
          prefix + k,
          'UNKNOWN_FIELD',
          `不認得的欄位 ${prefix + k}`,
          `unknown field ${prefix + k}`,
        ),
      );
}

/** YYYY-MM-DD or YYYY-MM-DDTHH:MM that names a real day and time (no 2025-02-30, no 25:00). */
function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > (days[mo - 1] ?? 0)) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59);
}

export function parseMeeting(v: unknown, problems: FieldProblem[]): Meeting {
  const m: Meeting = {};
  if (v === undefined) return m;
  if (!isObj(v)) {
    problems.push(fieldProblem('meeting', 'NOT_OBJECT', 'meeting 必須是物件', 'meeting must be an object'));
    return m;
  }
  unknownKeys(problems, v, [...MEETING_FIELDS, 'witnesses'], 'meeting.');
  for (const f of MEETING_FIELDS) {
    const s = text(problems, `meeting.${f}`, v[f], { max: 200 });
    if (s) m[f] = s;
  }
  if (m.date !== undefined && !isRealDate(m.date)) {
    problems.push(
      fieldProblem(
        'meeting.date',
        'BAD_DATE',
        '日期格式應為 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM',
        'date must be YYYY-MM-DD or YYYY-MM-DDTHH:MM',
      ),
    );
    delete m.date;
  }
  const w = v.witnesses;
  if (w !== undefined) {
    if (!Array.isArray(w) || w.length > 50)
      problems.push(
        fieldProblem(
          'meeting.witnesses',
          'NOT_ARRAY',
          'witnesses 必須是至多 50 個名字的陣列',
          'witnesses must be an array of at most 50 names',
        ),
      );
    else {
      const names: string[] = [];
      w.forEach((x, i) => {
        const s = text(problems, `meeting.witnesses[${i}]`, x, { max: 200 });
        if (s) names.push(s);
      });
      m.witnesses = names;
    }
  }
  return m;
}

export function parseStages(v: unknown, problems: FieldProblem[]): StageDef[] {
  if (v === undefined) return DEFAULT_STAGES.map((s) => ({ ...s }));
  if (!Array.isArray(v) || v.length < 1 || v.length > 5) {
    problems.push(
      fieldProblem('stages', 'BAD_STAGES', 'stages 必須是 1 至 5 個階段', 'stages must hold 1 to 5 stages'),
    );
    return [];
  }
  const out: StageDef[] = [];
  v.forEach((s, i) => {
    const f = `stages[${i}]`;
    if (!isObj(s)) {
      problems.push(fieldProblem(f, 'NOT_OBJECT', `${f} 必須是物件`, `${f} must be an object`));
      return;
    }
    unknownKeys(problems, s, ['label', 'percent', 'stage'], `${f}.`);
    if (s.stage !== undefined && s.stage !== i + 1)
      problems.push(
        fieldProblem(`${f}.stage`, 'BAD_STAGE', `${f}.stage 應為 ${i + 1}`, `${f}.stage must be ${i + 1}`),
      );
    const label = text(problems, `${f}.label`, s.label, { max: 50, required: true });
    const percent = s.percent;
    if (typeof percent !== 'string' || !PERCENT_PATTERN.test(percent) || !isValidPercent(percent)) {
      problems.push(
        fieldProblem(
          `${f}.percent`,
          'BAD_PERCENT',
          `${f}.percent 必須是 0 到 100 之間的十進位字串，如 "10"`,
          `${f}.percent must be a decimal string in (0, 100], e.g. "10"`,
        ),
      );
      return;
    }
    if (label) out.push({ stage: i + 1, label, percent: canonicalPercent(percent) ?? percent });
  });
  return out;
}

/** Stage 1 below the legal floor is its own refusal, with its own code: 審核及查閱辦法 §7. */
function checkFloor(stages: StageDef[]): void {
  const first = stages[0];
  if (first && comparePercent(first.percent, LEGAL_FLOOR_PERCENT) < 0)
    throw new LotteryError('RATE_BELOW_LEGAL_FLOOR', {
      zh: `第一階段抽籤比率 ${first.percent}% 低於法定下限 5%（公職人員財產申報資料審核及查閱辦法第7條）`,
      en: `Stage 1 rate ${first.percent}% is below the legal floor of 5% (Regulations on Review and Inspection of Asset Declarations, art. 7)`,
    });
}

export interface LotteryDef {
  year: number;
  agency: string;
  title: string;
  stages: StageDef[];
  meeting: Meeting;
}

export function defaultTitle(year: number): string {
  return `${year}年度公職人員財產申報資料實質審查抽籤`;
}

export function parseCreate(body: unknown): LotteryDef {
  if (!isObj(body))
    throw validationFailed([
      fieldProblem('body', 'NOT_OBJECT', '內容必須是 JSON 物件', 'body must be a JSON object'),
    ]);
  const problems: FieldProblem[] = [];
  unknownKeys(problems, body, ['year', 'agency', 'title', 'stages', 'meeting']);
  const year = body.year;
  if (!Number.isSafeInteger(year) || (year as number) < 1 || (year as number) > 999)
    problems.push(
      fieldProblem(
        'year',
        'BAD_YEAR',
        'year 必須是民國年（整數，如 113）',
        'year must be the ROC year, an integer such as 113',
      ),
    );
  const agency = text(problems, 'agency', body.agency, { max: 100, required: true });
  const title = text(problems, 'title', body.title, { max: 200 });
  const stages = parseStages(body.stages, problems);
  const meeting = parseMeeting(body.meeting, problems);
  if (problems.length > 0) throw validationFailed(problems);
  checkFloor(stages);
  return {
    year: year as number,
    agency: agency as string,
    title: title || defaultTitle(year as number),
    stages,
    meeting,
  };
}

export interface LotteryPatch {
  title?: string;
  stages?: StageDef[];
  meeting?: Meeting;
}

/** PATCH while in draft: title, stages and meeting. A meeting given replaces the stored one field by field. */
export function parsePatch(body: unknown, current: Meeting): LotteryPatch {
  if (!isObj(body))
    throw validationFailed([
      fieldProblem('body', 'NOT_OBJECT', '內容必須是 JSON 物件', 'body must be a JSON object'),
    ]);
  const problems: FieldProblem[] = [];
  unknownKeys(problems, body, ['title', 'stages', 'meeting']);
  const out: LotteryPatch = {};
  if (body.title !== undefined) {
    const t = text(problems, 'title', body.title, { max: 200, required: true });
    if (t) out.title = t;
  }
  if (body.stages !== undefined) out.stages = parseStages(body.stages, problems);
  if (body.meeting !== undefined) {
    const m = parseMeeting(body.meeting, problems);
    const merged: Meeting = { ...current };
    if (isObj(body.meeting))
      for (const k of Object.keys(body.meeting)) {
        const key = k as keyof Meeting;
        if (m[key] === undefined) delete merged[key];
        else (merged as Record<string, unknown>)[key] = m[key];
      }
    out.meeting = merged;
  }
  if (Object.keys(body).length === 0)
    problems.push(fieldProblem('body', 'NOTHING_TO_CHANGE', '沒有要修改的欄位', 'nothing to change'));
  if (problems.length > 0) throw validationFailed(problems);
  if (out.stages) checkFloor(out.stages);
  return out;
}

export function meetingJson(m: Meeting): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const f of MEETING_FIELDS) if (m[f] !== undefined) out[f] = m[f] as string;
  if (m.witnesses !== undefined) out.witnesses = [...m.witnesses];
  return out;
}

/**
 * The entropy the room contributes (dice read aloud). Trimmed and NFC-normalised; that exact string is hashed
 * and journalled, so it must be printable as typed: no control or format characters (bidi overrides could make
 * "1 2 3" display as something else on the projector than what was hashed).
 */
export function parseEntropy(body: unknown): string {
  const v = isObj(body) ? body.entropy : undefined;
  const bad = (zh: string, en: string): LotteryError =>
    validationFailed([fieldProblem('entropy', 'BAD_ENTROPY', zh, en)]);
  if (isObj(body)) {
    const extra = Object.keys(body).filter((k) => k !== 'entropy');
    if (extra.length > 0)
      throw validationFailed(
        extra.map((k) => fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`)),
      );
  }
  if (typeof v !== 'string')
    throw bad('請輸入現場擲骰的點數（entropy）', 'entropy is required: the dice the room rolled');
  const s = clean(v);
  if (CONTROL.test(s) || FORMAT.test(s))
    throw bad('entropy 不得含控制字元或格式字元', 'entropy must not contain control or format characters');
  const n = codePoints(s);
  if (n < 1 || n > 200) throw bad('entropy 須為 1 至 200 個字元', 'entropy must be 1 to 200 characters');
  return s;
}

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

/**
 * Validates and normalises a whole roster. Every bad row is reported, not just the first, because the office
 * fixes its file once. A missing id becomes the data-row number, zero-padded to max(3, digits of the count).
 */
export function parseRoster(rows: readonly RosterInputRow[], opts: { strictFields: boolean }): RosterParse {
  const errors: FieldProblem[] = [];
  const warnings: FieldProblem[] = [];
  if (rows.length > MAX_ROSTER)
    return {
      entries: [],
      errors: [
        fieldProblem(
          'entries',
          'TOO_MANY_ROWS',
          `名冊超過 ${MAX_ROSTER} 列`,
          `roster has more than ${MAX_ROSTER} rows`,
        ),
      ],
      warnings,
    };
  const width = Math.max(3, String(rows.length).length);
  const pending: Array<{ row: number; entry: RosterEntry; explicitId: boolean }> = [];
  rows.forEach((r, i) => {
    const e: Record<string, string> = {};
    let ok = true;
    for (const [k, v] of Object.entries(r.values)) {
      if (!(ROSTER_FIELDS as readonly string[]).includes(k)) {
        if (opts.strictFields) {
          errors.push(fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`, r.row));
          ok = false;
        }
        continue;
      }
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') {
        errors.push(fieldProblem(k, 'NOT_STRING', `${k} 必須是文字`, `${k} must be a string`, r.row));
        ok = false;
        continue;
      }
      const s = clean(v);
      if (looksLikeNationalId(s)) {
        // Never echo the value back: the error names the row and field only.
        errors.push(
          fieldProblem(
            k,
            'NATIONAL_ID',
            '此欄位疑似身分證統一編號或居留證號；名冊不得含此類資料',
            'This value looks like a national ID or resident certificate number; rosters must not contain them',
            r.row,
          ),
        );
        ok = false;
        continue;
      }
      if (hasControl(s)) {
        errors.push(
          fieldProblem(
            k,
            'CONTROL_CHARACTER',
            `${k} 含有控制字元或雙向控制字元`,
            `${k} contains control or bidi characters`,
            r.row,
          ),
        );
        ok = false;
        continue;
      }
      const max = k === 'excluded' ? 500 : 200;
      if (codePoints(s) > max) {
        errors.push(
          fieldProblem(k, 'TOO_LONG', `${k} 超過 ${max} 字`, `${k} is longer than ${max} characters`, r.row),
        );
        ok = false;
        continue;
      }
      if (s !== '') e[k] = s;
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
    if (ok) pending.push({ row: r.row, entry: e as unknown as RosterEntry, explicitId });
  });
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
  // Files carry column letters: add them so the office can find the cell.
  const letters = new Map(rows.map((r) => [r.row, r.columns]));
  for (const p of [...errors, ...warnings]) {
    const col = p.row === undefined ? undefined : letters.get(p.row)?.[p.field];
    if (col !== undefined && p.column === undefined) p.column = col;
  }
  return { entries: errors.length ? [] : entries, errors, warnings };
}
