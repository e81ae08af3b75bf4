import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { configFromEnv } from '../../src/config';
import { startServer } from '../../src/server';
import { silentLogger } from '../../src/util/log';
import { drawnLottery, makeApp, ownConnection, tempDir } from '../helpers/app';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('files at rest', () => {
  it('the key, the database and its -wal/-shm have no group or other bits', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'l.sqlite');
    const running = await startServer({ ...configFromEnv({}), dbFile: db, port: 0 }, silentLogger, {});
    try {
      ownConnection(db, (own) => own.exec('CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1)'));
      for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(dir, 'lottery-signing-key.pem')])
        if (fs.existsSync(f)) expect([f, fs.statSync(f).mode & 0o077]).toEqual([f, 0]);
    } finally {
      await running.close();
    }
  });

  it('the service refuses to start when the database is readable by others', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'l.sqlite');
    const running = await startServer({ ...configFromEnv({}), dbFile: db, port: 0 }, silentLogger, {});
    await running.close();
    fs.chmodSync(db, 0o644);
    await expect(
      startServer({ ...configFromEnv({}), dbFile: db, port: 0 }, silentLogger, {}),
    ).rejects.toThrow(/refusing to start.*chmod 600/);
  });
});

/** A raw HTTP exchange, so the request can be one Node's parser refuses before express sees it. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('the running service, for requests express never sees', () => {
  it('headers over 16 kB get a 431 problem+json with a code and a bilingual message', async () => {
    const running = await startServer(
      { ...configFromEnv({}), dbFile: path.join(tempDir(), 'l.sqlite'), port: 0 },
      silentLogger,
      {},
    );
    try {
      const reply = await rawExchange(
        running.url,
        `GET /api/v1/lotteries HTTP/1.1\r\nHost: x\r\nCookie: a=${'x'.repeat(20_000)}\r\n\r\n`,
      );
      const [head = '', body = ''] = reply.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      const problem = JSON.parse(body) as {
        status: number;
        code: string;
        message: { zh: string; en: string };
      };
      expect([problem.status, problem.code]).toEqual([431, 'HEADERS_TOO_LARGE']);
      expect(problem.message.zh).toMatch(/標頭過大/);
      const bad = await rawExchange(running.url, 'NOT A REQUEST\r\n\r\n');
      expect(bad).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(bad.split('\r\n\r\n')[1] ?? '')).toMatchObject({ code: 'MALFORMED_BODY' });
    } finally {
      await running.close();
    }
  });
});

describe('lottery backup', () => {
  it('writes a consistent copy with mode 0600 that verifies, and never the signing key', async () => {
    const t = makeApp();
    try {
      await drawnLottery(t);
      const dest = path.join(tempDir(), 'backup.sqlite');
      const r = await run(['backup', dest, '--db', t.dbFile]);
      expect(r.code).toBe(0);
      expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
      expect((await run(['verify', '--db', dest])).code).toBe(0);
      expect(fs.readFileSync(dest).includes(Buffer.from('PRIVATE KEY'))).toBe(false);
      expect(r.out).toMatch(/not in it: back up .*lottery-signing-key\.pem separately/);
      expect((await run(['backup', dest, '--db', t.dbFile])).code).not.toBe(0); // never overwrites
    } finally {
      t.close();
    }
  });
});
