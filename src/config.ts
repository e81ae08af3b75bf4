import net from 'node:net';
import path from 'node:path';

/** Runtime settings from the environment, with the embedded defaults the quick start relies on. */
import { DEFAULT_PUBLIC_FIELDS, parsePublicFields, type PublicField } from './domain/publish';
import { logOrigin } from './domain/log/origin';

/** A setting or a start-up condition that stops the service before it serves anything (`lottery serve` exits 1). */
export class StartupError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh}／${en}`);
  }
}

/** How long a client may hold a connection (ms); see startServer. */
export interface Timeouts {
  /** The request line and headers must arrive within this (slowloris). */
  headersMs: number;
  /** The whole request, body included, must arrive within this (slow body). */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A socket with no traffic either way for this long is destroyed, whatever state it is in. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 20_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
  idleMs: 120_000,
};

export type { PublicField };

export interface Config {
  dbFile: string;
  port: number;
  host: string;
  /** The service's public base URL, for the record's QR code and links (LOTTERY_PUBLIC_URL). */
  publicUrl: string;
  /** What the public copy of the record shows of each winner (LOTTERY_PUBLIC_FIELDS). */
  publicFields: PublicField[];
  /**
   * The reverse proxies whose X-Forwarded-For/-Proto are believed (TRUST_PROXY): `loopback`, or IPs and CIDRs,
   * comma-separated. Empty: no proxy, every forwarded header is ignored. Never "everyone": a forwarded header
   * from any other peer would let a stranger pick their own address and walk past the sign-in rate limit.
   */
  trustProxy: string[];
  /** Connection timeouts (not from the environment: tests pass short ones). */
  timeouts: Timeouts;
  /**
   * NODE_ENV=production: a real lottery's record is refused when signed under the local test CA or with a
   * missing or localhost LOTTERY_PUBLIC_URL (docs/security.md).
   */
  production: boolean;
  /** Whom the notification letters name for questions (LOTTERY_CONTACT); the template's wording when unset. */
  letterContact?: string;
  /** The witnessed log's origin and key name (LOTTERY_LOG_ORIGIN; default from the public URL, protocol.md §10). */
  logOrigin: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartupError(`PORT 須為 0–65535，現為 ${env.PORT}`, `PORT must be 0–65535, got ${env.PORT}`);
  let fields: PublicField[];
  try {
    fields =
      env.LOTTERY_PUBLIC_FIELDS === undefined
        ? [...DEFAULT_PUBLIC_FIELDS]
        : parsePublicFields(env.LOTTERY_PUBLIC_FIELDS);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    throw new StartupError(`LOTTERY_PUBLIC_FIELDS 有誤：${m}`, `LOTTERY_PUBLIC_FIELDS: ${m}`);
  }
  const publicUrl = (env.LOTTERY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl))
    throw new StartupError(
      'LOTTERY_PUBLIC_URL 須為 http(s) 網址',
      'LOTTERY_PUBLIC_URL must be an http(s) URL',
    );
  let origin: string;
  try {
    origin = logOrigin(publicUrl, env.LOTTERY_LOG_ORIGIN);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    throw new StartupError(`LOTTERY_LOG_ORIGIN 有誤：${m}`, `LOTTERY_LOG_ORIGIN: ${m}`);
  }
  return {
    dbFile: path.resolve(env.LOTTERY_DB ?? path.join('db', 'lottery.sqlite')),
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl,
    publicFields: fields,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    timeouts: { ...DEFAULT_TIMEOUTS },
    production: env.NODE_ENV === 'production',
    ...(env.LOTTERY_CONTACT?.trim() ? { letterContact: env.LOTTERY_CONTACT.trim() } : {}),
    logOrigin: origin,
  };
}

/** The values that mean "trust every peer" in express or in habit; each is refused with what to write instead. */
const TRUST_EVERYONE = new Set(['1', 'true', 'yes', 'on', '*', 'all', 'any', '0.0.0.0/0', '::/0']);

function isCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return net.isIP(v) !== 0;
  const ip = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  const family = net.isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY → the addresses express's `trust proxy` is given: `loopback` (the proxy on this machine), or
 * IPv4/IPv6 addresses and CIDRs. Unset or empty: none. A bare "trust everything" is refused at start, since
 * with the port reachable directly it lets anyone set their own req.ip with X-Forwarded-For (issue 12).
 */
export function parseTrustProxy(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === '0' || raw.trim() === 'false') return [];
  const items = raw.split(',').map((v) => v.trim());
  const out: string[] = [];
  for (const v of items) {
    const lower = v.toLowerCase();
    if (TRUST_EVERYONE.has(lower))
      throw new StartupError(
        `TRUST_PROXY=${raw} 會相信任何來源自稱的位址，已拒絕。反向代理在本機時請寫 TRUST_PROXY=loopback，` +
          '在他台主機時寫它的位址，例如 TRUST_PROXY=10.0.0.5 或 TRUST_PROXY=10.0.0.0/24',
        `TRUST_PROXY=${raw} would believe any peer's claimed address, so it is refused. With the reverse proxy ` +
          'on this machine write TRUST_PROXY=loopback; on another host write its address, e.g. ' +
          'TRUST_PROXY=10.0.0.5 or TRUST_PROXY=10.0.0.0/24',
      );
    if (lower === 'loopback') out.push('loopback');
    else if (isCidr(v)) out.push(v);
    else
      throw new StartupError(
        `TRUST_PROXY 的「${v}」不是 IP 位址或 CIDR；請寫 loopback，或以逗號分隔的 IP 與 CIDR（如 10.0.0.5,fd00::/8）`,
        `TRUST_PROXY: "${v}" is not an IP address or CIDR; write loopback, or IPs and CIDRs separated by commas (e.g. 10.0.0.5,fd00::/8)`,
      );
  }
  return out;
}
