import { describe, expect, it } from 'vitest';
import {
  decide,
  roleTableOf,
  denialHeaders,
  denialBody,
  parseBearer,
  routeNotDeclared,
  AccessDenial,
  type AccessTokenClaims,
  type DecisionMemo,
  type PrincipalState,
  type Requirement,
  type ServiceAccountState,
  type UserState,
} from '../src/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ORG = 'org_1';
const OTHER = 'org_2';

const ROLES = roleTableOf({
  viewer: ['a:read', 'c:read'],
  member: ['a:read', 'c:read', 'b:write'],
});

const account = (over: Partial<ServiceAccountState> = {}): ServiceAccountState => ({
  id: 'svc_A',
  orgId: ORG,
  name: 'Integration',
  scopes: new Set(['a:read', 'b:write']),
  disabled: false,
  expiresAt: null,
  tokenEpoch: 1,
  ...over,
});
const user = (over: Partial<UserState> = {}): UserState => ({
  id: 'usr_U',
  email: 'u@example.test',
  deactivated: false,
  tokenEpoch: 1,
  roles: new Map([
    [ORG, 'viewer'],
    [OTHER, 'member'],
  ]),
  ...over,
});
const base = { iss: 'https://gh.test', aud: 'https://gh.test', client_id: 'x', iat: NOW / 1000 - 10, exp: NOW / 1000 + 890, jti: 'at_1' };
const svcToken = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  ...base,
  sub: 'svc_A',
  client_id: 'svc_A',
  org_id: ORG,
  scope: 'a:read b:write c:read',
  epoch: 1,
  ...over,
});
const usrToken = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  ...base,
  sub: 'usr_U',
  client_id: 'usr_U',
  scope: 'a:read c:read b:write',
  epoch: 1,
  ...over,
});

interface Row {
  rule: string;
  claims: AccessTokenClaims;
  state: PrincipalState | null;
  require: Requirement;
  now?: number;
  /** 200, or the denial's status; for 200, the scopes this call may use. */
  status: 200 | 401 | 403 | 404;
  scopes?: string[];
}

/** One row per rule of §2, §3 and §5 that the per-call decision applies. */
const rows: Row[] = [
  // §5 and the control cases
  {
    rule: '§5 a live service-account token with the scope: 200',
    claims: svcToken(),
    state: account(),
    require: { scope: 'a:read' },
    status: 200,
    scopes: ['a:read', 'b:write'],
  },
  { rule: '§5 no requirement beyond a live token: 200', claims: svcToken(), state: account(), require: {}, status: 200, scopes: ['a:read', 'b:write'] },
  { rule: '§5 lacking the scope: 403', claims: svcToken({ scope: 'a:read' }), state: account(), require: { scope: 'b:write' }, status: 403 },
  { rule: '§5 unknown principal (deleted): 401', claims: svcToken(), state: null, require: {}, status: 401 },
  { rule: '§5 a subject that is neither svc_ nor usr_: 401', claims: svcToken({ sub: 'key_1' }), state: account(), require: {}, status: 401 },
  { rule: '§5 a service-account token without org_id: 401', claims: svcToken({ org_id: undefined }), state: account(), require: {}, status: 401 },
  { rule: '§5 a token for another organization than its account: 401', claims: svcToken({ org_id: OTHER }), state: account(), require: {}, status: 401 },
  {
    rule: '§5 a service account on its own organization path: 200',
    claims: svcToken(),
    state: account(),
    require: { orgId: ORG, scope: 'b:write' },
    status: 200,
    scopes: ['a:read', 'b:write'],
  },
  {
    rule: '§5 a service account on another organization path: 404',
    claims: svcToken(),
    state: account(),
    require: { orgId: OTHER, scope: 'a:read' },
    status: 404,
  },
  { rule: '§5 404 comes before 403', claims: svcToken(), state: account(), require: { orgId: OTHER, scope: 'z:none' }, status: 404 },
  // [A7]
  { rule: '[A7] a disabled account: 401', claims: svcToken(), state: account({ disabled: true, tokenEpoch: 2 }), require: {}, status: 401 },
  { rule: '[A7] disabled, epoch not moved (still refused): 401', claims: svcToken(), state: account({ disabled: true }), require: {}, status: 401 },
  { rule: '[A7] re-enabled: a token from before the disable stays dead: 401', claims: svcToken(), state: account({ tokenEpoch: 2 }), require: {}, status: 401 },
  {
    rule: '[A7] re-enabled: a token issued after works: 200',
    claims: svcToken({ epoch: 2 }),
    state: account({ tokenEpoch: 2 }),
    require: {},
    status: 200,
    scopes: ['a:read', 'b:write'],
  },
  // [A8]
  { rule: '[A8] past its expiry: 401', claims: svcToken(), state: account({ expiresAt: new Date(NOW - 1) }), require: {}, status: 401 },
  { rule: '[A8] at its expiry instant: 401', claims: svcToken(), state: account({ expiresAt: new Date(NOW) }), require: {}, status: 401 },
  {
    rule: '[A8] before its expiry: 200',
    claims: svcToken(),
    state: account({ expiresAt: new Date(NOW + 1) }),
    require: {},
    status: 200,
    scopes: ['a:read', 'b:write'],
  },
  // [A9]
  {
    rule: '[A9] the account lost a scope: the live token lost it too: 403',
    claims: svcToken(),
    state: account({ scopes: new Set(['a:read']) }),
    require: { scope: 'b:write' },
    status: 403,
  },
  {
    rule: '[A9] only scopes both issued and still held',
    claims: svcToken({ scope: 'a:read' }),
    state: account({ scopes: new Set(['a:read', 'b:write', 'c:read']) }),
    require: {},
    status: 200,
    scopes: ['a:read'],
  },
  // [B6]
  {
    rule: '[B6] a user admitted by the current role: 200',
    claims: usrToken(),
    state: user(),
    require: { orgId: ORG, scope: 'a:read' },
    status: 200,
    scopes: ['a:read', 'c:read'],
  },
  { rule: '[B6] the role does not grant the scope: 403', claims: usrToken(), state: user(), require: { orgId: ORG, scope: 'b:write' }, status: 403 },
  {
    rule: '[B6] a higher role elsewhere grants it there: 200',
    claims: usrToken(),
    state: user(),
    require: { orgId: OTHER, scope: 'b:write' },
    status: 200,
    scopes: ['a:read', 'b:write', 'c:read'],
  },
  {
    rule: '[B6] removed from the organization: 404',
    claims: usrToken(),
    state: user({ roles: new Map([[OTHER, 'member']]) }),
    require: { orgId: ORG, scope: 'a:read' },
    status: 404,
  },
  {
    rule: '[B6] a role the table does not know grants nothing: 403',
    claims: usrToken(),
    state: user({ roles: new Map([[ORG, 'ghost']]) }),
    require: { orgId: ORG, scope: 'a:read' },
    status: 403,
  },
  // [B7]
  { rule: '[B7] a deactivated user: 401', claims: usrToken(), state: user({ deactivated: true, tokenEpoch: 2 }), require: { orgId: ORG }, status: 401 },
  { rule: '[B7] deactivated, epoch not moved: 401', claims: usrToken(), state: user({ deactivated: true }), require: { orgId: ORG }, status: 401 },
  { rule: '[B7] a token from before the epoch moved: 401', claims: usrToken(), state: user({ tokenEpoch: 2 }), require: { orgId: ORG }, status: 401 },
  { rule: '[B7] a deleted user: 401', claims: usrToken(), state: null, require: { orgId: ORG }, status: 401 },
  // [B8]
  {
    rule: '[B8] a token narrowed to fewer scopes than the role: 403',
    claims: usrToken({ scope: 'a:read' }),
    state: user(),
    require: { orgId: OTHER, scope: 'b:write' },
    status: 403,
  },
  {
    rule: '[B8] narrowed scopes: only those remain',
    claims: usrToken({ scope: 'a:read' }),
    state: user(),
    require: { orgId: OTHER },
    status: 200,
    scopes: ['a:read'],
  },
  {
    rule: '[B8] a token narrowed to other organizations: 404',
    claims: usrToken({ orgs: [OTHER] }),
    state: user(),
    require: { orgId: ORG, scope: 'a:read' },
    status: 404,
  },
  {
    rule: '[B8] a token narrowed to this organization: 200',
    claims: usrToken({ orgs: [ORG] }),
    state: user(),
    require: { orgId: ORG, scope: 'a:read' },
    status: 200,
    scopes: ['a:read', 'c:read'],
  },
  // [B9]
  { rule: '[B9] a user token on /api/v1 (no organization path): 401', claims: usrToken(), state: user(), require: { scope: 'a:read' }, status: 401 },
  { rule: '[B9] a user token on /api/v1 with no scope asked: 401', claims: usrToken(), state: user(), require: {}, status: 401 },
  // [M1] the management API: people only, a service account is refused before any 404
  {
    rule: '[M1] a service-account token where only people are admitted: 401',
    claims: svcToken(),
    state: account(),
    require: { subject: 'user', orgId: ORG },
    status: 401,
  },
  {
    rule: '[M1] ...even for another organization: 401, not 404',
    claims: svcToken(),
    state: account(),
    require: { subject: 'user', orgId: OTHER },
    status: 401,
  },
  {
    rule: "[M1] a person outside any organization: the token's own scopes decide: 200",
    claims: usrToken(),
    state: user(),
    require: { subject: 'user', scope: 'b:write' },
    status: 200,
    scopes: ['a:read', 'b:write', 'c:read'],
  },
  {
    rule: '[M1] ...and a narrowed token lacks the scope: 403',
    claims: usrToken({ scope: 'a:read' }),
    state: user(),
    require: { subject: 'user', scope: 'b:write' },
    status: 403,
  },
  {
    rule: '[M1] a person in an organization: still the role decides: 403',
    claims: usrToken(),
    state: user(),
    require: { subject: 'user', orgId: ORG, scope: 'b:write' },
    status: 403,
  },
  // [C3] an API's audience
  {
    rule: '[C3] aud names the API: 200',
    claims: svcToken(),
    state: account(),
    require: { audience: 'https://gh.test', scope: 'a:read' },
    status: 200,
    scopes: ['a:read', 'b:write'],
  },
  {
    rule: '[C3] aud lists the API: 200',
    claims: usrToken({ aud: ['x', 'https://api.test'] }),
    state: user(),
    require: { audience: 'https://api.test', orgId: ORG },
    status: 200,
    scopes: ['a:read', 'c:read'],
  },
  { rule: '[C3] a token for another API: 401', claims: svcToken(), state: account(), require: { audience: 'https://api.test', scope: 'a:read' }, status: 401 },
  {
    rule: '[C3] another API, even on an organization path: 401',
    claims: usrToken(),
    state: user(),
    require: { audience: 'https://api.test', orgId: ORG },
    status: 401,
  },
];

describe('decide(): the access decision, rule by rule', () => {
  it.each(rows)('$rule', (row) => {
    const d = decide(row.claims, row.state, ROLES, row.require, row.now ?? NOW);
    if (row.status === 200) {
      expect(d.allowed, d.allowed ? '' : d.denial.description).toBe(true);
      if (d.allowed) expect([...d.scopes].sort()).toEqual(row.scopes);
    } else {
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.denial.status).toBe(row.status);
    }
  });

  it('[C3] a token for another API of the catalogue is refused 401 where the route names its audience', () => {
    const forOrders = { aud: 'https://orders.test' };
    const other = decide(svcToken(forOrders), account(), ROLES, { scope: 'a:read', audience: 'https://gh.test' }, NOW);
    expect(other.allowed || other.denial).toMatchObject({ status: 401, code: 'invalid_token' });
    const person = decide(usrToken(forOrders), user(), ROLES, { orgId: ORG, audience: 'https://gh.test' }, NOW);
    expect(person.allowed || person.denial).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(decide(svcToken(forOrders), account(), ROLES, { scope: 'a:read', audience: 'https://orders.test' }, NOW).allowed).toBe(true);
    expect(decide(svcToken({ aud: ['https://x.test', 'https://orders.test'] }), account(), ROLES, { audience: 'https://orders.test' }, NOW).allowed).toBe(true);
  });

  it('names the missing scope in the 403', () => {
    const d = decide(svcToken({ scope: 'a:read' }), account(), ROLES, { scope: 'b:write' }, NOW);
    expect(d.allowed || d.denial).toMatchObject({ status: 403, code: 'insufficient_scope', scope: 'b:write' });
  });

  it('gives the principal the account or user as decided now', () => {
    const sa = decide(svcToken(), account(), ROLES, {}, NOW);
    expect(sa.allowed && sa.principal).toMatchObject({ type: 'service_account', id: 'svc_A', name: 'Integration', orgId: ORG, tokenId: 'at_1' });
    const u = decide(usrToken(), user(), ROLES, { orgId: ORG }, NOW);
    expect(u.allowed && u.principal).toMatchObject({ type: 'user', id: 'usr_U', name: 'u@example.test' });
  });

  describe('with a memo (the verified-token cache entry)', () => {
    const memo = (): DecisionMemo => ({ decidedFrom: undefined, roleTable: undefined, principal: undefined });

    it('[A8] expiry is checked on every call, remembered decision or not', () => {
      const m = memo();
      const state = account({ expiresAt: new Date(NOW + 1000) });
      expect(decide(svcToken(), state, ROLES, {}, NOW, m).allowed).toBe(true);
      const later = decide(svcToken(), state, ROLES, {}, NOW + 1000, m);
      expect(later.allowed || later.denial.status).toBe(401);
    });

    it('a changed state (a new object) is decided afresh: [A7] [A9] [B6]', () => {
      const m = memo();
      expect(decide(svcToken(), account(), ROLES, { scope: 'b:write' }, NOW, m).allowed).toBe(true);
      const narrowed = decide(svcToken(), account({ scopes: new Set(['a:read']) }), ROLES, { scope: 'b:write' }, NOW, m);
      expect(narrowed.allowed || narrowed.denial.status).toBe(403);
      const disabled = decide(svcToken(), account({ tokenEpoch: 2 }), ROLES, {}, NOW, m);
      expect(disabled.allowed || disabled.denial.status).toBe(401);
      const um = memo();
      expect(decide(usrToken(), user(), ROLES, { orgId: ORG }, NOW, um).allowed).toBe(true);
      const removed = decide(usrToken(), user({ roles: new Map() }), ROLES, { orgId: ORG }, NOW, um);
      expect(removed.allowed || removed.denial.status).toBe(404);
      const newTable = decide(usrToken(), user(), roleTableOf({ viewer: [] }), { orgId: ORG, scope: 'a:read' }, NOW, um);
      expect(newTable.allowed || newTable.denial.status).toBe(403);
    });
  });
});

describe('a denial as HTTP (§5, RFC 6750 §3)', () => {
  const statusOf = (r: Row) => {
    const d = decide(r.claims, r.state, ROLES, r.require, NOW);
    return d.allowed ? null : d.denial;
  };
  it('401: WWW-Authenticate Bearer error="invalid_token", JSON body', () => {
    const d = statusOf(rows.find((r) => r.status === 401)!)!;
    expect(denialHeaders(d)['www-authenticate']).toMatch(/^Bearer realm="gatehouse", error="invalid_token", error_description="[^"]+"$/);
    expect(denialBody(d)).toEqual({ error: 'invalid_token', error_description: d.description });
  });
  it('403: error="insufficient_scope" and the scope needed', () => {
    const d = statusOf(rows.find((r) => r.status === 403)!)!;
    expect(denialHeaders(d)['www-authenticate']).toMatch(/error="insufficient_scope", error_description="[^"]+", scope="b:write"$/);
    expect(denialBody(d).error).toBe('insufficient_scope');
  });
  it('404: no challenge, not_found (tenants do not leak)', () => {
    const d = statusOf(rows.find((r) => r.status === 404)!)!;
    expect(denialHeaders(d)).toEqual({});
    expect(denialBody(d)).toEqual({ error: 'not_found', error_description: 'organization not found' });
  });
  it('[F2] 403 access_denied for an undeclared route: no challenge (no token would help)', () => {
    const d = routeNotDeclared();
    expect(d.status).toBe(403);
    expect(denialHeaders(d)).toEqual({});
    expect(denialBody(d).error).toBe('access_denied');
  });
  it('503: Retry-After, never a 401', () => {
    const d = new AccessDenial(503, 'temporarily_unavailable', 'stale');
    expect(denialHeaders(d)).toEqual({ 'retry-after': '1' });
  });
  it('a description cannot break out of its quoted-string', () => {
    const d = new AccessDenial(401, 'invalid_token', 'a "quoted" \\ value');
    expect(denialHeaders(d)['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="a quoted  value"');
  });
});

describe('parseBearer (RFC 6750 §2.1)', () => {
  it.each(['Bearer abc.def.ghi', 'bearer abc.def.ghi', 'BEARER   abc.def.ghi'])('accepts %j', (h) => {
    expect(parseBearer(h)).toBe('abc.def.ghi');
  });
  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearerabc', 'Token abc'])('refuses %j with 401 invalid_token', (h) => {
    expect(() => parseBearer(h)).toThrow(expect.objectContaining({ status: 401, code: 'invalid_token' }));
  });
});
