import { basicPasswordProblem } from './users/password-policy.js';
import { DEFAULT_ADMIN_EMAIL } from './bootstrap.js';
import {
  checkIssuer,
  ConfigError,
  parseEmbeddedSync,
  parseHttpLimits,
  parseMail,
  parseNumber,
  parseRate,
  parseResourceServers,
  parseTrustProxy,
  parseWorkers,
} from './config-values.js';

export { ConfigError, DEFAULT_HTTP_LIMITS } from './config-values.js';

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
  /** The `aud` of the built-in demo catalogue's tokens (RFC 9068 §3); a catalogue file names its own. */
  audience: string;
  /** [C1] `GATEHOUSE_CATALOGUE`: the operator's catalogue file (YAML or JSON); unset, the demo. */
  cataloguePath?: string;
  dataDir: string;
  /** Embedded mode: `worker` (default) runs PGlite off the request thread; `main` on it (GATEHOUSE_PGLITE_THREAD, db/pglite-driver.ts). */
  pgliteThread: 'worker' | 'main';
  /**
   * Embedded mode: sync each commit to disk before acknowledging it (db/pglite-durability.ts).
   * `GATEHOUSE_EMBEDDED_SYNC=off` is for benchmarks only: a power cut can lose acknowledged writes.
   */
  embeddedSync: boolean;
  databaseUrl?: string;
  /**
   * Server mode: the longest one database statement may take; connection, read and LISTEN probe
   * limits derive from it (db/pg-driver.ts), so a silent connection becomes a 503, never a hang.
   */
  databaseTimeoutMs: number;
  masterKey?: string;
  adminEmail?: string;
  adminPassword?: string;
  logLevel: string;
  /**
   * Which proxies' `X-Forwarded-For` to believe (Fastify's trustProxy, via proxy-addr): false, a
   * hop count, or proxy addresses/CIDRs. Never `true`: that believes every hop a client writes.
   */
  trustProxy: false | number | string[];
  rateLimits: {
    /** Token requests per client id, taken only once the client has authenticated. */
    tokenPerClient: RateLimit;
    /** Every token and revocation request, per address (a flood guard). */
    tokenPerAddress: RateLimit;
    /** Failed token-endpoint authentications (wrong secret, unknown refresh token) per address. */
    tokenFailedPerAddress: RateLimit;
    /** Failed client authentications per address and client id. */
    tokenFailedPerAddressClient: RateLimit;
    /** Failed sign-ins per address. */
    signInPerAddress: RateLimit;
    /** Failed sign-ins per address and email. */
    signInPerEmail: RateLimit;
  };
  /** Server mode: the change feed that keeps every instance's principal state current. */
  changeFeed: { pollMs: number; staleAfterMs: number };
  /** Rotate the signing key when the active one is this many days old; 0 turns the schedule off. */
  keyRotationDays: number;
  /** `/metrics` answers only a bearer of this token; unset, it is not served at all. */
  metricsToken?: string;
  /** [R1] `GET /operator/backup` answers only a bearer of this token; unset, it is not served. */
  backupToken?: string;
  /** [R2] Audit events older than this many days are pruned in the background; 0 keeps them all. */
  auditRetentionDays: number;
  /**
   * Operator-issued credentials of resource servers allowed to read the state feed
   * (`GATEHOUSE_RESOURCE_SERVER_TOKENS=name:credential,...`; `gatehouse resource-server credential`
   * makes one). Empty: the state feed refuses everyone.
   */
  resourceServers: ReadonlyArray<{ name: string; credential: string }>;
  /** [R3] Embedded mode: below this much free space in the data directory, writes answer 503. */
  minFreeMb: number;
  /** SIGTERM drains in-flight work for at most this long, then the process exits anyway. */
  shutdownTimeoutMs: number;
  /**
   * Server mode: worker processes sharing the port (`GATEHOUSE_WORKERS`, default one per CPU; see
   * cluster/primary.ts). Always 1 on the embedded database, which is one process by nature.
   */
  workers: number;
  /** [P1] How long an invitation link stays usable (`GATEHOUSE_INVITATION_TTL_HOURS`, default 7 days). */
  invitationTtlHours: number;
  /** [E5] Hosts a webhook or audit stream may reach on a private/loopback address (and over http). */
  webhookAllowedHosts: string[];
  /** [P7] A console session unused this long ends (`GATEHOUSE_SESSION_IDLE_MINUTES`, default 30). */
  sessionIdleMinutes: number;
  /** [P1] [P5] Outgoing mail; unset, invitation links are only shown to the owner who made them. */
  mail?: { smtpUrl: string; from: string };
  /** Slow-client protection: HTTP timeouts and connection caps (see http/connection-limits.ts). */
  http: HttpLimits;
}

export interface HttpLimits {
  /** The whole request head must arrive within this (Node's `headersTimeout`); else 408 and close. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (`requestTimeout`); not the response. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (`keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /** Connections open at once, all clients together (`server.maxConnections`); excess ones are dropped. */
  maxConnections: number;
  /** Connections open at once from one peer address; excess ones get a 503 and are closed. 0: no cap. */
  maxConnectionsPerAddress: number;
}

const KNOWN = new Set([
  'GATEHOUSE_ISSUER',
  'GATEHOUSE_AUDIENCE',
  'GATEHOUSE_CATALOGUE',
  'GATEHOUSE_DATA_DIR',
  'GATEHOUSE_PGLITE_THREAD',
  'GATEHOUSE_EMBEDDED_SYNC',
  'GATEHOUSE_MASTER_KEY',
  'GATEHOUSE_ADMIN_EMAIL',
  'GATEHOUSE_ADMIN_PASSWORD',
  'GATEHOUSE_LOG_LEVEL',
  'GATEHOUSE_HOST',
  'GATEHOUSE_TRUST_PROXY',
  'GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT',
  'GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS',
  'GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS',
  'GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT',
  'GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS',
  'GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL',
  'GATEHOUSE_STATE_POLL_MS',
  'GATEHOUSE_STATE_STALE_MS',
  'GATEHOUSE_KEY_ROTATION_DAYS',
  'GATEHOUSE_METRICS_TOKEN',
  'GATEHOUSE_BACKUP_TOKEN',
  'GATEHOUSE_AUDIT_RETENTION_DAYS',
  'GATEHOUSE_RESOURCE_SERVER_TOKENS',
  'GATEHOUSE_DB_TIMEOUT_MS',
  'GATEHOUSE_HEADERS_TIMEOUT_MS',
  'GATEHOUSE_REQUEST_TIMEOUT_MS',
  'GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS',
  'GATEHOUSE_MAX_CONNECTIONS',
  'GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS',
  'GATEHOUSE_MIN_FREE_MB',
  'GATEHOUSE_SHUTDOWN_TIMEOUT_MS',
  'GATEHOUSE_WORKERS',
  'GATEHOUSE_INVITATION_TTL_HOURS',
  'GATEHOUSE_SESSION_IDLE_MINUTES',
  'GATEHOUSE_SMTP_URL',
  'GATEHOUSE_MAIL_FROM',
  'GATEHOUSE_WEBHOOK_ALLOWED_HOSTS',
  // Read by the `gatehouse` CLI, not by the server (a shell that uses the CLI can still start it):
  'GATEHOUSE_URL',
  'GATEHOUSE_REFRESH_TOKEN',
  'GATEHOUSE_ORG',
  'GATEHOUSE_CLIENT_SECRET',
  // Read by the test suite and the benchmark, not by the server:
  'GATEHOUSE_TEST_DATABASE_URL',
  'GATEHOUSE_TEST_REQUIRE_POSTGRES',
]);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const unknown = Object.keys(env).filter((k) => k.startsWith('GATEHOUSE_') && !KNOWN.has(k));
  if (unknown.length) throw new ConfigError(`unknown configuration: ${unknown.join(', ')}`);

  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be a port number');
  const host = env.GATEHOUSE_HOST ?? '127.0.0.1';
  const issuer = (env.GATEHOUSE_ISSUER ?? `http://localhost:${port}`).replace(/\/+$/, '');
  checkIssuer(issuer);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }

  const warnings: string[] = [];
  if (!issuer.startsWith('https://') && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(issuer)) {
    warnings.push('GATEHOUSE_ISSUER is not https: tokens and cookies would cross the network in clear');
  }
  const pgliteThread = env.GATEHOUSE_PGLITE_THREAD ?? 'worker';
  if (pgliteThread !== 'worker' && pgliteThread !== 'main') throw new ConfigError('GATEHOUSE_PGLITE_THREAD must be worker (the default) or main');
  if (databaseUrl && !env.GATEHOUSE_MASTER_KEY) {
    throw new ConfigError('GATEHOUSE_MASTER_KEY is required with DATABASE_URL (every instance must share it)');
  }

  const config: Config = {
    host,
    port,
    issuer,
    audience: env.GATEHOUSE_AUDIENCE ?? issuer,
    cataloguePath: env.GATEHOUSE_CATALOGUE || undefined,
    dataDir: env.GATEHOUSE_DATA_DIR ?? './.gatehouse',
    pgliteThread,
    embeddedSync: parseEmbeddedSync(env.GATEHOUSE_EMBEDDED_SYNC),
    databaseUrl,
    databaseTimeoutMs: parseNumber('GATEHOUSE_DB_TIMEOUT_MS', env.GATEHOUSE_DB_TIMEOUT_MS, 5000, 200),
    masterKey: env.GATEHOUSE_MASTER_KEY || undefined,
    adminEmail: env.GATEHOUSE_ADMIN_EMAIL || undefined,
    adminPassword: env.GATEHOUSE_ADMIN_PASSWORD || undefined,
    logLevel: env.GATEHOUSE_LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.GATEHOUSE_TRUST_PROXY),
    rateLimits: {
      // A well-behaved client caches its 15-minute token; 30 at once and one a second is generous.
      tokenPerClient: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT', env.GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT, { burst: 30, perSecond: 1 }),
      tokenPerAddress: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS', env.GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS, { burst: 300, perSecond: 50 }),
      // Failures only: a working client never spends these; a guesser gets 30, then one per 2 s.
      tokenFailedPerAddress: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS', env.GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS, {
        burst: 30,
        perSecond: 0.5,
      }),
      tokenFailedPerAddressClient: parseRate('GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT', env.GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT, {
        burst: 10,
        perSecond: 0.1,
      }),
      // Failed sign-ins only, per address and per address + email: never per email alone, which anyone
      // could spend from elsewhere to lock a person out (README, rate limits).
      signInPerAddress: parseRate('GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS', env.GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS, { burst: 20, perSecond: 0.2 }),
      signInPerEmail: parseRate('GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL', env.GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL, { burst: 5, perSecond: 0.05 }),
    },
    changeFeed: {
      // A poll every half second keeps "within one second" even when a NOTIFY is lost.
      pollMs: parseNumber('GATEHOUSE_STATE_POLL_MS', env.GATEHOUSE_STATE_POLL_MS, 500, 50),
      staleAfterMs: parseNumber('GATEHOUSE_STATE_STALE_MS', env.GATEHOUSE_STATE_STALE_MS, 5000, 100),
    },
    keyRotationDays: parseNumber('GATEHOUSE_KEY_ROTATION_DAYS', env.GATEHOUSE_KEY_ROTATION_DAYS, 90, 0),
    metricsToken: env.GATEHOUSE_METRICS_TOKEN || undefined,
    backupToken: env.GATEHOUSE_BACKUP_TOKEN || undefined,
    auditRetentionDays: parseNumber('GATEHOUSE_AUDIT_RETENTION_DAYS', env.GATEHOUSE_AUDIT_RETENTION_DAYS, 400, 0),
    resourceServers: parseResourceServers(env.GATEHOUSE_RESOURCE_SERVER_TOKENS),
    // Room for PGlite's next 16 MB WAL segment and a checkpoint, with margin (see db/storage-guard.ts).
    minFreeMb: parseNumber('GATEHOUSE_MIN_FREE_MB', env.GATEHOUSE_MIN_FREE_MB, 64, 0),
    shutdownTimeoutMs: parseNumber('GATEHOUSE_SHUTDOWN_TIMEOUT_MS', env.GATEHOUSE_SHUTDOWN_TIMEOUT_MS, 10_000, 100),
    workers: parseWorkers(env.GATEHOUSE_WORKERS, databaseUrl),
    http: parseHttpLimits(env),
    invitationTtlHours: parseNumber('GATEHOUSE_INVITATION_TTL_HOURS', env.GATEHOUSE_INVITATION_TTL_HOURS, 7 * 24, 1),
    webhookAllowedHosts: (env.GATEHOUSE_WEBHOOK_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[|\]$/g, ''),
      )
      .filter(Boolean),
    sessionIdleMinutes: parseNumber('GATEHOUSE_SESSION_IDLE_MINUTES', env.GATEHOUSE_SESSION_IDLE_MINUTES, 30, 1),
    mail: parseMail(env.GATEHOUSE_SMTP_URL, env.GATEHOUSE_MAIL_FROM),
  };
  if (typeof config.trustProxy === 'number' && !/^(127\.|::1$|localhost$)/.test(host)) {
    warnings.push(
      `GATEHOUSE_TRUST_PROXY=${config.trustProxy} believes the nearest ${config.trustProxy} X-Forwarded-For hop(s) from whoever connects: make sure ${host}:${port} is reachable only through your proxies, or list their addresses instead (e.g. 10.0.0.0/8)`,
    );
  }
  if (!config.embeddedSync && !config.databaseUrl) {
    warnings.push('GATEHOUSE_EMBEDDED_SYNC=off: commits are not synced to disk, so a power cut can lose acknowledged writes (benchmarks only)');
  }
  if (config.cataloguePath && env.GATEHOUSE_AUDIENCE) {
    warnings.push('GATEHOUSE_AUDIENCE is ignored with GATEHOUSE_CATALOGUE: each API of the catalogue names its own audience');
  }
  if (config.metricsToken && config.metricsToken.length < 16) {
    throw new ConfigError('GATEHOUSE_METRICS_TOKEN must be at least 16 characters');
  }
  if (config.backupToken && config.backupToken.length < 16) {
    throw new ConfigError('GATEHOUSE_BACKUP_TOKEN must be at least 16 characters');
  }
  // [P4] The first owner's password follows the same policy as everyone's: the rules that need no
  // list here; the common-password list where the owner is created (bootstrap.ts), so that reading
  // it is not part of every start [R4].
  const adminProblem = config.adminPassword ? basicPasswordProblem(config.adminPassword, config.adminEmail ?? DEFAULT_ADMIN_EMAIL) : null;
  if (adminProblem) throw new ConfigError(`GATEHOUSE_ADMIN_PASSWORD is refused: ${adminProblem}`);
  return { config, warnings };
}
