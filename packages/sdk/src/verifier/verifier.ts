import {
  AccessCheck,
  AccessDenial,
  RouteMatcher,
  routeNotDeclared,
  stateUnavailable,
  type AccessTokenClaims,
  type CatalogueApi,
  type CatalogueRoute,
  type Principal,
  type PrincipalKind,
  type PrincipalState,
  type Requirement,
  type StateSource,
} from '@gatehouse/access';
import { AccessDenied } from '../errors.js';
import { jwksUriOf, stateFeedUrlOf } from '../http.js';
import { KeySet } from './jwks.js';
import { StateFeedClient, type StateFeedEvent } from './state-feed.js';

export type { Principal, ServiceAccountPrincipal, UserPrincipal } from '@gatehouse/access';

/**
 * What a route requires (the access core's Requirement): `scope`, the scope the call needs (403
 * insufficient_scope without it); `orgId`, the organization the call is about (an
 * `/orgs/{orgId}/...` path) — with it people are admitted by their current role there and service
 * accounts of that organization by scope, anything else 404 (§5); without it only service-account
 * tokens are accepted, as on Gatehouse's `/api/v1` [B9].
 */
export type RequireOptions = Requirement;

/** A request admitted by its catalogue route: who, by which route, with which path parameters. */
export interface RouteDecision {
  readonly principal: Principal;
  readonly route: CatalogueRoute;
  readonly params: Readonly<Record<string, string>>;
}

export interface VerifierOptions {
  /** Gatehouse's issuer (the `iss` of its tokens), e.g. `https://gatehouse.example.com`. */
  issuer: string;
  /** The `aud` to require (default: the `routes` API's audience, else the issuer, as Gatehouse's default GATEHOUSE_AUDIENCE). */
  audience?: string;
  /**
   * §12 This service's API from the catalogue: its routes decide every request (`verifyRequest`,
   * and the adapters when given no `scope`/`orgId`): the route's scope, its organization parameter
   * [C4], its audience [C3]; a request no route matches is 403 (deny by default).
   */
  routes?: CatalogueApi;
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

/**
 * Gatehouse's access decision, made locally by a resource server (ARCHITECTURE property 2). The
 * decision is the access core's (`@gatehouse/access`), the very one the server makes; what is
 * the verifier's own is where keys and principal state come from: the JWKS, and the server's
 * state feed, so a console change holds here as soon as the feed delivers it (well under a second).
 */
export class Verifier {
  private readonly keys: KeySet;
  private readonly feed: StateFeedClient;
  private readonly staleAfterMs: number;
  private readonly access: AccessCheck;
  private readonly now: () => number;
  private readonly matcher: RouteMatcher | null;
  /** [C3] The `aud` a token must carry to be admitted here. */
  readonly audience: string;

  constructor(options: VerifierOptions) {
    if (!options.feedCredential) throw new TypeError('feedCredential is required');
    const issuer = options.issuer.replace(/\/+$/, '');
    this.audience = options.audience ?? options.routes?.audience ?? issuer;
    if (options.routes && options.routes.audience !== this.audience) {
      throw new TypeError(`audience ${this.audience} is not the audience of API ${options.routes.id} (${options.routes.audience})`);
    }
    // The same matcher as Gatehouse's forward authentication (§13), compiled once.
    this.matcher = options.routes ? new RouteMatcher({ apis: [options.routes] }) : null;
    const url = options.url ?? issuer;
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.now = options.now ?? Date.now;
    const monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.keys = new KeySet(jwksUriOf(url), {
      ...(options.jwksCooldownMs !== undefined ? { cooldownMs: options.jwksCooldownMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      monotonicMs,
    });
    const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(this.staleAfterMs / 4));
    this.feed = new StateFeedClient({
      feedUrl: stateFeedUrlOf(url),
      credential: options.feedCredential,
      heartbeatMs,
      // Three missed heartbeats: reconnect (resuming by cursor), before the stale bound if it can.
      reconnectAfterSilentMs: heartbeatMs * 3,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      monotonicMs,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    const states: StateSource = {
      assertFresh: () => {
        if (!this.fresh) throw stateUnavailable('access decisions are paused: the Gatehouse state feed is silent; retry shortly');
      },
      state: (kind, claims, nowMs) => this.state(kind, claims, nowMs),
      roleTable: () => this.feed.roleScopes,
    };
    this.access = new AccessCheck({
      issuer,
      audience: this.audience,
      states,
      keys: (kid) => this.keys.get(kid) ?? this.keys.resolve(kid),
      ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}),
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
    try {
      return await this.access.check(authorization, require, this.now());
    } catch (err) {
      throw err instanceof AccessDenial ? AccessDenied.from(err) : err;
    }
  }

  /** Whether this verifier decides by a route table (`routes` given). */
  get hasRoutes(): boolean {
    return this.matcher !== null;
  }

  /**
   * Decides a request by the catalogue route its method and URL (origin-form, query ignored) fall
   * on, exactly as Gatehouse's forward authentication does: no route, 403 access_denied; else the
   * route's scope, organization parameter and the API's audience, as `verify` decides them.
   */
  async verifyRequest(method: string, url: string, authorization: string | undefined): Promise<RouteDecision> {
    if (!this.matcher) throw new TypeError('verifyRequest needs the verifier to be created with `routes`');
    const match = this.matcher.match(method, url);
    if (!match) throw AccessDenied.from(routeNotDeclared());
    const { route, params } = match;
    const orgId = route.org === undefined ? undefined : params[route.org];
    const principal = await this.verify(authorization, { scope: route.scope, audience: this.audience, ...(orgId === undefined ? {} : { orgId }) });
    return { principal, route, params };
  }

  /** The principal's state from the feed, synchronously when it is there. */
  private state(kind: PrincipalKind, claims: AccessTokenClaims, nowMs: number): PrincipalState | undefined | Promise<PrincipalState | undefined> {
    const map = kind === 'service_account' ? this.feed.accounts : this.feed.users;
    return map.get(claims.sub) ?? this.lookup(kind, claims, nowMs);
  }

  /**
   * A principal not in the state yet may have been created a moment ago, its change still on the
   * wire: for a freshly minted token, wait briefly for the feed before calling it unknown.
   */
  private async lookup(kind: PrincipalKind, claims: AccessTokenClaims, nowMs: number): Promise<PrincipalState | undefined> {
    const map = () => (kind === 'service_account' ? this.feed.accounts : this.feed.users);
    if (claims.iat * 1000 < nowMs - 10_000) return undefined;
    // Known to be deleted: no reason to wait.
    if (this.feed.deleted(kind, claims.sub)) return undefined;
    await this.feed.waitFor(claims.sub, 1000);
    return map().get(claims.sub);
  }
}

/** Creates a verifier; call `start()` before serving (it waits for the keys and the first snapshot). */
export const createVerifier = (options: VerifierOptions): Verifier => new Verifier(options);
