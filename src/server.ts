import type { Server } from 'node:http';
import type { Config } from './config';
import { buildApp } from './http/app';
import { keyPathFor, loadOrCreateSigner } from './keys/signer';
import { Store } from './store/store';
import type { Logger } from './util/log';

export interface Running {
  server: Server;
  store: Store;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<Running> {
  const store = Store.open(config.dbFile);
  const keyFile = keyPathFor(config.dbFile);
  const { signer, created } = loadOrCreateSigner(keyFile);
  if (created)
    log.warn('signing key created', {
      keyFile,
      note: 'back this file up separately; it is never in a database backup',
    });
  const { app } = buildApp({ store, signer, log });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.on('error', reject);
  });
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
