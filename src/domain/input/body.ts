import { fieldProblem, LotteryError, validationFailed } from '../errors';
import { accountName } from './account';
import { reasonText } from './text';
import { ROLES, type Role } from '../model';

/**
 * The shapes of the request bodies the services take, checked before any transaction opens: a refused body
 * leaves no trace in the journal. Every unexpected field is refused rather than silently ignored, so that a
 * client that misspells a field learns so instead of having it dropped.
 */

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses fields other than these: an unexpected field is refused rather than silently ignored. */
export function onlyFields(body: unknown, allowed: readonly string[]): void {
  if (body === undefined || body === null) return;
  if (!isRecord(body))
    throw new LotteryError('VALIDATION_FAILED', {
      zh: '內容須為 JSON 物件',
      en: 'The body must be a JSON object',
    });
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw validationFailed(
      extra.map((k) => fieldProblem(k, 'UNKNOWN_FIELD', `不認得的欄位 ${k}`, `unknown field ${k}`)),
    );
}

/** Takes no body: anything sent is refused rather than silently ignored. */
export function noBody(body: unknown, zh: string, en: string): undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return undefined;
  throw new LotteryError(
    'VALIDATION_FAILED',
    { zh, en },
    {
      problems: [
        { field: 'body', code: 'UNEXPECTED_BODY', message: { zh: '不需內容', en: 'no body expected' } },
      ],
    },
  );
}

/** `{"reason": "…"}`, required and nothing else: an unlock or an adjournment says why, on the record. */
export function parseReason(
  body: unknown,
  requiredZh = '解除鎖定須說明理由（reason）',
  requiredEn = 'unlock needs a reason',
): string {
  const raw =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).reason
      : undefined;
  const fail = (code: string, zh: string, en: string): LotteryError =>
    new LotteryError(
      'VALIDATION_FAILED',
      { zh, en },
      { problems: [{ field: 'reason', code, message: { zh, en } }] },
    );
  if (typeof body === 'object' && body !== null && Object.keys(body).some((k) => k !== 'reason'))
    throw fail('UNKNOWN_FIELD', '只接受 reason 欄位', 'only a reason is accepted');
  if (typeof raw !== 'string' || raw.trim() === '') throw fail('REQUIRED', requiredZh, requiredEn);
  return reasonText(raw, 'reason');
}

/**
 * The roster table's inline edit, `{"excluded": "reason"}` or `{"excluded": null}`: the cleaned reason, or ''
 * when the entry is back in the pool.
 */
export function parseExclusion(body: unknown): string {
  const b = isRecord(body) ? body : undefined;
  const fail = (code: string, zh: string, en: string): LotteryError =>
    new LotteryError(
      'VALIDATION_FAILED',
      { zh, en },
      { problems: [{ field: 'excluded', code, message: { zh, en } }] },
    );
  if (!b || Object.keys(b).some((k) => k !== 'excluded') || !('excluded' in b))
    throw fail(
      'REQUIRED',
      '內容須為 {"excluded": "理由"} 或 {"excluded": null}',
      'the body must be {"excluded": "reason"} or {"excluded": null}',
    );
  const raw = b.excluded;
  if (raw !== null && typeof raw !== 'string')
    throw fail('NOT_STRING', 'excluded 必須是文字或 null', 'excluded must be a string or null');
  return raw === null ? '' : reasonText(raw, 'excluded');
}

/** A new account: a name that looks like no other (domain/input/account.ts), and a role. */
export function parseNewUser(input: { name: string; role: string; display?: string }): {
  name: string;
  role: Role;
} {
  const name = accountName(input.name);
  if (!(ROLES as readonly string[]).includes(input.role))
    throw new LotteryError('VALIDATION_FAILED', {
      zh: `角色須為 ${ROLES.join('、')} 之一`,
      en: `role must be one of ${ROLES.join(', ')}`,
    });
  return { name, role: input.role as Role };
}
