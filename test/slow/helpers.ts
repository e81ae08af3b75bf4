import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { main } from '../../src/cli/main';

const root = path.resolve(__dirname, '..', '..');

export interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `node dist/cli/main.js serve` on a database, as production runs it. */
export function serve(db: string, env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'serve'], {
      env: { ...process.env, LOTTERY_DB: db, PORT: '0', LOTTERY_RATE_LIMITS: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code, signal) => r(signal ? -1 : code)),
    );
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no start: ${buf}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (buf += d.toString()));
    void exited.then(() => reject(new Error(`exited before start: ${buf}`)));
  });
}

export function call(
  url: string,
  method: string,
  token: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const data =
      body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': type, 'Content-Length': data.length } : {}),
        },
      },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = s ? (JSON.parse(s) as Record<string, unknown>) : {};
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', () => resolve({ status: 0, body: {} }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: {} })); // the process died under us: that is the point
    req.end(data);
  });
}

export async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (out += s) });
  return { code, out };
}

/** Seeded PRNG (mulberry32), so a failing run can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Today's date in Asia/Taipei (YYYY-MM-DD): the UTC date of now + 8 h (protocol.md §4.2). Computed here, not with
 * the service's own function, so that a wrong offset in the service shows up as NOT_MEETING_DAY.
 */
export function taipeiToday(now = Date.now()): string {
  return new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The dice as the room reads them aloud (lottery-draw/v2 wants 10–64 digits; spaces are allowed). */
export const DICE = '6 2 5 1 3 4 1 2 3 4';
