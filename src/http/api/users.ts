import type { Request, Router } from 'express';
import type { Services } from '../../services/services';
import { actor, allow } from '../authenticate';
import { h, jsonBody } from '../middleware';
import { pathParam } from '../params';
import { stringFields } from '../../domain/input/account';

/**
 * issue 12: the accounts as JSON, for an admin's bearer token (or an admin's page session with its CSRF header):
 * the same services as the admin pages (/admin/users), each change journalled, the last active admin kept.
 */
// Every field is a string and no other field is taken (issue 12: a misspelt "pasword" made an account without a
// password, and a body of [] rotated a token): a refusal is 422 VALIDATION_FAILED naming the field.
const body = (req: Request, allowed: readonly string[]): Record<string, string | undefined> =>
  stringFields(req.body as unknown, allowed);

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
      const b = body(req, ['name', 'role', 'display', 'password']);
      res.status(201).json(
        services.addUser(actor(res), {
          name: b.name ?? '',
          role: b.role ?? '',
          ...(b.display ? { display: b.display } : {}),
          ...(b.password !== undefined ? { password: b.password } : {}),
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
  change('password', (req, a, name) =>
    services.setUserPassword(a, name, body(req, ['password']).password ?? ''),
  );
  change('role', (req, a, name) => services.changeRole(a, name, body(req, ['role']).role ?? ''));
  // These take no fields: {} or no body.
  change('token', (req, a, name) => (body(req, []), services.revokeToken(a, name)));
  change('unlock', (req, a, name) => (body(req, []), services.unlockUser(a, name)));
  change('deactivate', (req, a, name) => (body(req, []), services.revokeUser(a, name)));
}
