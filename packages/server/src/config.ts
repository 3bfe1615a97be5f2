import { passwordProblem } from './users/password-policy.js';
import { DEFAULT_ADMIN_EMAIL } from './bootstrap.js';

/**
 * One validated configuration object (§9), read from the environment once in main.ts.
 * Unknown GATEHOUSE_* variables fail (a typo must not silently fall back to a default);
 * unsafe choices are returned as warnings for the caller to log.
 */
export interface RateLimit {
  /** Requests allowed at once. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export interface Config {
  host: string;
  port: number;
  /** Public base URL; the `iss` of every token (RFC 8414 §2). */
  issuer: string;
  /** The `aud` of every access token (RFC 9068 §3). */
  audience: string;
  dataDir: string;
  databaseUrl?: string;
  masterKey?: string;
  adminEmail?: string;
  adminPassword?: string;
  logLevel: string;
  trustProxy: boolean;
  rateLimits: {
    tokenPerClient: RateLimit;
    tokenPerAddress: RateLimit;
    signInPerAddress: RateLimit;
    signInPerEmail: RateLimit;
  };
  /** Server mode: the change feed that keeps every instance's principal state current. */
  stateFeed: { pollMs: number; staleAfterMs: number };
  /** Rotate the signing key when the active one is this many days old; 0 turns the schedule off. */
  keyRotationDays: number;
  /** `/metrics` answers only a bearer of this token; unset, it is not served at all. */
  metricsToken?: string;
  /**
   * Operator-issued credentials of resource servers allowed to read the state feed
   * (`GATEHOUSE_RESOURCE_SERVER_TOKENS=name:credential,...`; `gatehouse resource-server credential`
   * makes one). Empty: the state feed refuses everyone.
   */
  resourceServers: ReadonlyArray<{ name: string; credential: string }>;
  /** [P1] How long an invitation link stays usable (`GATEHOUSE_INVITATION_TTL_HOURS`, default 7 days). */
  invitationTtlHours: number;
  /** [P1] [P5] Outgoing mail; unset, invitation links are only shown to the owner who made them. */
  mail?: { smtpUrl: string; from: string };
}

const KNOWN = new Set([
  'GATEHOUSE_ISSUER', 'GATEHOUSE_AUDIENCE', 'GATEHOUSE_DATA_DIR', 'GATEHOUSE_MASTER_KEY',
  'GATEHOUSE_ADMIN_EMAIL', 'GATEHOUSE_ADMIN_PASSWORD', 'GATEHOUSE_LOG_LEVEL', 'GATEHOUSE_HOST',
  'GATEHOUSE_TRUST_PROXY', 'GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT', 'GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS',
  'GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS', 'GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL',
  'GATEHOUSE_STATE_POLL_MS', 'GATEHOUSE_STATE_STALE_MS', 'GATEHOUSE_KEY_ROTATION_DAYS', 'GATEHOUSE_METRICS_TOKEN',
  'GATEHOUSE_RESOURCE_SERVER_TOKENS', 'GATEHOUSE_INVITATION_TTL_HOURS', 'GATEHOUSE_SMTP_URL', 'GATEHOUSE_MAIL_FROM',
  // Read by the `gatehouse` CLI, not by the server (a shell that uses the CLI can still start it):
  'GATEHOUSE_URL', 'GATEHOUSE_REFRESH_TOKEN', 'GATEHOUSE_CLIENT_SECRET',
  // Read by the test suite and the benchmark, not by the server:
  'GATEHOUSE_TEST_DATABASE_URL', 'GATEHOUSE_TEST_REQUIRE_POSTGRES',
]);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `burst/perSecond`, e.g. `30/1` or `300/20`. */
function parseRate(name: string, value: string | undefined, fallback: RateLimit): RateLimit {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new ConfigError(`${name} must look like BURST/PER_SECOND, e.g. 30/1`);
  return { burst: Number(m[1]), perSecond: Number(m[2]) };
}

/** `name:credential,name:credential`: who may read the state feed. */
function parseResourceServers(value: string | undefined): Array<{ name: string; credential: string }> {
  if (!value) return [];
  const servers = value.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon);
    const credential = entry.slice(colon + 1);
    if (colon < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || !/^[\x21-\x7e]{32,512}$/.test(credential) || credential.includes(',')) {
      throw new ConfigError('GATEHOUSE_RESOURCE_SERVER_TOKENS must look like name:credential,name:credential with credentials of at least 32 characters (`gatehouse resource-server credential NAME` makes one)');
    }
    return { name, credential };
  });
  if (new Set(servers.map((s) => s.name)).size !== servers.length) throw new ConfigError('GATEHOUSE_RESOURCE_SERVER_TOKENS names a resource server twice');
  return servers;
}

/** [P1] [P5] Both or neither: a From address without a server (or the reverse) is a typo. */
function parseMail(smtpUrl: string | undefined, from: string | undefined): Config['mail'] {
  if (!smtpUrl && !from) return undefined;
  if (!smtpUrl || !from) throw new ConfigError('GATEHOUSE_SMTP_URL and GATEHOUSE_MAIL_FROM are set together or not at all');
  if (!/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('GATEHOUSE_SMTP_URL must be an smtp:// or smtps:// URL');
  if (!/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) {
    throw new ConfigError('GATEHOUSE_MAIL_FROM must be an address, e.g. gatehouse@example.com or "Gatehouse <gatehouse@example.com>"');
  }
  return { smtpUrl, from };
}

function parseNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${name} must be a number, at least ${min}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const unknown = Object.keys(env).filter((k) => k.startsWith('GATEHOUSE_') && !KNOWN.has(k));
  if (unknown.length) throw new ConfigError(`unknown configuration: ${unknown.join(', ')}`);

  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be a port number');
  const host = env.GATEHOUSE_HOST ?? '127.0.0.1';
  const issuer = (env.GATEHOUSE_ISSUER ?? `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(issuer);
  } catch {
    throw new ConfigError('GATEHOUSE_ISSUER must be an absolute URL');
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }

  const warnings: string[] = [];
  if (!issuer.startsWith('https://') && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(issuer)) {
    warnings.push('GATEHOUSE_ISSUER is not https: tokens and cookies would cross the network in clear');
  }
  if (databaseUrl && !env.GATEHOUSE_MASTER_KEY) {
    throw new ConfigError('GATEHOUSE_MASTER_KEY is required with DATABASE_URL (every instance must share it)');
  }

  const config: Config = {
    host,
    port,
    issuer,
    audience: env.GATEHOUSE_AUDIENCE ?? issuer,
    dataDir: env.GATEHOUSE_DATA_DIR ?? './.gatehouse',
    databaseUrl,
    masterKey: env.GATEHOUSE_MASTER_KEY || undefined,
    adminEmail: env.GATEHOUSE_ADMIN_EMAIL || undefined,
    adminPassword: env.GATEHOUSE_ADMIN_PASSWORD || undefined,
    logLevel: env.GATEHOUSE_LOG_LEVEL ?? 'info',
    trustProxy: env.GATEHOUSE_TRUST_PROXY === 'true',
    rateLimits: {
      // A well-behaved client caches its 15-minute token; 30 at once and one a second is generous.
      tokenPerClient: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT', env.GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT, { burst: 30, perSecond: 1 }),
      tokenPerAddress: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS', env.GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS, { burst: 300, perSecond: 50 }),
      signInPerAddress: parseRate('GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS', env.GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS, { burst: 20, perSecond: 0.2 }),
      signInPerEmail: parseRate('GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL', env.GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL, { burst: 5, perSecond: 0.05 }),
    },
    stateFeed: {
      // A poll every half second keeps "within one second" even when a NOTIFY is lost.
      pollMs: parseNumber('GATEHOUSE_STATE_POLL_MS', env.GATEHOUSE_STATE_POLL_MS, 500, 50),
      staleAfterMs: parseNumber('GATEHOUSE_STATE_STALE_MS', env.GATEHOUSE_STATE_STALE_MS, 5000, 100),
    },
    keyRotationDays: parseNumber('GATEHOUSE_KEY_ROTATION_DAYS', env.GATEHOUSE_KEY_ROTATION_DAYS, 90, 0),
    metricsToken: env.GATEHOUSE_METRICS_TOKEN || undefined,
    resourceServers: parseResourceServers(env.GATEHOUSE_RESOURCE_SERVER_TOKENS),
    invitationTtlHours: parseNumber('GATEHOUSE_INVITATION_TTL_HOURS', env.GATEHOUSE_INVITATION_TTL_HOURS, 7 * 24, 1),
    mail: parseMail(env.GATEHOUSE_SMTP_URL, env.GATEHOUSE_MAIL_FROM),
  };
  if (config.metricsToken && config.metricsToken.length < 16) {
    throw new ConfigError('GATEHOUSE_METRICS_TOKEN must be at least 16 characters');
  }
  // [P4] The first owner's password follows the same policy as everyone's.
  const adminProblem = config.adminPassword ? passwordProblem(config.adminPassword, config.adminEmail ?? DEFAULT_ADMIN_EMAIL) : null;
  if (adminProblem) throw new ConfigError(`GATEHOUSE_ADMIN_PASSWORD is refused: ${adminProblem}`);
  return { config, warnings };
}
