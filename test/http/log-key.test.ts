import fs from 'node:fs';
import path from 'node:path';
import { configFromEnv } from '../../src/config';
import { openDatabase } from '../../src/compose';
import { LOG_KEY_FILE } from '../../src/keys/log-key';
import { startServer } from '../../src/server';
import type { Store } from '../../src/store/store';
import { silentLogger } from '../../src/util/log';
import { tempDir } from '../helpers/app';

/**
 * The log key at rest (issue 13, protocol.md §10.3): made on first start beside the database with mode 0600,
 * journalled as `log.key` whenever it differs from the last one journalled, and checked like the RSA key.
 */
const logKeys = (store: Store): string[] =>
  store.journalPage({ limit: 100, type: 'log.key' }).map((e) => String(e.data.key));

async function start(
  db: string,
  env: Record<string, string> = {},
): Promise<{ keys: string[]; served: string }> {
  const running = await startServer({ ...configFromEnv(env), dbFile: db, port: 0 }, silentLogger, env);
  try {
    const served = await (await fetch(`${running.url}/api/v1/log/key`)).text();
    return { keys: logKeys(running.store), served };
  } finally {
    await running.close();
  }
}

describe('the log key', () => {
  it('is made on first start (0600), named by the public URL, journalled once, and again when renamed', async () => {
    const db = path.join(tempDir(), 'l.sqlite');
    const first = await start(db, { LOTTERY_PUBLIC_URL: 'https://lottery.example.gov.tw' });
    const file = path.join(path.dirname(db), LOG_KEY_FILE);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(first.served).toMatch(/^lottery\.example\.gov\.tw\/asset-review-lottery\+[0-9a-f]{8}\+/);
    expect(first.keys).toEqual([first.served]);
    const again = await start(db, { LOTTERY_PUBLIC_URL: 'https://lottery.example.gov.tw' });
    expect(again.keys).toEqual([first.served]); // not at every start
    // The CLI, without the service's environment, keeps the journalled name of the same key, and journals none.
    const cli = openDatabase(db, undefined, {});
    expect(cli.services.log?.verifierKey()).toBe(first.served);
    expect(logKeys(cli.store)).toEqual([first.served]);
    cli.store.close();
    const renamed = await start(db, { LOTTERY_LOG_ORIGIN: 'example.gov.tw/lottery' });
    expect(renamed.served).toMatch(/^example\.gov\.tw\/lottery\+/);
    expect(renamed.keys).toEqual([first.served, renamed.served]);
  }, 180_000); // four starts, the first making the RSA key and the test CA

  it('refuses to start when the log key file is readable by others', async () => {
    const db = path.join(tempDir(), 'l.sqlite');
    await start(db);
    fs.chmodSync(path.join(path.dirname(db), LOG_KEY_FILE), 0o644);
    await expect(
      startServer({ ...configFromEnv({}), dbFile: db, port: 0 }, silentLogger, {}),
    ).rejects.toThrow(/refusing to start.*lottery-log-key\.pem/);
  }, 120_000);

  it('LOTTERY_LOG_ORIGIN that is not a key name stops the start', () => {
    expect(() => configFromEnv({ LOTTERY_LOG_ORIGIN: 'has space' })).toThrow(/LOTTERY_LOG_ORIGIN/);
  });
});
