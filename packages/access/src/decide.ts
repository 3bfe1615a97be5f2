import type { AccessTokenClaims } from './claims.js';
import { AccessDenial, insufficientScope, invalidToken, organizationNotFound } from './denial.js';
import { audienceMatches } from './jwt.js';
import { principalKind, type Principal, type ServiceAccountPrincipal, type UserPrincipal } from './principal.js';
import { isActive, type PrincipalState, type RoleTable, type ServiceAccountState, type UserState } from './state.js';

/**
 * What a route requires of its caller. An object, so that later rules (an API's audience, a
 * catalogue route rule) join as optional fields without reshaping decide().
 */
export interface Requirement {
  /** The scope the call needs: 403 insufficient_scope naming it, without it (§5). */
  readonly scope?: string;
  /**
   * The organization the call is about (an `/orgs/{orgId}/...` path). With it, people are admitted
   * by their current role there [B6] and service accounts in their own organization only; any
   * other caller gets 404 (§5). Without it only service-account tokens are accepted [B9].
   */
  readonly orgId?: string;
  /**
   * Only this kind of principal is admitted (401 for the other): the management API (SPEC [M1])
   * takes people's tokens only. For people without `orgId`, `scope` is checked against the token's
   * own scopes: what a person may do outside an organization is not a role's to grant.
   */
  readonly subject?: 'user' | 'service_account';
  /**
   * [C3] The audience of the API the route belongs to: a token issued for another API of the
   * catalogue is refused here (401 invalid_token, RFC 6750 §3.1), whatever scopes it carries.
   */
  readonly audience?: string;
}

export type Decision =
  | { readonly allowed: true; readonly principal: Principal; readonly scopes: ReadonlySet<string> }
  | { readonly allowed: false; readonly denial: AccessDenial };

/**
 * Where the last principal decided for a token is kept, with the state and role table it was decided
 * from (the verified-token cache entry). It only saves work: a memo is used only while both are the
 * very same objects, and every rule that moves with the clock is checked on every call.
 */
export interface DecisionMemo {
  decidedFrom: PrincipalState | undefined;
  roleTable: RoleTable | undefined;
  principal: Principal | undefined;
}

const deny = (denial: AccessDenial): Decision => ({ allowed: false, denial });

/**
 * The access decision (ARCHITECTURE property 2), pure: verified claims, the principal's current
 * state (undefined/null: unknown or deleted), the role table, what the route requires, and the time.
 */
export function decide(
  claims: AccessTokenClaims,
  state: PrincipalState | null | undefined,
  roleTable: RoleTable,
  requirement: Requirement,
  nowMs: number,
  memo?: DecisionMemo,
): Decision {
  const kind = principalKind(claims);
  let principal: Principal | AccessDenial;
  if (kind === 'service_account') principal = serviceAccount(claims, state as ServiceAccountState | null | undefined, nowMs, memo);
  else if (kind === 'user') principal = user(claims, state as UserState | null | undefined, roleTable, memo);
  else principal = invalidToken(undefined, 'unknown kind of subject');
  if (principal instanceof AccessDenial) return deny(principal);
  return admit(principal, requirement);
}

/** The requirement, given the principal: 401 (audience, [B9]), then 404 (§5), then 403 (§5). */
export function admit(principal: Principal, requirement: Requirement): Decision {
  if (requirement.audience !== undefined && !audienceMatches(principal.claims.aud, requirement.audience)) {
    return deny(invalidToken(undefined, 'the token was issued for another API'));
  }
  let scopes: ReadonlySet<string> | null;
  // [M1] A door for one kind of caller refuses the other as unauthenticated, before any 404.
  if (requirement.subject !== undefined && principal.type !== requirement.subject) {
    return deny(invalidToken(requirement.subject === 'user' ? 'this API accepts personal access tokens only' : 'this API accepts service-account tokens only'));
  }
  if (requirement.orgId !== undefined) {
    scopes = principal.type === 'service_account' ? (principal.orgId === requirement.orgId ? principal.scopes : null) : principal.scopesIn(requirement.orgId);
    if (!scopes) return deny(organizationNotFound());
  } else if (requirement.subject === 'user' && principal.type === 'user') {
    scopes = new Set(principal.claims.scope.split(' '));
  } else {
    // [B9] Outside organization paths (`/api/v1/...`) only service-account tokens are accepted.
    if (principal.type !== 'service_account') return deny(invalidToken('this API accepts service-account tokens only'));
    scopes = principal.scopes;
  }
  if (requirement.scope !== undefined && !scopes.has(requirement.scope)) return deny(insufficientScope(requirement.scope));
  return { allowed: true, principal, scopes };
}

function serviceAccount(
  claims: AccessTokenClaims,
  account: ServiceAccountState | null | undefined,
  nowMs: number,
  memo: DecisionMemo | undefined,
): ServiceAccountPrincipal | AccessDenial {
  if (!account || account.orgId !== claims.org_id) return invalidToken('the service account no longer exists');
  // [A7] [A8] Checked on every call, remembered decision or not: expiry moves with the clock.
  if (!isActive(account, nowMs)) return invalidToken('the service account is disabled or expired');
  if (memo && memo.decidedFrom === account && memo.principal) return memo.principal as ServiceAccountPrincipal;
  // [A7] A disable moves the epoch on: tokens from before it never work again, even re-enabled.
  if (claims.epoch !== account.tokenEpoch) return invalidToken('the access token was revoked');
  const principal: ServiceAccountPrincipal = {
    type: 'service_account',
    id: account.id,
    name: account.name,
    orgId: account.orgId,
    tokenId: claims.jti,
    claims,
    // [A9] Only the scopes the token was issued with that the account still holds.
    scopes: new Set(claims.scope.split(' ').filter((s) => account.scopes.has(s))),
  };
  if (memo) Object.assign(memo, { decidedFrom: account, roleTable: undefined, principal });
  return principal;
}

function user(
  claims: AccessTokenClaims,
  state: UserState | null | undefined,
  roleTable: RoleTable,
  memo: DecisionMemo | undefined,
): UserPrincipal | AccessDenial {
  if (!state) return invalidToken('the user no longer exists');
  if (memo && memo.decidedFrom === state && memo.roleTable === roleTable && memo.principal) return memo.principal as UserPrincipal;
  // [B7] A deactivation moves the epoch on: older tokens never work again.
  if (state.deactivated || claims.epoch !== state.tokenEpoch) return invalidToken('the user is deactivated or the token was revoked');
  const ceiling = new Set(claims.scope.split(' '));
  const orgs = claims.orgs ? new Set(claims.orgs) : null;
  const byRole = new Map<string, ReadonlySet<string>>();
  const principal: UserPrincipal = {
    type: 'user',
    id: state.id,
    name: state.email,
    tokenId: claims.jti,
    claims,
    scopesIn(orgId) {
      // [B6] the role held now; [B8] a token narrowed to other organizations reaches none here.
      const role = state.roles.get(orgId);
      if (role === undefined || (orgs && !orgs.has(orgId))) return null;
      let scopes = byRole.get(role);
      // [B8] never more than the token's own scopes, whatever the role grants.
      if (!scopes) {
        scopes = new Set([...(roleTable.get(role) ?? [])].filter((s) => ceiling.has(s)));
        byRole.set(role, scopes);
      }
      return scopes;
    },
  };
  if (memo) Object.assign(memo, { decidedFrom: state, roleTable, principal });
  return principal;
}
