import type { Request } from 'express';
import { LotteryError } from '../domain/errors';

/**
 * What a route reads from its URL. Query strings are validated here against the shared grammars
 * (src/domain/grammar.ts), with one answer shape for a bad parameter. Path parameters are handed on as
 * written: the service that owns the noun checks them against the same grammar and answers its own 404
 * (a lottery, a stage, an entry), so that a wrong id says which thing was not found.
 */

/** A path parameter as written (Express 5 leaves it undefined only for an optional segment). */
export function pathParam(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === 'string' ? v : '';
}

function badParameter(name: string, zh: string, en: string): LotteryError {
  return new LotteryError(
    'VALIDATION_FAILED',
    { zh, en },
    {
      problems: [
        { field: name, code: 'BAD_PARAMETER', message: { zh: `${name} 不正確`, en: `${name} is invalid` } },
      ],
    },
  );
}

/** An integer query parameter from min to max, or undefined when absent; a repeated one is refused. */
export function queryInt(req: Request, name: string, min: number, max: number): number | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw badParameter(
      name,
      `參數 ${name} 須為 ${min} 至 ${max} 的整數`,
      `${name} must be an integer from ${min} to ${max}`,
    );
  return Number(v);
}

/**
 * Query strings are input too: a parameter the route does not know (a typo such as `dryrun`, or `lottery[]`)
 * is refused rather than ignored, since ignoring `dryRun` would save a roster the office meant to preview.
 */
export function onlyQuery(req: Request, allowed: readonly string[]): void {
  const unknown = Object.keys(req.query).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new LotteryError(
      'VALIDATION_FAILED',
      { zh: `不認得的參數：${unknown.join('、')}`, en: `Unknown query parameter: ${unknown.join(', ')}` },
      {
        problems: unknown.map((k) => ({
          field: k,
          code: 'UNKNOWN_PARAMETER',
          message: { zh: `不認得的參數 ${k}`, en: `unknown parameter ${k}` },
        })),
      },
    );
}

/** A query parameter matching `pattern` (a grammar), or undefined when absent; a repeated one is refused. */
export function queryStr(req: Request, name: string, pattern: RegExp): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !pattern.test(v))
    throw badParameter(name, `參數 ${name} 不正確`, `${name} is invalid`);
  return v;
}
