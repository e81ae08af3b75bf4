import type { Json } from '../canonical';
import { fieldProblem, LotteryError, validationFailed, type FieldProblem } from '../errors';
import { MEETING_DATE, PERCENT_PATTERN } from '../grammar';
import { MEETING_FIELDS, type LotteryDefinition, type Meeting, type StageDef } from '../model';
import { canonicalPercent, comparePercent, isValidPercent, LEGAL_FLOOR_PERCENT } from '../quota';
import { isObj, text, unknownKeys } from './text';

/** Validation of a lottery's definition as the ethics unit types it: year, agency, title, stages, meeting. */

export const DEFAULT_STAGES: StageDef[] = [
  { stage: 1, label: '實質審查', percent: '10' },
  { stage: 2, label: '前後年度申報財產比對', percent: '2' },
];

/** What POST /lotteries defines: the lottery's definition (domain/model.ts). */
export type LotteryDef = LotteryDefinition;

/** What PATCH may change while in draft: title, stages and meeting, each only when given. */
export type LotteryPatch = Partial<Pick<LotteryDefinition, 'title' | 'stages' | 'meeting'>>;

/** YYYY-MM-DD or YYYY-MM-DDTHH:MM that names a real day and time (no 2025-02-30, no 25:00). */
function isRealDate(s: string): boolean {
  const m = MEETING_DATE.exec(s);
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

/**
 * A meeting date as people type it, to the one stored form (ISO: YYYY-MM-DD or YYYY-MM-DDTHH:MM, Taipei wall
 * time). Accepted: the ROC calendar (民國 = Gregorian − 1911) as `114/1/22`, `114-1-22`, `114.1.22` or
 * `(中華)民國114年1月22日`, and the Gregorian `2025-01-22` or `2025/1/22`; a year of 1 to 3 digits is an ROC year,
 * of 4 a Gregorian one. A time may follow: `14:30`, `14時30分`, `14時`, `14點30分`, with 上午/下午 (下午 2時 is
 * 14:00; 上午 12時 is 00:00). Anything else, or a day that does not exist, is undefined.
 */
export function parseMeetingDate(typed: string): string | undefined {
  const iso = MEETING_DATE.exec(typed);
  if (iso)
    return isRealDate(typed) ? `${typed.slice(0, 10)}${iso[4] ? `T${iso[4]}:${iso[5]}` : ''}` : undefined;
  const m =
    /^(?:中華)?(?:民國)?\s*(\d{1,4})\s*(?:[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)\s*(.*)$/.exec(
      typed.trim(),
    );
  if (!m) return undefined;
  const rocOnly = /^(?:中華)?民國/.test(typed.trim());
  const year = m[1] ?? '';
  // A Gregorian date with dashes has one form only, the ISO one (2025-01-22): `2025-1-22` is a typo.
  if (year.length === 4 && (rocOnly || /^\s*\d{4}\s*-/.test(typed))) return undefined;
  const y = year.length === 4 ? Number(year) : Number(year) + 1911;
  if (Number(year) < 1 || y > 9999) return undefined;
  const time = parseTime(m[6] ?? '');
  if (time === null) return undefined;
  const two = (v: string | undefined): string => String(Number(v ?? '0')).padStart(2, '0');
  const out = `${String(y).padStart(4, '0')}-${two(m[2] ?? m[4])}-${two(m[3] ?? m[5])}${time ? `T${time}` : ''}`;
  return isRealDate(out) ? out : undefined;
}

/** The time after a typed date: '' (none), `14:30`, `14時30分`, `14點`, with 上午/下午; null when not a time. */
function parseTime(t: string): string | '' | null {
  if (t === '') return '';
  const m =
    /^(上午|下午|早上|晚上|中午)?\s*(\d{1,2})\s*(?::\s*(\d{2})|[時点點]\s*(?:(\d{1,2})\s*分|(半))?)$/.exec(t);
  if (!m) return null;
  let h = Number(m[2]);
  const min = m[5] ? 30 : Number(m[3] ?? m[4] ?? '0');
  if (m[1] === '下午' || m[1] === '晚上' || (m[1] === '中午' && h < 11)) {
    if (h > 12) return null;
    if (h < 12) h += 12;
  } else if (m[1] === '上午' || m[1] === '早上') {
    if (h > 12) return null;
    if (h === 12) h = 0;
  }
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/** A stored meeting date (ISO) as the form shows it again: `114/1/22 14:30`; anything else as it is. */
export function rocDateInput(iso: string | undefined): string {
  const m = MEETING_DATE.exec(iso ?? '');
  if (!m) return iso ?? '';
  const d = `${Number(m[1]) - 1911}/${Number(m[2])}/${Number(m[3])}`;
  return m[4] ? `${d} ${m[4]}:${m[5]}` : d;
}

/** A stored meeting date (ISO) as pages print it: `民國114年1月22日 14:30`; anything else as it is. */
export function rocDateText(iso: string | undefined): string {
  const m = MEETING_DATE.exec(iso ?? '');
  if (!m) return iso ?? '';
  const d = `民國${Number(m[1]) - 1911}年${Number(m[2])}月${Number(m[3])}日`;
  return m[4] ? `${d} ${m[4]}:${m[5]}` : d;
}

/** `meeting.witnesses`: at most 50 names, each a text field. */
function parseWitnesses(w: unknown, problems: FieldProblem[]): string[] | undefined {
  if (!Array.isArray(w) || w.length > 50) {
    problems.push(
      fieldProblem(
        'meeting.witnesses',
        'NOT_ARRAY',
        'witnesses 必須是至多 50 個名字的陣列',
        'witnesses must be an array of at most 50 names',
      ),
    );
    return undefined;
  }
  const names: string[] = [];
  w.forEach((x, i) => {
    const s = text(problems, `meeting.witnesses[${i}]`, x, { max: 200 });
    if (s) names.push(s);
  });
  return names;
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
  const date = m.date === undefined ? undefined : parseMeetingDate(m.date);
  if (date !== undefined) m.date = date;
  else if (m.date !== undefined) {
    problems.push(
      fieldProblem(
        'meeting.date',
        'BAD_DATE',
        '會議日期應為民國日期，如 114/1/22 14:30 或 114年1月22日（也可用西元 2025-01-22 或 YYYY-MM-DDTHH:MM）',
        'the date must be an ROC date such as 114/1/22 14:30 or 114年1月22日 (or Gregorian 2025-01-22, YYYY-MM-DDTHH:MM)',
      ),
    );
    delete m.date;
  }
  if (v.witnesses !== undefined) {
    const names = parseWitnesses(v.witnesses, problems);
    if (names) m.witnesses = names;
  }
  return m;
}

/** One stage of `stages`, at position i: its label and its rate in the one written form (quota.ts). */
function parseStage(s: unknown, i: number, problems: FieldProblem[]): StageDef | undefined {
  const f = `stages[${i}]`;
  if (!isObj(s)) {
    problems.push(fieldProblem(f, 'NOT_OBJECT', `${f} 必須是物件`, `${f} must be an object`));
    return undefined;
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
    return undefined;
  }
  return label ? { stage: i + 1, label, percent: canonicalPercent(percent) ?? percent } : undefined;
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
    const stage = parseStage(s, i, problems);
    if (stage) out.push(stage);
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

export function defaultTitle(year: number): string {
  return `${year}年度公職人員財產申報資料實質審查抽籤`;
}

function notObject(): LotteryError {
  return validationFailed([
    fieldProblem('body', 'NOT_OBJECT', '內容必須是 JSON 物件', 'body must be a JSON object'),
  ]);
}

/** The ROC year: 1 to 999, an integer; anything else is recorded as BAD_YEAR. */
function parseYear(v: unknown, problems: FieldProblem[]): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > 999)
    problems.push(
      fieldProblem(
        'year',
        'BAD_YEAR',
        'year 必須是民國年（整數，如 113）',
        'year must be the ROC year, an integer such as 113',
      ),
    );
  return v as number;
}

export function parseCreate(body: unknown): LotteryDef {
  if (!isObj(body)) throw notObject();
  const problems: FieldProblem[] = [];
  unknownKeys(problems, body, ['year', 'agency', 'title', 'stages', 'meeting', 'method', 'rehearsal']);
  const year = parseYear(body.year, problems);
  const method = parseMethod(body.method, problems);
  const rehearsal = parseRehearsal(body.rehearsal, problems);
  const agency = text(problems, 'agency', body.agency, { max: 100, required: true });
  const title = text(problems, 'title', body.title, { max: 200 });
  const stages = parseStages(body.stages, problems);
  const meeting = parseMeeting(body.meeting, problems);
  if (problems.length > 0) throw validationFailed(problems);
  checkFloor(stages);
  return {
    year,
    agency: agency as string,
    title: title || defaultTitle(year),
    stages,
    meeting,
    ...(method === 'physical' ? { method } : {}),
    ...(rehearsal ? { rehearsal: true as const } : {}),
  };
}

/** `method`: "random" (the default, never journalled) or "physical" (實體抽籤, protocol.md §6.1). */
function parseMethod(v: unknown, problems: FieldProblem[]): 'random' | 'physical' {
  if (v === undefined || v === 'random') return 'random';
  if (v === 'physical') return 'physical';
  problems.push(
    fieldProblem(
      'method',
      'BAD_METHOD',
      'method 必須是 "random"（電腦抽籤）或 "physical"（實體抽籤）',
      'method must be "random" (drawn by the computer) or "physical" (balls drawn from a drum)',
    ),
  );
  return 'random';
}

/** issue 11: `rehearsal`, a boolean when given (absent is a real lottery). */
function parseRehearsal(v: unknown, problems: FieldProblem[]): boolean {
  if (v === undefined || v === false) return false;
  if (v === true) return true;
  problems.push(
    fieldProblem(
      'rehearsal',
      'NOT_BOOLEAN',
      'rehearsal 必須是 true 或 false',
      'rehearsal must be true or false',
    ),
  );
  return false;
}

/** A meeting given in a PATCH replaces the stored one field by field: a field sent empty or null is removed. */
function mergeMeeting(current: Meeting, given: Record<string, unknown>, parsed: Meeting): Meeting {
  const merged: Meeting = { ...current };
  for (const k of Object.keys(given)) {
    const key = k as keyof Meeting;
    if (parsed[key] === undefined) delete merged[key];
    else (merged as Record<string, unknown>)[key] = parsed[key];
  }
  return merged;
}

/** PATCH while in draft: title, stages and meeting. A meeting given replaces the stored one field by field. */
export function parsePatch(body: unknown, current: Meeting): LotteryPatch {
  if (!isObj(body)) throw notObject();
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
    out.meeting = isObj(body.meeting) ? mergeMeeting(current, body.meeting, m) : { ...current };
  }
  if (Object.keys(body).length === 0)
    problems.push(fieldProblem('body', 'NOTHING_TO_CHANGE', '沒有要修改的欄位', 'nothing to change'));
  if (problems.length > 0) throw validationFailed(problems);
  if (out.stages) checkFloor(out.stages);
  return out;
}

/** The meeting as journalled: the fields in MEETING_FIELDS order, absent ones left out, then the witnesses. */
export function meetingJson(m: Meeting): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const f of MEETING_FIELDS) if (m[f] !== undefined) out[f] = m[f] as string;
  if (m.witnesses !== undefined) out.witnesses = [...m.witnesses];
  return out;
}
