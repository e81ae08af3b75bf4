import type { Router } from 'express';
import { LotteryError } from '../../domain/errors';
import { SESSION_HOURS } from '../../services/auth';
import { clearSessionCookie, setSessionCookie } from '../cookies';
import { csrfOk, formBody, localPath, loginForm } from '../forms';
import { pageLang, setLangCookie, tr } from '../i18n';
import type { PageDeps } from './common';

/** Signing in and out, and the language switch. */
export function sessionPages(r: Router, d: PageDeps): void {
  r.get('/', (_req, res) => res.redirect(303, res.locals.session ? '/lotteries' : '/login'));

  // A display preference, not a state change of the service: a plain link, so it works before sign-in too.
  r.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang === 'en' ? 'en' : req.params.lang === 'zh' ? 'zh' : undefined;
    if (!lang) throw new LotteryError('NOT_FOUND', { zh: '沒有這種語言', en: 'No such language' });
    setLangCookie(req, res, lang);
    // Only a path on this site: "//host" would send the browser elsewhere.
    res.redirect(303, localPath(req.query.next, '/'));
  });

  r.get('/login', (req, res) => {
    res.render('login.njk', {
      title: tr(pageLang(res), '登入', 'Sign in'),
      next: typeof req.query.next === 'string' ? req.query.next : '',
    });
  });
  r.post('/login', formBody, (req, res) => {
    // Only a path on this site: "//host" would send the browser elsewhere after sign-in.
    const { username, password, next: nextUrl } = loginForm(req);
    try {
      const { sessionId } = d.auth.signIn(username, password, req.ip ?? 'unknown');
      setSessionCookie(req, res, sessionId, SESSION_HOURS * 3600);
      res.redirect(303, nextUrl);
    } catch (e) {
      if (!(e instanceof LotteryError)) throw e;
      res.status(401).render('login.njk', {
        title: tr(pageLang(res), '登入', 'Sign in'),
        error: e,
        next: nextUrl,
        username,
      });
    }
  });
  r.post('/logout', formBody, (req, res) => {
    const s = res.locals.session;
    if (s && csrfOk(req, s)) d.auth.signOut(s.idHash);
    clearSessionCookie(req, res);
    res.redirect(303, '/login');
  });
}
