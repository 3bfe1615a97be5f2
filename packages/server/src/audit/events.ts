import type { AuditAction } from './actions.js';

/** Who did something: a person, a service account, the system itself, or someone unidentified. */
export interface Actor {
  type: 'user' | 'service_account' | 'system' | 'anonymous';
  id?: string;
  name?: string;
}

/** Where a request came from; passed from the HTTP layer into every service call. */
export interface RequestContext {
  ip: string;
  userAgent?: string;
  requestId?: string;
}

/**
 * One audit event (A10). Never holds a secret: `credential` names which secret or token was used
 * (its id), not its value.
 */
export interface AuditEvent {
  orgId: string | null;
  action: AuditAction;
  outcome: 'success' | 'failure';
  actor: Actor;
  target?: { type: string; id: string };
  credential?: string;
  detail?: Record<string, unknown>;
}

export interface StoredAuditEvent {
  id: string;
  orgId: string | null;
  occurredAt: string;
  action: string;
  outcome: 'success' | 'failure';
  actor: Actor;
  target: { type: string; id: string } | null;
  credential: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}
