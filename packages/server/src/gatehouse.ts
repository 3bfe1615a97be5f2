import type { FastifyServerOptions } from 'fastify';
import { AccessDecision } from './access/access-decision.js';
import { accessRoutes } from './access/routes.js';
import { PrincipalStates } from './access/principal-state.js';
import { AuditLog } from './audit/audit-log.js';
import { auditRoutes } from './audit/routes.js';
import { AuditRetention } from './audit/retention.js';
import { backupRoutes } from './backup/routes.js';
import { bootstrapFirstOwner, type BootstrapResult } from './bootstrap.js';
import { ScopeCatalogue } from './catalogue/catalogue.js';
import { demoCatalogue, loadCatalogueFile } from './catalogue/load.js';
import { validateCatalogue } from './catalogue/validate.js';
import { systemClock, type Clock } from './clock.js';
import { ChangeFeed } from './cluster/change-feed.js';
import type { WorkerLink } from './cluster/worker.js';
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
import { StorageGuard, type StorageProbe } from './db/storage-guard.js';
import type { Catalogue } from '@gatehouse/access';
import { forwardAuthRoutes } from './forward-auth/routes.js';
import { healthRoutes } from './health/routes.js';
import { invitationRoutes } from './invitations/routes.js';
import { passwordRoutes } from './passwords/routes.js';
import { PasswordService } from './passwords/service.js';
import { InvitationService } from './invitations/service.js';
import { Mailer } from './mail/mailer.js';
import { createApp } from './http/app.js';
import { Metrics } from './metrics/metrics.js';
import { PasskeyCeremonies } from './mfa/passkeys.js';
import { mfaRoutes } from './mfa/routes.js';
import { MfaService } from './mfa/service.js';
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
import { ServiceAccountActivityReader } from './service-accounts/activity.js';
import { ServiceAccountService } from './service-accounts/service.js';
import { manageGuard } from './manage/manage-auth.js';
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
import { Signer } from './tokens/signer.js';
import { VERSION } from './version.js';
import { auditStreamRoutes } from './audit-streams/routes.js';
import { Outbox } from './webhooks/outbox.js';
import { EmbeddedVacuum } from './db/embedded-vacuum.js';
import { webhookRoutes } from './webhooks/routes.js';
import { WebhookService } from './webhooks/service.js';
import { DeliveryWorker } from './webhooks/worker.js';

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
  /**
   * §12 A catalogue to use instead of the one the config names (`GATEHOUSE_CATALOGUE`, or the
   * built-in demo catalogue, which has no routes: `/api/v1/auth/forward` then refuses everything).
   */
  catalogue?: Catalogue;
  /** Set in a worker of GATEHOUSE_WORKERS > 1 (main.ts): siblings apply this one's changes; /metrics aggregates. */
  worker?: WorkerLink;
}

/**
 * [C1] The operator's catalogue (`GATEHOUSE_CATALOGUE`), or the built-in demo one: read and
 * validated before anything else starts, so that a bad file stops the start naming the place [C2].
 */
export function loadCatalogue(config: Config): ScopeCatalogue {
  return new ScopeCatalogue(config.cataloguePath ? loadCatalogueFile(config.cataloguePath) : demoCatalogue(config.audience));
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
    passwords: PasswordService;
    mfa: MfaService;
    keys: SigningKeys;
    audit: AuditLog;
    states: PrincipalStates;
    tokens: AccessTokens;
    /** Server mode only: the change feed from other instances. */
    feed: ChangeFeed | null;
    metrics: Metrics;
    /** Embedded mode (or an injected probe): the free-space floor. */
    storage: StorageGuard | null;
    /** [R2] Background pruning of old audit events. */
    retention: AuditRetention;
    webhooks: WebhookService;
    /** [E3] The outbox's delivery worker (tests drive `tick()`). */
    deliveries: DeliveryWorker;
  };
  bootstrap: BootstrapResult | null;
  /** [C1] The catalogue this server protects. */
  catalogue: ScopeCatalogue;
  close(): Promise<void>;
}

/** The composition root (ARCHITECTURE property 8): config → database → stores → services → HTTP. */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { config } = options;
  const catalogue = options.catalogue ? new ScopeCatalogue(validateCatalogue(options.catalogue, 'the catalogue option')) : loadCatalogue(config);
  const clock = options.clock ?? systemClock;
  const embedded = !options.db && !config.databaseUrl;
  const raw =
    options.db ??
    (config.databaseUrl
      ? // [R4] Only the driver in use is loaded: each is a large import the other mode never needs.
        (await import('./db/pg-driver.js')).createPgDb({ connectionString: config.databaseUrl, timeoutMs: config.databaseTimeoutMs })
      : await (await import('./db/pglite-driver.js')).createPgliteDb(config.dataDir, {
          thread: config.pgliteThread,
          durability: { sync: config.embeddedSync },
          ...(options.onFatalDbError ? { onFatal: options.onFatalDbError } : {}),
        }));
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
    const retention = new AuditRetention(db, clock, { days: config.auditRetentionDays });
    retention.start();
    undo.push(() => retention.stop());
    // [E3] The outbox rides on the audit log's writes; the worker drains it in the background.
    const outbox = new Outbox(db);
    await outbox.refresh();
    audit.outbox = outbox;
    const states = new PrincipalStates(db, catalogue);
    // Server mode: other instances change principals too; their changes arrive through the feed.
    const feed = db.listen ? new ChangeFeed(db, states, { ...config.changeFeed, onKeysChanged: () => keys.reload() }) : null;
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
    const signer = new Signer();
    undo.push(() => signer.close());
    const tokens = new AccessTokens(keys, clock, config.issuer, catalogue.audiences, signer);
    const decision = new AccessDecision(keys, states, clock, config.issuer, catalogue);
    const cursors = new Cursors(hasher);
    const serviceAccounts = new ServiceAccountService(db, clock, hasher, audit, states, catalogue);
    const sessions = new SessionService(db, clock, hasher, passwords, audit, config.rateLimits, {
      idleMinutes: config.sessionIdleMinutes,
      issuer: config.issuer,
    });
    // [P6] The second-factor step of sign-in; the MFA service starts sessions once it is passed.
    const mfa = new MfaService(db, clock, hasher, master, audit, sessions, new PasskeyCeremonies(db, clock, config.issuer), 'Gatehouse');
    sessions.secondFactor = mfa;
    const organizations = new OrganizationService(db, clock, audit, states);
    const refreshTokens = new RefreshTokenService(db, clock, hasher, audit, states, catalogue);
    const mailer = config.mail ? new Mailer(config.mail) : null;
    undo.push(() => mailer?.close());
    const invitations = new InvitationService(db, clock, hasher, passwords, audit, states, {
      issuer: config.issuer,
      ttlHours: config.invitationTtlHours,
      mailer,
    });
    const passwordService = new PasswordService(db, clock, hasher, passwords, audit, sessions, { issuer: config.issuer, mailer });
    const allowedHosts = new Set(config.webhookAllowedHosts);
    const webhooks = new WebhookService(db, clock, master, audit, outbox, allowedHosts);
    const deliveries = new DeliveryWorker(db, clock, master, states, audit, outbox, { allowedHosts, intervalMs: 1_000 });
    const refreshGrant = new RefreshTokenGrant(db, refreshTokens, states, tokens, audit, clock, catalogue);
    // The demo's sample records only where the reference API is served.
    const bootstrap = await bootstrapFirstOwner(db, clock, passwords, audit, config, catalogue.data.demo ? seedSampleData : undefined);

    const app = await createApp({
      logger: options.logger ?? false,
      trustProxy: config.trustProxy,
      version: VERSION,
      issuer: config.issuer,
      hsts: config.issuer.startsWith('https://'),
      http: config.http,
    });
    const { worker } = options;
    worker?.attach(app, states, metrics);
    metricsRoutes(app, {
      metrics,
      ...(config.metricsToken ? { token: config.metricsToken } : {}),
      ...(worker ? { render: () => worker.clusterMetrics() } : {}),
    });
    backupRoutes(app, { db, clock, ...(config.backupToken ? { token: config.backupToken } : {}) });
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
    // PGlite has no autovacuum: the embedded server vacuums its own database (db/embedded-vacuum.ts).
    const vacuum = embedded
      ? new EmbeddedVacuum(db, {
          onPass: (o) => ('error' in o ? app.log.warn({ err: o.error }, 'embedded vacuum failed') : app.log.debug({ ms: Math.round(o.ms) }, 'embedded vacuum')),
        })
      : null;
    vacuum?.start();
    undo.push(() => vacuum?.stop());
    accessRoutes(app, { decision });
    forwardAuthRoutes(app, { decision, catalogue: catalogue.data });
    const tokenLimits = new TokenLimits(config.rateLimits, clock);
    tokenRoutes(app, {
      config,
      clock,
      keys,
      tokens,
      catalogue,
      limits: tokenLimits,
      grants: {
        client_credentials: new ClientCredentialsGrant(states, hasher, tokens, audit, clock, catalogue, (id) => tokenLimits.authenticated(id)),
        refresh_token: refreshGrant,
      },
      revokeRefreshToken: (token, ctx) => refreshTokens.revokeByToken(token, ctx),
      onTokenRequest: (grantType, denied) => metrics.tokenRequest(grantType, denied),
    });
    // Before any console route: session, CSRF and organization role for all of /console/api (§8).
    consoleGuard(app, { db, sessions, mfa });
    // [M1] The same organization operations for a person's bearer token at /manage/v1.
    manageGuard(app, { decision, states });
    sessionRoutes(app, { sessions, config, catalogue });
    mfaRoutes(app, { mfa, config, sessions });
    organizationRoutes(app, {
      sessions,
      organizations,
      cursors,
      setMfaRequirement: (a, orgId, required, ctx) => mfa.setOrgRequirement(a, orgId, required, ctx),
    });
    invitationRoutes(app, { sessions, invitations, cursors, config });
    passwordRoutes(app, { sessions, passwords: passwordService, config });
    refreshTokenRoutes(app, { refreshTokens, cursors });
    serviceAccountRoutes(app, { serviceAccounts, activity: new ServiceAccountActivityReader(db, clock), cursors, clock });
    auditRoutes(app, { db, cursors, decision });
    // [C1] The reference API (§7) and SBOM buckets are the demo's: an operator's catalogue serves
    // them only with `demo: true`.
    if (catalogue.data.demo) {
      referenceApiRoutes(app, { db, cursors, decision, audit, clock });
      sbomRoutes(app, { db, cursors, decision, audit, clock });
    }
    webhookRoutes(app, { webhooks, decision, cursors });
    auditStreamRoutes(app, { webhooks, cursors });
    stateFeedRoutes(app, { db, states, resourceServers: config.resourceServers, options: { roles: catalogue.data.roles } });
    docsRoutes(app);
    await consoleUi(app, { issuer: config.issuer });
    await app.ready();
    deliveries.start();
    undo.push(() => deliveries.stop());

    return {
      app,
      db,
      clock,
      bootstrap,
      catalogue,
      services: {
        serviceAccounts,
        sessions,
        organizations,
        refreshTokens,
        invitations,
        mfa,
        passwords: passwordService,
        keys,
        audit,
        states,
        tokens,
        feed,
        metrics,
        storage,
        retention,
        webhooks,
        deliveries,
      },
      async close() {
        clearInterval(keyTimer);
        storage?.stop();
        await retention.stop();
        await vacuum?.stop();
        await feed?.stop();
        await deliveries.stop();
        await app.close();
        await refreshGrant.drain();
        await audit.drain();
        await signer.close();
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
