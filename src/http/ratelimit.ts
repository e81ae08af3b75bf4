import type { RequestHandler } from 'express';
import { LotteryError } from '../domain/errors';

/**
 * Fixed-window rate limits per client address: sign-in 10 a minute (password guessing), public endpoints 600 a
 * minute (anyone may look, nobody may flood). Kept in memory per process: a limit is a brake, not a record, and
 * the lockout that matters (five failures) lives in SQLite.
 */
export function rateLimit(opts: {
  limit: number;
  windowMs: number;
  clock: () => Date;
  name: string;
}): RequestHandler {
  const hits = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const now = opts.clock().getTime();
    const key = req.ip ?? 'unknown';
    let h = hits.get(key);
    if (!h || now - h.start >= opts.windowMs) {
      h = { start: now, count: 0 };
      hits.set(key, h);
      if (hits.size > 10_000) for (const [k, v] of hits) if (now - v.start >= opts.windowMs) hits.delete(k);
    }
    h.count++;
    if (h.count > opts.limit) {
      const retry = Math.max(1, Math.ceil((h.start + opts.windowMs - now) / 1000));
      res.set('Retry-After', String(retry));
      return next(
        new LotteryError('RATE_LIMITED', {
          zh: `請求過於頻繁，請於 ${retry} 秒後再試`,
          en: `Too many requests (${opts.name}): try again in ${retry} s`,
        }),
      );
    }
    next();
  };
}
