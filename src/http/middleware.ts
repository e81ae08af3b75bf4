import path from 'node:path';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import nunjucks from 'nunjucks';
import { LotteryError } from '../domain/errors';
import { BundleUnreadable, parseStrictJson } from '../domain/json';
import type { Logger } from '../util/log';
import { fail } from './authenticate';
import { langOf, PUNCTUATION, tr } from './i18n';

export const TEMPLATES_DIR = path.resolve(__dirname, '..', '..', 'templates');
/** The browser scripts, bundled by `npm run build` (esbuild) from src/web. */
export const WEB_JS_DIR = path.resolve(__dirname, '..', '..', 'dist', 'public', 'js');

/**
 * The CSP allows no inline script or style and no eval: every script is a static file. No
 * upgrade-insecure-requests, since ethics offices run this on plain-HTTP intranets.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
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
  });
}

/** The page templates (nunjucks, autoescaping on), with `tr` speaking the page's language. */
export function useTemplates(app: Express): void {
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
}

/** The language, its punctuation and the current address, for every template. */
export const pageLocals: RequestHandler = (req, res, next) => {
  res.locals.lang = langOf(req);
  res.locals.pu = PUNCTUATION[res.locals.lang === 'en' ? 'en' : 'zh'];
  res.locals.here = req.originalUrl;
  next();
};

/** The stylesheet, icons and the bundled browser scripts. */
export function useStatic(app: Express): void {
  app.use(
    '/static',
    express.static(path.join(TEMPLATES_DIR, 'static'), { fallthrough: true, index: false, maxAge: '1h' }),
  );
  app.use('/static/js', express.static(WEB_JS_DIR, { fallthrough: true, index: false, maxAge: '1h' }));
}

/**
 * Request log: method, route, status, time, user and error code. Never bodies, never query values of
 * roster or entropy, never names.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
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
  };
}

/** API answers are per user and per moment: no cache may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** Express 5 forwards rejected promises to the error handler; this keeps handlers small and typed. */
export const h =
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

export const JSON_LIMIT = 100 * 1024;

/** A body, when present, must be JSON; otherwise 415 (never guess: a form post is not an API call). */
export function jsonBody(limit: number = JSON_LIMIT): RequestHandler[] {
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
    express.raw({ limit, type: 'application/json' }),
    strictJson,
  ];
}

function malformed(zh: string, en: string): LotteryError {
  return new LotteryError('MALFORMED_BODY', { zh, en });
}

/**
 * The raw body → req.body through the domain's strict reader (domain/json.ts), not JSON.parse: a duplicate key
 * would otherwise be read last-wins here and first-wins by another reader of the same request (a proxy, a log, a
 * WAF), and so would a lone surrogate, a rounded big number or 20.0 read as 20. House rule: refuse them all.
 */
const strictJson: RequestHandler = (req, _res, next) => {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw)) {
    req.body = undefined;
    return next();
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8')
    return next(
      new LotteryError('UNSUPPORTED_MEDIA_TYPE', {
        zh: 'JSON 須以 UTF-8 編碼',
        en: 'JSON must be encoded in UTF-8',
      }),
    );
  if (raw.length === 0) {
    req.body = {};
    return next();
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    return next(malformed('內容不是有效的 UTF-8', 'Request body is not valid UTF-8'));
  }
  let value: unknown;
  try {
    value = parseStrictJson(text, { maxBytes: raw.length + 1, fractions: true });
  } catch (e) {
    // The strict reader's message names the problem and where it is, in English with Chinese beside it.
    const why = e instanceof BundleUnreadable ? e.message : 'unreadable';
    return next(
      malformed(`內容不是有效的嚴格 JSON：${why}`, `Request body is not valid strict JSON: ${why}`),
    );
  }
  if (typeof value !== 'object' || value === null)
    return next(malformed('內容須為 JSON 物件或陣列', 'Request body must be a JSON object or array'));
  req.body = value;
  next();
};

/** Whatever no route answered. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new LotteryError('NOT_FOUND', { zh: '找不到此頁面或資源', en: 'Not found' }));
};
