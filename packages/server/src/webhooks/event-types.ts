import type { AuditAction } from '../audit/actions.js';

/**
 * [E2] The one table from audit actions to webhook event types, with the scope an account needs
 * to receive each: Gatehouse's own events need `audit-log:read`; the demo's records need the read
 * scope of their resource. An action not listed here is sent to audit streams only.
 */
export const EVENT_TYPES: Partial<Record<AuditAction, { type: string; scope: string }>> = {
  'service_account.create': { type: 'service_account.created', scope: 'audit-log:read' },
  'service_account.update': { type: 'service_account.updated', scope: 'audit-log:read' },
  'service_account.disable': { type: 'service_account.disabled', scope: 'audit-log:read' },
  'service_account.enable': { type: 'service_account.enabled', scope: 'audit-log:read' },
  'service_account.delete': { type: 'service_account.deleted', scope: 'audit-log:read' },
  'service_account.rotate_secret': { type: 'service_account.secret_rotated', scope: 'audit-log:read' },
  'member.add': { type: 'member.added', scope: 'audit-log:read' },
  'member.role_change': { type: 'member.role_changed', scope: 'audit-log:read' },
  'member.remove': { type: 'member.removed', scope: 'audit-log:read' },
  'member.leave': { type: 'member.removed', scope: 'audit-log:read' },
  'refresh_token.create': { type: 'refresh_token.created', scope: 'audit-log:read' },
  'refresh_token.revoke': { type: 'refresh_token.revoked', scope: 'audit-log:read' },
  'finding.create': { type: 'finding.created', scope: 'governance.findings:read' },
  'finding.update': { type: 'finding.updated', scope: 'governance.findings:read' },
  'evidence_claim.create': { type: 'evidence_claim.created', scope: 'governance.evidence:read' },
  'submission_package_event.create': { type: 'submission_package.event_recorded', scope: 'governance.submissions:read' },
  'sbom_bucket.create': { type: 'sbom_bucket.created', scope: 'sbom.buckets:read' },
  'sbom_bucket.delete': { type: 'sbom_bucket.deleted', scope: 'sbom.buckets:read' },
};

const BY_TYPE = new Map(Object.values(EVENT_TYPES).map((e) => [e.type, e.scope]));

/** Every event type a subscription may name. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [...BY_TYPE.keys()];

/** The scope needed to receive `type` (undefined: not a webhook event type). */
export const scopeForEventType = (type: string): string | undefined => BY_TYPE.get(type);

/** The webhook event type of an audit action, or null. */
export const eventTypeOf = (action: string): string | null => EVENT_TYPES[action as AuditAction]?.type ?? null;

/** Audit streams carry every audit event [E4], typed `audit.<action>`; no webhook type starts so. */
export const STREAM_TYPE_PREFIX = 'audit.';
export const streamTypeOf = (action: string): string => `${STREAM_TYPE_PREFIX}${action}`;
