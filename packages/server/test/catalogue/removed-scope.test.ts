import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { startHarness } from '../support/harness.js';
import { writeCatalogue } from './fixtures.js';

/** The reference API's scopes used here, the second file without the two `:write`/change scopes. */
const catalogue = (scopes: string[]) =>
  writeCatalogue(`apis:
  - id: reference
    audience: http://gatehouse.test
    scopes:
${scopes.map((s) => `      - { name: "${s}", description: "${s}" }`).join('\n')}
roles:
  viewer: [${scopes.filter((s) => s.endsWith(':read')).join(', ')}]
  member: [${scopes.join(', ')}]
  admin: [${scopes.join(', ')}]
  owner: [${scopes.join(', ')}]
demo: true
`);

/** [C2] [A9] A scope removed from the file stops working in live tokens on their next call. */
describe('a scope removed from the catalogue', { timeout: 180_000 }, () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('stops working in tokens issued before the restart, for service accounts and people; the rest keeps working', async () => {
    h = await startHarness({ env: { GATEHOUSE_CATALOGUE: catalogue(['assets:read', 'change-management:read', 'sbom.buckets:read', 'sbom.buckets:write']) } });
    const sa = await h.createServiceAccount(['assets:read', 'change-management:read']);
    const saToken = await h.accessToken(sa.clientId, sa.clientSecret);
    const rt = await h.createRefreshToken();
    const userToken = await h.userAccessToken(rt.refreshToken);
    const buckets = `/sbom/v1/orgs/${h.orgId}/buckets`;
    expect((await h.api('GET', '/api/v1/change-management/change-requests', saToken)).statusCode).toBe(200);
    expect((await h.api('POST', buckets, userToken, { name: 'before' })).statusCode).toBe(201);

    h = await h.restart({ GATEHOUSE_CATALOGUE: catalogue(['assets:read', 'sbom.buckets:read']) });

    // The same tokens, on the next call: the removed scopes are refused, the remaining ones work.
    const removed = await h.api('GET', '/api/v1/change-management/change-requests', saToken);
    expect(removed.statusCode).toBe(403);
    expect(removed.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect((await h.api('GET', '/api/v1/assets', saToken)).statusCode).toBe(200);
    expect((await h.api('POST', buckets, userToken, { name: 'after' })).statusCode).toBe(403);
    expect((await h.api('GET', buckets, userToken)).statusCode).toBe(200);

    // And at grant time: the account still stores the name, but a new token never carries it.
    const fresh = await h.token(sa.clientId, sa.clientSecret);
    expect(fresh.json().scope).toBe('assets:read');
    expect((await h.token(sa.clientId, sa.clientSecret, { scope: 'change-management:read' })).json().error).toBe('invalid_scope');
    // [M2] Gatehouse's management scopes travel in tokens for the first API, whatever the file says.
    expect((await h.refresh(rt.refreshToken)).json().scope).toBe('assets:read sbom.buckets:read manage:service-accounts manage:members manage:organization');
  });
});
