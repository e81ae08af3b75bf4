import path from 'node:path';

/** Runtime settings from the environment, with the embedded defaults the quick start relies on. */
export type PublicField = 'name' | 'unit' | 'title';

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
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0–65535, got ${env.PORT}`);
  const fields = (env.LOTTERY_PUBLIC_FIELDS ?? 'name,unit,title')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of fields)
    if (!['name', 'unit', 'title'].includes(f))
      throw new Error(`LOTTERY_PUBLIC_FIELDS: unknown field ${f} (use name, unit, title)`);
  const publicUrl = (env.LOTTERY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new Error('LOTTERY_PUBLIC_URL must be an http(s) URL');
  return {
    dbFile: path.resolve(env.LOTTERY_DB ?? path.join('db', 'lottery.sqlite')),
    port,
    host: env.HOST ?? '127.0.0.1',
    publicUrl,
    publicFields: fields as PublicField[],
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
  };
}
