import {
  CreateServiceAccountBody,
  errorResponses,
  NoContent,
  OrgParams,
  Page,
  RotateSecretBody,
  SecretRotatedBody,
  ServiceAccountBody,
  ServiceAccountActivityBody,
  ServiceAccountCreatedBody,
  ServiceAccountListQuery,
  ServiceAccountParams,
  UpdateServiceAccountBody,
} from '@gatehouse/contract';
import type { Cursors } from '../http/cursor.js';
import { requestContext, type App } from '../http/types.js';
import { DOORS } from '../manage/manage-auth.js';
import { currentUser, userActor } from '../sessions/console-auth.js';
import type { ServiceAccountActivityReader } from './activity.js';
import type { ServiceAccountService, ServiceAccountView } from './service.js';

export interface ServiceAccountRouteDeps {
  serviceAccounts: ServiceAccountService;
  activity: ServiceAccountActivityReader;
  cursors: Cursors;
  clock: { now(): Date };
}

/**
 * §8 `/console/api/orgs/{orgId}/service-accounts` and [M1] `/manage/v1/orgs/{orgId}/service-accounts`:
 * one set of handlers behind both doors; owners and admins only (consoleGuard or manageGuard checks
 * the role, and on /manage/v1 the token's `manage:service-accounts` [M2]).
 */
export function serviceAccountRoutes(app: App, deps: ServiceAccountRouteDeps): void {
  for (const { door, prefix } of DOORS) doorRoutes(app, deps, prefix, [`${door}: service accounts`]);
}

function doorRoutes(app: App, deps: ServiceAccountRouteDeps, prefix: string, tags: string[]): void {
  const { serviceAccounts, cursors } = deps;
  const base = `${prefix}/orgs/:orgId/service-accounts`;
  const config = { capability: 'service-accounts:manage', manage: { scope: 'manage:service-accounts' } } as const;
  const present = (a: ServiceAccountView) => {
    const now = deps.clock.now().getTime();
    const status = a.disabledAt ? 'disabled' : a.expiresAt && a.expiresAt.getTime() <= now ? 'expired' : 'active';
    return { ...a, clientId: a.id, status } as const;
  };

  app.post(
    base,
    { config, schema: { tags, params: OrgParams, body: CreateServiceAccountBody, response: { 201: ServiceAccountCreatedBody, ...errorResponses } } },
    async (req, reply) => {
      const { account, clientSecret } = await serviceAccounts.create(userActor(currentUser(req)), req.params.orgId, req.body, requestContext(req));
      reply.code(201).header('cache-control', 'no-store');
      return { ...present(account), clientSecret };
    },
  );

  app.get(
    base,
    { config, schema: { tags, params: OrgParams, querystring: ServiceAccountListQuery, response: { 200: Page(ServiceAccountBody), ...errorResponses } } },
    async (req) => {
      const { orgId } = req.params;
      const { unusedForDays } = req.query;
      // The filter is part of the list's name, so a cursor of the filtered list is refused on the whole one.
      const scope = `service-accounts:${orgId}${unusedForDays === undefined ? '' : `:unused:${unusedForDays}`}`;
      return cursors.list(scope, req.query, (after, limit) => serviceAccounts.list(orgId, after, limit, unusedForDays), { present });
    },
  );

  // Issue 14 item 5: grants per day, last address, the secret's age against the organization's threshold.
  app.get(
    `${base}/:id/activity`,
    { config, schema: { tags, params: ServiceAccountParams, response: { 200: ServiceAccountActivityBody, ...errorResponses } } },
    async (req) => deps.activity.read(req.params.orgId, req.params.id),
  );

  app.get(`${base}/:id`, { config, schema: { tags, params: ServiceAccountParams, response: { 200: ServiceAccountBody, ...errorResponses } } }, async (req) =>
    present(await serviceAccounts.get(req.params.orgId, req.params.id)),
  );

  app.patch(
    `${base}/:id`,
    { config, schema: { tags, params: ServiceAccountParams, body: UpdateServiceAccountBody, response: { 200: ServiceAccountBody, ...errorResponses } } },
    async (req) => present(await serviceAccounts.update(userActor(currentUser(req)), req.params.orgId, req.params.id, req.body, requestContext(req))),
  );

  app.post(
    `${base}/:id/rotate-secret`,
    { config, schema: { tags, params: ServiceAccountParams, body: RotateSecretBody, response: { 200: SecretRotatedBody, ...errorResponses } } },
    async (req, reply) => {
      const r = await serviceAccounts.rotateSecret(userActor(currentUser(req)), req.params.orgId, req.params.id, req.body?.graceSeconds, requestContext(req));
      reply.header('cache-control', 'no-store');
      return { clientSecret: r.clientSecret, generation: r.generation, previousSecretExpiresAt: r.previousSecretExpiresAt, serviceAccount: present(r.account) };
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `${base}/:id/${action}`,
      { config, schema: { tags, params: ServiceAccountParams, response: { 200: ServiceAccountBody, ...errorResponses } } },
      async (req) => present(await serviceAccounts[action](userActor(currentUser(req)), req.params.orgId, req.params.id, requestContext(req))),
    );
  }

  app.delete(`${base}/:id`, { config, schema: { tags, params: ServiceAccountParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    await serviceAccounts.delete(userActor(currentUser(req)), req.params.orgId, req.params.id, requestContext(req));
    return reply.code(204).send(null);
  });
}
