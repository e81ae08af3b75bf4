import { fieldProblem, LotteryError, validationFailed } from '../errors';
import { ENTROPY_DIGITS } from '../grammar';
import { clean, codePoints, hasControl, hasFormat, isObj } from './text';

/**
 * The room's entropy under lottery-draw/v2 (protocol.md §4.1): the dice as canonical digits (ENTROPY_DIGITS,
 * in grammar.ts, which the verifier shares).
 *
 * Threat: under v1 the hashed string was whatever was typed, so an operator who knows the secret could search
 * spellings that look the same on the projector (variation selectors after a digit) or that a colluding typist
 * may pick between (`625134`, `6,2,5,1,3,4`, full-width digits), and choose the winners. v2 leaves one string
 * per roll: NFKC, drop every U+0020, and nothing but 10–64 ASCII digits. Ten digits is the floor, so re-locking
 * until a secret keeps someone out of every outcome (6 outcomes with one die) is out of reach (6^10).
 */
export const MIN_ENTROPY_DIGITS = 10;
export const MAX_ENTROPY_DIGITS = 64;

/** The canonical digits of what the room typed, or undefined when it is not a roll of 10–64 digits. */
export function canonicalEntropy(raw: string): string | undefined {
  const digits = raw.normalize('NFKC').replace(/ /g, '');
  return ENTROPY_DIGITS.test(digits) ? digits : undefined;
}

/** Digits in groups of five from the left, for reading aloud (`62513 41234 5`). Display only, never hashed. */
export function groupDigits(digits: string): string {
  return (digits.match(/.{1,5}/g) ?? []).join(' ');
}

export function entropyInvalid(detail?: { zh: string; en: string }): LotteryError {
  return new LotteryError('ENTROPY_INVALID', {
    zh:
      '骰子點數只能是 10 至 64 個數字（0–9），可用空白分隔；不接受逗號、連字號、字母、表情符號或不可見字元' +
      (detail ? `（${detail.zh}）` : ''),
    en:
      'The dice must be 10 to 64 digits (0–9), optionally separated by spaces; commas, hyphens, letters, emoji and ' +
      'invisible characters are refused' +
      (detail ? ` (${detail.en})` : ''),
  });
}

/** Reads `entropy` from a request value: the canonical digits, or 422 ENTROPY_INVALID saying what is allowed. */
export function parseEntropyDigits(value: unknown): string {
  if (typeof value !== 'string') throw entropyInvalid({ zh: '未輸入點數', en: 'entropy is missing' });
  const digits = canonicalEntropy(value);
  if (digits !== undefined) return digits;
  const stripped = value.normalize('NFKC').replace(/ /g, '');
  if (/^[0-9]*$/.test(stripped))
    throw entropyInvalid({
      zh: `只有 ${stripped.length} 個數字`,
      en: `${stripped.length} digit${stripped.length === 1 ? '' : 's'} given`,
    });
  throw entropyInvalid();
}

/**
 * The entropy the room contributes (dice read aloud) under lottery-draw/v1, where it was free text. Trimmed and
 * NFC-normalised; that exact string is hashed and journalled, so it must be printable as typed: no control or
 * format characters (bidi overrides could make "1 2 3" display as something else on the projector than what was
 * hashed). The verifier still reads v1 bundles by this rule.
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
  if (hasControl(s) || hasFormat(s))
    throw bad('entropy 不得含控制字元或格式字元', 'entropy must not contain control or format characters');
  const n = codePoints(s);
  if (n < 1 || n > 200) throw bad('entropy 須為 1 至 200 個字元', 'entropy must be 1 to 200 characters');
  return s;
}
