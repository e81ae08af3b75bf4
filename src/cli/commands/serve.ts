/** `lottery serve`: the service, until SIGINT or SIGTERM. Messages in Chinese with English beside them. */
import { configFromEnv, StartupError } from '../../config';
import { startServer } from '../../server';
import type { Store } from '../../store/store';
import { jsonLogger } from '../../util/log';
import type { Out } from '../args';

/** No active admin yet: nobody can sign in to add users on the web, so say how to make the first one. */
function firstAdminHint(store: Store, dbFile: string): string {
  if (store.listUsers().some((u) => u.role === 'admin' && u.revoked_at === null)) return '';
  return (
    '尚無管理者帳號。請先建立第一位管理者（密碼至少十個字元，從標準輸入讀取）：\n' +
    'No admin yet. Create the first admin (password of at least 10 characters, read from stdin):\n' +
    `  echo '至少十個字元的密碼' | npx lottery user add --name NAME --role admin --password-stdin --db ${dbFile}\n`
  );
}

export async function serveCommand(io: Out): Promise<number> {
  const log = jsonLogger((l) => process.stdout.write(l));
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    const config = configFromEnv();
    io.out(`啟動中／starting: ${config.host}:${config.port}, database ${config.dbFile}\n`);
    running = await startServer(config, log);
    io.out(
      `服務已啟動／listening on ${running.url}\n` +
        `資料庫／database: ${config.dbFile}\n` +
        firstAdminHint(running.store, config.dbFile),
    );
  } catch (e) {
    if (e instanceof StartupError) {
      io.err(`無法啟動服務／cannot start the service: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
