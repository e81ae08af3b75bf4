import express, { type Router } from 'express';
import { rocDateInput } from '../domain/input/definition';
import { pageLang, roleName, type Lang } from './i18n';
import { sessionCookieValue } from './cookies';
import { adminPages } from './pages/admin';
import { auditPages } from './pages/audit';
import { ceremonyPages } from './pages/ceremony';
import { localTimeFor, meetingDateFor, type PageDeps } from './pages/common';
import { lotteryPages } from './pages/lotteries';
import { recordPages } from './pages/record';
import { physicalPages } from './pages/physical';
import { sessionPages } from './pages/session';
import { verifyPages } from './pages/verify';
import { witnessPages } from './pages/witness';

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
    // Dates and roles as people read them (issue 11): 民國 dates, Taipei times, roles in Chinese.
    res.locals.roleName = (role: string): string => roleName(pageLang(res), role);
    res.locals.meetingDate = meetingDateFor(res);
    res.locals.dateInput = rocDateInput;
    res.locals.localTime = (at: string | undefined): string => (at ? localTimeFor(res)(at) : '');
    // Start-up warnings (test CA, local public URL) for templates/service-warnings.njk: empty renders nothing.
    res.locals.serviceWarnings = d.serviceWarnings ?? [];
    res.set('Cache-Control', 'no-store');
    next();
  });

  sessionPages(r, d);
  lotteryPages(r, d);
  ceremonyPages(r, d);
  recordPages(r, d);
  physicalPages(r, d);
  auditPages(r, d);
  verifyPages(r, d);
  adminPages(r, d); // issue 12: users on the web, and one's own password
  witnessPages(r, d); // issue 13: the witness's own device registers a key and cosigns
  return r;
}
