import { roleTableOf, type Catalogue, type CatalogueApi, type RoleTable } from '@gatehouse/access';
import { ApiError, InvalidTarget } from '../errors.js';
import { isManagementScope, MANAGEMENT_SCOPES, ROLE_MANAGEMENT_SCOPES } from './scopes.js';

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
    // [M2] Gatehouse's management scopes join every catalogue. They travel in tokens for the first
    // API (the default audience), so a person's token without `resource` can use /manage/v1.
    this.scopes = [...data.apis.flatMap((a) => a.scopes.map((s) => s.name)), ...MANAGEMENT_SCOPES];
    this.known = new Set(this.scopes);
    const { viewer, member, admin, owner } = data.roles;
    const withManagement = (role: keyof typeof ROLE_MANAGEMENT_SCOPES, scopes: readonly string[]) => [...scopes, ...ROLE_MANAGEMENT_SCOPES[role]];
    this.roleTable = roleTableOf({
      viewer: withManagement('viewer', viewer),
      member: withManagement('member', member),
      admin: withManagement('admin', admin),
      owner: withManagement('owner', owner),
    });
    this.audiences = data.apis.map((a) => a.audience);
    this.byAudience = new Map(data.apis.map((a) => [a.audience, a]));
    const first = data.apis[0]!;
    this.apiOfScope = new Map([...data.apis.flatMap((a) => a.scopes.map((s) => [s.name, a] as const)), ...MANAGEMENT_SCOPES.map((s) => [s, first] as const)]);
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

  /** [A1] [M2] A service account's scopes: from the catalogue, and never a management scope (400). */
  validServiceAccountScopes(scopes: readonly string[]): string[] {
    const valid = this.validScopes(scopes);
    const management = valid.filter(isManagementScope);
    if (management.length) {
      throw new ApiError('invalid_request', `management scopes are for people's tokens only, never a service account's: ${management.join(', ')}`);
    }
    return valid;
  }
}
