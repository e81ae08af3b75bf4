/** `lottery serve`: the service, until SIGINT or SIGTERM. */
import { configFromEnv } from '../../config';
import { startServer } from '../../server';
import { jsonLogger } from '../../util/log';
import type { Out } from '../args';

export async function serveCommand(io: Out): Promise<number> {
  const config = configFromEnv();
  const log = jsonLogger((l) => process.stdout.write(l));
  const running = await startServer(config, log);
  io.out(
    `asset-review-lottery listening on ${running.url}\n` +
      `database: ${config.dbFile}\n` +
      (running.store.listUsers().length === 0
        ? `No users yet. Create the first one (it prints an API token; --password-stdin also sets a web sign-in password):\n` +
          `  echo 'a long passphrase' | npx lottery user add --name 林怡芬 --role ethics --password-stdin --db ${config.dbFile}\n`
        : ''),
  );
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
