import http, { type Server } from 'node:http';
import { StartupError, type Config } from './config';
import { buildApp } from './http/app';
import { answerClientErrors, problemBody } from './http/problem';
import { LotteryError } from './domain/errors';
import { composeServer } from './compose';
import { isLocalUrl } from './services/record-checklist';
import type { Store } from './store/store';
import { filesAtRest, loosePermissions } from './store/files';
import { keyPathFor } from './keys/signer';
import { logKeyPathFor } from './keys/log-key';
import type { Logger } from './util/log';

/** A start-up warning, in both languages: printed once at start and shown on the admin and result pages. */
export interface ServiceWarning {
  zh: string;
  en: string;
}

export interface Running {
  server: Server;
  store: Store;
  url: string;
  /** The warnings given at start (test CA, local public URL), as the pages show them. */
  warnings: ServiceWarning[];
  close(): Promise<void>;
}

/** Until the app is wired, every request is a 503: the port is held, but nothing behind it is open yet. */
function notReady(_req: http.IncomingMessage, res: http.ServerResponse): void {
  const body = JSON.stringify(
    problemBody(
      new LotteryError('UNAVAILABLE', {
        zh: '服務啟動中，請稍候',
        en: 'The service is starting; try again shortly',
      }),
    ),
  );
  res.writeHead(503, { 'Content-Type': 'application/problem+json; charset=utf-8', 'Retry-After': '1' });
  res.end(body);
}

/**
 * Binds the port before anything is created or opened: a second `npm start` on a busy port must fail with exit 1
 * and leave no new database or signing key behind (issue 12).
 */
async function bind(config: Config, handler: http.RequestListener): Promise<Server> {
  const t = config.timeouts;
  // Node checks the header and request timeouts on this interval (default 30 s); short timeouts need it shorter.
  const server = http.createServer(
    { connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(t.headersMs / 3))) },
    handler,
  );
  answerClientErrors(server);
  // Bound how long a slow or stalled client can hold a connection: headers (slowloris), the whole request (slow
  // body), an idle keep-alive, and any socket silent both ways (destroyed: no 'timeout' listener is set).
  server.headersTimeout = t.headersMs;
  server.requestTimeout = t.requestMs;
  server.keepAliveTimeout = t.keepAliveMs;
  server.timeout = t.idleMs;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE')
        reject(new StartupError(`連接埠 ${config.port} 已被占用`, `port ${config.port} is already in use`));
      else if (e.code === 'EACCES')
        reject(
          new StartupError(
            `沒有權限使用連接埠 ${config.port}（1024 以下須特權）`,
            `no permission to use port ${config.port} (ports below 1024 need privileges)`,
          ),
        );
      else if (e.code === 'EADDRNOTAVAIL')
        reject(
          new StartupError(
            `本機沒有位址 ${config.host}（HOST）`,
            `this machine has no address ${config.host} (HOST)`,
          ),
        );
      else reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(config.port, config.host);
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The warnings the office must see: a record signed under the test CA, or a QR code pointing at localhost. */
function startWarnings(testCa: boolean, config: Config, env: NodeJS.ProcessEnv): ServiceWarning[] {
  const out: ServiceWarning[] = [];
  if (testCa)
    out.push({
      zh: '測試憑證：紀錄以本機測試 CA 簽章，不可用於正式抽籤。請設定 LOTTERY_SIGNING_P12 與 LOTTERY_SIGNING_PASSPHRASE 使用機關憑證。',
      en: 'Test certificate: records are signed under a local test CA, not for production. Set LOTTERY_SIGNING_P12 and LOTTERY_SIGNING_PASSPHRASE to sign with the office certificate.',
    });
  if (env.LOTTERY_PUBLIC_URL === undefined || isLocalUrl(config.publicUrl))
    out.push({
      zh: `LOTTERY_PUBLIC_URL ${env.LOTTERY_PUBLIC_URL === undefined ? '未設定' : '指向本機'}（${config.publicUrl}）：會議頁與紀錄上的 QR code 會指向此處，產製紀錄前請設定會場其他電腦連得到的網址。`,
      en: `LOTTERY_PUBLIC_URL is ${env.LOTTERY_PUBLIC_URL === undefined ? 'not set' : 'a local address'} (${config.publicUrl}): the QR code on the meeting page and in the record points there; set an address the room can reach before issuing a record.`,
    });
  return out;
}

export async function startServer(
  config: Config,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Running> {
  let handler: http.RequestListener = notReady;
  const server = await bind(config, (req, res) => handler(req, res));
  try {
    // New files (the -wal and -shm beside the database, certificates) are created readable by this user only.
    process.umask(0o077);
    const loose = loosePermissions([
      ...filesAtRest(config.dbFile, keyPathFor(config.dbFile)),
      logKeyPathFor(config.dbFile), // issue 13: the log's Ed25519 key
    ]);
    if (loose.length > 0)
      throw new StartupError(
        `拒絕啟動：這些檔案其他使用者可讀，且含抽籤前的秘密或簽章金鑰：${loose.join(', ')}。請執行 chmod 600（資料夾 chmod 700）`,
        `refusing to start: these files are readable by others, and hold pre-draw secrets or the signing key: ${loose.join(', ')}. ` +
          'Run chmod 600 on them (and chmod 700 on their folder).',
      );
    const { store, setup, app: wiring, logKeyCreated } = composeServer(config, env, new Date());
    if (setup.keyCreated)
      log.warn('signing key created', {
        note: 'back up the key file beside the database separately; backups of the database never contain it',
      });
    if (logKeyCreated)
      log.warn('log key created', {
        file: logKeyPathFor(config.dbFile),
        note: 'back up the log key beside the database separately; witnesses pin it, and backups never contain it',
      });
    const warnings = startWarnings(wiring.testCertificate === true, config, env);
    for (const w of warnings)
      log.warn(w.en, {
        zh: w.zh,
        ...(setup.source === 'local-test-ca' ? { caCertificate: setup.caCertFile } : {}),
      });
    const { app, services } = buildApp({ ...wiring, log, serviceWarnings: warnings });
    const rotated = services.journalSigningKey(setup.localKeyPem);
    if (rotated) log.warn('signing key rotated', { seq: rotated });
    const vkey = wiring.logSigner?.verifierKey;
    if (vkey) log.info('log key', { key: vkey });
    handler = app;
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return {
      server,
      store,
      url,
      warnings,
      close: () => closeServer(server).then(() => store.close()),
    };
  } catch (e) {
    await closeServer(server);
    throw e;
  }
}
