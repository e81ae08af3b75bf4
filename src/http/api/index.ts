import express, { type Router } from 'express';
import type { Services } from '../../services/services';
import { auditRoutes } from './audit';
import { ceremonyRoutes } from './ceremony';
import { exportRoutes } from './exports';
import { logRoutes } from './log';
import { lotteryRoutes } from './lotteries';
import { publicRoutes } from './public';
import { recordRoutes } from './record';
import { rosterRoutes } from './roster';
import { physicalRoutes } from './physical';
import { userRoutes } from './users';

/**
 * The JSON API under /api/v1 (docs/api.md). Each route names the roles it allows (allow()); authentication ran
 * before, in app.ts. The handlers only read the request and call one service: the rules live in the services.
 */
export function apiRouter(services: Services): Router {
  const r = express.Router();
  publicRoutes(r, services);
  lotteryRoutes(r, services);
  rosterRoutes(r, services);
  ceremonyRoutes(r, services);
  recordRoutes(r, services);
  physicalRoutes(r, services);
  auditRoutes(r, services);
  userRoutes(r, services); // issue 12: the accounts, for admins
  exportRoutes(r, services);
  logRoutes(r, services); // issue 13: the witnessed log, public
  return r;
}
