import { fieldProblem, LotteryError, validationFailed } from '../errors';

/**
 * Account names and sign-in passwords (issue 12, attacked from outside). A name is typed at sign-in and read on the
 * admin page and in the journal, so two accounts must never look alike ("admin1" with an invisible U+034F, the
 * fullwidth ａｄｍｉｎ１, the Cyrillic аdmin1) and a name must never be invisible or a path step ("..": the admin
 * form /admin/users/../deactivate becomes /admin/deactivate). Passwords are counted as sign-in compares them.
 */

export const MAX_NAME = 64;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const MIN_PASSWORD = 10;

/** The form names are stored, compared and looked up in: NFKC folds fullwidth and mathematical letters. */
export const normalizeName = (name: string): string => name.normalize('NFKC');

// Hangul fillers and the braille blank draw nothing but are letters or symbols, not whitespace.
const BLANKS = /[\u115F\u1160\u3164\uFFA0\u2800]/u;
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\s]/u;

// The rule's own words as the message (the page and the CLI show it), and the field among the problems.
function fieldFail(field: string, code: string, zh: string, en: string): LotteryError {
  return new LotteryError('VALIDATION_FAILED', { zh, en }, { problems: [fieldProblem(field, code, zh, en)] });
}

const nameFail = (zh: string, en: string): LotteryError => fieldFail('name', 'BAD_NAME', zh, en);

/** A new account's name, normalised, or a bilingual refusal naming the rule it broke. */
export function accountName(raw: string): string {
  const name = normalizeName(raw);
  const n = [...name].length;
  if (n < 1 || n > MAX_NAME)
    throw nameFail(`帳號名稱須為 1–${MAX_NAME} 個字`, `name must be 1–${MAX_NAME} characters`);
  if (INVISIBLE.test(name) || BLANKS.test(name))
    throw nameFail(
      '帳號名稱不得含空白、控制字元或看不見的字元',
      'name must not contain whitespace, control or invisible characters',
    );
  if (/^\p{M}/u.test(name))
    throw nameFail('帳號名稱不得以組合符號開頭', 'name must not start with a combining mark');
  if (/[/\\]/u.test(name)) throw nameFail('帳號名稱不得含 / 或 \\', 'name must not contain / or \\');
  // "." and ".." are path steps; a name of only punctuation or symbols is no one's name.
  if (!/[\p{L}\p{N}]/u.test(name))
    throw nameFail('帳號名稱須含文字或數字', 'name must contain a letter or a digit');
  return name;
}

// Latin look-alikes in Cyrillic and Greek (lower and upper case), and the digits read as letters (UTS #39 style).
const CONFUSABLE: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  ё: 'e',
  ї: 'i',
  А: 'a',
  В: 'b',
  Е: 'e',
  К: 'k',
  М: 'm',
  Н: 'h',
  О: 'o',
  Р: 'p',
  С: 'c',
  Т: 't',
  Х: 'x',
  Ѕ: 's',
  І: 'i',
  Ј: 'j',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  Ο: 'o',
  Ρ: 'p',
  Τ: 't',
  Υ: 'y',
  Χ: 'x',
  '0': 'o',
  '1': 'l',
  '|': 'l',
};

/** What a name looks like: NFKC, case-folded, marks dropped, look-alikes mapped. Equal skeletons are refused. */
export function nameSkeleton(name: string): string {
  const mapped = [...normalizeName(name)].map((ch) => CONFUSABLE[ch] ?? ch).join('');
  return mapped.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/**
 * The one password rule (web, API and CLI): at least 10 characters, counted in code points after NFC (sign-in
 * compares NFC, so "e" + U+0301 is one character) and not counting invisible ones; no control characters (a NUL,
 * a newline inside); not only spaces. Checked before anything is written.
 */
export function checkPasswordRule(password: string): void {
  const pw = password.normalize('NFC');
  const fail = (zh: string, en: string): LotteryError => fieldFail('password', 'BAD_PASSWORD', zh, en);
  if (/\p{Cc}/u.test(pw))
    throw fail(
      '密碼不得含控制字元（含換行）',
      'The password must not contain control characters (or a newline)',
    );
  const counted = [...pw].filter((ch) => !/\p{Default_Ignorable_Code_Point}/u.test(ch));
  if (counted.length < MIN_PASSWORD)
    throw fail(
      `密碼至少 ${MIN_PASSWORD} 個字元`,
      `The password must have at least ${MIN_PASSWORD} characters`,
    );
  if (counted.every((ch) => /[\s\p{Z}]/u.test(ch)))
    throw fail('密碼不得只有空白', 'The password must not be only spaces');
}

/**
 * A request body of string fields, exactly: a record (not an array, not a string), no field beyond `allowed`
 * (a misspelt "pasword" would otherwise make an account without a password), each value a string.
 */
export function stringFields(body: unknown, allowed: readonly string[]): Record<string, string | undefined> {
  if (body === undefined || body === null) return {};
  if (!isRecord(body))
    throw validationFailed([
      fieldProblem('body', 'NOT_OBJECT', '內容須為 JSON 物件', 'The body must be a JSON object'),
    ]);
  const problems = Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`));
  for (const k of allowed)
    if (body[k] !== undefined && typeof body[k] !== 'string')
      problems.push(fieldProblem(k, 'NOT_STRING', `${k} 必須是文字`, `${k} must be a string`));
  if (problems.length > 0) throw validationFailed(problems);
  return body as Record<string, string | undefined>;
}
