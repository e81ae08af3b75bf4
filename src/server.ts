import type { Server } from 'node:http';
import type { Config } from './config';
import { buildApp } from './http/app';
import { answerClientErrors } from './http/problem';
import { composeServer } from './compose';
import type { Store } from './store/store';
import { filesAtRest, loosePermissions } from './store/files';
import { keyPathFor } from './keys/signer';
import type { Logger } from './util/log';

export interface Running {
  server: Server;
  store: Store;
  url: string;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Running> {
  // New files (the -wal and -shm beside the database, certificates) are created readable by this user only.
  process.umask(0o077);
  const loose = loosePermissions(filesAtRest(config.dbFile, keyPathFor(config.dbFile)));
  if (loose.length > 0)
    throw new Error(
      `refusing to start: these files are readable by others, and hold pre-draw secrets or the signing key: ${loose.join(', ')}. ` +
        'Run chmod 600 on them (and chmod 700 on their folder).',
    );
  const { store, setup, app: wiring } = composeServer(config, env, new Date());
  if (setup.keyCreated)
    log.warn('signing key created', {
      note: 'back up the key file beside the database separately; backups of the database never contain it',
    });
  if (setup.source === 'local-test-ca')
    log.warn('TEST CERTIFICATE: records are signed under a local test CA, not for production', {
      caCertificate: setup.caCertFile,
      note: 'set LOTTERY_SIGNING_P12 and LOTTERY_SIGNING_PASSPHRASE to sign with the office certificate; to check test signatures, trust the CA certificate file in the PDF reader',
    });
  const { app, services } = buildApp({ ...wiring, log });
  if (env.LOTTERY_PUBLIC_URL === undefined)
    log.warn('LOTTERY_PUBLIC_URL is not set', {
      publicUrl: config.publicUrl,
      note: 'the QR code on the meeting page and in the signed record will point here; set the address people in the room can reach before issuing a record',
    });
  const rotated = services.journalSigningKey(setup.localKeyPem);
  if (rotated) log.warn('signing key rotated', { seq: rotated });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.on('error', reject);
  });
  answerClientErrors(server);
  // Bound how long a slow or stalled client can hold a connection.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  return {
    server,
    store,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
