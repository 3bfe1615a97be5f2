import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

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

/** §4 and §10: every malformed token request gets a clear JSON error with the right status and changes nothing. */
describe('token endpoint: bad input', () => {
  let h: Harness;
  let sa: { clientId: string; clientSecret: string };
  let auditor: string;
  const TOKEN = '/api/v1/auth/token';
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const post = (payload: string | object, headers: Record<string, string> = {}) => h.gh.app.inject({ method: 'POST', url: TOKEN, payload, headers });
  const form = (body: string, headers: Record<string, string> = {}) => post(body, { 'content-type': 'application/x-www-form-urlencoded', ...headers });

  beforeAll(async () => {
    h = await startHarness();
    sa = await h.createServiceAccount(['governance.findings:read']);
    const a = await h.createServiceAccount(['audit-log:read']);
    auditor = await h.accessToken(a.clientId, a.clientSecret);
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectError = (res: LightMyRequestResponse, status: number, error: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    expect(JSON.stringify(body)).not.toContain(sa.clientSecret);
  };

  it.each([
    ['malformed JSON', () => post('{"grant_type": "client_credentials",', { 'content-type': 'application/json' }), 400, 'invalid_request'],
    ['an empty JSON body', () => post('', { 'content-type': 'application/json' }), 400, 'invalid_request'],
    ['a JSON array', () => post('[1,2]', { 'content-type': 'application/json' }), 400, 'invalid_request'],
    ['a JSON number', () => post('42', { 'content-type': 'application/json' }), 400, 'invalid_request'],
    ['text/plain', () => post('grant_type=client_credentials', { 'content-type': 'text/plain' }), 415, 'invalid_request'],
    ['application/xml', () => post('<grant/>', { 'content-type': 'application/xml' }), 415, 'invalid_request'],
    [
      'a 1 MB body',
      () => post(JSON.stringify({ grant_type: 'client_credentials', pad: 'x'.repeat(1024 * 1024) }), { 'content-type': 'application/json' }),
      413,
      'invalid_request',
    ],
    ['a repeated form parameter', () => form('grant_type=client_credentials&grant_type=client_credentials'), 400, 'invalid_request'],
    ['a non-string parameter', () => post({ grant_type: 'client_credentials', client_id: ['a'], client_secret: 1 }), 400, 'invalid_request'],
    ['no grant_type', () => post({ client_id: 'svc_x', client_secret: 'y' }), 400, 'invalid_request'],
    ['an unknown grant_type', () => post({ grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type'],
    // RFC 6749 §5.2: no, or failed, client authentication is invalid_client (401, with a challenge).
    ['client_id without a secret', () => post({ grant_type: 'client_credentials', client_id: 'svc_x' }), 401, 'invalid_client'],
    ['a malformed Basic header', () => form('grant_type=client_credentials', { authorization: 'Basic !!!' }), 401, 'invalid_client'],
    ['a Bearer header', () => form('grant_type=client_credentials', { authorization: 'Bearer abc' }), 401, 'invalid_client'],
  ] as const)('%s', async (_label, send, status, error) => {
    expectError(await send(), status, error);
  });

  it('Basic together with client_secret in the body is invalid_request', async () => {
    const res = await form(`grant_type=client_credentials&client_secret=${encodeURIComponent(sa.clientSecret)}`, {
      authorization: basic(sa.clientId, sa.clientSecret),
    });
    expectError(res, 400, 'invalid_request');
  });

  it('no client authentication at all is invalid_client', async () => {
    expectError(await post({ grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  it('a wrong secret is 401 invalid_client with WWW-Authenticate: Basic, whichever method carried it', async () => {
    const viaPost = await h.token(sa.clientId, `${sa.clientSecret}x`);
    expectError(viaPost, 401, 'invalid_client');
    // RFC 9110 §15.5.2: every 401 carries a challenge, not only after Basic.
    expect(viaPost.headers['www-authenticate']).toMatch(/^Basic realm="gatehouse"/);
    const viaBasic = await form('grant_type=client_credentials', { authorization: basic(sa.clientId, 'wrong') });
    expectError(viaBasic, 401, 'invalid_client');
    expect(viaBasic.headers['www-authenticate']).toMatch(/^Basic realm="gatehouse"/);
  });

  it("an unknown client and another account's secret are both invalid_client, with the same answer", async () => {
    const other = await h.createServiceAccount(['governance.findings:read']);
    const unknown = await h.token('svc_01EXAMPLE00000000000000000', sa.clientSecret);
    const crossed = await h.token(other.clientId, sa.clientSecret);
    expectError(unknown, 401, 'invalid_client');
    expectError(crossed, 401, 'invalid_client');
    expect(unknown.body).toBe(crossed.body);
  });

  it('Basic credentials are form-decoded (RFC 6749 §2.3.1)', async () => {
    const res = await form('grant_type=client_credentials', { authorization: basic(encodeURIComponent(sa.clientId), encodeURIComponent(sa.clientSecret)) });
    expect(res.statusCode).toBe(200);
  });

  it('none of it minted a token: the log holds denials only, and never the secret', async () => {
    const before = (await h.api('GET', '/api/v1/audit-events?limit=500', auditor)).json().items as AuditEventView[];
    const grantsBefore = before.filter((e) => e.action === 'token.grant' && e.actor.id === sa.clientId).length;
    await h.token(sa.clientId, 'ghcs_wrong');
    await h.token(sa.clientId, sa.clientSecret, { scope: 'audit-log:read' });
    await form(`grant_type=client_credentials&grant_type=x&client_id=${sa.clientId}&client_secret=${sa.clientSecret}`);
    const after = (await h.api('GET', '/api/v1/audit-events?limit=500', auditor)).json().items as AuditEventView[];
    expect(after.filter((e) => e.action === 'token.grant' && e.actor.id === sa.clientId).length).toBe(grantsBefore);
    const denials = after.filter((e) => e.action === 'token.deny' && e.actor.id === sa.clientId).slice(-2);
    expect(denials.map((d) => d.detail.error)).toEqual(['invalid_client', 'invalid_scope']);
    expect(JSON.stringify(after)).not.toContain(sa.clientSecret);
    expect(JSON.stringify(after)).not.toContain('ghcs_wrong');
  });

  it('a secret pasted into client_id is not written to the log', async () => {
    await h.token(sa.clientSecret, sa.clientSecret);
    const events = JSON.stringify((await h.api('GET', '/api/v1/audit-events?limit=500', auditor)).json());
    expect(events).not.toContain(sa.clientSecret);
  });
});
