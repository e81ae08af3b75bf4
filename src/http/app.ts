import crypto from 'node:crypto';
import express from 'express';
import { DEFAULT_PUBLIC_FIELDS, type PublicField } from '../domain/publish';
import type { Signer } from '../keys/signer';
import { logSignerFromPem, type LogSigner } from '../keys/log-key';
import { LOG_PATH } from '../domain/log/origin';
import { sha256Node } from '../keys/signer';
import { composeAuth, composeServices } from '../compose';
import type { FaultPoint, Services } from '../services/services';
import type { Store } from '../store/store';
import { silentLogger, type Logger } from '../util/log';
import { apiRouter } from './api';
import { authenticate, isPublic } from './authenticate';
import {
  noStore,
  notFound,
  pageLocals,
  requestLog,
  securityHeaders,
  useStatic,
  useTemplates,
} from './middleware';
import { pagesRouter } from './pages';
import { errorHandler } from './problem';
import { rateLimit } from './ratelimit';

export interface AppOptions {
  store: Store;
  signer: Signer;
  clock?: () => Date;
  randomBytes?: (n: number) => Buffer;
  log?: Logger;
  publicUrl?: string;
  publicFields?: readonly PublicField[];
  /**
   * The reverse proxies' addresses (TRUST_PROXY, config.ts): X-Forwarded-For/-Proto are read only from a peer in
   * this list, for the rate limits' address and Secure cookies. Empty or absent: no forwarded header is read.
   */
  trustProxy?: readonly string[];
  /** Start-up warnings (test CA, local public URL) shown on the admin and result pages. Default none. */
  serviceWarnings?: ReadonlyArray<{ zh: string; en: string }>;
  /** Rate limits (sign-in 10/min, public 600/min per address); false only for benchmarks. */
  rateLimits?: boolean;
  /** Crash testing only: see Deps.fault in services. */
  fault?: (point: FaultPoint) => void;
  /** NODE_ENV=production: see Deps.production in services. */
  production?: boolean;
  /** The signer's certificate is the local test CA's (by default read from the certificate). */
  testCertificate?: boolean;
  /** LOTTERY_CONTACT: whom the notification letters name (services/exports.ts). */
  letterContact?: string;
  /** issue 13: the witnessed log's Ed25519 key; absent, a fresh in-memory key named `localhost/asset-review-lottery`. */
  logSigner?: LogSigner;
}

/** A log key that lives as long as the process: for an app built without one (tests that do not care). */
function ephemeralLogSigner(): LogSigner {
  const pem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
  return logSignerFromPem(pem.toString(), `localhost${LOG_PATH}`);
}

/**
 * The whole HTTP service, in the order a request meets it: security headers, templates and static files, the
 * request log, rate limits, authentication for /api, the JSON API (api/), the pages (pages.ts), then 404 and
 * the one error handler (problem.ts).
 */
export function buildApp(opts: AppOptions): { app: express.Express; services: Services } {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? (() => new Date());
  const randomBytes = opts.randomBytes ?? ((n: number) => crypto.randomBytes(n));
  // The services and sign-in are wired where the CLI's and the bench's are (compose.ts), on this app's runtime.
  const runtime = { clock, randomBytes, sha256: sha256Node };
  const auth = composeAuth(opts.store, runtime);
  const services = composeServices({ ...opts, logSigner: opts.logSigner ?? ephemeralLogSigner() }, runtime);
  // issue 13: the log key is journalled (log.key) before anything else this app writes, when it is new.
  services.journalLogKey();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders());
  // An address list, never `true` or a hop count: a forwarded header from any peer not listed is ignored, so a
  // direct client cannot pick its own req.ip and walk past the sign-in limit (issue 12).
  app.set('trust proxy', opts.trustProxy && opts.trustProxy.length > 0 ? [...opts.trustProxy] : false);
  useTemplates(app);
  app.use(pageLocals);
  useStatic(app);
  app.use(requestLog(log));

  if (opts.rateLimits !== false) {
    const signInLimit = rateLimit({ limit: 10, windowMs: 60_000, clock, name: 'sign-in' });
    const publicLimit = rateLimit({ limit: 600, windowMs: 60_000, clock, name: 'public' });
    app.use('/login', (req, res, next) => (req.method === 'POST' ? signInLimit(req, res, next) : next()));
    app.use(['/api/v1/public', '/api/v1/journal/checkpoint', '/api/v1/log', '/verify'], publicLimit);
  }
  const signedIn = authenticate(services, auth);
  app.use('/api', (req, res, next) => (isPublic(req.path) ? next() : signedIn(req, res, next)));
  app.use('/api', noStore);

  app.use('/api/v1', apiRouter(services));
  app.use(
    pagesRouter({
      services,
      auth,
      clock,
      publicUrl: opts.publicUrl ?? 'http://localhost:3000',
      publicFields: opts.publicFields ?? DEFAULT_PUBLIC_FIELDS,
      serviceWarnings: opts.serviceWarnings ?? [],
    }),
  );
  app.use(notFound);
  app.use(errorHandler(log));
  return { app, services };
}
