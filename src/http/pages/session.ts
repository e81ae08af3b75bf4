import type { Request, Response, Router } from 'express';
import { LotteryError } from '../../domain/errors';
import { SESSION_HOURS } from '../../services/auth';
import { clearSessionCookie, loginCookieValue, setLoginCookie, setSessionCookie } from '../cookies';
import { csrfOk, formBody, localPath, loginForm, loginTokenOk, originOk } from '../forms';
import { pageLang, setLangCookie, tr } from '../i18n';
import type { PageDeps } from './common';

/** Signing in and out, and the language switch. */
export function sessionPages(r: Router, d: PageDeps): void {
  // An admin's work is the accounts (issue 12): the lotteries' pages are not for that role.
  const home = (role: string | undefined): string => (role === 'admin' ? '/admin/users' : '/lotteries');
  r.get('/', (_req, res) =>
    res.redirect(303, res.locals.session ? home(res.locals.session.user.role) : '/login'),
  );

  // A display preference, not a state change of the service: a plain link, so it works before sign-in too.
  r.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang === 'en' ? 'en' : req.params.lang === 'zh' ? 'zh' : undefined;
    if (!lang) throw new LotteryError('NOT_FOUND', { zh: '沒有這種語言', en: 'No such language' });
    setLangCookie(req, res, lang);
    // Only a path on this site: "//host" would send the browser elsewhere.
    res.redirect(303, localPath(req.query.next, '/'));
  });

  // The sign-in form carries a CSRF token (issue 12): the same value as a hidden field and a SameSite=Strict
  // cookie. An existing cookie is reused, so two tabs on the sign-in page both work.
  const loginToken = (req: Request, res: Response): string => {
    const existing = loginCookieValue(req);
    const token = existing && /^[A-Za-z0-9_-]{40,64}$/.test(existing) ? existing : d.auth.loginToken();
    setLoginCookie(req, res, token);
    return token;
  };
  const loginPage = (req: Request, res: Response, extra: Record<string, unknown>): void => {
    // Under the site-wide `Referrer-Policy: no-referrer` a browser posts this form with `Origin: null`, which
    // POST /login refuses; `same-origin` lets it send the real origin here, and still nothing to other sites.
    res.set('Referrer-Policy', 'same-origin');
    res.render('login.njk', {
      title: tr(pageLang(res), '登入', 'Sign in'),
      loginToken: loginToken(req, res),
      ...extra,
    });
  };

  r.get('/login', (req, res) => {
    loginPage(req, res, { next: typeof req.query.next === 'string' ? req.query.next : '' });
  });
  r.post('/login', formBody, (req, res) => {
    // Only a path on this site: "//host" would send the browser elsewhere after sign-in.
    const { username, password, next: nextUrl } = loginForm(req);
    // Login CSRF: a form posted from another site (Origin), or without this browser's token, signs no one in.
    if (!originOk(req, d.publicUrl) || !loginTokenOk(req)) {
      res.status(403);
      return loginPage(req, res, {
        error: new LotteryError('FORBIDDEN', {
          zh: '登入表單已過期或來自其他網站，請重新載入登入頁後再試',
          en: 'The sign-in form expired or came from another site: reload the sign-in page and try again',
        }),
        next: nextUrl,
        username,
      });
    }
    try {
      const { sessionId, session } = d.auth.signIn(username, password, req.ip ?? 'unknown');
      setSessionCookie(req, res, sessionId, SESSION_HOURS * 3600);
      res.redirect(303, nextUrl === '/lotteries' ? home(session.user.role) : nextUrl);
    } catch (e) {
      if (!(e instanceof LotteryError)) throw e;
      res.status(401);
      loginPage(req, res, { error: e, next: nextUrl, username });
    }
  });
  r.post('/logout', formBody, (req, res) => {
    const s = res.locals.session;
    if (s && csrfOk(req, s)) d.auth.signOut(s.idHash);
    clearSessionCookie(req, res);
    res.redirect(303, '/login');
  });
}
