import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AccessDecision } from '../access/access-decision.js';
import { currentCaller, principalActor, requireOrgScope } from '../access/hooks.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { isUniqueViolation, type Db } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, OrgId, Page, PageQuery, Timestamp } from '../http/schemas.js';
import { requestContext, type App } from '../http/types.js';
import { newId } from '../ids.js';
import { recordStore, type RecordRow, type RecordScope } from '../reference-api/store.js';

const RESOURCE = 'sbom.buckets';
const READ = 'sbom.buckets:read';
const WRITE = 'sbom.buckets:write';

const OrgParams = Type.Object({ orgId: OrgId });
const BucketParams = Type.Object({ orgId: OrgId, bucketId: Type.String({ minLength: 1, maxLength: 64 }) });
const CreateBody = Type.Object(
  {
    // DNS-label-like, as object stores name buckets: 3 to 63 lowercase letters, digits and hyphens.
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const BucketBody = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    createdAt: Timestamp,
    createdBy: Type.String(),
  },
  { additionalProperties: false },
);

const present = (orgId: string, r: RecordRow) => ({
  ...(r.data as { name: string; description?: string }),
  id: r.id,
  orgId,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
});

/**
 * §7 `/sbom/v1/orgs/{orgID}/buckets`: the organization-path API. Users are admitted by their
 * current role there (viewer reads, member writes) [B6] and service accounts of that organization
 * by scope; an organization the caller holds nothing in answers 404 (§5).
 */
export function sbomRoutes(app: App, deps: { db: Db; cursors: Cursors; decision: AccessDecision; audit: AuditLog; clock: Clock }): void {
  const { db, cursors, audit, clock } = deps;
  const base = '/sbom/v1/orgs/:orgId/buckets';
  const tags = ['sbom'];
  const scopeOf = (req: FastifyRequest): RecordScope => ({ orgId: (req.params as { orgId: string }).orgId, resource: RESOURCE, parentId: null, ownerId: null });
  const event = (req: FastifyRequest, action: 'create' | 'delete', id: string, detail: Record<string, unknown>) => ({
    orgId: scopeOf(req).orgId,
    action: `sbom_bucket.${action}` as const,
    outcome: 'success' as const,
    actor: principalActor(currentCaller(req)),
    target: { type: 'sbom_bucket', id },
    detail,
  });

  app.post(
    base,
    {
      schema: { tags, params: OrgParams, body: CreateBody, response: { 201: BucketBody, ...errorResponses } },
      onRequest: requireOrgScope(deps.decision, WRITE),
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      const id = newId('bkt');
      try {
        const row = await db.transaction(async (tx) => {
          const created = await recordStore.insert(tx, scope, { id, data: req.body, at: clock.now(), by: currentCaller(req).id });
          await audit.inTransaction(tx, event(req, 'create', id, { name: req.body.name }), requestContext(req));
          return created;
        });
        return reply.code(201).send(present(scope.orgId, row));
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiError('conflict', `a bucket named ${req.body.name} already exists in this organization`);
        throw err;
      }
    },
  );

  app.get(
    base,
    {
      schema: { tags, params: OrgParams, querystring: PageQuery, response: { 200: Page(BucketBody), ...errorResponses } },
      onRequest: requireOrgScope(deps.decision, READ),
    },
    async (req) => {
      const scope = scopeOf(req);
      return cursors.list(`buckets:${scope.orgId}`, req.query, (after, limit) => recordStore.list(db, scope, after, limit), {
        present: (r) => present(scope.orgId, r),
      });
    },
  );

  app.get(
    `${base}/:bucketId`,
    {
      schema: { tags, params: BucketParams, response: { 200: BucketBody, ...errorResponses } },
      onRequest: requireOrgScope(deps.decision, READ),
    },
    async (req) => {
      const row = await recordStore.get(db, scopeOf(req), req.params.bucketId);
      if (!row) throw notFound('bucket');
      return present(req.params.orgId, row);
    },
  );

  app.delete(
    `${base}/:bucketId`,
    {
      schema: { tags, params: BucketParams, response: { 204: NoContent, ...errorResponses } },
      onRequest: requireOrgScope(deps.decision, WRITE),
    },
    async (req, reply) => {
      await db.transaction(async (tx) => {
        const row = await recordStore.get(tx, scopeOf(req), req.params.bucketId, { forUpdate: true });
        if (!row) throw notFound('bucket');
        await recordStore.delete(tx, row.id);
        await audit.inTransaction(tx, event(req, 'delete', row.id, { name: (row.data as { name?: string }).name }), requestContext(req));
      });
      return reply.code(204).send(null);
    },
  );
}
