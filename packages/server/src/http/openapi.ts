import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { TOKEN_ENDPOINT_DOCS } from '../tokens/openapi-docs.js';

/**
 * [M4] The OpenAPI document is completed here, in one place, for every route present and future:
 * an operationId derived from method + URL, a summary derived from them when the route gives none,
 * security declared per operation from the path prefix, error responses, the issuer as `servers`.
 * Tags must be declared below with a description (test/http/openapi.test.ts fails otherwise).
 */
export const TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'oauth', description: 'Token endpoint (RFC 6749), revocation (RFC 7009), discovery (RFC 8414) and signing keys (RFC 7517).' },
  { name: 'operations', description: 'Liveness and readiness probes for supervisors and load balancers.' },
  { name: 'console: session', description: 'Console sign-in and the signed-in person (session cookie; X-CSRF-Token on writes).' },
  { name: 'console: organizations', description: 'Organizations and their members, as the console manages them.' },
  { name: 'console: invitations', description: 'Inviting people into an organization and accepting an invitation.' },
  { name: 'console: personal API tokens', description: "A person's refresh tokens for the CLI and automation (§3)." },
  { name: 'console: service accounts', description: 'Service accounts (credential model A, §2): create, rotate, disable, delete.' },
  { name: 'console: audit', description: "An organization's audit log." },
  { name: 'reference api', description: 'The demo resource server protected by Gatehouse access tokens (§7).' },
  { name: 'sbom', description: 'SBOM buckets of the reference API, scoped per organization.' },
  { name: 'resource servers', description: 'Principal state feed for resource servers that verify tokens themselves.' },
  { name: 'management', description: 'The management API: what the console does, for a person’s bearer token (§14).' },
  { name: 'manage: organizations', description: 'Organizations and their members, for a person’s bearer token ([M1]).' },
  { name: 'manage: invitations', description: 'Inviting people into an organization, for a person’s bearer token ([M1]).' },
  { name: 'manage: service accounts', description: 'Service accounts, for a person’s bearer token ([M1]).' },
  { name: 'manage: audit', description: 'An organization’s audit log, for a person’s bearer token ([M1]).' },
  { name: 'manage: audit streams', description: 'Streaming an organization’s audit log, for a person’s bearer token ([M1] [E4]).' },
  { name: 'console: passwords', description: 'Changing and resetting a password ([P4] [P5]).' },
  { name: 'console: second factors', description: 'TOTP, passkeys, recovery codes and the second step of sign-in ([P6]).' },
  { name: 'console: audit streams', description: "Streaming an organization's audit log to an HTTPS endpoint ([E4])." },
  { name: 'webhooks', description: "A service account's webhook subscriptions and their deliveries ([E1]–[E3])." },
];

export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from the token endpoint (RFC 6750).' },
  consoleSession: { type: 'apiKey', in: 'cookie', name: 'gatehouse_session', description: 'The console session cookie, set by signing in.' },
  csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: "The session's CSRF token, required on every console write (§8)." },
  clientSecretBasic: { type: 'http', scheme: 'basic', description: 'client_secret_basic (RFC 6749 §2.3.1); client_secret_post sends the same in the body.' },
} as const;

type Security = Array<Record<string, string[]>>;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NONE: Security = [];

/** Who may call `method url`, by path prefix; the route's own `schema.security` wins when given. */
export function securityFor(method: string, url: string, config: { session?: string } | undefined): Security {
  if (url.startsWith('/console/api/')) {
    if (config?.session === 'none') return NONE;
    return SAFE_METHODS.has(method) ? [{ consoleSession: [] }] : [{ consoleSession: [], csrfToken: [] }];
  }
  // RFC 6749 §2.3.1: Basic, or client_secret_post in the body (the empty alternative); a refresh token is its own proof.
  if (url === '/api/v1/auth/token') return [{ clientSecretBasic: [] }, {}];
  if (url === '/api/v1/auth/revoke') return NONE;
  if (/^\/(api\/v1|sbom\/v1|manage\/v1)\//.test(url)) return [{ bearer: [] }];
  return NONE;
}

const words = (segment: string) => segment.replace(/[-_]/g, ' ');
const singular = (noun: string) => noun.replace(/ies$/, 'y').replace(/(?<!s)s$/, '');
const isParam = (segment: string) => segment.startsWith(':') || segment.startsWith('{');
const ACTIONS: Record<string, string> = { GET: 'Get', POST: 'Create', PUT: 'Replace', PATCH: 'Update', DELETE: 'Delete' };

/** `GET /console/api/orgs/:orgId/members` → `getConsoleApiOrgsOrgIdMembers`: stable and unique per operation. */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1));
  return method.toLowerCase() + parts.join('');
}

/** A readable default: `List members`, `Get service account`, `Rotate secret (service account)`. */
export function summaryFor(method: string, url: string): string {
  const segments = url.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  const nouns = segments.filter((s) => !isParam(s));
  if (isParam(last)) return `${ACTIONS[method] ?? method} ${singular(words(nouns.at(-1) ?? 'resource'))}`;
  const plural = /s$/.test(last);
  if (method === 'GET') return plural ? `List ${words(last)}` : `Get ${words(last)}`;
  if (method === 'POST' && !plural && segments.length > 1 && isParam(segments.at(-2)!)) {
    // An action on one resource: POST .../service-accounts/:id/rotate-secret
    const verb = words(last);
    return `${verb[0]!.toUpperCase()}${verb.slice(1)} (${singular(words(nouns.at(-2) ?? 'resource'))})`;
  }
  return `${ACTIONS[method] ?? method} ${method === 'POST' ? singular(words(last)) : words(last)}`;
}

const defaultTag = (url: string): string =>
  url.startsWith('/manage/v1/') ? 'management' : url.startsWith('/sbom/') ? 'sbom' : url.startsWith('/api/') ? 'reference api' : 'operations';

const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

type OpenApiDoc = Record<string, unknown> & { paths?: Record<string, Record<string, Record<string, unknown>>> };

export function openapiOptions(options: { issuer: string; version: string }): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: options.version,
        description: 'Access layer: token endpoint, console API, management API and reference API.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: options.issuer, description: 'This Gatehouse (its issuer)' }],
      tags: [...TAGS],
      components: {
        securitySchemes: SECURITY_SCHEMES as never,
        schemas: {
          Error: {
            type: 'object',
            required: ['error', 'error_description'],
            properties: { error: { type: 'string' }, error_description: { type: 'string' } },
            description: 'RFC 6749 §5.2-shaped error, used by every endpoint',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = [(route as RouteOptions).method].flat()[0] as string;
      const given = (schema ?? {}) as Record<string, unknown>;
      return {
        url,
        schema: {
          ...given,
          operationId: given.operationId ?? operationIdFor(method, url),
          summary: given.summary ?? summaryFor(method, url),
          tags: given.tags ?? [defaultTag(url)],
          security: given.security ?? securityFor(method, url, (route as RouteOptions).config as { session?: string }),
        } as never,
      };
    },
    transformObject: (document) => completeDocument((document as { openapiObject: OpenApiDoc }).openapiObject) as never,
  };
}

/** Document-level completion: the token endpoint's bodies, and success and error responses wherever none is listed. */
function completeDocument(doc: OpenApiDoc): OpenApiDoc {
  const ids = new Set<string>();
  for (const [url, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const extra = TOKEN_ENDPOINT_DOCS[`${method.toUpperCase()} ${url}`];
      if (extra) Object.assign(operation, extra);
      const responses = (operation.responses ?? {}) as Record<string, unknown>;
      // A route without a response schema still answers something: say so (operation-2xx-response).
      if (!Object.keys(responses).some((code) => /^[23]/.test(code))) responses['200'] = { description: 'Success' };
      if (!Object.keys(responses).some((code) => code.startsWith('4'))) {
        responses['4XX'] = errorResponse('The request was refused; see `error` and `error_description`');
      }
      if (!Object.keys(responses).some((code) => code.startsWith('5'))) {
        responses['503'] = errorResponse('The database or a dependency is unavailable; retry later (§10)');
      }
      operation.responses = responses;
      // A route serving several methods (forward authentication takes any) is documented once per
      // method, each with its own operationId.
      // (The generator shares one object between the methods of a route: copy before changing it.)
      let op = operation as { operationId?: string };
      if (op.operationId && ids.has(op.operationId)) {
        op = { ...op, operationId: operationIdFor(method.toUpperCase(), url) };
        (operations as Record<string, unknown>)[method] = op;
      }
      if (op.operationId) ids.add(op.operationId);
    }
  }
  return doc;
}
