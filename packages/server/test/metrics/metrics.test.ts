import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

describe('/metrics (Prometheus)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const scrape = (authorization?: string) => h.gh.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

  it('is not public: 404 without the configured bearer token, and not served at all without one', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${METRICS_TOKEN}`]) {
      expect((await scrape(auth)).statusCode).toBe(404);
    }
    const unconfigured = await startHarness();
    try {
      expect((await unconfigured.gh.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(
        404,
      );
    } finally {
      await unconfigured.close();
    }
  });

  it('counts grants and denials by reason, and observes latency by route pattern', async () => {
    const sa = await h.createServiceAccount(['audit-log:read']);
    await h.accessToken(sa.clientId, sa.clientSecret);
    await h.token(sa.clientId, 'ghcs_wrong');
    await h.token(sa.clientId, sa.clientSecret, { scope: 'assets:read' });
    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('gatehouse_token_requests_total{grant_type="client_credentials",outcome="granted",reason=""} 1');
    expect(text).toContain('gatehouse_token_requests_total{grant_type="client_credentials",outcome="denied",reason="invalid_client"} 1');
    expect(text).toContain('gatehouse_token_requests_total{grant_type="client_credentials",outcome="denied",reason="invalid_scope"} 1');
    expect(text).toMatch(/gatehouse_http_request_duration_seconds_count\{route="\/api\/v1\/auth\/token",method="POST",status="2xx"\} 1/);
    expect(text).toMatch(/route="\/console\/api\/orgs\/:orgId\/service-accounts"/); // the pattern, never an id
    expect(text).not.toMatch(/org_[0-9A-Z]{26}/);
    expect(text).toMatch(/gatehouse_principal_state_lag_seconds \d/);
    expect(text).toContain('gatehouse_db_pool_total_connections');
    expect(text).not.toContain(sa.clientSecret);
  });
});
