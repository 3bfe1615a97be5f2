import { roleTableOf, type Catalogue, type CatalogueApi, type RoleTable } from '@gatehouse/access';
import { ApiError, InvalidTarget } from '../errors.js';

/**
 * The loaded catalogue (§12) as the server uses it: made once in the composition root
 * (gatehouse.ts) and passed to whoever needs scopes, audiences or the role table; never a
 * module-level singleton. The data itself is the access core's plain `Catalogue`.
 */
export class ScopeCatalogue {
  /** Every scope name of every API, in file order. */
  readonly scopes: readonly string[];
  /** §6/[C1] what each role grants, as the access core reads it. */
  readonly roleTable: RoleTable;
  readonly audiences: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly byAudience: ReadonlyMap<string, CatalogueApi>;
  private readonly apiOfScope: ReadonlyMap<string, CatalogueApi>;

  constructor(readonly data: Catalogue) {
    this.scopes = data.apis.flatMap((a) => a.scopes.map((s) => s.name));
    this.known = new Set(this.scopes);
    this.roleTable = roleTableOf(data.roles);
    this.audiences = data.apis.map((a) => a.audience);
    this.byAudience = new Map(data.apis.map((a) => [a.audience, a]));
    this.apiOfScope = new Map(data.apis.flatMap((a) => a.scopes.map((s) => [s.name, a] as const)));
  }

  get defaultApi(): CatalogueApi {
    return this.data.apis[0]!;
  }

  isKnown(scope: string): boolean {
    return this.known.has(scope);
  }

  /** [C2] [A9] Only the names the catalogue still has: a scope removed from the file stops working. */
  current(scopes: Iterable<string>): string[] {
    return [...scopes].filter((s) => this.known.has(s));
  }

  /** The API that owns a scope (scope names are unique across APIs). */
  apiOf(scope: string): CatalogueApi | undefined {
    return this.apiOfScope.get(scope);
  }

  /**
   * [C3] RFC 8707 §2: the API a token request's `resource` names; without one, the first API.
   * An unknown resource is `invalid_target`.
   */
  target(resource: string | undefined): CatalogueApi {
    if (resource === undefined) return this.defaultApi;
    const api = this.byAudience.get(resource);
    if (!api) throw new InvalidTarget('the resource is not the audience of any API here');
    return api;
  }

  /** Which of `scopes` belong to `api`. */
  scopesOf(api: CatalogueApi, scopes: Iterable<string>): string[] {
    return [...scopes].filter((s) => this.apiOfScope.get(s) === api);
  }

  /** A non-empty set drawn only from the catalogue ([A1], [B8]); 400 otherwise. */
  validScopes(scopes: readonly string[]): string[] {
    const unique = [...new Set(scopes)];
    if (unique.length === 0) throw new ApiError('invalid_request', 'scopes must not be empty');
    const unknown = unique.filter((s) => !this.known.has(s));
    if (unknown.length) throw new ApiError('invalid_request', `unknown scopes: ${unknown.join(', ')}`);
    return unique;
  }
}
