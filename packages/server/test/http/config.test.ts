import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** §9: one validated configuration; a typo fails instead of silently falling back. */
describe('configuration', () => {
  it('has working defaults for the embedded mode', () => {
    const { config, warnings } = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', issuer: 'http://localhost:8080', audience: 'http://localhost:8080', dataDir: './.gatehouse' });
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
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('warns about a plain-http public issuer and a short admin password', () => {
    const { warnings } = loadConfig({ GATEHOUSE_ISSUER: 'http://auth.example.com', GATEHOUSE_ADMIN_PASSWORD: 'short' });
    expect(warnings.join('\n')).toMatch(/not https/);
    expect(warnings.join('\n')).toMatch(/shorter than 12/);
  });

  it('reads rate limits as BURST/PER_SECOND and strips a trailing slash from the issuer', () => {
    const { config } = loadConfig({ GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '3/0.5', GATEHOUSE_ISSUER: 'https://auth.example.com/' });
    expect(config.rateLimits.signInPerEmail).toEqual({ burst: 3, perSecond: 0.5 });
    expect(config.issuer).toBe('https://auth.example.com');
  });
});
