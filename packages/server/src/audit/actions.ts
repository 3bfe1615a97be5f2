import type { RecordKind } from '../reference-api/catalogue.js';

/**
 * Every action the audit log records, as a closed set: a misspelt action is a type error, and the
 * console's action filter and the webhook event types (§15) can be derived from one list.
 */
export const GATEHOUSE_ACTIONS = [
  'token.grant',
  'token.deny',
  'session.sign_in',
  'session.sign_out',
  'session.mfa_success',
  'session.mfa_failure',
  'organization.create',
  'organization.rename',
  'member.add',
  'member.role_change',
  'member.remove',
  'member.leave',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'user.deactivate',
  'user.reactivate',
  'user.password_change',
  'user.password_reset_request',
  'user.password_reset',
  'user.mfa_enrol',
  'user.mfa_remove',
  'user.mfa_recovery_codes',
  'organization.mfa_requirement',
  'organization.secret_rotation_days',
  'service_account.create',
  'service_account.update',
  'service_account.rotate_secret',
  'service_account.disable',
  'service_account.enable',
  'service_account.delete',
  'refresh_token.create',
  'refresh_token.revoke',
  'sbom_bucket.create',
  'sbom_bucket.delete',
  // §15 Events: webhook subscriptions' own writes are record actions (`webhook.create`, ...).
  'webhook.rotate_secret',
  'webhook.disabled',
  'audit_stream.create',
  'audit_stream.update',
  'audit_stream.delete',
  'audit_stream.test',
  'audit_stream.disabled',
] as const;

export type GatehouseAction = (typeof GATEHOUSE_ACTIONS)[number];

/** The reference API's writes (§7), named after the record kind: `finding.create`. */
export type RecordAction = `${RecordKind}.${'create' | 'update' | 'delete'}`;

export type AuditAction = GatehouseAction | RecordAction;
