import { fieldProblem, validationFailed, type FieldProblem } from '../errors';

/**
 * The rules for any text people type or upload: the form it is stored and hashed in, the characters it may not
 * hold, and the personal numbers it must not carry. Definitions, roster rows and reasons all apply these.
 */

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

/** Format characters (Cf: zero-width spaces and joiners, soft hyphens, bidi marks): invisible on screen. */
export function hasFormat(s: string): boolean {
  return FORMAT.test(s);
}

/** Trim and NFC-normalise, the form in which every value is stored and hashed. */
export function clean(s: string): string {
  return s.normalize('NFC').trim();
}

/** Length as a person counts it: code points, so 「𠮷」 is one character, not two UTF-16 units. */
export function codePoints(s: string): number {
  return Array.from(s).length;
}

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

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

/**
 * A text field of a body: cleaned, or undefined with the problem recorded (not a string, control or bidi
 * characters, too long, or missing when required). Every problem is collected, so one answer lists them all.
 */
export function text(
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

/** An unexpected field is refused rather than silently ignored: a misspelt `titel` must not vanish. */
export function unknownKeys(
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
