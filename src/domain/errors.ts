/**
 * One error vocabulary for the whole service. Every refusal the service makes is a LotteryError with one of
 * these codes; the HTTP status for each code is decided in one place (src/http/problem.ts), and the CLI maps
 * them to exit codes. Messages are bilingual because the people reading them are ethics officers (zh) and
 * auditors or integrators (en).
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'RATE_BELOW_LEGAL_FLOOR',
  'ROSTER_INVALID',
  'UNDECODABLE',
  'EMPTY_POOL',
  'NOT_DRAFT',
  'NOT_LOCKED',
  'ALREADY_DRAWN',
  'STAGE_OUT_OF_ORDER',
  'STAGE_ALREADY_DRAWN',
  'NOT_DRAWN',
  'ALREADY_ISSUED',
  'NOT_ISSUED',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'RATE_LIMITED',
  'MALFORMED_BODY',
  'CONFLICT',
  'BUNDLE_UNREADABLE',
  // lottery-draw/v2: the ceremony (protocol.md §4.2)
  'ENTROPY_INVALID',
  'RELOCK_REQUIRED',
  'MEETING_DATE_REQUIRED',
  'NOT_MEETING_DAY',
  'CEREMONY_OPEN',
  'CEREMONY_NOT_OPEN',
  'CEREMONY_TOKEN_REQUIRED',
  'COMMITMENT_MISMATCH',
  'STATE_INTEGRITY',
  // issue 11: issuing the record (the checklist's hard items)
  'RECORD_CHECKLIST',
  // physical draws (實體抽籤, protocol.md §6.1)
  'WRONG_METHOD',
  'BALL_NOT_ON_SHEET',
  'BALL_ALREADY_DRAWN',
  'NO_BALL_TO_UNDO',
  // issue 11: the lottery's life on the meeting day
  'CANCELLED',
  'NOT_REHEARSAL',
  // issue 12: exports and letters (docs/exports.md)
  'REHEARSAL_NOT_EXPORTED',
  'NOT_ENCODABLE',
  // issue 12: the port is bound before the database is open; requests in between are told to retry
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface Message {
  zh: string;
  en: string;
}

/** A problem with one input item: a roster row, a body field. `row` counts from 1 as a person sees it. */
export interface FieldProblem {
  row?: number;
  /** The spreadsheet column letter, for files. */
  column?: string;
  field: string;
  code: string;
  message: Message;
  /** For a problem that stands for several rows: how many. */
  count?: number;
}

export class LotteryError extends Error {
  readonly code: ErrorCode;
  readonly zh: string;
  readonly en: string;
  readonly problems: FieldProblem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: Message,
    opts: { problems?: FieldProblem[]; extra?: Record<string, unknown> } = {},
  ) {
    super(`${message.en} (${message.zh})`);
    this.name = 'LotteryError';
    this.code = code;
    this.zh = message.zh;
    this.en = message.en;
    this.problems = opts.problems;
    this.extra = opts.extra;
  }
}

export function isLotteryError(e: unknown): e is LotteryError {
  return e instanceof LotteryError;
}

export function fieldProblem(
  field: string,
  code: string,
  zh: string,
  en: string,
  row?: number,
): FieldProblem {
  return row === undefined ? { field, code, message: { zh, en } } : { row, field, code, message: { zh, en } };
}

/** Shorthand for a 422 VALIDATION_FAILED naming the fields at fault. */
export function validationFailed(problems: FieldProblem[]): LotteryError {
  const fields = [...new Set(problems.map((p) => p.field))].join(', ');
  return new LotteryError(
    'VALIDATION_FAILED',
    { zh: `輸入資料不正確：${fields}`, en: `Invalid input: ${fields}` },
    { problems },
  );
}
