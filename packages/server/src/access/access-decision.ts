import { AccessCheck, type Principal, type PrincipalKind, type Requirement, type StateSource } from '@gatehouse/access';
import type { ScopeCatalogue } from '../catalogue/catalogue.js';
import type { Clock } from '../clock.js';
import type { SigningKeys } from '../tokens/signing-keys.js';
import type { PrincipalStates } from './principal-state.js';

export type { Principal, ServiceAccountPrincipal, UserPrincipal, Requirement } from '@gatehouse/access';

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
    issuer: string,
    private readonly catalogue: ScopeCatalogue,
  ) {
    const source: StateSource = {
      assertFresh: () => states.assertFresh(),
      state: (kind: PrincipalKind, claims) =>
        kind === 'service_account'
          ? (states.peekServiceAccount(claims.sub) ?? states.serviceAccount(claims.sub))
          : (states.peekUser(claims.sub) ?? states.user(claims.sub)),
      // [C1] [C2] the loaded catalogue's role table: only scopes the catalogue has.
      roleTable: () => catalogue.roleTable,
    };
    // [C3] a token for any API of the catalogue verifies; which API a route needs is the requirement's.
    this.access = new AccessCheck({ issuer, audience: catalogue.audiences, keys: (kid) => keys.publicKey(kid), states: source });
  }

  /**
   * The caller of this request, admitted for `requirement`, or an AccessDenial (401, 403, 404; a
   * stale state throws 503) that the error handler answers as RFC 6750 §3 says.
   */
  check(authorization: string | undefined, requirement: Requirement): Promise<Principal> {
    // [C3] A route that names only a scope belongs to the API owning that scope (scope names are
    // unique across APIs): a token for another API is refused there even with a forged scope list.
    const audience = requirement.audience ?? (requirement.scope !== undefined ? this.catalogue.apiOf(requirement.scope)?.audience : undefined);
    return this.access.check(authorization, audience === undefined ? requirement : { ...requirement, audience }, this.clock.now().getTime());
  }
}
