import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AccessDecision } from '../access/access-decision.js';
import { currentPrincipal, principalActor, requireScope } from '../access/hooks.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import { notFound } from '../errors.js';
import type { Cursors } from '../http/cursor.js';
import { errorResponses, NoContent, Page, PageQuery, Timestamp } from '../http/schemas.js';
import { requestContext, sendJsonText, type App } from '../http/types.js';
import { newId } from '../ids.js';
import { RESOURCES, resourceByPath, type ResourceDef } from './catalogue.js';
import { recordStore, type RecordRow, type RecordScope } from './store.js';

export interface ReferenceApiDeps {
  db: Db;
  cursors: Cursors;
  decision: AccessDecision;
  audit: AuditLog;
  clock: Clock;
}

/** The bookkeeping every record answers with: who wrote it (a service account id, or `system`), when. */
const Bookkeeping = { id: Type.String(), createdAt: Timestamp, createdBy: Type.String(), updatedAt: Timestamp, updatedBy: Type.String() };

/**
 * The response schema of one resource (ARCHITECTURE property 6). Where the table declares the
 * writable fields, exactly those (all optional, since older records may lack newer ones) plus the
 * bookkeeping, and the serializer drops anything else; read-only resources hold only seeded data.
 */
function recordBody(def: ResourceDef): TObject {
  if (!def.create) return Type.Object(Bookkeeping, { additionalProperties: true });
  return Type.Object({ ...Type.Partial(def.create).properties, ...Bookkeeping }, { additionalProperties: false });
}
/**
 * The members of a record's JSON when its list is built by the database (db/json-sql.ts), in the
 * order the serializer writes them: fast-json-stringify writes the required properties first,
 * then the optional ones, each group in schema order. Null when the resource keeps undeclared
 * fields, or has one that is not a string (jsonb writes objects, arrays and some numbers unlike
 * JSON.stringify): those lists are serialized here.
 */
function jsonListKeys(def: ResourceDef, body: TObject): string[] | null {
  if (!def.create) return null;
  const isString = (p: TSchema): boolean => p.type === 'string' || (Array.isArray(p.anyOf) && p.anyOf.every(isString));
  if (!Object.values(def.create.properties).every(isString)) return null;
  const required = new Set(body.required ?? []);
  const keys = Object.keys(body.properties);
  return [...keys.filter((k) => required.has(k)), ...keys.filter((k) => !required.has(k))];
}

const present = (r: RecordRow) => ({ ...r.data, id: r.id, createdAt: r.createdAt, createdBy: r.createdBy, updatedAt: r.updatedAt, updatedBy: r.updatedBy });

type Params = { id?: string; parentId?: string };
const IdParam = Type.String({ minLength: 1, maxLength: 64 });

/** §7: every resource of the catalogue table, with list, get, and the writes the table grants. */
export function referenceApiRoutes(app: App, deps: ReferenceApiDeps): void {
  for (const def of RESOURCES) resourceRoutes(app, deps, def);
}

function resourceRoutes(app: App, deps: ReferenceApiDeps, def: ResourceDef): void {
  const { db, cursors, audit, clock } = deps;
  const base = `/api/v1/${def.path}`;
  const tags = ['reference api'];
  const parentParams: Record<string, typeof IdParam> = def.parent ? { parentId: IdParam } : {};
  const listParams = Type.Object(parentParams);
  const itemParams = Type.Object({ ...parentParams, id: IdParam });
  const idOf = (req: FastifyRequest) => (req.params as Params).id ?? '';
  const RecordBody = recordBody(def);
  // Embedded only: PGlite's per-row cost is on Gatehouse's side (its thread, the copy), and the JSON
  // built there halved the list's CPU (2.1× the lists/s). A PostgreSQL server already parses rows
  // cheaply, and building the JSON moved work onto it: 3,113–3,324 → 2,797–2,858 lists/s with the
  // server on the same 2 cores. The database is the part harder to scale, so it keeps the row path.
  const jsonKeys = db.kind === 'pglite' ? jsonListKeys(def, RecordBody) : null;
  const missing = () => notFound(def.kind.replace(/_/g, ' '));
  const parentKind = def.parent ? resourceByPath(def.parent)!.kind.replace(/_/g, ' ') : '';

  /** The records this caller may see: its organization's (§5), and for webhooks only its own. */
  const scopeOf = async (req: FastifyRequest): Promise<RecordScope> => {
    const p = currentPrincipal(req);
    const parentId = (req.params as Params).parentId ?? null;
    if (def.parent && parentId !== null) {
      const parent = await recordStore.get(db, { orgId: p.orgId, resource: def.parent, parentId: null, ownerId: null }, parentId);
      if (!parent) throw notFound(parentKind); // §5: another organization's package is not there
    }
    return { orgId: p.orgId, resource: def.path, parentId, ownerId: def.ownedByCaller ? p.id : null };
  };
  const cursorScope = (s: RecordScope) => `records:${s.orgId}:${s.resource}:${s.parentId ?? ''}:${s.ownerId ?? ''}`;
  const auditEvent = (req: FastifyRequest, action: 'create' | 'update' | 'delete', id: string, detail: Record<string, unknown>) => {
    const p = currentPrincipal(req);
    return {
      orgId: p.orgId,
      action: `${def.kind}.${action}` as const,
      outcome: 'success' as const,
      actor: principalActor(p),
      target: { type: def.kind, id },
      detail,
    };
  };

  app.get(
    base,
    {
      schema: { tags, params: listParams, querystring: PageQuery, response: { 200: Page(RecordBody), ...errorResponses } },
      onRequest: requireScope(deps.decision, def.read),
    },
    async (req, reply) => {
      const scope = await scopeOf(req);
      if (!jsonKeys) return cursors.list(cursorScope(scope), req.query, (after, limit) => recordStore.list(db, scope, after, limit), { present });
      // Built by the database in RecordBody's shape (only its fields, in its order) and sent as it
      // is (issue 16 item 6); the cursor and the access checks above are the same either way.
      const body = await cursors.listJson(cursorScope(scope), req.query, (after, limit) => recordStore.listJson(db, scope, after, limit, jsonKeys));
      return sendJsonText(reply, body);
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: { tags, params: itemParams, response: { 200: RecordBody, ...errorResponses } },
      onRequest: requireScope(deps.decision, def.read),
    },
    async (req) => {
      const row = await recordStore.get(db, await scopeOf(req), idOf(req));
      if (!row) throw missing();
      return present(row);
    },
  );

  if (def.create && def.write) {
    app.post(
      base,
      {
        schema: { tags, params: listParams, body: def.create, response: { 201: RecordBody, ...errorResponses } },
        onRequest: requireScope(deps.decision, def.write),
      },
      async (req, reply) => {
        const scope = await scopeOf(req);
        const by = currentPrincipal(req).id;
        const id = newId(def.prefix);
        const data = req.body as Record<string, unknown>;
        // The audit row commits with the record (ARCHITECTURE property 4); field names only, no values.
        const row = await db.transaction(async (tx) => {
          const created = await recordStore.insert(tx, scope, { id, data, at: clock.now(), by });
          await audit.inTransaction(tx, auditEvent(req, 'create', id, { fields: Object.keys(data) }), requestContext(req));
          return created;
        });
        return reply.code(201).send(present(row));
      },
    );
  }

  if (def.update && def.write) {
    app.patch(
      `${base}/:id`,
      {
        schema: { tags, params: itemParams, body: def.update, response: { 200: RecordBody, ...errorResponses } },
        onRequest: requireScope(deps.decision, def.write),
      },
      async (req) => {
        const scope = await scopeOf(req);
        const changes = req.body as Record<string, unknown>;
        const updated = await db.transaction(async (tx) => {
          const row = await recordStore.get(tx, scope, idOf(req), { forUpdate: true });
          if (!row) throw missing();
          const next = await recordStore.update(tx, row.id, { ...row.data, ...changes }, clock.now(), currentPrincipal(req).id);
          await audit.inTransaction(tx, auditEvent(req, 'update', row.id, { fields: Object.keys(changes) }), requestContext(req));
          return next;
        });
        return present(updated);
      },
    );
  }

  if (def.deletable && def.write) {
    app.delete(
      `${base}/:id`,
      {
        schema: { tags, params: itemParams, response: { 204: NoContent, ...errorResponses } },
        onRequest: requireScope(deps.decision, def.write),
      },
      async (req, reply) => {
        const scope = await scopeOf(req);
        await db.transaction(async (tx) => {
          const row = await recordStore.get(tx, scope, idOf(req), { forUpdate: true });
          if (!row) throw missing();
          await recordStore.delete(tx, row.id);
          await audit.inTransaction(tx, auditEvent(req, 'delete', row.id, {}), requestContext(req));
        });
        return reply.code(204).send(null);
      },
    );
  }
}
