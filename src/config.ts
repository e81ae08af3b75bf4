import path from 'node:path';

/** Runtime settings from the environment, with the embedded defaults the quick start relies on. */
export interface Config {
  dbFile: string;
  port: number;
  host: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0–65535, got ${env.PORT}`);
  return {
    dbFile: path.resolve(env.LOTTERY_DB ?? path.join('db', 'lottery.sqlite')),
    port,
    host: env.HOST ?? '127.0.0.1',
  };
}
