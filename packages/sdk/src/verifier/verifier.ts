import { AccessDenied } from '../errors.js';
import { jwksUriOf, stateFeedUrlOf } from '../http.js';
import { KeySet } from './jwks.js';
import { checkClaims, invalid, parseJwt, signatureValid, type AccessTokenClaims } from './jwt.js';
import { StateFeedClient, type ServiceAccountState, type StateFeedEvent, type UserState } from './state-feed.js';

/** A service account calling, as decided at the moment of this call. */
export interface ServiceAccountPrincipal {
  type: 'service_account';
  id: string;
  name: string;
  orgId: string;
  /** [A9] The scopes this call may use: those the token carries that the account still holds. */
  scopes: ReadonlySet<string>;
  tokenId: string;
  claims: Readonly<AccessTokenClaims>;
}

/** A person calling with an access token minted from their refresh token. */
export interface UserPrincipal {
  type: 'user';
  id: string;
  name: string;
  tokenId: string;
  claims: Readonly<AccessTokenClaims>;
  /**
   * [B6] [B8] The scopes this call may use in `orgId`: the token's scopes that the user's current
   * role there grants; null when the user holds no role there or the token was narrowed elsewhere.
   */
  scopesIn(orgId: string): ReadonlySet<string> | null;
}

export type Principal = ServiceAccountPrincipal | UserPrincipal;

/** What a route requires. */
export interface RequireOptions {
  /** The scope this call needs (403 insufficient_scope without it). */
  scope?: string;
  /**
   * The organization the call is about (an `/orgs/{orgId}/...` path). With it, users are admitted
   * by their current role there and service accounts of that organization by scope; an
   * organization the caller holds nothing in is 404 (§5). Without it only service-account tokens
   * are accepted, as on Gatehouse's `/api/v1` [B9].
   */
  orgId?: string;
}

export interface VerifierOptions {
  /** Gatehouse's issuer (the `iss` of its tokens), e.g. `https://gatehouse.example.com`. */
  issuer: string;
  /** The `aud` to require (default: the issuer, as Gatehouse's default GATEHOUSE_AUDIENCE). */
  audience?: string;
  /** Where to reach Gatehouse, if not at the issuer URL (a private address, a proxy). */
  url?: string;
  /** The operator-issued resource-server credential for the state feed (`gatehouse resource-server credential`). */
  feedCredential: string;
  /**
   * Fail closed: when the state feed has said nothing (not even a heartbeat) for longer than this,
   * every verification answers 503 instead of trusting state that may miss a disable (default 5 s).
   */
  staleAfterMs?: number;
  /** Heartbeat interval asked of the server (default: a quarter of staleAfterMs, at least 100 ms). */
  heartbeatMs?: number;
  /** JWKS refetch cooldown for unknown `kid`s (default 30 s). */
  jwksCooldownMs?: number;
  /** Verified tokens kept (default 50,000); each is checked against the live state on every call. */
  cacheSize?: number;
  /** Injected for tests: epoch ms for token expiry, monotonic ms for feed silence, fetch. */
  now?: () => number;
  monotonicMs?: () => number;
  fetch?: typeof fetch;
  onEvent?: (event: StateFeedEvent) => void;
}

interface Verified {
  token: string;
  claims: AccessTokenClaims;
  /** The principal decided for this token and the state object it was decided from. */
  decidedFrom: ServiceAccountState | UserState | null;
  principal: Principal | null;
}

/**
 * Gatehouse's access decision, made locally by a resource server (ARCHITECTURE property 2):
 * the JWT is verified here (ES256, typ at+jwt, issuer, audience, expiry; keys from the JWKS),
 * then checked against the principal's live state from the server's state feed — deleted,
 * disabled, expired, deactivated, the token epoch, current scopes and current roles — on every
 * call, so a console change holds here as soon as the feed delivers it (well under a second).
 * A repeated token costs a map lookup and the state check; a new one an ECDSA verify.
 */
export class Verifier {
  private readonly issuer: string;
  private readonly audience: string;
  private readonly keys: KeySet;
  private readonly feed: StateFeedClient;
  private readonly staleAfterMs: number;
  private readonly cacheSize: number;
  private readonly verified = new Map<string, Verified>();
  private readonly now: () => number;

  constructor(options: VerifierOptions) {
    if (!options.feedCredential) throw new TypeError('feedCredential is required');
    this.issuer = options.issuer.replace(/\/+$/, '');
    this.audience = options.audience ?? this.issuer;
    const url = options.url ?? this.issuer;
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.cacheSize = options.cacheSize ?? 50_000;
    this.now = options.now ?? Date.now;
    const monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.keys = new KeySet(jwksUriOf(url), {
      ...(options.jwksCooldownMs !== undefined ? { cooldownMs: options.jwksCooldownMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}), monotonicMs,
    });
    const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(this.staleAfterMs / 4));
    this.feed = new StateFeedClient({
      feedUrl: stateFeedUrlOf(url), credential: options.feedCredential, heartbeatMs,
      // Three missed heartbeats: reconnect (resuming by cursor), before the stale bound if it can.
      reconnectAfterSilentMs: heartbeatMs * 3,
      ...(options.fetch ? { fetch: options.fetch } : {}), monotonicMs,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  }

  /**
   * Connects the state feed and fetches the keys; resolves once the first snapshot is in. After
   * `timeoutMs` without one it rejects but keeps trying in the background (verifications answer
   * 503 meanwhile); `close()` stops it.
   */
  async start(timeoutMs = 10_000): Promise<void> {
    this.feed.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the Gatehouse state feed sent no snapshot within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.feed.ready, this.keys.refresh().catch(() => {})]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.feed.stop();
  }

  /** Whether verifications would be answered now rather than refused with 503. */
  get fresh(): boolean {
    return this.feed.silentMs() <= this.staleAfterMs;
  }

  /**
   * The framework-free check: `authorization` is the request's Authorization header. Resolves to
   * the principal, or rejects with AccessDenied (401, 403, 404 or 503) ready to be answered.
   */
  async verify(authorization: string | undefined, require: RequireOptions = {}): Promise<Principal> {
    const principal = await this.authenticate(authorization);
    let scopes: ReadonlySet<string> | null;
    if (require.orgId !== undefined) {
      scopes = principal.type === 'service_account' ? (principal.orgId === require.orgId ? principal.scopes : null) : principal.scopesIn(require.orgId);
      if (!scopes) throw new AccessDenied(404, 'not_found', 'organization not found');
    } else {
      if (principal.type !== 'service_account') throw invalid('this API accepts service-account tokens only');
      scopes = principal.scopes;
    }
    if (require.scope && !scopes.has(require.scope)) {
      throw new AccessDenied(403, 'insufficient_scope', `this call needs the scope ${require.scope}`, require.scope);
    }
    return principal;
  }

  /** Token → principal, with no route requirement (RFC 6750 §2.1 header; ARCHITECTURE property 2). */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const nowMs = this.now();
    const entry = await this.verifiedToken(token, Math.floor(nowMs / 1000));
    if (this.feed.silentMs() > this.staleAfterMs) {
      throw new AccessDenied(503, 'temporarily_unavailable', 'access decisions are paused: the Gatehouse state feed is silent; retry shortly');
    }
    const { claims } = entry;
    if (claims.sub.startsWith('svc_') && claims.org_id) return this.serviceAccount(entry, nowMs);
    if (claims.sub.startsWith('usr_')) return this.user(entry, nowMs);
    throw invalid();
  }

  private async verifiedToken(token: string, nowSeconds: number): Promise<Verified> {
    const key = token.slice(token.lastIndexOf('.') + 1);
    const cached = this.verified.get(key);
    if (cached && cached.token === token) {
      if (cached.claims.exp > nowSeconds) return cached;
      this.verified.delete(key);
      throw invalid('the access token has expired');
    }
    const jwt = parseJwt(token);
    const publicKey = this.keys.get(jwt.kid) ?? (await this.keys.resolve(jwt.kid));
    if (!publicKey || !signatureValid(jwt, publicKey)) throw invalid();
    const claims = checkClaims(jwt, { issuer: this.issuer, audience: this.audience }, nowSeconds);
    if (this.verified.size >= this.cacheSize) this.evict(nowSeconds);
    const entry: Verified = { token, claims, decidedFrom: null, principal: null };
    this.verified.set(key, entry);
    return entry;
  }

  /**
   * A principal not in the state yet may have been created a moment ago, its change still on the
   * wire: for a freshly minted token, wait briefly for the feed before calling it unknown.
   */
  private async lookup<T>(map: () => Map<string, T>, claims: AccessTokenClaims, nowMs: number): Promise<T | undefined> {
    const found = map().get(claims.sub);
    if (found || claims.iat * 1000 < nowMs - 10_000) return found;
    // Known to be deleted: no reason to wait.
    if (this.feed.deleted(claims.sub.startsWith('svc_') ? 'service_account' : 'user', claims.sub)) return undefined;
    await this.feed.waitFor(claims.sub, 1000);
    return map().get(claims.sub);
  }

  private async serviceAccount(entry: Verified, nowMs: number): Promise<ServiceAccountPrincipal> {
    const { claims } = entry;
    const account = this.feed.accounts.get(claims.sub) ?? (await this.lookup(() => this.feed.accounts, claims, nowMs));
    if (!account || account.orgId !== claims.org_id) throw invalid('the service account no longer exists');
    // [A8] checked on every call, cached decision or not: expiry moves with the clock.
    if (account.disabled || (account.expiresAt !== null && account.expiresAt <= nowMs)) throw invalid('the service account is disabled or expired');
    if (entry.decidedFrom === account) return entry.principal as ServiceAccountPrincipal;
    // [A7] a disable moves the epoch on: tokens from before it never work again.
    if (claims.epoch !== account.tokenEpoch) throw invalid('the access token was revoked');
    const principal: ServiceAccountPrincipal = {
      type: 'service_account', id: account.id, name: account.name, orgId: account.orgId,
      scopes: new Set(claims.scope.split(' ').filter((s) => account.scopes.has(s))), tokenId: claims.jti, claims,
    };
    entry.decidedFrom = account;
    entry.principal = principal;
    return principal;
  }

  private async user(entry: Verified, nowMs: number): Promise<UserPrincipal> {
    const { claims } = entry;
    const user = this.feed.users.get(claims.sub) ?? (await this.lookup(() => this.feed.users, claims, nowMs));
    if (!user) throw invalid('the user no longer exists');
    if (entry.decidedFrom === user) return entry.principal as UserPrincipal;
    // [B7] deactivation moves the epoch on: older tokens never work again.
    if (user.deactivated || claims.epoch !== user.tokenEpoch) throw invalid('the user is deactivated or the token was revoked');
    const ceiling = new Set(claims.scope.split(' '));
    const orgs = claims.orgs ? new Set(claims.orgs) : null;
    const roleScopes = this.feed.roleScopes;
    const byRole = new Map<string, ReadonlySet<string>>();
    const principal: UserPrincipal = {
      type: 'user', id: user.id, name: user.name, tokenId: claims.jti, claims,
      scopesIn(orgId) {
        const role = user.roles.get(orgId);
        if (!role || (orgs && !orgs.has(orgId))) return null;
        let scopes = byRole.get(role);
        if (!scopes) byRole.set(role, (scopes = new Set([...(roleScopes.get(role) ?? [])].filter((s) => ceiling.has(s)))));
        return scopes;
      },
    };
    entry.decidedFrom = user;
    entry.principal = principal;
    return principal;
  }

  private evict(nowSeconds: number): void {
    for (const [k, v] of this.verified) if (v.claims.exp <= nowSeconds) this.verified.delete(k);
    if (this.verified.size >= this.cacheSize) {
      let n = Math.ceil(this.cacheSize / 2);
      for (const k of this.verified.keys()) {
        if (n-- <= 0) break;
        this.verified.delete(k);
      }
    }
  }
}

/** RFC 6750 §2.1 `Authorization: Bearer <token>`. */
function bearerToken(header: string | undefined): string {
  if (!header) throw invalid('a bearer token is required');
  const token = header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7).trimStart() : '';
  if (!token || token.includes(' ')) throw invalid('the Authorization header must be a bearer token');
  return token;
}

/** Creates a verifier; call `start()` before serving (it waits for the keys and the first snapshot). */
export const createVerifier = (options: VerifierOptions): Verifier => new Verifier(options);
