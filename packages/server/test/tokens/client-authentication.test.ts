import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * RFC 6749 §2.3.1 client authentication, at the edges third-party clients reach: Go's x/oauth2
 * (`Basic Og==` for a public client), empty `client_secret=` from form builders, several spaces
 * after `Basic`, and headers that are not Basic at all.
 */
describe('token endpoint: client authentication edges (RFC 6749 §2.3.1)', () => {
  let h: Harness;
  let sa: { clientId: string; clientSecret: string };
  let refreshToken: string;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const form = (body: string, authorization?: string) =>
    h.gh.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    });
  const refreshBody = () => `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`;

  beforeAll(async () => {
    h = await startHarness();
    sa = await h.createServiceAccount(['governance.findings:read']);
    refreshToken = (await h.createRefreshToken()).refreshToken;
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectToken = (res: LightMyRequestResponse) => {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
  };
  const expectInvalidClient = (res: LightMyRequestResponse) => {
    expect(res.statusCode, res.body).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ error: 'invalid_client', error_description: expect.any(String) });
    // RFC 9110 §15.5.2 and RFC 6749 §5.2: the 401 says how to authenticate.
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="gatehouse"/);
    expect(res.body).not.toContain(sa.clientSecret);
  };

  describe('refresh_token grant: a public client may send empty credentials', () => {
    it.each([
      ['an empty client_secret= in the body', () => form(`${refreshBody()}&client_id=gatehouse-cli&client_secret=`)],
      ['an empty client_id= and client_secret=', () => form(`${refreshBody()}&client_id=&client_secret=`)],
      ['Basic with an empty id and secret (Go x/oauth2: Basic Og==)', () => form(refreshBody(), 'Basic Og==')],
      ['Basic id: (no secret)', () => form(refreshBody(), `Basic ${b64('gatehouse-cli:')}`)],
      ['Basic Og== with client_id in the body', () => form(`${refreshBody()}&client_id=gatehouse-cli`, 'Basic Og==')],
    ] as const)('%s gets a token', async (_label, send) => {
      expectToken(await send());
    });
  });

  describe('client_credentials: no public clients', () => {
    it.each([
      ['an empty client_secret=', () => form(`grant_type=client_credentials&client_id=${sa.clientId}&client_secret=`)],
      ['client_id without a secret', () => form(`grant_type=client_credentials&client_id=${sa.clientId}`)],
      ['a secret without client_id', () => form(`grant_type=client_credentials&client_secret=${encodeURIComponent(sa.clientSecret)}`)],
      ['Basic Og==', () => form('grant_type=client_credentials', 'Basic Og==')],
      ['Basic id: (empty secret)', () => form('grant_type=client_credentials', `Basic ${b64(`${sa.clientId}:`)}`)],
      ['Basic :secret (empty id)', () => form('grant_type=client_credentials', `Basic ${b64(`:${sa.clientSecret}`)}`)],
    ] as const)('%s is 401 invalid_client', async (_label, send) => {
      expectInvalidClient(await send());
    });
  });

  it('Basic followed by several spaces is accepted (RFC 9110 §11.4: 1*SP)', async () => {
    expectToken(await form('grant_type=client_credentials', `Basic    ${b64(`${sa.clientId}:${sa.clientSecret}`)}`));
    expectToken(await form('grant_type=client_credentials', `basic ${b64(`${sa.clientId}:${sa.clientSecret}`)}`));
  });

  it.each([
    ['a Bearer header', 'Bearer abc'],
    ['a Digest header', 'Digest username="svc", realm="gatehouse", nonce="x", uri="/", response="y"'],
    ['Basic with no credentials', 'Basic'],
    ['Basic with characters outside base64', 'Basic !!!'],
    ['Basic with a lone base64 character', 'Basic a'],
    // Node's decoder drops a dangling character: `abcde:` would pass as a public client id.
    ['Basic with a dangling base64 character', `Basic ${Buffer.from('abcde:').toString('base64')}A`],
    ['Basic without a colon', `Basic ${Buffer.from('svc_no_colon').toString('base64')}`],
    ['Basic that is not UTF-8', `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`],
    ['Basic with a malformed percent-encoding', `Basic ${Buffer.from('svc%zz:secret').toString('base64')}`],
  ])('%s is 401 invalid_client with WWW-Authenticate, not 400', async (_label, authorization) => {
    expectInvalidClient(await form('grant_type=client_credentials', authorization));
    expectInvalidClient(await form(refreshBody(), authorization));
  });

  it('a wrong secret is invalid_client with a challenge, whichever method carried it', async () => {
    expectInvalidClient(await h.token(sa.clientId, `${sa.clientSecret}x`));
    expectInvalidClient(await form('grant_type=client_credentials', `Basic ${b64(`${sa.clientId}:wrong`)}`));
  });

  it('Basic credentials together with a non-empty body secret stay invalid_request (§4)', async () => {
    const res = await form(
      `grant_type=client_credentials&client_secret=${encodeURIComponent(sa.clientSecret)}`,
      `Basic ${b64(`${sa.clientId}:${sa.clientSecret}`)}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    // An empty body secret is no second method.
    expectToken(await form('grant_type=client_credentials&client_secret=', `Basic ${b64(`${sa.clientId}:${sa.clientSecret}`)}`));
  });

  it('none of the refused requests minted a token for the account', async () => {
    const auditor = await h.createServiceAccount(['audit-log:read']);
    const token = await h.accessToken(auditor.clientId, auditor.clientSecret);
    await h.gh.services.audit.drain();
    const events = (await h.api('GET', '/api/v1/audit-events?limit=500', token)).json().items as Array<{
      action: string;
      actor: { id?: string };
      detail: { authMethod?: string };
    }>;
    const grants = events.filter((e) => e.action === 'token.grant' && e.actor.id === sa.clientId);
    // Exactly the three successes above: two with Basic and several spaces or lower case, one with an empty body secret beside Basic.
    expect(grants.map((e) => e.detail.authMethod)).toEqual(['client_secret_basic', 'client_secret_basic', 'client_secret_basic']);
    expect(JSON.stringify(events)).not.toContain(sa.clientSecret);
  });
});
