import type { Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';

/**
 * issue 13: the meeting room's witnesses (docs/api.md, protocol.md §10). The ethics officer invites and lists;
 * a witness's device registers with its one-time code and posts its cosignature with no sign-in (the code, then
 * the signature itself, authenticate: authenticate.ts's isPublic lists these paths); the lottery's log view is
 * public once the last stage is drawn.
 */
export function witnessRoutes(r: Router, services: Services): void {
  r.post(
    '/lotteries/:id/witnesses/invitations',
    allow('ethics'),
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.inviteWitness(actor(res), pathParam(req, 'id'), req.body));
    }),
  );
  r.get(
    '/lotteries/:id/witnesses',
    allow('ethics', 'drawer', 'auditor'),
    h((req, res) => {
      res.json(services.listWitnesses(pathParam(req, 'id')));
    }),
  );
  r.get(
    '/lotteries/:id/log',
    h((req, res) => {
      res.json(services.lotteryLog(pathParam(req, 'id')));
    }),
  );
  r.post(
    '/witness/register',
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.registerWitness(req.body));
    }),
  );
  r.post(
    '/log/cosignatures',
    ...jsonBody(),
    h((req, res) => {
      res.json(services.submitCosignature(req.body));
    }),
  );
  r.post(
    '/log/witnesses',
    allow('ethics', 'admin'),
    ...jsonBody(),
    h((req, res) => {
      res.status(201).json(services.registerRemoteWitness(actor(res), req.body));
    }),
  );
  r.post(
    '/log/witnesses/:keyName/revoke',
    allow('ethics', 'admin'),
    ...jsonBody(),
    h((req, res) => {
      res.json(services.revokeWitness(actor(res), pathParam(req, 'keyName'), req.body));
    }),
  );
}
