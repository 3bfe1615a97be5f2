import { parseBearer } from './bearer.js';
import { decide, type Requirement } from './decide.js';
import { verifyAccessToken, type JwtExpectations, type KeyLookup } from './jwt.js';
import { principalKind, type Principal, type PrincipalKind } from './principal.js';
import type { AccessTokenClaims } from './claims.js';
import type { PrincipalState, RoleTable } from './state.js';
import { VerifiedTokens } from './token-cache.js';

/**
 * Where principal state comes from: the one thing the server (its PrincipalStates cache) and a
 * resource server (the SDK's state-feed client) do differently.
 */
export interface StateSource {
  /** Throws (a 503) when the state cannot be trusted to be fresh: fail closed, never a 401. */
  assertFresh(): void;
  /** The principal's current state, synchronously when at hand; null/undefined when unknown. */
  state(kind: PrincipalKind, claims: AccessTokenClaims, nowMs: number): PrincipalState | null | undefined | Promise<PrincipalState | null | undefined>;
  /** §6 what each role grants, now. */
  roleTable(): RoleTable;
}

export interface AccessCheckOptions extends JwtExpectations {
  keys: KeyLookup;
  states: StateSource;
  /** Verified tokens kept (default 50,000); each is still decided against live state on every call. */
  cacheSize?: number;
}

/**
 * A request's Authorization header → the principal, or an AccessDenial (ARCHITECTURE property 2):
 * parse the bearer (RFC 6750 §2.1), verify the JWT unless this exact token was verified before,
 * require fresh state, then decide() against the principal's current state.
 */
export class AccessCheck {
  private readonly verified: VerifiedTokens;
  private readonly expect: JwtExpectations;

  constructor(private readonly options: AccessCheckOptions) {
    this.verified = new VerifiedTokens(options.cacheSize);
    this.expect = { issuer: options.issuer, audience: options.audience };
  }

  async check(authorization: string | undefined, requirement: Requirement, nowMs: number): Promise<Principal> {
    const token = parseBearer(authorization);
    const nowSeconds = Math.floor(nowMs / 1000);
    const entry =
      this.verified.get(token, nowSeconds) ?? this.verified.add(token, await verifyAccessToken(token, this.options.keys, this.expect, nowSeconds), nowSeconds);
    const { states } = this.options;
    states.assertFresh();
    const kind = principalKind(entry.claims);
    const found = kind ? states.state(kind, entry.claims, nowMs) : undefined;
    const state = found instanceof Promise ? await found : found;
    const decision = decide(entry.claims, state, states.roleTable(), requirement, nowMs, entry);
    if (!decision.allowed) throw decision.denial;
    return decision.principal;
  }
}
