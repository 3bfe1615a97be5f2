import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** §9: one validated configuration; a typo fails instead of silently falling back. */
describe('configuration', () => {
  it('has working defaults for the embedded mode', () => {
    const { config, warnings } = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      issuer: 'http://localhost:8080',
      audience: 'http://localhost:8080',
      dataDir: './.gatehouse',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    [{ GATEHOUSE_ISUER: 'https://x' }, /unknown configuration: GATEHOUSE_ISUER/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ GATEHOUSE_ISSUER: 'not a url' }, /GATEHOUSE_ISSUER/],
    [{ DATABASE_URL: 'mysql://x' }, /postgres/],
    [{ DATABASE_URL: 'postgres://x/db' }, /GATEHOUSE_MASTER_KEY is required/],
    [{ GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: 'lots' }, /BURST\/PER_SECOND/],
    [{ GATEHOUSE_HEADERS_TIMEOUT_MS: 'soon' }, /GATEHOUSE_HEADERS_TIMEOUT_MS must be a number/],
    [{ GATEHOUSE_MAX_CONNECTIONS: '0' }, /GATEHOUSE_MAX_CONNECTIONS must be a number, at least 1/],
    [{ GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS: '2.5' }, /whole number/],
    [{ GATEHOUSE_HEADERS_TIMEOUT_MS: '20000', GATEHOUSE_REQUEST_TIMEOUT_MS: '10000' }, /at least GATEHOUSE_HEADERS_TIMEOUT_MS/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('bounds slow clients by default: headers 10 s, request 30 s, keep-alive 65 s, 1000 connections, 128 per address (none behind a proxy)', () => {
    expect(loadConfig({}).config.http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 1000,
      maxConnectionsPerAddress: 128,
    });
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.0/8' }).config.http.maxConnectionsPerAddress).toBe(0);
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.0/8', GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS: '500' }).config.http.maxConnectionsPerAddress).toBe(500);
  });

  it('warns about a plain-http public issuer; refuses an admin password the policy refuses [P4]', () => {
    const { warnings } = loadConfig({ GATEHOUSE_ISSUER: 'http://auth.example.com' });
    expect(warnings.join('\n')).toMatch(/not https/);
    expect(() => loadConfig({ GATEHOUSE_ADMIN_PASSWORD: 'short' })).toThrow(/GATEHOUSE_ADMIN_PASSWORD is refused: password must be at least 12 characters/);
  });

  it('reads the invitation lifetime and mail settings [P1]; SMTP and From go together', () => {
    expect(loadConfig({}).config.invitationTtlHours).toBe(168);
    expect(loadConfig({ GATEHOUSE_INVITATION_TTL_HOURS: '24' }).config.invitationTtlHours).toBe(24);
    expect(() => loadConfig({ GATEHOUSE_INVITATION_TTL_HOURS: '0' })).toThrow(/GATEHOUSE_INVITATION_TTL_HOURS/);
    expect(loadConfig({}).config.mail).toBeUndefined();
    expect(loadConfig({ GATEHOUSE_SMTP_URL: 'smtp://127.0.0.1:2525', GATEHOUSE_MAIL_FROM: 'Gatehouse <gh@example.test>' }).config.mail).toEqual({
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: 'Gatehouse <gh@example.test>',
    });
    expect(() => loadConfig({ GATEHOUSE_SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/set together/);
    expect(() => loadConfig({ GATEHOUSE_SMTP_URL: 'http://x', GATEHOUSE_MAIL_FROM: 'a@b.c' })).toThrow(/smtp:\/\//);
  });

  it('reads rate limits as BURST/PER_SECOND and strips a trailing slash from the issuer', () => {
    const { config } = loadConfig({ GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '3/0.5', GATEHOUSE_ISSUER: 'https://auth.example.com/' });
    expect(config.rateLimits.signInPerEmail).toEqual({ burst: 3, perSecond: 0.5 });
    expect(config.issuer).toBe('https://auth.example.com');
  });

  it('runs the embedded database in its worker thread unless GATEHOUSE_PGLITE_THREAD=main, and refuses anything else', () => {
    expect(loadConfig({}).config.pgliteThread).toBe('worker');
    expect(loadConfig({ GATEHOUSE_PGLITE_THREAD: 'main' }).config.pgliteThread).toBe('main');
    expect(() => loadConfig({ GATEHOUSE_PGLITE_THREAD: 'off' })).toThrow(/GATEHOUSE_PGLITE_THREAD must be worker/);
  });
});
