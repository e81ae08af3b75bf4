import type { Request, Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';

/**
 * issue 12: the accounts as JSON, for an admin's bearer token (or an admin's page session with its CSRF header):
 * the same services as the admin pages (/admin/users), each change journalled, the last active admin kept.
 */
const text = (req: Request, k: string): string => {
  const v: unknown = (req.body as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? v : '';
};

export function userRoutes(r: Router, services: Services): void {
  const admin = allow('admin');
  r.get(
    '/users',
    admin,
    h((_req, res) => {
      res.json({ users: services.listAccounts() });
    }),
  );
  // 201 {id, name, role, token}: the token is shown once.
  r.post(
    '/users',
    admin,
    ...jsonBody(),
    h((req, res) => {
      const display = text(req, 'display');
      const password = (req.body as Record<string, unknown> | undefined)?.password;
      res.status(201).json(
        services.addUser(actor(res), {
          name: text(req, 'name'),
          role: text(req, 'role'),
          ...(display ? { display } : {}),
          ...(password !== undefined ? { password: text(req, 'password') } : {}),
        }),
      );
    }),
  );
  const change = (path: string, fn: (req: Request, actorId: string, name: string) => unknown): void => {
    r.post(
      `/users/:name/${path}`,
      admin,
      ...jsonBody(),
      h((req, res) => {
        res.json(fn(req, actor(res), pathParam(req, 'name')) ?? { ok: true });
      }),
    );
  };
  change('password', (req, a, name) => services.setUserPassword(a, name, text(req, 'password')));
  change('role', (req, a, name) => services.changeRole(a, name, text(req, 'role')));
  change('token', (_req, a, name) => services.revokeToken(a, name));
  change('unlock', (_req, a, name) => services.unlockUser(a, name));
  change('deactivate', (_req, a, name) => services.revokeUser(a, name));
}
