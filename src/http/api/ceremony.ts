import type { Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow, via } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';

/** Lock and unlock (the commitment), then the ceremony itself: open, adjourn, read the dice back, draw. */
export function ceremonyRoutes(r: Router, services: Services): void {
  r.post(
    '/lotteries/:id/lock',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.lock(actor(res), pathParam(req, 'id')));
    }),
  );
  r.post(
    '/lotteries/:id/unlock',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.unlock(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  // The ceremony (lottery-draw/v2, protocol.md §4.2): opened on the meeting day by the user at the projector,
  // whose token every draw then needs.
  r.post(
    '/lotteries/:id/ceremony',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.openCeremony(actor(res), pathParam(req, 'id'), req.body, via(res)));
    }),
  );
  r.post(
    '/lotteries/:id/ceremony/adjourn',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.adjournCeremony(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  r.post(
    '/lotteries/:id/stages/1/entropy',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.readEntropy(pathParam(req, 'id'), req.body));
    }),
  );
  // The stage number is checked by the draw service (STAGE_NUMBER), which answers "Stage not found".
  r.post(
    '/lotteries/:id/stages/:n/draw',
    allow('ethics', 'drawer'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.draw(actor(res), pathParam(req, 'id'), pathParam(req, 'n'), req.body, via(res)));
    }),
  );
}
