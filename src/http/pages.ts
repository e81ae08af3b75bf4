import express, { type Router } from 'express';
import { pageLang, type Lang } from './i18n';
import { sessionCookieValue } from './cookies';
import { auditPages } from './pages/audit';
import { ceremonyPages } from './pages/ceremony';
import type { PageDeps } from './pages/common';
import { lotteryPages } from './pages/lotteries';
import { physicalPages } from './pages/physical';
import { sessionPages } from './pages/session';
import { verifyPages } from './pages/verify';

export type { PageDeps } from './pages/common';
export { defaultYear } from './pages/lotteries';

/**
 * The web pages. Server-rendered from templates/ (nunjucks, autoescaping on), with all script in static files
 * so the CSP needs neither 'unsafe-inline' nor 'unsafe-eval'. Pages call the same services as the JSON API; the
 * page scripts call the JSON API with the session cookie and the CSRF header. (The browser scripts themselves
 * are src/web/.) Form input is read in forms.ts; the page groups are in pages/.
 */

const STATUS_NAMES: Record<Lang, Record<string, string>> = {
  zh: { draft: '準備中', locked: '已鎖定', drawing: '抽籤中', drawn: '已完成' },
  en: { draft: 'in preparation', locked: 'locked', drawing: 'drawing', drawn: 'drawn' },
};

export function pagesRouter(d: PageDeps): Router {
  const r = express.Router();

  // Who is signed in (if anyone), for every page.
  r.use((req, res, next) => {
    const v = sessionCookieValue(req);
    const s = v ? d.auth.session(v) : undefined;
    if (s) res.locals.session = s;
    res.locals.me = s?.user;
    res.locals.csrf = s?.csrf;
    res.locals.statusName = STATUS_NAMES[pageLang(res)];
    res.set('Cache-Control', 'no-store');
    next();
  });

  sessionPages(r, d);
  lotteryPages(r, d);
  ceremonyPages(r, d);
  physicalPages(r, d);
  auditPages(r, d);
  verifyPages(r, d);
  return r;
}
