import type { NextFunction, Request, Response } from 'express';
import { LotteryError } from '../../domain/errors';
import type { Role } from '../../domain/model';
import type { PublicField } from '../../domain/publish';
import { ruleText } from '../../domain/quota';
import { rocDateTime, taipeiDateTime } from '../../record/roc';
import type { Auth } from '../../services/auth';
import type { Services } from '../../services/services';
import { csrfOk } from '../forms';
import { rocDateInput, rocDateText } from '../../domain/input/definition';
import { pageLang } from '../i18n';

/** What the page routes need: the same services as the JSON API, and the sign-in sessions. */
export interface PageDeps {
  services: Services;
  auth: Auth;
  clock: () => Date;
  publicUrl: string;
  publicFields: readonly PublicField[];
  /** Start-up warnings (server.ts), shown by templates/service-warnings.njk; none in most tests. */
  serviceWarnings?: ReadonlyArray<{ zh: string; en: string }>;
}

/** A page for some roles only: with no session, sign in first and come back; with another role, 403. */
export const need =
  (...roles: Role[]) =>
  (req: Request, res: Response, next: NextFunction): void => {
    const s = res.locals.session;
    if (!s) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (!roles.includes(s.user.role))
      return next(
        new LotteryError('FORBIDDEN', {
          zh: '您的角色無權檢視此頁',
          en: `Role ${s.user.role} may not see this page`,
        }),
      );
    next();
  };

/** A state-changing form must carry the session's CSRF token (forms.ts). */
export const checkCsrf = (req: Request, res: Response, next: NextFunction): void => {
  const s = res.locals.session;
  if (!s || !csrfOk(req, s))
    return next(
      new LotteryError('FORBIDDEN', {
        zh: '表單已過期或缺少 CSRF 權杖，請重新整理頁面',
        en: 'The form expired or lacks its CSRF token: reload the page',
      }),
    );
  next();
};

/** Who the journal names for a page's action. */
export const actor = (res: Response): string => `user:${res.locals.session?.user.id ?? 'unknown'}`;

/** The lottery id in the page's path, as written: the services check it and answer 404. */
export const idParam = (req: Request): string => (typeof req.params.id === 'string' ? req.params.id : '');

/** Where a page about lottery `id` lives. */
export const lotteryPath = (id: string, rest = ''): string => `/lotteries/${encodeURIComponent(id)}${rest}`;

/** Each stage with the sentence that explains its quota (19 人 × 10% = 1.9，無條件進位為 2 人). */
export const withRules = <S extends { poolSize: number; percent: string }>(
  stages: readonly S[],
): Array<S & { rule: { zh: string; en: string } }> =>
  stages.map((s) => ({ ...s, rule: ruleText(s.poolSize, s.percent) }));

/** A journal time as the page's reader reads it: the ROC calendar in Chinese, Taipei time in English. */
export const localTimeFor =
  (res: Response) =>
  (at: string): string =>
    pageLang(res) === 'en' ? taipeiDateTime(new Date(at)) : rocDateTime(new Date(at));

/**
 * A meeting date (stored as ISO, Taipei wall time) as the page's reader reads it: 民國114年1月22日 14:30 in
 * Chinese; in English the Gregorian date with the ROC one beside it, 2025-01-22 14:30 (ROC 114/1/22).
 */
export const meetingDateFor =
  (res: Response) =>
  (iso: string | undefined): string => {
    if (!iso) return '';
    if (pageLang(res) !== 'en') return rocDateText(iso);
    const roc = rocDateInput(iso);
    return roc === iso ? iso : `${iso.replace('T', ' ')} (ROC ${roc.split(' ')[0] ?? ''})`;
  };

export function hasRecord(services: Services, id: string): boolean {
  try {
    services.recordPdf(id, 'public');
    return true;
  } catch {
    return false;
  }
}
