import type { Router } from 'express';
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
    h((_req, res) => {
      res.json({ lotteries: services.listLotteries() });
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
}
