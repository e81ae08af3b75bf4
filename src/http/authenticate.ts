import type { RequestHandler, Response } from 'express';
import { LotteryError } from '../domain/errors';
import type { Role } from '../domain/model';
import { safeEqual, type Auth, type Session } from '../services/auth';
import type { Services, UserView, Via } from '../services/services';
import { sha256Node } from '../keys/signer';
import { sessionCookieValue } from './cookies';

declare module 'express-serve-static-core' {
  interface Locals {
    user?: UserView;
    session?: Session;
    code?: string;
    /** issue 13: the session this request came from, as the journal names it (services/sessions.ts). */
    via?: Via;
  }
}

export const fail = (
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNSUPPORTED_MEDIA_TYPE',
  zh: string,
  en: string,
): LotteryError => new LotteryError(code, { zh, en });

/**
 * Two ways in: a Bearer token (API clients, the CLI's users), or the session cookie of the web pages. With the
 * cookie, a state-changing request must also carry the session's CSRF token in X-CSRF-Token: a cookie alone is
 * what a cross-site form would send.
 */
export function authenticate(services: Services, auth: Auth): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/i.exec(header);
      const user = m?.[1] ? services.authenticate(m[1]) : undefined;
      if (!user)
        return next(fail('UNAUTHENTICATED', '登入憑證無效或已撤銷', 'Invalid or revoked credentials'));
      res.locals.user = user;
      // An API token's session: SHA-256 hex of "token:" + the token's stored hash (its SHA-256 hex).
      res.locals.via = { session: sha256Node(`token:${sha256Node(m?.[1] ?? '')}`), lazy: true };
      return next();
    }
    const cookie = sessionCookieValue(req);
    const session = cookie ? auth.session(cookie) : undefined;
    if (!session) return next();
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !safeEqual(token, session.csrf))
        return next(
          fail(
            'FORBIDDEN',
            '缺少或錯誤的 CSRF 權杖，請重新整理頁面',
            'Missing or wrong CSRF token: reload the page',
          ),
        );
    }
    res.locals.user = { id: session.user.id, name: session.user.name, role: session.user.role };
    res.locals.session = session;
    res.locals.via = { session: session.idHash, lazy: false };
    next();
  };
}

/** Public endpoints answer everyone alike: a stale token sent along must not turn them into a 401. */
export const isPublic = (p: string): boolean =>
  /^\/v1\/(public\/|journal\/checkpoint$|health$|log\/(key|checkpoint|consistency|inclusion)$)/.test(p);

/** The API's role guard: 401 with nobody signed in, 403 for a role the route does not list. */
export const allow =
  (...roles: Role[]): RequestHandler =>
  (_req, res, next) => {
    const u = res.locals.user;
    if (!u) return next(fail('UNAUTHENTICATED', '請先登入', 'Authentication required'));
    if (!roles.includes(u.role))
      return next(fail('FORBIDDEN', '您的角色無權執行此操作', `Role ${u.role} may not do this`));
    next();
  };

/** The session the journal names for an API call (issue 13), when it came with one. */
export const via = (res: Response): Via | undefined => res.locals.via;

/** Who the journal names for an API call. */
export const actor = (res: Response): string => `user:${res.locals.user?.id ?? 'unknown'}`;
