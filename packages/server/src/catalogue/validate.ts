import type { Catalogue, CatalogueApi, CatalogueRoute, CatalogueScope } from '@gatehouse/access';
import { ROLES } from '@gatehouse/contract';
import { ConfigError } from '../config.js';

/**
 * A catalogue file that does not have the §12 shape; the message names the place [C2]. A
 * configuration error, so that a bad file stops the start with that one line (main.ts, the CLI).
 */
export class CatalogueError extends ConfigError {}

/** `<resource>:<action>`, the same pattern the console API accepts for scope names (contract ScopeName). */
const SCOPE_NAME = /^[a-z][a-z0-9.-]*:[a-z]+$/;
const API_ID = /^[a-z0-9-]+$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
/** RFC 3986 §3.3 pchar, without percent-encoding: literal segments are matched as written. */
const LITERAL = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type Obj = Record<string, unknown>;

/**
 * Checks a parsed catalogue file against the §12 shape, exactly: unknown keys, id and scope name
 * patterns, uniqueness (API ids, audiences, scope names across APIs), routes (method, template,
 * scope of their own API, `org:` naming a parameter, no two ambiguous), roles (the four names,
 * known scopes) and `demo`. Throws a CatalogueError naming the first problem's place, prefixed
 * with `source` (the file name), e.g. `catalogue.yaml: apis[0].routes[2].scope: ...`.
 */
export function validateCatalogue(raw: unknown, source: string): Catalogue {
  const fail = (place: string, problem: string): never => {
    throw new CatalogueError(`${source}: ${place ? `${place}: ` : ''}${problem}`);
  };
  const top = object(raw, '', fail);
  keys(top, '', ['apis', 'roles', 'demo'], fail);
  if (!Array.isArray(top.apis) || top.apis.length === 0) fail('apis', 'must be a non-empty list of APIs');
  const ids = new Set<string>();
  const audiences = new Set<string>();
  const scopeOwner = new Map<string, string>();
  const apis = (top.apis as unknown[]).map((rawApi, i): CatalogueApi => {
    const at = `apis[${i}]`;
    const api = object(rawApi, at, fail);
    keys(api, at, ['id', 'audience', 'description', 'scopes', 'routes'], fail);
    const id = api.id;
    if (typeof id !== 'string' || !API_ID.test(id)) fail(`${at}.id`, 'must match [a-z0-9-]+');
    if (ids.has(id as string)) fail(`${at}.id`, `"${id}" is the id of another API`);
    ids.add(id as string);
    const audience = checkAudience(api.audience, `${at}.audience`, fail);
    if (audiences.has(audience)) fail(`${at}.audience`, `"${audience}" is the audience of another API`);
    audiences.add(audience);
    if (api.description !== undefined && typeof api.description !== 'string') fail(`${at}.description`, 'must be a string');
    if (!Array.isArray(api.scopes) || api.scopes.length === 0) fail(`${at}.scopes`, 'must be a non-empty list of scopes');
    const scopes = (api.scopes as unknown[]).map((rawScope, j): CatalogueScope => {
      const sat = `${at}.scopes[${j}]`;
      const scope = object(rawScope, sat, fail);
      keys(scope, sat, ['name', 'description'], fail);
      const name = scope.name;
      if (typeof name !== 'string' || !SCOPE_NAME.test(name) || name.length > 64) fail(`${sat}.name`, 'must be <resource>:<action>, e.g. "orders:read"');
      const owner = scopeOwner.get(name as string);
      if (owner !== undefined) fail(`${sat}.name`, `"${name}" is already a scope of API "${owner}" (scope names are unique across APIs)`);
      scopeOwner.set(name as string, id as string);
      if (typeof scope.description !== 'string' || !scope.description.trim()) fail(`${sat}.description`, 'must be a non-empty string');
      return { name: name as string, description: scope.description as string };
    });
    if (api.routes !== undefined && !Array.isArray(api.routes)) fail(`${at}.routes`, 'must be a list of routes');
    const routes = ((api.routes as unknown[] | undefined) ?? []).map((rawRoute, k) =>
      checkRoute(rawRoute, `${at}.routes[${k}]`, id as string, new Set(scopes.map((s) => s.name)), fail),
    );
    checkAmbiguity(routes, at, fail);
    return { id: id as string, audience, ...(api.description !== undefined ? { description: api.description as string } : {}), scopes, routes };
  });
  const roles = checkRoles(top.roles, scopeOwner, fail);
  if (top.demo !== undefined && typeof top.demo !== 'boolean') fail('demo', 'must be true or false');
  return { apis, roles, demo: top.demo === true };
}

type Fail = (place: string, problem: string) => never;

function object(value: unknown, at: string, fail: Fail): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(at, 'must be a mapping (an object)');
  return value as Obj;
}

function keys(value: Obj, at: string, allowed: readonly string[], fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(at ? `${at}.${key}` : key, `unknown key (expected one of: ${allowed.join(', ')})`);
  }
}

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
function checkAudience(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string') return fail(at, 'must be an absolute URL, e.g. https://orders.example.com');
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || !/^[a-z][a-z0-9+.-]*:/i.test(value) || value.includes('#')) fail(at, `"${value}" is not an absolute URL without a fragment (RFC 8707 §2)`);
  return value;
}

function checkRoute(raw: unknown, at: string, apiId: string, apiScopes: ReadonlySet<string>, fail: Fail): CatalogueRoute {
  const route = object(raw, at, fail);
  keys(route, at, ['method', 'path', 'scope', 'org'], fail);
  const method = route.method;
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) fail(`${at}.method`, `must be one of ${[...METHODS].join(', ')}`);
  const path = route.path;
  if (typeof path !== 'string') return fail(`${at}.path`, 'must be a path template, e.g. "/orgs/{orgId}/orders"');
  const params = templateParams(path, `${at}.path`, fail);
  const scope = route.scope;
  if (typeof scope !== 'string') return fail(`${at}.scope`, 'must be a scope name');
  if (!apiScopes.has(scope)) fail(`${at}.scope`, `"${scope}" is not a scope of API "${apiId}"`);
  const org = route.org;
  if (org !== undefined && (typeof org !== 'string' || !params.includes(org))) {
    fail(`${at}.org`, `must name a parameter of the path (${params.length ? params.map((p) => `{${p}}`).join(', ') : 'it has none'})`);
  }
  return { method: (method as string).toUpperCase(), path, scope, ...(org !== undefined ? { org: org as string } : {}) };
}

/** The parameter names of a well-formed template: `/` + segments, each a literal or a whole `{param}`. */
function templateParams(path: string, at: string, fail: Fail): string[] {
  if (!path.startsWith('/')) fail(at, `"${path}" must start with /`);
  if (path === '/') return [];
  const params: string[] = [];
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') fail(at, `"${path}" has an empty segment (// or a trailing /)`);
    const param = PARAM.exec(segment)?.[1];
    if (param !== undefined) {
      if (params.includes(param)) fail(at, `"${path}" names {${param}} twice`);
      params.push(param);
    } else if (!LITERAL.test(segment)) {
      fail(at, `"${path}": segment "${segment}" must be a literal (letters, digits, - . _ ~ and the like) or a whole {param}`);
    }
  }
  return params;
}

/**
 * No precedence rules: two routes of one API with the same method are ambiguous when one request
 * path could match both (same number of segments, and at each position equal literals or a
 * `{param}` on either side). So `/v1/orders/{id}` and `/v1/orders/new` are refused together: a
 * gateway, the SDK and Gatehouse then never disagree about which scope a request needs.
 */
function checkAmbiguity(routes: readonly CatalogueRoute[], at: string, fail: Fail): void {
  const segments = (p: string) => (p === '/' ? [] : p.slice(1).split('/'));
  const isParam = (s: string) => s.startsWith('{');
  for (let a = 0; a < routes.length; a++) {
    for (let b = a + 1; b < routes.length; b++) {
      const ra = routes[a]!;
      const rb = routes[b]!;
      if (ra.method !== rb.method) continue;
      const sa = segments(ra.path);
      const sb = segments(rb.path);
      if (sa.length !== sb.length) continue;
      if (sa.every((s, i) => isParam(s) || isParam(sb[i]!) || s === sb[i])) {
        fail(`${at}.routes[${b}]`, `${rb.method} ${rb.path} is ambiguous with routes[${a}] ${ra.method} ${ra.path} (a request could match both)`);
      }
    }
  }
}

function checkRoles(raw: unknown, scopeOwner: ReadonlyMap<string, string>, fail: Fail): Catalogue['roles'] {
  const roles: Record<string, readonly string[]> = { viewer: [], member: [], admin: [], owner: [] };
  if (raw === undefined) return roles as Catalogue['roles'];
  const table = object(raw, 'roles', fail);
  keys(table, 'roles', ROLES, fail);
  for (const [role, scopes] of Object.entries(table)) {
    if (!Array.isArray(scopes)) fail(`roles.${role}`, 'must be a list of scope names');
    (scopes as unknown[]).forEach((scope, i) => {
      if (typeof scope !== 'string' || !scopeOwner.has(scope)) fail(`roles.${role}[${i}]`, `${JSON.stringify(scope)} is not a scope of any API`);
    });
    roles[role] = [...new Set(scopes as string[])];
  }
  return roles as Catalogue['roles'];
}
