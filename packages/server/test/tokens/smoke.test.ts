import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a service account, mints a token, and reads the audit log with it', async () => {
    const { clientId, clientSecret } = await h.createServiceAccount(['audit-log:read']);
    const res = await h.token(clientId, clientSecret);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'audit-log:read' });
    const events = await h.api('GET', '/api/v1/audit-events', body.access_token);
    expect(events.statusCode).toBe(200);
    const actions = events.json().items.map((e: { action: string }) => e.action);
    expect(actions).toContain('service_account.create');
    expect(actions).toContain('token.grant');
  });
});
