import { ROLES, type Role } from '@gatehouse/contract';
import { ApiError } from '../errors.js';

/**
 * The scope catalogue and the role table (§6), as data in one place: adding a resource or a scope
 * is a one-line change here. Descriptions are the seed's and are shown in the console.
 */
export const SCOPE_CATALOGUE = [
  { scope: 'governance.controls:read', description: 'List and get controls.' },
  { scope: 'governance.risks:read', description: 'List and get risks.' },
  { scope: 'governance.evidence:read', description: 'List and get evidence requirements and claims.' },
  { scope: 'governance.evidence:write', description: 'Create evidence claims (with attachments).' },
  { scope: 'governance.assessments:read', description: 'List and get assessments.' },
  { scope: 'governance.findings:read', description: 'List and get findings.' },
  { scope: 'governance.findings:write', description: 'Create and update findings.' },
  { scope: 'governance.exceptions:read', description: 'List and get exceptions.' },
  { scope: 'governance.monitoring:read', description: 'List monitor definitions and runs.' },
  { scope: 'governance.indicators:read', description: 'List and get indicators and measurements.' },
  { scope: 'governance.submissions:read', description: 'List submission requirements and packages.' },
  { scope: 'governance.submissions:write', description: 'Record submission package events.' },
  { scope: 'governance.frameworks:read', description: 'List frameworks and versions.' },
  { scope: 'assets:read', description: 'List and get assets.' },
  { scope: 'party-engagements:read', description: 'List and get party engagements.' },
  { scope: 'change-management:read', description: 'List and get change requests, baselines, releases.' },
  { scope: 'vulnerability-management:read', description: 'List and get vulnerabilities and assessments.' },
  { scope: 'webhooks:manage', description: 'Create, update, and delete webhook subscriptions for this service account.' },
  { scope: 'audit-log:read', description: "Read the organization's audit log." },
  { scope: 'sbom.buckets:read', description: 'List and get SBOM buckets.' },
  { scope: 'sbom.buckets:write', description: 'Create and delete SBOM buckets.' },
  // [M2] Management scopes: for people's tokens on /manage/v1 only, never a service account's.
  { scope: 'manage:service-accounts', description: "Manage the organization's service accounts and read its audit log (/manage/v1).", management: true },
  { scope: 'manage:members', description: 'Invite people, change their roles and remove them (/manage/v1).', management: true },
  { scope: 'manage:organization', description: 'Create and rename organizations (/manage/v1).', management: true },
] as const;

export type Scope = (typeof SCOPE_CATALOGUE)[number]['scope'];

/** [M2] The management scopes: granted by roles and carried by people's tokens, never by a service account. */
export const MANAGEMENT_SCOPES = ['manage:service-accounts', 'manage:members', 'manage:organization'] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];
const MANAGEMENT_SET = new Set<string>(MANAGEMENT_SCOPES);
export const isManagementScope = (s: string): s is ManagementScope => MANAGEMENT_SET.has(s);

export const ALL_SCOPES: readonly string[] = SCOPE_CATALOGUE.map((s) => s.scope);
const SCOPE_SET = new Set(ALL_SCOPES);
export const isKnownScope = (s: string): s is Scope => SCOPE_SET.has(s);

/** A non-empty set drawn only from the catalogue ([A1], [B8]); 400 otherwise. */
export function validScopes(scopes: readonly string[]): string[] {
  const unique = [...new Set(scopes)];
  if (unique.length === 0) throw new ApiError('invalid_request', 'scopes must not be empty');
  const unknown = unique.filter((s) => !isKnownScope(s));
  if (unknown.length) throw new ApiError('invalid_request', `unknown scopes: ${unknown.join(', ')}`);
  return unique;
}

/** [A1] [M2] A service account's scopes: from the catalogue, and never a management scope (400). */
export function validServiceAccountScopes(scopes: readonly string[]): string[] {
  const valid = validScopes(scopes);
  const management = valid.filter(isManagementScope);
  if (management.length)
    throw new ApiError('invalid_request', `management scopes are for people's tokens only, never a service account's: ${management.join(', ')}`);
  return valid;
}

/** Roles from least to most (§6); the names are on the wire, so the list lives in the contract. */
export { ROLES, type Role };
export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const roleAtLeast = (r: Role, min: Role): boolean => roleRank(r) >= roleRank(min);

/** Console capabilities beyond API scopes. */
export type Capability = 'service-accounts:manage' | 'audit-log:read' | 'members:manage' | 'org:manage';

const READ_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(':read'));
const WRITE_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(':write'));

/** What each role grants: scopes for the APIs, capabilities for the console. Each role includes the one below. */
/** [M2] admin: service accounts; owner: all three. */
export const ROLE_TABLE: Record<Role, { scopes: readonly string[]; capabilities: readonly Capability[] }> = {
  viewer: { scopes: READ_SCOPES, capabilities: [] },
  member: { scopes: [...READ_SCOPES, ...WRITE_SCOPES], capabilities: [] },
  admin: { scopes: [...READ_SCOPES, ...WRITE_SCOPES, 'manage:service-accounts'], capabilities: ['service-accounts:manage', 'audit-log:read'] },
  owner: {
    scopes: [...READ_SCOPES, ...WRITE_SCOPES, ...MANAGEMENT_SCOPES],
    capabilities: ['service-accounts:manage', 'audit-log:read', 'members:manage', 'org:manage'],
  },
};

export const roleHas = (role: Role, capability: Capability): boolean => ROLE_TABLE[role].capabilities.includes(capability);
