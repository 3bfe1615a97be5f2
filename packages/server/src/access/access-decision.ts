import { AccessCheck, roleTableOf, type Principal, type PrincipalKind, type Requirement, type RoleTable, type StateSource } from '@gatehouse/access';
import { ROLE_TABLE } from '../catalogue/scopes.js';
import type { Clock } from '../clock.js';
import type { SigningKeys } from '../tokens/signing-keys.js';
import type { PrincipalStates } from './principal-state.js';

export type { Principal, ServiceAccountPrincipal, UserPrincipal, Requirement } from '@gatehouse/access';

/** §6 as the access core reads it, built once from the catalogue's role table. */
const ROLE_SCOPES: RoleTable = roleTableOf(Object.fromEntries(Object.entries(ROLE_TABLE).map(([role, r]) => [role, r.scopes])));

/**
 * The server's door to the one access decision (ARCHITECTURE property 2, `@gatehouse/access`):
 * what is the server's own is where principal state comes from — the PrincipalStates cache, loaded
 * from the database and kept current by the change feed — and where the keys come from.
 */
export class AccessDecision {
  private readonly access: AccessCheck;

  constructor(
    keys: SigningKeys,
    states: PrincipalStates,
    private readonly clock: Clock,
    expect: { issuer: string; audience: string },
  ) {
    const source: StateSource = {
      assertFresh: () => states.assertFresh(),
      state: (kind: PrincipalKind, claims) =>
        kind === 'service_account'
          ? (states.peekServiceAccount(claims.sub) ?? states.serviceAccount(claims.sub))
          : (states.peekUser(claims.sub) ?? states.user(claims.sub)),
      roleTable: () => ROLE_SCOPES,
    };
    this.access = new AccessCheck({ ...expect, keys: (kid) => keys.publicKey(kid), states: source });
  }

  /**
   * The caller of this request, admitted for `requirement`, or an AccessDenial (401, 403, 404; a
   * stale state throws 503) that the error handler answers as RFC 6750 §3 says.
   */
  check(authorization: string | undefined, requirement: Requirement): Promise<Principal> {
    return this.access.check(authorization, requirement, this.clock.now().getTime());
  }
}
