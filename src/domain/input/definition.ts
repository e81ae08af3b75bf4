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
  unknownKeys(problems, body, ['year', 'agency', 'title', 'stages', 'meeting', 'rehearsal']);
  const year = parseYear(body.year, problems);
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
    ...(rehearsal ? { rehearsal: true as const } : {}),
  };
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
