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
import { docsRoutes } from './docs/plugin.js';
import { MasterKey } from './crypto/master-key.js';
import { PasswordHasher, type PasswordCost } from './crypto/passwords.js';
import { SecretHasher } from './crypto/secrets.js';
import { loadServerKey } from './crypto/server-keys.js';
import type { Db } from './db/db.js';
import { seedIdFloor } from './db/id-floor.js';
import { migrate } from './db/migrate.js';
import { createPgDb } from './db/pg-driver.js';
import { createPgliteDb } from './db/pglite-driver.js';
import { StorageGuard, type StorageProbe } from './db/storage-guard.js';
import { healthRoutes } from './health/routes.js';
import { invitationRoutes } from './invitations/routes.js';
import { InvitationService } from './invitations/service.js';
import { Mailer } from './mail/mailer.js';
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
import { TokenLimits } from './tokens/limits.js';
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
  /** Embedded PGlite became unusable (db/pglite-driver.ts): main.ts exits so a supervisor restarts it. */
  onFatalDbError?: (err: unknown) => void;
  /**
   * [R3] How free space in the data directory is measured (tests inject one). Embedded mode always
   * keeps the floor; with an injected database, only when this is given.
   */
  storageProbe?: StorageProbe;
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
    invitations: InvitationService;
    keys: SigningKeys;
    audit: AuditLog;
    states: PrincipalStates;
    tokens: AccessTokens;
    /** Server mode only: the change feed from other instances. */
    feed: PrincipalFeed | null;
    metrics: Metrics;
    /** Embedded mode (or an injected probe): the free-space floor. */
    storage: StorageGuard | null;
  };
  bootstrap: BootstrapResult | null;
  close(): Promise<void>;
}

/** The composition root (ARCHITECTURE property 8): config → database → stores → services → HTTP. */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const embedded = !options.db && !config.databaseUrl;
  const raw =
    options.db ??
    (config.databaseUrl
      ? createPgDb({ connectionString: config.databaseUrl, timeoutMs: config.databaseTimeoutMs })
      : await createPgliteDb(config.dataDir, options.onFatalDbError ? { onFatal: options.onFatalDbError } : {}));
  // What a failed start must undo besides closing the database (timers, the LISTEN connection).
  const undo: Array<() => unknown> = [];
  // [R3] The free-space floor of the embedded data directory: writes answer 503 below it.
  const storage =
    embedded || options.storageProbe
      ? new StorageGuard({ dir: config.dataDir, minFreeBytes: config.minFreeMb * 1048576, ...(options.storageProbe ? { probe: options.storageProbe } : {}) })
      : null;
  const db = storage ? storage.wrap(raw) : raw;
  try {
    // Migrations run before the floor is checked: a start on a full disk fails loudly instead.
    await migrate(raw);
    if (storage) {
      await storage.check();
      storage.start();
      undo.push(() => storage.stop());
    }
    await seedIdFloor(db); // ids stay sortable across a restart with the wall clock behind
    const master = options.masterKey ?? (config.masterKey ? MasterKey.fromString(config.masterKey) : MasterKey.fromDataDir(config.dataDir));
    const hasher = new SecretHasher(await loadServerKey(db, master, clock, 'secret-hashing'));
    const passwords = new PasswordHasher(options.passwordCost);
    const keys = new SigningKeys(db, master, clock);
    await keys.init();

    const audit = new AuditLog(db, clock);
    const states = new PrincipalStates(db);
    // Server mode: other instances change principals too; their changes arrive through the feed.
    const feed = db.listen ? new PrincipalFeed(db, states, { ...config.stateFeed, onKeysChanged: () => keys.reload() }) : null;
    if (feed) {
      undo.push(() => feed.stop());
      await feed.start();
      states.freshness = () => feed.assertFresh();
    }
    // The signing-key schedule, on every instance (one of them wins each rotation); the hourly
    // reload also drops keys whose tokens have all expired from the JWKS.
    await keys.rotateIfOlderThan(config.keyRotationDays);
    const keyTimer = setInterval(() => {
      void keys
        .rotateIfOlderThan(config.keyRotationDays)
        .then(() => keys.reload())
        .catch(() => {});
    }, 3_600_000);
    keyTimer.unref();
    undo.push(() => clearInterval(keyTimer));
    const metrics = new Metrics({ stateLagSeconds: () => (feed ? feed.lagMs() / 1000 : 0), pool: () => db.poolStats?.() ?? null });
    const tokens = new AccessTokens(keys, clock, config.issuer, config.audience);
    const decision = new AccessDecision(keys, states, clock, { issuer: config.issuer, audience: config.audience });
    const cursors = new Cursors(hasher);
    const serviceAccounts = new ServiceAccountService(db, clock, hasher, audit, states);
    const sessions = new SessionService(db, clock, hasher, passwords, audit, config.rateLimits);
    const organizations = new OrganizationService(db, clock, passwords, audit, states);
    const refreshTokens = new RefreshTokenService(db, clock, hasher, audit, states);
    const mailer = config.mail ? new Mailer(config.mail) : null;
    undo.push(() => mailer?.close());
    const invitations = new InvitationService(db, clock, hasher, passwords, audit, states, {
      issuer: config.issuer,
      ttlHours: config.invitationTtlHours,
      mailer,
    });
    const refreshGrant = new RefreshTokenGrant(db, refreshTokens, states, tokens, audit, clock);
    const bootstrap = await bootstrapFirstOwner(db, clock, passwords, audit, config, seedSampleData);

    const app = await createApp({
      logger: options.logger ?? false,
      trustProxy: config.trustProxy,
      version: VERSION,
      issuer: config.issuer,
      hsts: config.issuer.startsWith('https://'),
      http: config.http,
    });
    metricsRoutes(app, { metrics, ...(config.metricsToken ? { token: config.metricsToken } : {}) });
    // /readyz answers within a k8s-style probe budget, however the database hangs.
    healthRoutes(app, {
      db,
      issuer: config.issuer,
      assertFresh: () => states.assertFresh(),
      probeTimeoutMs: Math.min(2_000, config.databaseTimeoutMs),
      ...(storage ? { storage } : {}),
    });
    if (storage)
      storage.onChange = (problem) => (problem ? app.log.error({ problem }, 'refusing writes: storage unavailable') : app.log.info('storage writable again'));
    accessRoutes(app, { decision });
    const tokenLimits = new TokenLimits(config.rateLimits, clock);
    tokenRoutes(app, {
      config,
      clock,
      keys,
      tokens,
      limits: tokenLimits,
      grants: {
        client_credentials: new ClientCredentialsGrant(states, hasher, tokens, audit, clock, (id) => tokenLimits.authenticated(id)),
        refresh_token: refreshGrant,
      },
      revokeRefreshToken: (token, ctx) => refreshTokens.revokeByToken(token, ctx),
      onTokenRequest: (grantType, denied) => metrics.tokenRequest(grantType, denied),
    });
    // Before any console route: session, CSRF and organization role for all of /console/api (§8).
    consoleGuard(app, { db, sessions });
    sessionRoutes(app, { sessions, config });
    organizationRoutes(app, { sessions, organizations, cursors });
    invitationRoutes(app, { sessions, invitations, cursors, config });
    refreshTokenRoutes(app, { refreshTokens, cursors });
    serviceAccountRoutes(app, { serviceAccounts, cursors, clock });
    auditRoutes(app, { db, cursors, decision });
    referenceApiRoutes(app, { db, cursors, decision, audit, clock });
    sbomRoutes(app, { db, cursors, decision, audit, clock });
    stateFeedRoutes(app, { db, states, resourceServers: config.resourceServers });
    docsRoutes(app);
    await consoleUi(app, { issuer: config.issuer });
    await app.ready();

    return {
      app,
      db,
      clock,
      bootstrap,
      services: { serviceAccounts, sessions, organizations, refreshTokens, invitations, keys, audit, states, tokens, feed, metrics, storage },
      async close() {
        clearInterval(keyTimer);
        storage?.stop();
        await feed?.stop();
        await app.close();
        await refreshGrant.drain();
        await audit.drain();
        await mailer?.close();
        await db.close();
      },
    };
  } catch (err) {
    for (const step of undo) await Promise.resolve(step()).catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}
