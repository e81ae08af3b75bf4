import type { Router } from 'express';
import { fieldProblem, validationFailed } from '../../domain/errors';
import type { LotteryFilter } from '../../services/lotteries';
import type { Services } from '../../services/services';
import { actor, allow } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';

/** A lottery's definition: created and edited by the ethics office, read by everyone who works on it. */
export function lotteryRoutes(r: Router, services: Services): void {
  r.post(
    '/lotteries',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.createLottery(actor(res), req.body));
    }),
  );
  r.get(
    '/lotteries',
    allow('ethics', 'drawer', 'auditor'),
    h((req, res) => {
      res.json({ lotteries: services.listLotteries(statusFilter(req.query.status)) });
    }),
  );
  r.get(
    '/lotteries/:id',
    allow('ethics', 'drawer', 'auditor'),
    h((req, res) => {
      res.json(services.getLottery(pathParam(req, 'id')));
    }),
  );
  r.patch(
    '/lotteries/:id',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.patchLottery(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  // issue 11: the meeting particulars after the lock, cancelling, a real lottery from a rehearsal.
  r.patch(
    '/lotteries/:id/meeting',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.updateMeeting(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/cancel',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.cancelLottery(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/copy',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.copyRehearsal(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
}

/** `?status=`: absent lists the living lotteries, `cancelled` the cancelled ones, `all` both. */
function statusFilter(v: unknown): LotteryFilter {
  if (v === undefined) return 'active';
  if (v === 'cancelled' || v === 'all' || v === 'active') return v;
  throw validationFailed([
    fieldProblem(
      'status',
      'BAD_FILTER',
      'status 只能是 active、cancelled 或 all',
      'status must be active, cancelled or all',
    ),
  ]);
}
