import type { Request, RequestHandler, Response, Router } from 'express';
import { LotteryError } from '../../domain/errors';
import { ROLES } from '../../domain/model';
import { stringFields } from '../../domain/input/account';
import { STATUS } from '../problem';
import { rateLimit } from '../ratelimit';
import { formBody } from '../forms';
import { pageLang, tr } from '../i18n';
import { actor, checkCsrf, need, type PageDeps } from './common';

/**
 * issue 12: the accounts on the web, for admins (role admin only: the role guard answers 403 to the others), and
 * one's own password for anyone signed in. Every change goes through services/users.ts, journalled in its own
 * transaction; a refusal (a short password, the last active admin) is the error page with its bilingual message.
 */

type Fields = Record<string, string | undefined>;
// A form's fields, exactly (issue 12): a misspelt or extra field is refused (422) rather than dropped.
const fields = (req: Request, allowed: readonly string[] = []): Fields =>
  stringFields(req.body as unknown, ['_csrf', ...allowed]);
const nameParam = (req: Request): string => (typeof req.params.name === 'string' ? req.params.name : '');

/** What each action's redirect (?done=…) says on the page afterwards. */
const DONE: Record<string, [string, string]> = {
  password: ['已重設 {user} 的密碼，其登入階段已結束', 'Password of {user} reset; their sessions ended'],
  role: ['已變更 {user} 的角色', 'Role of {user} changed'],
  unlock: ['已解除 {user} 的登入鎖定', 'Sign-in lockouts of {user} lifted'],
  deactivate: ['已停用帳號 {user}', 'User {user} deactivated'],
};

type Render = (res: Response, extra?: Record<string, unknown>) => void;

/**
 * A refusal stays on the page it came from, with its own bilingual message ("the last active admin", "at least
 * 10 characters") and its code's status, rather than the generic error page.
 */
const onPage =
  (render: Render, fn: (req: Request, res: Response) => void): RequestHandler =>
  (req, res) => {
    try {
      fn(req, res);
    } catch (e) {
      if (!(e instanceof LotteryError)) throw e;
      res.status(STATUS[e.code]);
      render(res, { error: e });
    }
  };

export function adminPages(r: Router, d: PageDeps): void {
  const page: Render = (res, extra = {}) =>
    res.render('admin-users.njk', {
      title: tr(pageLang(res), '帳號管理', 'Users'),
      users: d.services.listAccounts(),
      roles: ROLES,
      ...extra,
    });
  // Every admin form: role admin, the session's CSRF token, and a refusal shown on the users page.
  const action = (path: string, fn: (req: Request, res: Response) => void): void => {
    r.post(path, need('admin'), formBody, checkCsrf, onPage(page, fn));
  };
  const done = (res: Response, what: string, user: string): void =>
    res.redirect(303, `/admin/users?done=${what}&user=${encodeURIComponent(user)}`);

  r.get('/admin/users', need('admin'), (req, res) => {
    const what = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
    const user = typeof req.query.user === 'string' ? req.query.user : '';
    page(res, what ? { notice: tr(pageLang(res), what[0], what[1], { user }) } : {});
  });
  // Adding shows the new account's API token once, on this answer only: it is never stored or shown again.
  action('/admin/users', (req, res) => {
    const b = fields(req, ['name', 'role', 'password', 'display']);
    const u = d.services.addUser(actor(res), {
      name: b.name ?? '',
      role: b.role ?? '',
      password: b.password ?? '',
      ...(b.display ? { display: b.display } : {}),
    });
    res.status(201);
    page(res, {
      issued: { name: u.name, token: u.token },
      notice: tr(pageLang(res), '已建立帳號 {user}', 'User {user} created', { user: u.name }),
    });
  });
  action('/admin/users/:name/password', (req, res) => {
    d.services.setUserPassword(actor(res), nameParam(req), fields(req, ['password']).password ?? '');
    done(res, 'password', nameParam(req));
  });
  action('/admin/users/:name/role', (req, res) => {
    d.services.changeRole(actor(res), nameParam(req), fields(req, ['role']).role ?? '');
    done(res, 'role', nameParam(req));
  });
  action('/admin/users/:name/token', (req, res) => {
    fields(req);
    const t = d.services.revokeToken(actor(res), nameParam(req));
    page(res, {
      issued: t,
      notice: tr(pageLang(res), '已撤銷 {user} 的舊權杖', 'The old API token of {user} is revoked', {
        user: t.name,
      }),
    });
  });
  action('/admin/users/:name/unlock', (req, res) => {
    fields(req);
    d.services.unlockUser(actor(res), nameParam(req));
    done(res, 'unlock', nameParam(req));
  });
  action('/admin/users/:name/deactivate', (req, res) => {
    fields(req);
    d.services.revokeUser(actor(res), nameParam(req));
    done(res, 'deactivate', nameParam(req));
  });
  accountPages(r, d);
}

/** One's own password, for anyone signed in. */
function accountPages(r: Router, d: PageDeps): void {
  const anyone = need('admin', 'ethics', 'drawer', 'auditor');
  const accountPage: Render = (res, extra = {}) =>
    res.render('account-password.njk', { title: tr(pageLang(res), '變更密碼', 'Change password'), ...extra });
  r.get('/account/password', anyone, (req, res) =>
    accountPage(
      res,
      req.query.done === '1' ? { notice: tr(pageLang(res), '密碼已變更', 'Password changed') } : {},
    ),
  );
  // Guessing the current password is a sign-in attempt (issue 12): rate-limited like POST /login, and each
  // wrong guess counts towards the account+address lockout in auth.ts.
  const limit = rateLimit({ limit: 10, windowMs: 60_000, clock: d.clock, name: 'password change' });
  r.post(
    '/account/password',
    limit,
    anyone,
    formBody,
    checkCsrf,
    onPage(accountPage, (req, res) => {
      const s = res.locals.session;
      const b = fields(req, ['current_password', 'new_password']);
      if (s) d.auth.changeOwnPassword(s, b.current_password ?? '', b.new_password ?? '', req.ip ?? 'unknown');
      res.redirect(303, '/account/password?done=1');
    }),
  );
}
