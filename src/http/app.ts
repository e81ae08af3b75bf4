import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import nunjucks from 'nunjucks';
import path from 'node:path';
import { webRouter } from './web';
import { rateLimit } from './ratelimit';
import crypto from 'node:crypto';
import { LotteryError } from '../domain/errors';
import { DEFAULT_PUBLIC_FIELDS, type PublicField } from '../domain/publish';
import type { Signer } from '../keys/signer';
import { sha256Node } from '../keys/signer';
import { importRoster } from '../roster/import';
import { readBody, readMultipartFile } from './body';
import { Services, type FaultPoint, type UserView } from '../services/services';
import type { Role, Store } from '../store/store';
import { silentLogger, type Logger } from '../util/log';
import { errorHandler } from './problem';
import { langOf, PUNCTUATION, tr } from './i18n';
import { Auth, safeEqual, type Session } from '../services/auth';
import { sessionCookieValue } from './cookies';

export interface AppOptions {
  store: Store;
  signer: Signer;
  clock?: () => Date;
  randomBytes?: (n: number) => Buffer;
  log?: Logger;
  publicUrl?: string;
  publicFields?: readonly PublicField[];
  /** Behind a reverse proxy (TRUST_PROXY): trust X-Forwarded-Proto for Secure cookies. */
  trustProxy?: boolean;
  /** Rate limits (sign-in 10/min, public 600/min per address); false only for benchmarks. */
  rateLimits?: boolean;
  /** Crash testing only: see Deps.fault in services. */
  fault?: (point: FaultPoint) => void;
}

export const TEMPLATES_DIR = path.resolve(__dirname, '..', '..', 'templates');
/** The browser scripts, bundled by `npm run build` (esbuild) from src/web. */
export const WEB_JS_DIR = path.resolve(__dirname, '..', '..', 'dist', 'public', 'js');

export const JSON_LIMIT = 100 * 1024;
export const ROSTER_LIMIT = 10 * 1024 * 1024;
const ROSTER_TYPES = new Set([
  'application/json',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/csv',
  'multipart/form-data',
]);

declare module 'express-serve-static-core' {
  interface Locals {
    user?: UserView;
    session?: Session;
    code?: string;
  }
}

const fail = (
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNSUPPORTED_MEDIA_TYPE',
  zh: string,
  en: string,
): LotteryError => new LotteryError(code, { zh, en });

/** Express 5 forwards rejected promises to the error handler; this keeps handlers small and typed. */
const h =
  (fn: (req: Request, res: Response) => unknown): RequestHandler =>
  async (req, res, next) => {
    try {
      await fn(req, res);
    } catch (e) {
      next(e);
    }
  };

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** A body, when present, must be JSON; otherwise 415 (never guess: a form post is not an API call). */
function jsonBody(limit: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (hasBody(req) && !req.is('application/json'))
        return next(
          fail(
            'UNSUPPORTED_MEDIA_TYPE',
            '內容類型須為 application/json',
            'Content-Type must be application/json',
          ),
        );
      next();
    },
    express.json({ limit, strict: true, type: 'application/json' }),
  ];
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === 'string' ? v : '';
}

function queryInt(req: Request, name: string, min: number, max: number): number | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new LotteryError(
      'VALIDATION_FAILED',
      {
        zh: `參數 ${name} 須為 ${min} 至 ${max} 的整數`,
        en: `${name} must be an integer from ${min} to ${max}`,
      },
      {
        problems: [
          { field: name, code: 'BAD_PARAMETER', message: { zh: `${name} 不正確`, en: `${name} is invalid` } },
        ],
      },
    );
  return Number(v);
}

/**
 * Query strings are input too: a parameter the route does not know (a typo such as `dryrun`, or `lottery[]`)
 * is refused rather than ignored, since ignoring `dryRun` would save a roster the office meant to preview.
 */
function onlyQuery(req: Request, allowed: readonly string[]): void {
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

function queryStr(req: Request, name: string, pattern: RegExp): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !pattern.test(v))
    throw new LotteryError(
      'VALIDATION_FAILED',
      { zh: `參數 ${name} 不正確`, en: `${name} is invalid` },
      {
        problems: [
          { field: name, code: 'BAD_PARAMETER', message: { zh: `${name} 不正確`, en: `${name} is invalid` } },
        ],
      },
    );
  return v;
}

export function buildApp(opts: AppOptions): { app: express.Express; services: Services } {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? (() => new Date());
  const randomBytes = opts.randomBytes ?? ((n: number) => crypto.randomBytes(n));
  const auth = new Auth({ store: opts.store, clock, randomBytes, sha256: sha256Node });
  const signInLimit = rateLimit({ limit: 10, windowMs: 60_000, clock, name: 'sign-in' });
  const publicLimit = rateLimit({ limit: 600, windowMs: 60_000, clock, name: 'public' });
  const services = new Services({
    store: opts.store,
    signer: opts.signer,
    clock,
    randomBytes,
    sha256: sha256Node,
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.publicFields ? { publicFields: opts.publicFields } : {}),
    ...(opts.fault ? { fault: opts.fault } : {}),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The CSP allows no inline script or style and no eval: every script is a static file. No
  // upgrade-insecure-requests, since ethics offices run this on plain-HTTP intranets.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: false,
    }),
  );
  if (opts.trustProxy) app.set('trust proxy', 1);
  const views = nunjucks.configure(TEMPLATES_DIR, {
    autoescape: true,
    throwOnUndefined: false,
    noCache: false,
  });
  views.addGlobal(
    'tr',
    function (this: { ctx?: { lang?: unknown } }, zh: string, en: string, params?: Record<string, unknown>) {
      return tr(this.ctx?.lang === 'en' ? 'en' : 'zh', zh, en, params);
    },
  );
  views.express(app);
  app.set('view engine', 'njk');
  app.use((req, res, next) => {
    res.locals.lang = langOf(req);
    res.locals.pu = PUNCTUATION[res.locals.lang === 'en' ? 'en' : 'zh'];
    res.locals.here = req.originalUrl;
    next();
  });
  app.use(
    '/static',
    express.static(path.join(TEMPLATES_DIR, 'static'), { fallthrough: true, index: false, maxAge: '1h' }),
  );
  app.use('/static/js', express.static(WEB_JS_DIR, { fallthrough: true, index: false, maxAge: '1h' }));

  // Request log: method, route, status, time, user and error code. Never bodies, never query values of
  // roster or entropy, never names.
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      log.info('request', {
        method: req.method,
        path: req.originalUrl.split('?')[0]?.slice(0, 200),
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - start) / 1000n) / 1000,
        user: res.locals.user?.id,
        code: res.locals.code,
      });
    });
    next();
  });

  // Two ways in: a Bearer token (API clients, the CLI's users), or the session cookie of the web pages. With the
  // cookie, a state-changing request must also carry the session's CSRF token in X-CSRF-Token: a cookie alone is
  // what a cross-site form would send.
  const authenticate: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/i.exec(header);
      const user = m?.[1] ? services.authenticate(m[1]) : undefined;
      if (!user)
        return next(fail('UNAUTHENTICATED', '登入憑證無效或已撤銷', 'Invalid or revoked credentials'));
      res.locals.user = user;
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
    next();
  };
  if (opts.rateLimits !== false) {
    app.use('/login', (req, res, next) => (req.method === 'POST' ? signInLimit(req, res, next) : next()));
    app.use(['/api/v1/public', '/api/v1/journal/checkpoint', '/verify'], publicLimit);
  }
  // Public endpoints answer everyone alike: a stale token sent along must not turn them into a 401.
  const isPublic = (p: string): boolean => /^\/v1\/(public\/|journal\/checkpoint$|health$)/.test(p);
  app.use('/api', (req, res, next) => (isPublic(req.path) ? next() : authenticate(req, res, next)));
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const allow =
    (...roles: Role[]): RequestHandler =>
    (_req, res, next) => {
      const u = res.locals.user;
      if (!u) return next(fail('UNAUTHENTICATED', '請先登入', 'Authentication required'));
      if (!roles.includes(u.role))
        return next(fail('FORBIDDEN', '您的角色無權執行此操作', `Role ${u.role} may not do this`));
      next();
    };
  const actor = (res: Response): string => `user:${res.locals.user?.id ?? 'unknown'}`;

  const r = express.Router();

  r.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  r.post(
    '/lotteries',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.status(201).json(services.createLottery(actor(res), req.body));
    }),
  );
  r.get(
    '/lotteries',
    allow('ethics', 'drawer', 'auditor'),
    h((_req, res) => {
      res.json({ lotteries: services.listLotteries() });
    }),
  );
  r.get(
    '/lotteries/:id',
    allow('ethics', 'drawer', 'auditor'),
    h((req, res) => {
      res.json(services.getLottery(param(req, 'id')));
    }),
  );
  r.patch(
    '/lotteries/:id',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.patchLottery(actor(res), param(req, 'id'), req.body));
    }),
  );

  r.get(
    '/lotteries/:id/roster',
    allow('ethics', 'auditor'),
    h((req, res) => {
      res.json(services.getRoster(param(req, 'id')));
    }),
  );
  r.put(
    '/lotteries/:id/roster',
    allow('ethics'),
    (req, _res, next) => {
      // The format is decided from the bytes; the declared type only has to be one a roster can come as.
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!ROSTER_TYPES.has(type) && !type.startsWith('text/'))
        return next(
          fail(
            'UNSUPPORTED_MEDIA_TYPE',
            `不支援的名冊類型 ${type}；請上傳 xlsx、CSV 或 JSON`,
            `Unsupported roster type ${type}; send xlsx, CSV or JSON`,
          ),
        );
      next();
    },
    h(async (req, res) => {
      onlyQuery(req, ['dryRun', 'sheet']);
      const dryRun = ['1', 'true'].includes(queryStr(req, 'dryRun', /^(1|0|true|false)$/) ?? '0');
      const sheet = queryStr(req, 'sheet', /^[^\p{Cc}]{1,31}$/u);
      const upload = req.is('multipart/form-data')
        ? await readMultipartFile(req, ROSTER_LIMIT)
        : { bytes: await readBody(req, ROSTER_LIMIT), type: req.headers['content-type'] };
      const imported = await importRoster(upload.bytes, upload.type, sheet === undefined ? {} : { sheet });
      const report = services.loadRoster(actor(res), param(req, 'id'), imported.rows, {
        strictFields: imported.strictFields,
        dryRun,
        warnings: imported.warnings,
        errors: imported.errors,
      });
      res.json({
        ...report,
        format: imported.format,
        ...(imported.encoding ? { encoding: imported.encoding } : {}),
        ...(imported.sheet ? { sheet: imported.sheet } : {}),
      });
    }),
  );

  r.patch(
    '/lotteries/:id/roster/:entryId',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.updateEntry(actor(res), param(req, 'id'), param(req, 'entryId'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/lock',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.lock(actor(res), param(req, 'id')));
    }),
  );
  r.post(
    '/lotteries/:id/unlock',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.unlock(actor(res), param(req, 'id'), req.body));
    }),
  );
  // The ceremony (lottery-draw/v2, protocol.md §4.2): opened on the meeting day by the user at the projector,
  // whose token every draw then needs.
  r.post(
    '/lotteries/:id/ceremony',
    allow('ethics', 'drawer'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.status(201).json(services.openCeremony(actor(res), param(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/ceremony/adjourn',
    allow('ethics', 'drawer'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.adjournCeremony(actor(res), param(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/stages/1/entropy',
    allow('ethics', 'drawer'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.readEntropy(param(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/stages/:n/draw',
    allow('ethics', 'drawer'),
    ...jsonBody(JSON_LIMIT),
    h((req, res) => {
      res.json(services.draw(actor(res), param(req, 'id'), param(req, 'n'), req.body));
    }),
  );
  r.get(
    '/lotteries/:id/bundle',
    allow('ethics', 'auditor'),
    h((req, res) => {
      const b = services.bundle(param(req, 'id'));
      res.set('Content-Disposition', `attachment; filename="lottery-${b.lottery.id}-bundle.json"`);
      res.json(b);
    }),
  );

  r.post(
    '/lotteries/:id/record',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h(async (req, res) => {
      res.status(201).json(await services.issueRecord(actor(res), param(req, 'id')));
    }),
  );
  const sendPdf = (res: Response, pdf: Buffer, name: string): void => {
    res.set('Content-Type', 'application/pdf');
    res.set('Content-Disposition', `inline; filename="${name}"`);
    res.send(pdf);
  };
  r.get(
    '/lotteries/:id/record.pdf',
    allow('ethics', 'auditor'),
    h((req, res) => {
      sendPdf(res, services.recordPdf(param(req, 'id'), 'full'), `record-${param(req, 'id')}.pdf`);
    }),
  );
  r.post(
    '/lotteries/:id/notice',
    allow('ethics'),
    ...jsonBody(JSON_LIMIT),
    h(async (req, res) => {
      const n = await services.issueNotice(actor(res), param(req, 'id'));
      res.status(201);
      res.set('X-Notice-SHA256', n.sha256);
      sendPdf(res, n.pdf, `notice-${param(req, 'id')}.pdf`);
    }),
  );
  r.get(
    '/public/lotteries/:id/notice.pdf',
    h((req, res) => {
      sendPdf(res, services.noticePdf(param(req, 'id')), `notice-${param(req, 'id')}.pdf`);
    }),
  );
  r.get(
    '/public/lotteries/:id/record.pdf',
    h((req, res) => {
      sendPdf(res, services.recordPdf(param(req, 'id'), 'public'), `record-${param(req, 'id')}-public.pdf`);
    }),
  );

  r.get(
    '/public/lotteries/:id',
    h((req, res) => {
      res.type('application/json').send(services.publicViewJson(param(req, 'id')));
    }),
  );

  r.get(
    '/journal',
    allow('auditor'),
    h((req, res) => {
      const q: { after?: number; before?: number; limit?: number; lottery?: string; type?: string } = {};
      onlyQuery(req, ['after', 'before', 'limit', 'lottery', 'type']);
      const after = queryInt(req, 'after', 0, Number.MAX_SAFE_INTEGER);
      const before = queryInt(req, 'before', 1, Number.MAX_SAFE_INTEGER);
      const limit = queryInt(req, 'limit', 1, 1000);
      const lottery = queryStr(req, 'lottery', /^[A-Za-z0-9_-]{1,64}$/);
      const type = queryStr(req, 'type', /^[a-z]+(\.[a-z]+)+$/);
      if (after !== undefined) q.after = after;
      if (before !== undefined) q.before = before;
      if (limit !== undefined) q.limit = limit;
      if (lottery !== undefined) q.lottery = lottery;
      if (type !== undefined) q.type = type;
      res.json(services.journalPage(q));
    }),
  );
  r.get(
    '/journal/verify',
    allow('auditor'),
    h(async (_req, res) => {
      const c = await services.verifyJournal();
      res.json(
        c.ok
          ? { ok: true, length: c.length, head: c.head }
          : { ok: false, brokenAt: c.brokenAt, reason: c.reason },
      );
    }),
  );
  r.get(
    '/journal/checkpoint',
    h((_req, res) => {
      res.json(services.checkpoint());
    }),
  );

  app.use('/api/v1', r);
  app.use(
    webRouter({
      services,
      auth,
      clock,
      publicUrl: opts.publicUrl ?? 'http://localhost:3000',
      publicFields: opts.publicFields ?? DEFAULT_PUBLIC_FIELDS,
    }),
  );
  app.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new LotteryError('NOT_FOUND', { zh: '找不到此頁面或資源', en: 'Not found' }));
  });
  app.use(errorHandler(log));
  return { app, services };
}
