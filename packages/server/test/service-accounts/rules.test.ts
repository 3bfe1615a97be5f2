import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.js';

/** An audit event as the export answers it; `detail` is free-form JSON the tests read into. */
type AuditEventView = {
  action: string;
  outcome: string;
  actor: { id?: string; name?: string; type: string };
  target: { type: string; id: string } | null;
  credential: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON whose fields each test reads as it expects
  detail: Record<string, any>;
};

/** Credential model A (SPEC §2), over HTTP, with the clock moved instead of slept. */
describe('service accounts: credential model A', () => {
  let h: Harness;
  const sa = (id: string, suffix = '') => `/console/api/orgs/${h.orgId}/service-accounts/${id}${suffix}`;
  const AUDIT = '/api/v1/audit-events';

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('[A2] returns the secret once at creation and never again', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    expect(clientId).toMatch(/^svc_[0-9A-Z]{26}$/);
    expect(clientSecret).toMatch(/^ghcs_[A-Za-z0-9_-]{43}$/);
    const get = await h.owner.request('GET', sa(clientId));
    const list = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/service-accounts`);
    const audit = await h.owner.request('GET', `/console/api/orgs/${h.orgId}/audit-events`);
    for (const res of [get, list, audit]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(clientSecret);
      expect(res.body).not.toMatch(/secret_?hash|"hash"/i);
    }
    expect(get.json()).toMatchObject({ id: clientId, clientId, status: 'active', scopes: ['audit-log:read'] });
  });

  it('[A3] tokens live 900 seconds and die at 900', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    h.clock.advance(899);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(200);
    h.clock.advance(1);
    const expired = await h.api('GET', AUDIT, token);
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('[A3] a token never outlives the account expiry date', async () => {
    const expiresAt = new Date(h.clock.now().getTime() + 300_000).toISOString();
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read'], { expiresAt });
    const res = await h.token(clientId, clientSecret);
    expect(res.json().expires_in).toBe(300);
  });

  it('[A4] grants a requested subset, refuses a superset, and grants all when scope is omitted', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'governance.findings:read']);
    expect((await h.token(clientId, clientSecret, { scope: 'audit-log:read' })).json().scope).toBe('audit-log:read');
    expect((await h.token(clientId, clientSecret)).json().scope.split(' ').sort()).toEqual(['audit-log:read', 'governance.findings:read']);
    const tooMuch = await h.token(clientId, clientSecret, { scope: 'audit-log:read governance.findings:write' });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().error).toBe('invalid_scope');
    const unknown = await h.token(clientId, clientSecret, { scope: 'everything:admin' });
    expect(unknown.json().error).toBe('invalid_scope');
  });

  it('[A4] a token with a narrowed scope is refused a scope it did not ask for (403 naming it)', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'governance.findings:read']);
    const token = await h.accessToken(clientId, clientSecret, 'governance.findings:read');
    const res = await h.api('GET', AUDIT, token);
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="audit-log:read"');
  });

  describe('[A5] rotation with a grace window', () => {
    it('keeps the old secret for the default 60 seconds, then only the new one works', async () => {
      const { clientId, clientSecret: oldSecret } = await h.createServiceAccount(['audit-log:read']);
      const rotated = await h.owner.request('POST', sa(clientId, '/rotate-secret'), {});
      expect(rotated.statusCode).toBe(200);
      const { clientSecret: newSecret, previousSecretExpiresAt } = rotated.json();
      expect(new Date(previousSecretExpiresAt).getTime() - h.clock.now().getTime()).toBe(60_000);
      expect(newSecret).not.toBe(oldSecret);
      h.clock.advance(59);
      expect((await h.token(clientId, oldSecret)).statusCode).toBe(200);
      expect((await h.token(clientId, newSecret)).statusCode).toBe(200);
      h.clock.advance(1);
      expect((await h.token(clientId, oldSecret)).statusCode).toBe(401);
      expect((await h.token(clientId, newSecret)).statusCode).toBe(200);
    });

    it('graceSeconds 0 stops the old secret at once (compromised secret)', async () => {
      const { clientId, clientSecret: oldSecret } = await h.createServiceAccount(['audit-log:read']);
      const { clientSecret: newSecret } = (await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 0 })).json();
      expect((await h.token(clientId, oldSecret)).json().error).toBe('invalid_client');
      expect((await h.token(clientId, newSecret)).statusCode).toBe(200);
    });

    it('accepts a grace of up to 7 days and refuses more, or a negative one, changing nothing', async () => {
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      for (const graceSeconds of [604_801, -1, 1.5, '60']) {
        const res = await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds });
        expect(res.statusCode).toBe(400);
        expect(res.json().error).toBe('invalid_request');
      }
      expect((await h.owner.request('GET', sa(clientId))).json().secrets).toHaveLength(1);
      expect((await h.token(clientId, clientSecret)).statusCode).toBe(200);
      const week = await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 604_800 });
      expect(week.statusCode).toBe(200);
      h.clock.advance(604_799);
      expect((await h.token(clientId, clientSecret)).statusCode).toBe(200);
      h.clock.advance(1);
      expect((await h.token(clientId, clientSecret)).statusCode).toBe(401);
      // A week is longer than a console session: sign in again for the tests that follow.
      Object.assign(h.owner, await h.signIn(ADMIN_EMAIL, ADMIN_PASSWORD));
    });

    it('at most two secrets are valid: rotating during a window ends the older window at once', async () => {
      const { clientId, clientSecret: first } = await h.createServiceAccount(['audit-log:read']);
      const second = (await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 3600 })).json().clientSecret;
      h.clock.advance(10);
      const third = (await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 3600 })).json().clientSecret;
      expect((await h.token(clientId, first)).statusCode).toBe(401);
      expect((await h.token(clientId, second)).statusCode).toBe(200);
      expect((await h.token(clientId, third)).statusCode).toBe(200);
      const view = (await h.owner.request('GET', sa(clientId))).json();
      expect(view.secrets.map((s: { generation: number }) => s.generation)).toEqual([3, 2]);
    });

    it('rotation is audited with the new secret generation, and grants name the secret used', async () => {
      const { clientId, clientSecret: oldSecret } = await h.createServiceAccount(['audit-log:read']);
      const { clientSecret: newSecret } = (await h.owner.request('POST', sa(clientId, '/rotate-secret'), {})).json();
      await h.token(clientId, oldSecret);
      const token = await h.accessToken(clientId, newSecret);
      const events = (await h.api('GET', `${AUDIT}?limit=500`, token)).json().items as AuditEventView[];
      const mine = events.filter((e) => e.target?.id === clientId || e.actor?.id === clientId);
      const rotation = mine.find((e) => e.action === 'service_account.rotate_secret');
      expect(rotation).toMatchObject({ actor: { type: 'user', name: 'owner@example.test' }, detail: { generation: 2, graceSeconds: 60 } });
      const grants = mine.filter((e) => e.action === 'token.grant');
      expect(grants.map((g) => g.detail.secretGeneration)).toEqual([1, 2]);
      expect(new Set(grants.map((g) => g.credential)).size).toBe(2);
      expect(JSON.stringify(events)).not.toContain(oldSecret);
      expect(JSON.stringify(events)).not.toContain(newSecret);
    });
  });

  it('[A6] rotation does not invalidate tokens already issued', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 0 });
    h.clock.advance(600);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(200);
  });

  describe('[A7] disable and enable', () => {
    it('a disabled account refuses new tokens and its live tokens fail on the next call, whichever secret issued them', async () => {
      const { clientId, clientSecret: oldSecret } = await h.createServiceAccount(['audit-log:read']);
      const fromOld = await h.accessToken(clientId, oldSecret);
      const { clientSecret: newSecret } = (await h.owner.request('POST', sa(clientId, '/rotate-secret'), { graceSeconds: 600 })).json();
      const fromNew = await h.accessToken(clientId, newSecret);
      expect((await h.api('GET', AUDIT, fromOld)).statusCode).toBe(200); // cached as verified
      const disabled = await h.owner.request('POST', sa(clientId, '/disable'));
      expect(disabled.json().status).toBe('disabled');
      for (const token of [fromOld, fromNew]) {
        const res = await h.api('GET', AUDIT, token);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
      for (const secret of [oldSecret, newSecret]) {
        const res = await h.token(clientId, secret);
        expect(res.statusCode).toBe(401);
        expect(res.json().error).toBe('invalid_client');
      }
    });

    it('re-enabling does not revive old tokens; only tokens issued after it work (even within the same second)', async () => {
      const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
      const before = await h.accessToken(clientId, clientSecret);
      await h.owner.request('POST', sa(clientId, '/disable'));
      const enabled = await h.owner.request('POST', sa(clientId, '/enable'));
      expect(enabled.json().status).toBe('active');
      const after = await h.accessToken(clientId, clientSecret);
      expect((await h.api('GET', AUDIT, before)).statusCode).toBe(401);
      expect((await h.api('GET', AUDIT, after)).statusCode).toBe(200);
    });
  });

  it('[A8] past its expiry date an account behaves as disabled', async () => {
    const expiresAt = new Date(h.clock.now().getTime() + 3600_000).toISOString();
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read'], { expiresAt });
    const token = await h.accessToken(clientId, clientSecret);
    h.clock.advance(3599);
    const lastToken = await h.token(clientId, clientSecret);
    expect(lastToken.json().expires_in).toBe(1);
    h.clock.advance(1);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(401);
    expect((await h.token(clientId, clientSecret)).json().error).toBe('invalid_client');
    expect((await h.owner.request('GET', sa(clientId))).json().status).toBe('expired');
  });

  it('[A8] extending the expiry of an expired account revives none of its old tokens (as [A7])', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const old = await h.accessToken(clientId, clientSecret); // lives 900 s
    const soon = new Date(h.clock.now().getTime() + 60_000).toISOString();
    expect((await h.owner.request('PATCH', sa(clientId), { expiresAt: soon })).statusCode).toBe(200);
    h.clock.advance(61);
    expect((await h.api('GET', AUDIT, old)).statusCode).toBe(401);
    const later = new Date(h.clock.now().getTime() + 86_400_000).toISOString();
    const extended = await h.owner.request('PATCH', sa(clientId), { expiresAt: later });
    expect(extended.json().status).toBe('active');
    expect((await h.api('GET', AUDIT, old)).statusCode).toBe(401);
    const fresh = await h.accessToken(clientId, clientSecret);
    expect((await h.api('GET', AUDIT, fresh)).statusCode).toBe(200);
  });

  it('[A8] moving the expiry of an account that has not expired keeps its live tokens', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    const later = new Date(h.clock.now().getTime() + 86_400_000).toISOString();
    expect((await h.owner.request('PATCH', sa(clientId), { expiresAt: later })).statusCode).toBe(200);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(200);
  });

  it('[A9] narrowing the account scopes narrows its live tokens; widening does not widen them', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read', 'governance.findings:read']);
    const token = await h.accessToken(clientId, clientSecret);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(200);
    await h.owner.request('PATCH', sa(clientId), { scopes: ['governance.findings:read'] });
    const narrowed = await h.api('GET', AUDIT, token);
    expect(narrowed.statusCode).toBe(403);
    expect(narrowed.headers['www-authenticate']).toContain('scope="audit-log:read"');
    // Giving the scope back restores it for this token: it was issued with it.
    await h.owner.request('PATCH', sa(clientId), { scopes: ['governance.findings:read', 'audit-log:read'] });
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(200);
    // A token issued with one scope never gains another the account gets later.
    const narrowToken = await h.accessToken(clientId, clientSecret, 'governance.findings:read');
    expect((await h.api('GET', AUDIT, narrowToken)).statusCode).toBe(403);
  });

  it('[A10] service-account actions are attributed by id and name', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read'], { name: 'Splunk Audit Export' });
    const token = await h.accessToken(clientId, clientSecret);
    const items = (await h.api('GET', `${AUDIT}?limit=500`, token)).json().items as AuditEventView[];
    const grant = items.findLast((e) => e.action === 'token.grant' && e.actor.id === clientId);
    expect(grant).toMatchObject({ outcome: 'success', actor: { type: 'service_account', id: clientId, name: 'Splunk Audit Export' } });
    expect(grant!.credential).toMatch(/^sec_/);
  });

  it('[A11] X-On-Behalf-Of is refused with 400', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    const res = await h.gh.app.inject({
      method: 'GET',
      url: AUDIT,
      headers: { authorization: `Bearer ${token}`, 'x-on-behalf-of': 'usr_01EXAMPLE00000000000000000' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('[A11] there is no introspection endpoint and discovery advertises none', async () => {
    expect((await h.gh.app.inject({ method: 'POST', url: '/api/v1/auth/introspect' })).statusCode).toBe(404);
    const meta = (await h.gh.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    expect(meta.introspection_endpoint).toBeUndefined();
    expect(meta).toMatchObject({ issuer: 'http://gatehouse.test', token_endpoint: 'http://gatehouse.test/api/v1/auth/token' });
  });

  it('/api/v1/auth/validate answers 200 for a live token whatever its scopes, 401 once disabled', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['assets:read'], { name: 'Connection test' });
    const token = await h.accessToken(clientId, clientSecret);
    const ok = await h.api('GET', '/api/v1/auth/validate', token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ valid: true, serviceAccount: { id: clientId, name: 'Connection test' }, orgId: h.orgId });
    await h.owner.request('POST', sa(clientId, '/disable'));
    const dead = await h.api('GET', '/api/v1/auth/validate', token);
    expect(dead.statusCode).toBe(401);
    expect(dead.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await h.api('GET', '/api/v1/auth/validate')).statusCode).toBe(401);
  });

  it('deleting an account kills its tokens and its secret', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(clientId, clientSecret);
    expect((await h.owner.request('DELETE', sa(clientId))).statusCode).toBe(204);
    expect((await h.api('GET', AUDIT, token)).statusCode).toBe(401);
    expect((await h.token(clientId, clientSecret)).statusCode).toBe(401);
    expect((await h.owner.request('GET', sa(clientId))).statusCode).toBe(404);
  });
});
