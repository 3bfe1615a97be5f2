import type { FastifyServerOptions } from 'fastify';
import { AccessDecision } from './access/access-decision.js';
import { accessRoutes } from './access/routes.js';
import { PrincipalStates } from './access/principal-state.js';
import { AuditLog } from './audit/audit-log.js';
import { auditRoutes } from './audit/routes.js';
import { bootstrapFirstOwner, type BootstrapResult } from './bootstrap.js';
import { systemClock, type Clock } from './clock.js';
import { PrincipalFeed } from './cluster/principal-feed.js';
import type { Config } from './config.js';
import { consoleUi } from './console-ui/plugin.js';
import { MasterKey } from './crypto/master-key.js';
import { PasswordHasher, type PasswordCost } from './crypto/passwords.js';
import { SecretHasher } from './crypto/secrets.js';
import { loadServerKey } from './crypto/server-keys.js';
import type { Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { createPgDb } from './db/pg-driver.js';
import { createPgliteDb } from './db/pglite-driver.js';
import { healthRoutes } from './health/routes.js';
import { createApp } from './http/app.js';
import { Metrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { Cursors } from './http/cursor.js';
import type { App } from './http/types.js';
import { organizationRoutes } from './organizations/routes.js';
import { OrganizationService } from './organizations/service.js';
import { refreshTokenRoutes } from './refresh-tokens/routes.js';
import { RefreshTokenService } from './refresh-tokens/service.js';
import { referenceApiRoutes } from './reference-api/routes.js';
import { seedSampleData } from './reference-api/seed.js';
import { sbomRoutes } from './sbom/routes.js';
import { serviceAccountRoutes } from './service-accounts/routes.js';
import { ServiceAccountService } from './service-accounts/service.js';
import { consoleGuard } from './sessions/console-auth.js';
import { sessionRoutes } from './sessions/routes.js';
import { stateFeedRoutes } from './state-feed/routes.js';
import { SessionService } from './sessions/service.js';
import { AccessTokens } from './tokens/access-tokens.js';
import { ClientCredentialsGrant } from './tokens/grants/client-credentials.js';
import { RefreshTokenGrant } from './tokens/grants/refresh-token.js';
import { tokenRoutes } from './tokens/routes.js';
import { SigningKeys } from './tokens/signing-keys.js';
import { VERSION } from './version.js';

export interface GatehouseOptions {
  config: Config;
  clock?: Clock;
  /** A database to use instead of the one the config names (tests). */
  db?: Db;
  masterKey?: MasterKey;
  passwordCost?: PasswordCost;
  logger?: FastifyServerOptions['logger'];
}

export interface Gatehouse {
  app: App;
  db: Db;
  clock: Clock;
  services: {
    serviceAccounts: ServiceAccountService;
    sessions: SessionService;
    organizations: OrganizationService;
    refreshTokens: RefreshTokenService;
    keys: SigningKeys;
    audit: AuditLog;
    states: PrincipalStates;
    tokens: AccessTokens;
    /** Server mode only: the change feed from other instances. */
    feed: PrincipalFeed | null;
    metrics: Metrics;
  };
  bootstrap: BootstrapResult | null;
  close(): Promise<void>;
}

/** The composition root (ARCHITECTURE property 8): config → database → stores → services → HTTP. */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (config.databaseUrl ? createPgDb({ connectionString: config.databaseUrl }) : await createPgliteDb(config.dataDir));
  // What a failed start must undo besides closing the database (timers, the LISTEN connection).
  const undo: Array<() => unknown> = [];
  try {
    await migrate(db);
    const master = options.masterKey ?? (config.masterKey ? MasterKey.fromString(config.masterKey) : MasterKey.fromDataDir(config.dataDir));
    const hasher = new SecretHasher(await loadServerKey(db, master, clock, 'secret-hashing'));
    const passwords = new PasswordHasher(options.passwordCost);
    const keys = new SigningKeys(db, master, clock);
    await keys.init();

    const audit = new AuditLog(db, clock);
    const states = new PrincipalStates(db);
    // Server mode: other instances change principals too; their changes arrive through the feed.
    const feed = db.listen
      ? new PrincipalFeed(db, states, { ...config.stateFeed, onKeysChanged: () => keys.reload() })
      : null;
    if (feed) {
      undo.push(() => feed.stop());
      await feed.start();
      states.freshness = () => feed.assertFresh();
    }
    // The signing-key schedule, on every instance (one of them wins each rotation); the hourly
    // reload also drops keys whose tokens have all expired from the JWKS.
    await keys.rotateIfOlderThan(config.keyRotationDays);
    const keyTimer = setInterval(() => {
      void keys.rotateIfOlderThan(config.keyRotationDays).then(() => keys.reload()).catch(() => {});
    }, 3_600_000);
    keyTimer.unref();
    undo.push(() => clearInterval(keyTimer));
    const metrics = new Metrics({ stateLagSeconds: () => (feed ? feed.lagMs() / 1000 : 0), pool: () => db.poolStats?.() ?? null });
    const tokens = new AccessTokens(keys, clock, config.issuer, config.audience);
    const decision = new AccessDecision(tokens, states, clock);
    const cursors = new Cursors(hasher);
    const serviceAccounts = new ServiceAccountService(db, clock, hasher, audit, states);
    const sessions = new SessionService(db, clock, hasher, passwords, audit, config.rateLimits);
    const organizations = new OrganizationService(db, clock, passwords, audit, states);
    const refreshTokens = new RefreshTokenService(db, clock, hasher, audit, states);
    const refreshGrant = new RefreshTokenGrant(db, refreshTokens, states, tokens, audit, clock);
    const bootstrap = await bootstrapFirstOwner(db, clock, passwords, audit, config, seedSampleData);

    const app = await createApp({
      logger: options.logger ?? false, trustProxy: config.trustProxy, version: VERSION, hsts: config.issuer.startsWith('https://'),
    });
    metricsRoutes(app, { metrics, ...(config.metricsToken ? { token: config.metricsToken } : {}) });
    healthRoutes(app, { db, issuer: config.issuer, assertFresh: () => states.assertFresh() });
    accessRoutes(app, { decision });
    tokenRoutes(app, {
      config, clock, keys, tokens,
      grants: { client_credentials: new ClientCredentialsGrant(states, hasher, tokens, audit, clock), refresh_token: refreshGrant },
      revokeRefreshToken: (token, ctx) => refreshTokens.revokeByToken(token, ctx),
      onTokenRequest: (grantType, denied) => metrics.tokenRequest(grantType, denied),
    });
    // Before any console route: session, CSRF and organization role for all of /console/api (§8).
    consoleGuard(app, { db, sessions });
    sessionRoutes(app, { sessions, config });
    organizationRoutes(app, { sessions, organizations, cursors });
    refreshTokenRoutes(app, { refreshTokens, cursors });
    serviceAccountRoutes(app, { serviceAccounts, cursors, clock });
    auditRoutes(app, { db, cursors, decision });
    referenceApiRoutes(app, { db, cursors, decision, audit, clock });
    sbomRoutes(app, { db, cursors, decision, audit, clock });
    stateFeedRoutes(app, { db, states, resourceServers: config.resourceServers });
    await consoleUi(app, { issuer: config.issuer });
    await app.ready();

    return {
      app, db, clock, bootstrap,
      services: { serviceAccounts, sessions, organizations, refreshTokens, keys, audit, states, tokens, feed, metrics },
      async close() {
        clearInterval(keyTimer);
        await feed?.stop();
        await app.close();
        await refreshGrant.drain();
        await audit.drain();
        await db.close();
      },
    };
  } catch (err) {
    for (const step of undo) await Promise.resolve(step()).catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}
