import path from 'node:path';

/** Runtime settings from the environment, with the embedded defaults the quick start relies on. */
import { DEFAULT_PUBLIC_FIELDS, parsePublicFields, type PublicField } from './domain/publish';

export type { PublicField };

export interface Config {
  dbFile: string;
  port: number;
  host: string;
  /** The service's public base URL, for the record's QR code and links (LOTTERY_PUBLIC_URL). */
  publicUrl: string;
  /** What the public copy of the record shows of each winner (LOTTERY_PUBLIC_FIELDS). */
  publicFields: PublicField[];
  /** Behind a reverse proxy that terminates HTTPS (TRUST_PROXY=1). */
  trustProxy: boolean;
  /**
   * NODE_ENV=production: a real lottery's record is refused when signed under the local test CA or with a
   * missing or localhost LOTTERY_PUBLIC_URL (docs/security.md).
   */
  production: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0–65535, got ${env.PORT}`);
  let fields: PublicField[];
  try {
    fields =
      env.LOTTERY_PUBLIC_FIELDS === undefined
        ? [...DEFAULT_PUBLIC_FIELDS]
        : parsePublicFields(env.LOTTERY_PUBLIC_FIELDS);
  } catch (e) {
    throw new Error(`LOTTERY_PUBLIC_FIELDS: ${e instanceof Error ? e.message : String(e)}`);
  }
  const publicUrl = (env.LOTTERY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new Error('LOTTERY_PUBLIC_URL must be an http(s) URL');
  return {
    dbFile: path.resolve(env.LOTTERY_DB ?? path.join('db', 'lottery.sqlite')),
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl,
    publicFields: fields,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    production: env.NODE_ENV === 'production',
  };
}
