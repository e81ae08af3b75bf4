/**
 * `lottery serve` as an operator runs it (issue 12): a second start on a busy port printed "listening" and exited
 * 0, after creating a new database and signing key; a first start did not say how to make the first admin; a
 * bare TRUST_PROXY=1 trusted every peer's X-Forwarded-For.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openDatabase } from '../../src/compose';
import { configFromEnv, parseTrustProxy, StartupError } from '../../src/config';
import { tempDir } from '../helpers/app';

const bin = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    ...extra,
  };
  return env;
}

/** Runs `serve` until it prints its listening line (then stops it, by its own pid) or exits by itself. */
function serveUntilListening(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'serve'], { env });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('listening on')) setTimeout(() => child.kill('SIGTERM'), 200);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('lottery serve on a busy port', () => {
  it('when the port is taken › exit 1, a bilingual message, and no database or key file created', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = tempDir();
      const r = spawnSync(process.execPath, [bin, 'serve'], {
        env: baseEnv({ PORT: String(port), LOTTERY_DB: path.join(dir, 'l.sqlite') }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`連接埠 ${port} 已被占用／port ${port} is already in use`);
      expect(r.stdout).not.toContain('listening on');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('lottery serve on a first start', () => {
  it('when there is no admin › it says once how to create the first admin, and warns once about the test CA and the URL', async () => {
    const dir = tempDir();
    const r = await serveUntilListening(baseEnv({ PORT: '0', LOTTERY_DB: path.join(dir, 'l.sqlite') }));
    expect(r.out).toContain('服務已啟動／listening on http://127.0.0.1:');
    expect(r.out).toContain(
      "echo '至少十個字元的密碼' | npx lottery user add --name NAME --role admin --password-stdin",
    );
    expect(r.out.match(/No admin yet/g)).toHaveLength(1);
    expect(r.out.match(/Test certificate/g)).toHaveLength(1);
    expect(r.out.match(/LOTTERY_PUBLIC_URL is not set/g)).toHaveLength(1);
  });

  it('when an active admin exists › no first-admin hint', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'l.sqlite');
    const o = openDatabase(db);
    o.services.addUser('cli', { name: 'boss', role: 'admin' });
    o.store.close();
    const r = await serveUntilListening(baseEnv({ PORT: '0', LOTTERY_DB: db }));
    expect(r.out).toContain('listening on');
    expect(r.out).not.toContain('No admin yet');
  });

  it('when TRUST_PROXY=1 › exit 1 naming TRUST_PROXY=loopback, before any file is created', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [bin, 'serve'], {
      env: baseEnv({ PORT: '0', TRUST_PROXY: '1', LOTTERY_DB: path.join(dir, 'l.sqlite') }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TRUST_PROXY=loopback');
    expect(r.stderr).toMatch(/[\u4e00-\u9fff]/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('TRUST_PROXY', () => {
  it.each(['1', 'true', '*', 'all', 'ALL', '0.0.0.0/0', '::/0', 'loopback,*'])(
    'when it is %j (trust everyone) › refused, saying what to write instead',
    (v) => {
      expect(() => parseTrustProxy(v)).toThrow(StartupError);
      expect(() => parseTrustProxy(v)).toThrow(/TRUST_PROXY=loopback.*TRUST_PROXY=10\.0\.0\.5/s);
    },
  );

  it.each(['proxy.local', '10.0.0.0/33', '10.0.0', 'fd00::/129', '10.0.0.1/'])(
    'when it is %j (not an address) › refused, naming the item',
    (v) => expect(() => parseTrustProxy(`loopback,${v}`)).toThrow(v),
  );

  // Found from outside: ranges that are "everyone" in disguise, and prefixes express itself cannot read (which
  // used to fail only after the database had been created).
  it.each([
    '::ffff:0.0.0.0/96',
    '0.0.0.0/1',
    '128.0.0.0/1',
    '1.2.3.4/0',
    '10.0.0.0/7',
    '::/32',
    '::ffff:10.0.0.0/100',
    'fd00::/8',
    '0.0.0.0/00',
    '::/000',
  ])(
    'when it is the over-wide or non-canonical range %j › refused at start, before anything is opened',
    (v) => {
      expect(() => parseTrustProxy(v)).toThrow(StartupError);
    },
  );

  it('when a range is narrow enough › it is kept, IPv4-mapped ranges counted as IPv4', () => {
    expect(parseTrustProxy('10.0.0.0/8,::ffff:10.0.0.0/104,2001:db8::/32')).toEqual([
      '10.0.0.0/8',
      '::ffff:10.0.0.0/104',
      '2001:db8::/32',
    ]);
  });

  it('when it lists loopback, IPv4 and IPv6 addresses and CIDRs › each is kept', () => {
    expect(parseTrustProxy(' loopback, 10.0.0.5 ,192.168.1.0/24,::1,fd00::/48')).toEqual([
      'loopback',
      '10.0.0.5',
      '192.168.1.0/24',
      '::1',
      'fd00::/48',
    ]);
  });

  it('when it is unset or empty › no proxy is trusted', () => {
    expect(configFromEnv({}).trustProxy).toEqual([]);
    expect(configFromEnv({ TRUST_PROXY: '' }).trustProxy).toEqual([]);
  });
});
