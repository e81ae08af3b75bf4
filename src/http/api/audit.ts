import type { Router } from 'express';
import { ENTRY_TYPE, LOTTERY_ID } from '../../domain/grammar';
import type { Services } from '../../services/services';
import { allow } from '../authenticate';
import { h } from '../middleware';
import { onlyQuery, pathParam, queryInt, queryStr } from '../params';

/** The audit bundle, the journal's pages and the chain check: what the auditor (稽核) reads. */
export function auditRoutes(r: Router, services: Services): void {
  r.get(
    '/lotteries/:id/bundle',
    allow('ethics', 'auditor'),
    h((req, res) => {
      const b = services.bundle(pathParam(req, 'id'));
      res.set('Content-Disposition', `attachment; filename="lottery-${b.lottery.id}-bundle.json"`);
      res.json(b);
    }),
  );
  r.get(
    '/journal',
    allow('auditor'),
    h((req, res) => {
      const q: { after?: number; before?: number; limit?: number; lottery?: string; type?: string } = {};
      onlyQuery(req, ['after', 'before', 'limit', 'lottery', 'type']);
      const after = queryInt(req, 'after', 0, Number.MAX_SAFE_INTEGER);
      const before = queryInt(req, 'before', 1, Number.MAX_SAFE_INTEGER);
      const limit = queryInt(req, 'limit', 1, 1000);
      const lottery = queryStr(req, 'lottery', LOTTERY_ID);
      const type = queryStr(req, 'type', ENTRY_TYPE);
      if (after !== undefined) q.after = after;
      if (before !== undefined) q.before = before;
      if (limit !== undefined) q.limit = limit;
      if (lottery !== undefined) q.lottery = lottery;
      if (type !== undefined) q.type = type;
      res.json(services.journalPage(q));
    }),
  );
  r.get(
    '/journal/verify',
    allow('auditor'),
    h(async (_req, res) => {
      const c = await services.verifyJournal();
      res.json(
        c.ok
          ? { ok: true, length: c.length, head: c.head }
          : { ok: false, brokenAt: c.brokenAt, reason: c.reason },
      );
    }),
  );
}
