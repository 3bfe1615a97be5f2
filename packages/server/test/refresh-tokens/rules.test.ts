import * as jose from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_SCOPES, MANAGEMENT_SCOPES } from '../../src/catalogue/scopes.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/** ManualClock.advance takes seconds. */
const DAY = 24 * 3600;
const bucketsOf = (orgId: string) => `/sbom/v1/orgs/${orgId}/buckets`;

/** Credential model B (§3), rule by rule, with the injected clock. */
describe('personal refresh tokens [B1]-[B9]', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('[B1] a user creates any number of named tokens; the string is shown once, prefixed, and never listed', async () => {
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => h.createRefreshToken(h.owner, { name: `token ${i}` })));
    for (const t of created) {
      expect(t.refreshToken).toMatch(/^ghrt_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
      expect(t.id).toMatch(/^rt_/);
      expect(t.refreshToken).toContain(t.id.slice(3)); // the string embeds the id
    }
    const list = await h.owner.request('GET', '/console/api/me/refresh-tokens?limit=200');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(12);
    for (const t of created) expect(list.body).not.toContain(t.refreshToken.slice(32));
    // Created concurrently, so listed in id order, not request order: find the first one by id.
    expect(list.json().items.find((t: { id: string }) => t.id === created[0]!.id)).toEqual({
      id: created[0]!.id,
      name: 'token 0',
      scopes: null,
      orgIds: null,
      createdAt: '2026-06-01T12:00:00.000Z',
      lastUsedAt: null,
      expiresAt: '2027-06-01T12:00:00.000Z',
    });
  });

  it('[B2] one token reaches every organization where the user holds a role', async () => {
    const second = await h.createOrg('Second');
    const { refreshToken } = await h.createRefreshToken();
    const token = await h.userAccessToken(refreshToken);
    for (const org of [h.orgId, second]) expect((await h.api('GET', bucketsOf(org), token)).statusCode).toBe(200);
  });

  it('[B3] the grant answers a 3600-second user token and does not rotate the refresh token', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const first = await h.refresh(refreshToken);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const body = first.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: [...ALL_SCOPES, ...MANAGEMENT_SCOPES].join(' ') });
    expect(body).not.toHaveProperty('refresh_token');
    const claims = jose.decodeJwt(body.access_token);
    expect(claims.sub).toBe(h.owner.userId);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims).not.toHaveProperty('org_id');
    // The same refresh token keeps working.
    expect((await h.refresh(refreshToken)).statusCode).toBe(200);
  });

  it('[B4] a token unused for exactly 365 days expires; a use one second before restarts the year', async () => {
    const { refreshToken: a } = await h.createRefreshToken(h.owner, { name: 'kept alive' });
    const { refreshToken: b } = await h.createRefreshToken(h.owner, { name: 'left idle' });
    h.clock.advance(365 * DAY - 1);
    const early = await h.refresh(a);
    expect(early.statusCode, early.body).toBe(200); // used one second before expiry
    h.clock.advance(1); // exactly 365 days after creation
    const idle = await h.refresh(b);
    expect(idle.statusCode).toBe(400);
    expect(idle.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect((await h.refresh(a)).statusCode).toBe(200); // its year restarted a second ago

    const again = await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD); // console sessions last 12 hours
    const list = (await again.request('GET', '/console/api/me/refresh-tokens')).json().items;
    expect(list.map((t: { name: string }) => t.name)).toEqual(['kept alive']); // the expired one is gone
    expect(list[0].lastUsedAt).toBe(h.clock.now().toISOString());
    expect(list[0].expiresAt).toBe(new Date(h.clock.now().getTime() + 365 * DAY * 1000).toISOString());
    h.clock.advance(365 * DAY);
    expect((await h.refresh(a)).json().error).toBe('invalid_grant');
  });

  it('[B5] a revoked token gets invalid_grant; access tokens already minted from it keep working', async () => {
    const { id, refreshToken } = await h.createRefreshToken();
    const access = await h.userAccessToken(refreshToken);
    expect((await h.owner.request('DELETE', `/console/api/me/refresh-tokens/${id}`)).statusCode).toBe(204);
    const refused = await h.refresh(refreshToken);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    expect((await h.api('GET', bucketsOf(h.orgId), access)).statusCode).toBe(200);
    // Unknown, tampered and malformed tokens get the same answer.
    for (const bad of [refreshToken.slice(0, -1) + (refreshToken.endsWith('A') ? 'B' : 'A'), 'ghrt_nope', 'x'.repeat(80)]) {
      expect((await h.refresh(bad)).json()).toEqual(refused.json());
    }
  });

  it('[B6] a role change or removal reaches live access tokens on their very next call', async () => {
    const member = await h.addUser('member');
    const { refreshToken } = await h.createRefreshToken(member);
    const token = await h.userAccessToken(refreshToken);
    const create = () => h.api('POST', bucketsOf(h.orgId), token, { name: `b-${Math.random().toString(36).slice(2, 8)}` });
    expect((await create()).statusCode).toBe(201);

    await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${member.userId}`, { role: 'viewer' });
    const denied = await create();
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(denied.headers['www-authenticate']).toContain('scope="sbom.buckets:write"');
    expect((await h.api('GET', bucketsOf(h.orgId), token)).statusCode).toBe(200);

    // A promotion applies at once too: access is the role now, not the role at minting.
    await h.owner.request('PATCH', `/console/api/orgs/${h.orgId}/members/${member.userId}`, { role: 'admin' });
    expect((await create()).statusCode).toBe(201);

    expect((await h.owner.request('DELETE', `/console/api/orgs/${h.orgId}/members/${member.userId}`)).statusCode).toBe(204);
    expect((await h.api('GET', bucketsOf(h.orgId), token)).statusCode).toBe(404);
  });

  it('[B7] deactivation fails live tokens with 401 and stops refresh tokens, and reactivation revives neither', async () => {
    const member = await h.addUser('member');
    const { refreshToken } = await h.createRefreshToken(member);
    const token = await h.userAccessToken(refreshToken);
    const res = await h.owner.request('POST', `/console/api/orgs/${h.orgId}/members/${member.userId}/deactivate`);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('deactivated');

    const call = await h.api('GET', bucketsOf(h.orgId), token);
    expect(call.statusCode).toBe(401);
    expect(call.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await h.refresh(refreshToken)).json().error).toBe('invalid_grant');
    expect((await member.request('GET', '/console/api/me')).statusCode).toBe(401); // the session is gone
    await expect(h.signIn(member.email, ADMIN_PASSWORD)).rejects.toThrow(/401/);

    await h.owner.request('POST', `/console/api/orgs/${h.orgId}/members/${member.userId}/reactivate`);
    expect((await h.api('GET', bucketsOf(h.orgId), token)).statusCode).toBe(401);
    expect((await h.refresh(refreshToken)).json().error).toBe('invalid_grant');
    // A fresh sign-in and a fresh token work again.
    const back = await h.signIn(member.email, ADMIN_PASSWORD);
    const fresh = await h.createRefreshToken(back);
    expect((await h.api('GET', bucketsOf(h.orgId), await h.userAccessToken(fresh.refreshToken))).statusCode).toBe(200);
  });

  it('[B8] a token narrowed to scopes and organizations never does more, whatever the roles allow', async () => {
    const second = await h.createOrg('Second');
    const { refreshToken } = await h.createRefreshToken(h.owner, { scopes: ['sbom.buckets:read'], orgIds: [h.orgId] });
    const res = await h.refresh(refreshToken);
    expect(res.json().scope).toBe('sbom.buckets:read');
    const token = res.json().access_token;
    expect((await h.api('GET', bucketsOf(h.orgId), token)).statusCode).toBe(200);
    expect((await h.api('POST', bucketsOf(h.orgId), token, { name: 'nope' })).statusCode).toBe(403);
    expect((await h.api('GET', bucketsOf(second), token)).statusCode).toBe(404);
    // Asking the grant for more than the narrowing is invalid_scope (RFC 6749 §6).
    expect((await h.refresh(refreshToken, { scope: 'sbom.buckets:write' })).json().error).toBe('invalid_scope');
    // Narrowing to an organization the user does not belong to is refused at creation.
    const outsider = await h.addUser('member');
    const bad = await outsider.request('POST', '/console/api/me/refresh-tokens', { name: 'x', orgIds: [second] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_request');
    expect((await outsider.request('POST', '/console/api/me/refresh-tokens', { name: 'x', scopes: ['no.such:scope'] })).statusCode).toBe(400);
  });

  it('[B9] user access tokens and refresh tokens are refused on /api/v1; service-account tokens are accepted on /sbom/v1', async () => {
    const { refreshToken } = await h.createRefreshToken();
    const token = await h.userAccessToken(refreshToken);
    for (const bearer of [token, refreshToken]) {
      for (const url of ['/api/v1/governance/controls', '/api/v1/audit-events', '/api/v1/auth/validate']) {
        const res = await h.api('GET', url, bearer);
        expect(res.statusCode, url).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
    }
    expect((await h.api('GET', bucketsOf(h.orgId), refreshToken)).statusCode).toBe(401);
    const sa = await h.createServiceAccount(['sbom.buckets:read']);
    expect((await h.api('GET', bucketsOf(h.orgId), await h.accessToken(sa.clientId, sa.clientSecret))).statusCode).toBe(200);
  });

  it('the grant takes no client secret, and a public client_id alone is accepted (RFC 6749 §6)', async () => {
    const { refreshToken } = await h.createRefreshToken();
    expect((await h.refresh(refreshToken, { client_id: 'gatehouse-cli' })).statusCode).toBe(200);
    const sa = await h.createServiceAccount(['sbom.buckets:read']);
    const res = await h.refresh(refreshToken, { client_id: sa.clientId, client_secret: sa.clientSecret });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
    expect((await h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'refresh_token' } })).json().error).toBe(
      'invalid_request',
    );
  });

  it('every creation, use and revocation is audited by name, never with the token string', async () => {
    const { id, refreshToken } = await h.createRefreshToken(h.owner, { name: 'ci laptop' });
    const access = await h.userAccessToken(refreshToken);
    await h.refresh('ghrt_unknown');
    await h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/revoke', payload: { token: refreshToken } });
    await h.refresh(refreshToken);
    await h.gh.services.audit.drain();
    const res = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events?limit=200`);
    const events = res.json().items as Array<{
      action: string;
      outcome: string;
      actor: { id?: string; name?: string };
      credential: string | null;
      detail: Record<string, unknown>;
    }>;
    const mine = events.filter((e) => e.credential === id || e.action.startsWith('refresh_token.'));
    expect(mine.map((e) => `${e.action}:${e.outcome}`).reverse()).toEqual([
      'refresh_token.create:success',
      'token.grant:success',
      'refresh_token.revoke:success',
      'token.deny:failure',
    ]);
    for (const e of mine) expect(e.actor).toMatchObject({ id: h.owner.userId, name: 'owner@example.test' });
    expect(mine.find((e) => e.action === 'refresh_token.revoke')!.detail).toMatchObject({ name: 'ci laptop', via: 'rfc7009' });
    expect(mine.find((e) => e.action === 'token.deny')!.detail).toMatchObject({ reason: 'refresh token revoked' });
    expect(res.body).not.toContain(refreshToken.slice(5));
    expect(res.body).not.toContain(access.split('.')[2]);
  });
});
