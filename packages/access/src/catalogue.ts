/**
 * The operator's catalogue (SPEC §12), as the access core sees it once it is loaded and validated.
 * The server reads it from `GATEHOUSE_CATALOGUE` (YAML or JSON; the built-in demo catalogue
 * without one); forward authentication (§13) and the SDK verifier match requests against its
 * routes. Plain data, so that it can travel in the state feed.
 */
export interface CatalogueScope {
  /** `<resource>:<action>`, unique across the whole catalogue. */
  readonly name: string;
  readonly description: string;
}

export interface CatalogueRoute {
  /** Upper-case HTTP method (`GET`, `POST`, ...). */
  readonly method: string;
  /** A path template: literal segments and `{param}` segments, e.g. `/orgs/{orgId}/orders`. */
  readonly path: string;
  /** The scope a call on this route needs. */
  readonly scope: string;
  /** [C4] The path parameter that carries the organization ID; absent: service-account tokens only [B9]. */
  readonly org?: string;
}

export interface CatalogueApi {
  /** `[a-z0-9-]+`, unique. */
  readonly id: string;
  /** [C3] The `aud` of this API's tokens (RFC 8707 `resource`). */
  readonly audience: string;
  readonly description?: string;
  readonly scopes: readonly CatalogueScope[];
  readonly routes: readonly CatalogueRoute[];
}

export interface Catalogue {
  /** The first API's audience is the default `aud` [C3]. */
  readonly apis: readonly CatalogueApi[];
  /** What each role grants, per organization; also what people's tokens can carry. */
  readonly roles: Readonly<Record<'viewer' | 'member' | 'admin' | 'owner', readonly string[]>>;
  /** Also serve the reference API (§7). */
  readonly demo: boolean;
}
