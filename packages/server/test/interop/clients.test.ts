import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as jose from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { startListening } from '../support/listening.js';

const run = promisify(execFile);

/** Clients we did not write, against a listening server: openid-client, jose, curl. */
describe('interop', () => {
  let h: Harness & { url: string };
  let sa: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    h = await startListening();
    sa = await h.createServiceAccount(['audit-log:read', 'governance.findings:read']);
  });
  afterAll(async () => {
    await h?.close();
  });

  const discover = (auth: client.ClientAuth) =>
    client.discovery(new URL(h.url), sa.clientId, undefined, auth, { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });

  it.each([
    ['client_secret_basic', () => client.ClientSecretBasic(sa.clientSecret)],
    ['client_secret_post', () => client.ClientSecretPost(sa.clientSecret)],
  ])('openid-client discovers the server and runs clientCredentialsGrant with %s', async (_m, auth) => {
    const config = await discover(auth());
    expect(config.serverMetadata().token_endpoint).toBe(`${h.url}/api/v1/auth/token`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'audit-log:read' });
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'audit-log:read' });
    const res = await fetch(`${h.url}/api/v1/audit-events?limit=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
  });

  it('openid-client surfaces invalid_client for a wrong secret, and invalid_scope for too much', async () => {
    // Every 401 carries `WWW-Authenticate: Basic` (RFC 9110 §15.5.2, RFC 6749 §5.2), which
    // openid-client reports as a challenge, whichever method was used; the body says invalid_client.
    for (const auth of [client.ClientSecretBasic('ghcs_not-the-secret'), client.ClientSecretPost('ghcs_not-the-secret')]) {
      const err = await client.clientCredentialsGrant(await discover(auth)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
      const challenge = err as client.WWWAuthenticateChallengeError;
      expect(challenge.status).toBe(401);
      expect(challenge.cause[0]).toMatchObject({ scheme: 'basic' });
      expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
    }
    const right = await discover(client.ClientSecretPost(sa.clientSecret));
    await expect(client.clientCredentialsGrant(right, { scope: 'webhooks:manage' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('jose verifies an issued token against the remote JWKS with the RFC 9068 checks', async () => {
    const token = await h.accessToken(sa.clientId, sa.clientSecret);
    const jwks = jose.createRemoteJWKSet(new URL(`${h.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer: h.url,
      audience: h.url,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.stringMatching(/^key_/) });
    expect(payload).toMatchObject({ sub: sa.clientId, client_id: sa.clientId, scope: 'audit-log:read governance.findings:read', org_id: h.orgId });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.jti).toMatch(/^at_/);
  });

  it('openid-client refreshTokenGrant (a public client) gets a user token, and tokenRevocation ends the refresh token', async () => {
    const { refreshToken } = await h.createRefreshToken(h.owner, { name: 'openid-client', scopes: ['sbom.buckets:read', 'sbom.buckets:write'] });
    const config = await client.discovery(new URL(h.url), 'gatehouse-cli', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().revocation_endpoint).toBe(`${h.url}/api/v1/auth/revoke`);
    const tokens = await client.refreshTokenGrant(config, refreshToken, { scope: 'sbom.buckets:read' });
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'sbom.buckets:read' });
    expect(tokens.refresh_token).toBeUndefined(); // [B3] not rotated
    const res = await fetch(`${h.url}/sbom/v1/orgs/${h.orgId}/buckets`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    await expect(client.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('curl: form body with HTTP Basic gets a JSON token with Cache-Control: no-store', async () => {
    const { stdout } = await run('curl', [
      '-s',
      '-i',
      '-u',
      `${sa.clientId}:${sa.clientSecret}`,
      '-d',
      'grant_type=client_credentials',
      `${h.url}/api/v1/auth/token`,
    ]);
    const [head, body] = stdout.split(/\r?\n\r?\n/);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/cache-control: no-store/i);
    expect(JSON.parse(body!)).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
  });

  it('curl: a wrong secret over Basic gets 401 with WWW-Authenticate: Basic', async () => {
    const { stdout } = await run('curl', ['-s', '-i', '-u', `${sa.clientId}:wrong`, '-d', 'grant_type=client_credentials', `${h.url}/api/v1/auth/token`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 401/);
    expect(stdout).toMatch(/www-authenticate: Basic realm="gatehouse"/i);
    expect(stdout).toContain('"error":"invalid_client"');
  });
});
