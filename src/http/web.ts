import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import { LotteryError } from '../domain/errors';
import { ruleText } from '../domain/quota';
import { rocDateTime, taipeiDateTime } from '../record/roc';
import { publicColumns, type PublicField } from '../domain/publish';
import { SESSION_HOURS, safeEqual, type Auth, type Session } from '../services/auth';
import type { Services } from '../services/services';
import type { Role } from '../store/store';
import { pageLang, setLangCookie, tr, type Lang } from './i18n';
import { clearSessionCookie, sessionCookieValue, setSessionCookie } from './cookies';

/**
 * The web pages. Server-rendered from templates/ (nunjucks, autoescaping on), with all script in static files
 * so the CSP needs neither 'unsafe-inline' nor 'unsafe-eval'. Pages call the same services as the JSON API; the
 * page scripts call the JSON API with the session cookie and the CSRF header.
 */
export interface WebDeps {
  services: Services;
  auth: Auth;
  clock: () => Date;
  publicUrl: string;
  publicFields: readonly PublicField[];
}

const STATUS_NAMES: Record<Lang, Record<string, string>> = {
  zh: { draft: '準備中', locked: '已鎖定', drawing: '抽籤中', drawn: '已完成' },
  en: { draft: 'in preparation', locked: 'locked', drawing: 'drawing', drawn: 'drawn' },
};

/** The declaration year to suggest: draws happen in January and February for the year before. */
export function defaultYear(now: Date): number {
  const rocYear = now.getFullYear() - 1911;
  return now.getMonth() < 6 ? rocYear - 1 : rocYear;
}

function csrfOk(req: Request, s: Session): boolean {
  const t: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
  return typeof t === 'string' && safeEqual(t, s.csrf);
}

export function webRouter(d: WebDeps): Router {
  const r = express.Router();
  const form = express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 50 });

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

  const need =
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
  const checkCsrf = (req: Request, res: Response, next: NextFunction): void => {
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
  const actor = (res: Response): string => `user:${res.locals.session?.user.id ?? 'unknown'}`;
  const id = (req: Request): string => (typeof req.params.id === 'string' ? req.params.id : '');

  r.get('/', (_req, res) => res.redirect(303, res.locals.session ? '/lotteries' : '/login'));

  // A display preference, not a state change of the service: a plain link, so it works before sign-in too.
  r.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang === 'en' ? 'en' : req.params.lang === 'zh' ? 'zh' : undefined;
    if (!lang) throw new LotteryError('NOT_FOUND', { zh: '沒有這種語言', en: 'No such language' });
    setLangCookie(req, res, lang);
    // Only a path on this site: "//host" would send the browser elsewhere.
    const next = typeof req.query.next === 'string' ? req.query.next : '/';
    res.redirect(303, /^\/(?![/\\])[A-Za-z0-9/_\-?=&.%]*$/.test(next) ? next : '/');
  });

  r.get('/login', (req, res) => {
    res.render('login.njk', {
      title: tr(pageLang(res), '登入', 'Sign in'),
      next: typeof req.query.next === 'string' ? req.query.next : '',
    });
  });
  r.post('/login', form, (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const username = typeof b.username === 'string' ? b.username : '';
    const password = typeof b.password === 'string' ? b.password : '';
    // Only a path on this site: "//host" would send the browser elsewhere after sign-in.
    const nextUrl =
      typeof b.next === 'string' && /^\/(?![/\\])[A-Za-z0-9/_-]*$/.test(b.next) ? b.next : '/lotteries';
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
  r.post('/logout', form, (req, res) => {
    const s = res.locals.session;
    if (s && csrfOk(req, s)) d.auth.signOut(s.idHash);
    clearSessionCookie(req, res);
    res.redirect(303, '/login');
  });

  r.get('/lotteries', need('ethics', 'drawer', 'auditor'), (_req, res) => {
    const all = d.services.listLotteries();
    const years = [...new Set(all.map((l) => l.year))].sort((a, b) => b - a);
    res.render('lotteries.njk', {
      title: tr(pageLang(res), '抽籤作業', 'Lotteries'),
      years: years.map((y) => ({ year: y, lotteries: all.filter((l) => l.year === y) })),
      defaultYear: defaultYear(d.clock()),
    });
  });
  r.post('/lotteries', need('ethics'), form, checkCsrf, (req, res) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const witnesses = (b.witnesses ?? '')
      .split(/[\n、,，]/)
      .map((w) => w.trim())
      .filter((w) => w !== '');
    const meeting: Record<string, unknown> = {};
    for (const k of ['name', 'date', 'venue', 'chair', 'drawer', 'monitor', 'recorder'])
      if (b[`meeting_${k}`]) meeting[k] = b[`meeting_${k}`];
    if (witnesses.length) meeting.witnesses = witnesses;
    const stages = [
      { label: b.stage1_label || '實質審查', percent: b.stage1_percent || '10' },
      ...(b.stage2_percent
        ? [{ label: b.stage2_label || '前後年度申報財產比對', percent: b.stage2_percent }]
        : []),
    ];
    const l = d.services.createLottery(actor(res), {
      year: /^\d{1,3}$/.test(b.year ?? '') ? Number(b.year) : b.year,
      agency: b.agency,
      ...(b.title ? { title: b.title } : {}),
      stages,
      meeting,
    });
    res.redirect(303, `/lotteries/${encodeURIComponent(l.id)}`);
  });

  r.get('/lotteries/:id', need('ethics', 'auditor'), (req, res) => {
    const l = d.services.getLottery(id(req));
    const roster = d.services.getRoster(l.id).entries;
    res.render('lottery.njk', {
      title: `${l.title}`,
      l,
      roster,
      rules: l.stages.map((s) => ({ ...s, rule: ruleText(s.poolSize, s.percent) })),
      canEdit: res.locals.session?.user.role === 'ethics' && l.status === 'draft',
      isEthics: res.locals.session?.user.role === 'ethics',
    });
  });
  r.post('/lotteries/:id/meeting', need('ethics'), form, checkCsrf, (req, res) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const meeting: Record<string, unknown> = {};
    for (const k of ['name', 'date', 'venue', 'chair', 'drawer', 'monitor', 'recorder'])
      meeting[k] = b[`meeting_${k}`] || undefined;
    meeting.witnesses = (b.witnesses ?? '')
      .split(/[\n、,，]/)
      .map((w) => w.trim())
      .filter((w) => w !== '');
    d.services.patchLottery(actor(res), id(req), { meeting: JSON.parse(JSON.stringify(meeting)) as unknown });
    res.redirect(303, `/lotteries/${encodeURIComponent(id(req))}`);
  });
  r.post('/lotteries/:id/lock', need('ethics'), form, checkCsrf, (req, res) => {
    d.services.lock(actor(res), id(req));
    res.redirect(303, `/lotteries/${encodeURIComponent(id(req))}`);
  });
  r.post('/lotteries/:id/unlock', need('ethics'), form, checkCsrf, (req, res) => {
    d.services.unlock(actor(res), id(req), {
      reason: ((req.body ?? {}) as Record<string, string>).reason ?? '',
    });
    res.redirect(303, `/lotteries/${encodeURIComponent(id(req))}`);
  });

  r.get('/lotteries/:id/draw', need('ethics', 'drawer', 'auditor'), async (req, res) => {
    const l = d.services.getLottery(id(req));
    const verifyUrl = `${d.publicUrl}/verify/${encodeURIComponent(l.id)}`;
    res.render('draw.njk', {
      title: tr(pageLang(res), '抽籤：{t}', 'Draw: {t}', { t: l.title }),
      l,
      rules: l.stages.map((s) => ({ ...s, rule: ruleText(s.poolSize, s.percent) })),
      verifyUrl,
      qr: await QRCode.toString(verifyUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      canDraw: res.locals.session?.user.role !== 'auditor',
      bodyClass: 'projector',
    });
  });

  r.get('/lotteries/:id/result', need('ethics', 'drawer', 'auditor'), (req, res) => {
    const l = d.services.getLottery(id(req));
    res.render('result.njk', {
      title: tr(pageLang(res), '結果：{t}', 'Result: {t}', { t: l.title }),
      l,
      hasRecord: hasRecord(d.services, l.id),
      publicUrl: `${d.publicUrl}/verify/${encodeURIComponent(l.id)}`,
      isEthics: res.locals.session?.user.role === 'ethics',
    });
  });
  r.post('/lotteries/:id/record', need('ethics'), form, checkCsrf, async (req, res) => {
    if (!hasRecord(d.services, id(req))) await d.services.issueRecord(actor(res), id(req));
    res.redirect(303, `/lotteries/${encodeURIComponent(id(req))}/result`);
  });

  r.get('/audit', need('auditor'), (req, res) => {
    const q = req.query;
    const lottery =
      typeof q.lottery === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(q.lottery) ? q.lottery : undefined;
    const type = typeof q.type === 'string' && /^[a-z]+(\.[a-z]+)+$/.test(q.type) ? q.type : undefined;
    const seqParam = (v: unknown): number | undefined =>
      typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : undefined;
    const after = seqParam(q.after);
    const before = after === undefined ? seqParam(q.before) : undefined;
    const filter = { ...(lottery ? { lottery } : {}), ...(type ? { type } : {}) };
    const page = d.services.journalPage({
      limit: 50,
      ...filter,
      ...(before !== undefined ? { before } : { after: after ?? 0 }),
    });
    const first = page.entries[0];
    const last = page.entries[page.entries.length - 1];
    // Links only where a page exists: one-entry probes in each direction under the same filter.
    const exists = (probe: { after: number } | { before: number }): boolean =>
      d.services.journalPage({ limit: 1, ...filter, ...probe }).entries.length > 0;
    const localTime = (at: string): string =>
      pageLang(res) === 'en' ? taipeiDateTime(new Date(at)) : rocDateTime(new Date(at));
    const checkpoint = d.services.checkpoint();
    const names = new Map(
      d.services.listUsers().map((u) => [`user:${u.id}`, `${u.display ?? u.name}（${u.role}）`]),
    );
    const link = (p: Record<string, string | number>): string =>
      `/audit?${new URLSearchParams({ ...filter, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])) }).toString()}`;
    res.render('audit.njk', {
      title: tr(pageLang(res), '稽核', 'Audit'),
      entries: page.entries.map((e) => ({
        ...e,
        dataText: JSON.stringify(e.data),
        local: localTime(e.at),
        actorName: names.get(e.actor),
      })),
      head: page.head,
      lottery,
      type,
      pages: {
        ...(first && exists({ before: first.seq })
          ? { oldest: link({}), prev: link({ before: first.seq }) }
          : {}),
        ...(last && exists({ after: last.seq })
          ? { next: link({ after: last.seq }), newest: link({ before: page.head.seq + 1 }) }
          : {}),
      },
      checkpoint,
      checkpointLocal: localTime(checkpoint.at),
      lotteries: d.services.listLotteries(),
    });
  });

  r.get('/verify/:id', async (req, res) => {
    const p = d.services.publicView(id(req));
    res.render('verify.njk', {
      title: tr(pageLang(res), '公開驗證：{t}', 'Public verification: {t}', { t: p.title }),
      p,
      rules: p.stages.map((s) => ({ ...s, rule: ruleText(s.poolSize, s.percent) })),
      hasRecord: hasRecord(d.services, p.id),
      publicColumns: publicColumns(d.publicFields),
      localTime: (at: string): string =>
        pageLang(res) === 'en' ? taipeiDateTime(new Date(at)) : rocDateTime(new Date(at)),
      lead16: (hex: string | null | undefined): string =>
        (hex ?? '')
          .replace(/^SHA256:/i, '')
          .slice(0, 16)
          .replace(/(.{4})(?=.)/g, '$1 '),
    });
  });

  return r;
}

function hasRecord(services: Services, id: string): boolean {
  try {
    services.recordPdf(id, 'public');
    return true;
  } catch {
    return false;
  }
}
