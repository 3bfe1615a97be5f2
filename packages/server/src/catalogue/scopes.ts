import { ROLES, type Role } from '@gatehouse/contract';

/**
 * The built-in demo catalogue's scopes and role table (§6), as data in one place: adding a resource
 * or a scope is a one-line change here. Descriptions are the seed's and are shown in the console.
 * The server uses the loaded catalogue (catalogue/catalogue.ts); this is its default (load.ts).
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
] as const;

export type Scope = (typeof SCOPE_CATALOGUE)[number]['scope'];

/**
 * [M2] The management scopes: Gatehouse's own (the /manage/v1 API), in every catalogue whatever
 * the operator's file says; granted by roles (admin: service accounts; owner: all three) and
 * carried by people's tokens, never by a service account.
 */
export const MANAGEMENT_SCOPE_CATALOGUE = [
  { scope: 'manage:service-accounts', description: "Manage the organization's service accounts and read its audit log (/manage/v1)." },
  { scope: 'manage:members', description: 'Invite people, change their roles and remove them (/manage/v1).' },
  { scope: 'manage:organization', description: 'Create and rename organizations (/manage/v1).' },
] as const;
export const MANAGEMENT_SCOPES = MANAGEMENT_SCOPE_CATALOGUE.map((s) => s.scope);
/** What each role adds of them. */
export const ROLE_MANAGEMENT_SCOPES: Record<Role, readonly ManagementScope[]> = {
  viewer: [],
  member: [],
  admin: ['manage:service-accounts'],
  owner: MANAGEMENT_SCOPES,
};
export type ManagementScope = (typeof MANAGEMENT_SCOPE_CATALOGUE)[number]['scope'];
const MANAGEMENT_SET = new Set<string>(MANAGEMENT_SCOPES);
export const isManagementScope = (s: string): s is ManagementScope => MANAGEMENT_SET.has(s);

export const ALL_SCOPES: readonly string[] = SCOPE_CATALOGUE.map((s) => s.scope);

/** Roles from least to most (§6); the names are on the wire, so the list lives in the contract. */
export { ROLES, type Role };
export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const roleAtLeast = (r: Role, min: Role): boolean => roleRank(r) >= roleRank(min);

/** Console capabilities beyond API scopes. */
export type Capability = 'service-accounts:manage' | 'audit-log:read' | 'members:manage' | 'org:manage';

const READ_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(':read'));
const WRITE_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(':write'));

/** The demo catalogue's role table (§6): what each role grants on the reference API. Each includes the one below. */
export const ROLE_SCOPES: Record<Role, readonly string[]> = {
  viewer: READ_SCOPES,
  member: [...READ_SCOPES, ...WRITE_SCOPES],
  admin: [...READ_SCOPES, ...WRITE_SCOPES],
  owner: [...READ_SCOPES, ...WRITE_SCOPES],
};

/**
 * What each role may do in the console, whatever the catalogue: console capabilities are
 * Gatehouse's own, not the operator's API scopes. Each role includes the one below.
 */
export const ROLE_CAPABILITIES: Record<Role, readonly Capability[]> = {
  viewer: [],
  member: [],
  admin: ['service-accounts:manage', 'audit-log:read'],
  owner: ['service-accounts:manage', 'audit-log:read', 'members:manage', 'org:manage'],
};

export const roleHas = (role: Role, capability: Capability): boolean => ROLE_CAPABILITIES[role].includes(capability);
