import type { AuditLog } from '../audit/audit-log.js';
import type { Actor, RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { MasterKey } from '../crypto/master-key.js';
import type { Db } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { checkUrl, DestinationRefused, resolveDestination } from './destination.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';
import type { Outbox } from './outbox.js';
import { newSigningSecret, openSecret, sealSecret } from './signing.js';
import { webhookStore, type Endpoint, type EndpointScope } from './store.js';

/** [E1] How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface EndpointFields {
  url: string;
  events?: string[];
  description?: string;
  active?: boolean;
}

/**
 * Webhook subscriptions [E1] and audit streams [E4]: one implementation, two doors (the reference
 * API for a service account's own subscriptions, the console for an organization's streams).
 */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly master: MasterKey,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly allowedHosts: ReadonlySet<string>,
  ) {}

  /** [E5] Checked at creation (and again at every delivery): a clear 400 for a refused destination. */
  private async checkDestination(url: string): Promise<void> {
    try {
      // An allowed host is the operator's choice: it is resolved only when delivering.
      if (!checkUrl(url, this.allowedHosts).allowed) await resolveDestination(url, this.allowedHosts);
    } catch (err) {
      if (err instanceof DestinationRefused) throw new ApiError('invalid_request', `destination refused: ${err.message}`);
      throw err;
    }
  }

  private checkEvents(scope: EndpointScope, events: readonly string[] | undefined): void {
    if (scope.kind !== 'webhook') return;
    const unknown = (events ?? []).filter((e) => !WEBHOOK_EVENT_TYPES.includes(e));
    if (unknown.length) throw new ApiError('invalid_request', `unknown event type: ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }

  /** Creates a destination and returns its signing secret, shown this once. */
  async create(scope: EndpointScope, f: EndpointFields, actor: Actor & { id: string }, ctx: RequestContext): Promise<{ endpoint: Endpoint; secret: string }> {
    this.checkEvents(scope, f.events);
    await this.checkDestination(f.url);
    const id = newId(scope.kind === 'webhook' ? 'whk' : 'ast');
    const secret = newSigningSecret();
    const endpoint = await this.db.transaction(async (tx) => {
      const e = await webhookStore.insert(tx, {
        id,
        orgId: scope.orgId,
        kind: scope.kind,
        ownerId: scope.ownerId,
        url: f.url,
        events: f.events ?? [],
        description: f.description ?? null,
        active: f.active ?? true,
        secretCiphertext: sealSecret(this.master, id, secret),
        createdAt: this.clock.now(),
        createdBy: actor.id,
      });
      // The audit row names the fields written, never the URL (it may embed a token).
      await this.audit.inTransaction(
        tx,
        this.event(scope, e.id, actor, scope.kind === 'webhook' ? 'webhook.create' : 'audit_stream.create', { fields: Object.keys(f) }),
        ctx,
      );
      return e;
    });
    this.outbox.add(scope.orgId, scope.kind);
    return { endpoint, secret };
  }

  async get(scope: EndpointScope, id: string): Promise<Endpoint> {
    const e = await webhookStore.get(this.db, scope, id);
    if (!e) throw notFound(scope.kind === 'webhook' ? 'webhook' : 'audit stream');
    return e;
  }

  list(scope: EndpointScope, after: string | null, limit: number): Promise<Endpoint[]> {
    return webhookStore.list(this.db, scope, after, limit);
  }

  async update(scope: EndpointScope, id: string, f: Partial<EndpointFields>, actor: Actor & { id: string }, ctx: RequestContext): Promise<Endpoint> {
    this.checkEvents(scope, f.events);
    if (f.url !== undefined) await this.checkDestination(f.url);
    const updated = await this.db.transaction(async (tx) => {
      const e = await webhookStore.get(tx, scope, id, { forUpdate: true });
      if (!e) throw notFound(scope.kind === 'webhook' ? 'webhook' : 'audit stream');
      const next = await webhookStore.update(
        tx,
        id,
        { url: f.url ?? e.url, events: f.events ?? e.events, description: f.description ?? e.description, active: f.active ?? e.active },
        this.clock.now(),
        actor.id,
      );
      await this.audit.inTransaction(
        tx,
        this.event(scope, id, actor, scope.kind === 'webhook' ? 'webhook.update' : 'audit_stream.update', { fields: Object.keys(f) }),
        ctx,
      );
      return next;
    });
    if (updated.active) this.outbox.add(scope.orgId, scope.kind);
    return updated;
  }

  async delete(scope: EndpointScope, id: string, actor: Actor & { id: string }, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const e = await webhookStore.get(tx, scope, id, { forUpdate: true });
      if (!e) throw notFound(scope.kind === 'webhook' ? 'webhook' : 'audit stream');
      await webhookStore.delete(tx, id);
      await this.audit.inTransaction(tx, this.event(scope, id, actor, scope.kind === 'webhook' ? 'webhook.delete' : 'audit_stream.delete', {}), ctx);
    });
  }

  /** [E1] A new secret; the previous one keeps signing (a second `v1,` signature) for the overlap. */
  async rotateSecret(
    scope: EndpointScope,
    id: string,
    actor: Actor & { id: string },
    ctx: RequestContext,
  ): Promise<{ secret: string; previousValidUntil: Date }> {
    const secret = newSigningSecret();
    const now = this.clock.now();
    const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    await this.db.transaction(async (tx) => {
      const e = await webhookStore.get(tx, scope, id, { forUpdate: true });
      if (!e) throw notFound('webhook');
      // Re-sealed under the same context: the ciphertext is bound to this endpoint.
      const previous = sealSecret(this.master, id, openSecret(this.master, id, e.secretCiphertext));
      await webhookStore.rotate(tx, id, sealSecret(this.master, id, secret), previous, until, now, actor.id);
      await this.audit.inTransaction(tx, this.event(scope, id, actor, 'webhook.rotate_secret', {}), ctx);
    });
    return { secret, previousValidUntil: until };
  }

  async deliveries(scope: EndpointScope, id: string, after: string | null, limit: number) {
    await this.get(scope, id);
    return webhookStore.deliveries(this.db, id, after, limit);
  }

  async redeliver(scope: EndpointScope, id: string, deliveryId: string): Promise<void> {
    await this.get(scope, id);
    if (!(await webhookStore.requeue(this.db, id, deliveryId, this.clock.now()))) throw notFound('delivery');
  }

  /** [E4] The console's test button: an audited event, which every stream of the organization carries. */
  async test(scope: EndpointScope, id: string, actor: Actor & { id: string }, ctx: RequestContext): Promise<void> {
    const e = await this.get(scope, id);
    this.outbox.add(e.orgId, e.kind);
    await this.db.transaction((tx) => this.audit.inTransaction(tx, this.event(scope, id, actor, 'audit_stream.test', {}), ctx));
  }

  private event(
    scope: EndpointScope,
    id: string,
    actor: Actor,
    action: 'webhook.create' | 'webhook.update' | 'webhook.delete' | 'webhook.rotate_secret' | `audit_stream.${'create' | 'update' | 'delete' | 'test'}`,
    detail: Record<string, unknown>,
  ) {
    return {
      orgId: scope.orgId,
      action,
      outcome: 'success' as const,
      actor,
      target: { type: scope.kind, id },
      detail,
    };
  }
}
