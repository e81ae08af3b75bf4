import { PERCENT_PATTERN } from './grammar';

/**
 * Quotas in exact arithmetic. 公職人員財產申報資料審核及查閱辦法 §7 has the Ministry of Justice set the share
 * drawn each year, rounded up (無條件進位). Floats get this wrong: Math.ceil(100 * 0.07) is 8, not 7. So a
 * percent is kept as its decimal string and, inside, as an integer count of 1/10,000ths of a percent.
 */
const SCALE = 10_000; // 4 decimal places of a percent
const DENOM = 100 * SCALE; // pool × units / DENOM = pool × percent / 100

/** The legal floor for the first stage (審核及查閱辦法 §7): never below 5%. */
export const LEGAL_FLOOR_PERCENT = '5';

/** Parses "12.5" → 125000 (units of 1/10,000 %). Returns undefined for anything not matching the pattern. */
export function percentUnits(percent: string): number | undefined {
  if (!PERCENT_PATTERN.test(percent)) return undefined;
  const [whole = '0', frac = ''] = percent.split('.');
  return Number(whole) * SCALE + Number(frac.padEnd(4, '0'));
}

/**
 * The one written form of a percent: no leading zeros, no trailing zeros after the point ("010" → "10",
 * "12.50" → "12.5", "10.0" → "10"). The percent is compared and hashed as a string, so it has one form only.
 */
export function canonicalPercent(percent: string): string | undefined {
  const u = percentUnits(percent);
  if (u === undefined) return undefined;
  const whole = Math.floor(u / SCALE);
  const frac = String(u % SCALE)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return frac === '' ? String(whole) : `${whole}.${frac}`;
}

export function isValidPercent(percent: string): boolean {
  const u = percentUnits(percent);
  return u !== undefined && u > 0 && u <= 100 * SCALE;
}

export function comparePercent(a: string, b: string): number {
  const x = percentUnits(a);
  const y = percentUnits(b);
  if (x === undefined || y === undefined) throw new RangeError('invalid percent');
  return x - y;
}

function units(percent: string): number {
  const u = percentUnits(percent);
  if (u === undefined || u <= 0 || u > 100 * SCALE)
    throw new RangeError(`invalid percent ${JSON.stringify(percent)}`);
  return u;
}

function checkPool(poolSize: number): void {
  // pool × units stays below 2^53 for any pool up to 9e9, far beyond any roster.
  if (!Number.isSafeInteger(poolSize) || poolSize < 0 || poolSize > 1e9)
    throw new RangeError('invalid pool size');
}

/** quota = min(poolSize, ceil(poolSize × percent / 100)), exactly. */
export function quota(poolSize: number, percent: string): number {
  checkPool(poolSize);
  const num = poolSize * units(percent);
  const q = Math.floor(num / DENOM) + (num % DENOM === 0 ? 0 : 1);
  return Math.min(poolSize, q);
}

/** The exact product poolSize × percent / 100 as a decimal string without trailing zeros: 21 × 10% → "2.1". */
export function exactProduct(poolSize: number, percent: string): string {
  checkPool(poolSize);
  const num = poolSize * units(percent);
  const whole = Math.floor(num / DENOM);
  const rest = num % DENOM;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(6, '0').replace(/0+$/, '')}`;
}

/**
 * The rule as a person reads it: "21 人 × 10% = 2.1，無條件進位為 3 人", or "20 人 × 10% = 2 人" when the
 * product is whole. Used on the lock confirmation, the projector and the record.
 */
export function ruleText(poolSize: number, percent: string): { zh: string; en: string } {
  const p = exactProduct(poolSize, percent);
  const q = quota(poolSize, percent);
  if (!p.includes('.'))
    return { zh: `${poolSize} 人 × ${percent}% = ${p} 人`, en: `${poolSize} × ${percent}% = ${p}` };
  return {
    zh: `${poolSize} 人 × ${percent}% = ${p}，無條件進位為 ${q} 人`,
    en: `${poolSize} × ${percent}% = ${p}, rounded up to ${q}`,
  };
}
