/**
 * The real service, running on a temporary database, as the remote witness's tests need it: started with
 * startServer (as test/cli/files.test.ts does), its log key beside the database, registration through the CLI
 * as the ethics office runs it, and what it stored read back from its journal.
 */
import path from 'node:path';
import { main } from '../../src/cli/main';
import { configFromEnv } from '../../src/config';
import { startServer } from '../../src/server';
import { silentLogger } from '../../src/util/log';
import { ownConnection } from '../helpers/app';

export interface RunningLog {
  url: string;
  db: string;
  /** The log's verifier key, as GET /api/v1/log/key answers. */
  vkey: string;
  /** The ethics office registers a remote witness's vkey (`npx lottery witness register`). */
  register(name: string, vkey: string): Promise<void>;
  /** The tree sizes of the `checkpoint.cosigned` entries this key has in the journal. */
  cosignedBy(keyName: string): number[];
  close(): Promise<void>;
}

export async function startLog(db: string): Promise<RunningLog> {
  const running = await startServer({ ...configFromEnv({}), dbFile: db, port: 0 }, silentLogger, {});
  const vkey = await (await fetch(`${running.url}/api/v1/log/key`)).text();
  let closed = false;
  return {
    url: running.url,
    db,
    vkey,
    async register(name, witnessKey) {
      let err = '';
      const code = await main(['witness', 'register', '--name', name, '--vkey', witnessKey, '--db', db], {
        out: () => undefined,
        err: (s) => (err += s),
      });
      if (code !== 0) throw new Error(`witness register: ${err}`);
    },
    cosignedBy: (keyName) =>
      ownConnection(path.resolve(db), (c) =>
        (
          c
            .prepare("SELECT data FROM journal WHERE type = 'checkpoint.cosigned' ORDER BY seq")
            .all() as Array<{ data: string }>
        )
          .map((r) => JSON.parse(r.data) as { keyName: string; size: number })
          .filter((d) => d.keyName === keyName)
          .map((d) => d.size),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await running.close();
    },
  };
}
