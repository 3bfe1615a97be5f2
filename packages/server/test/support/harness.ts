import type { LightMyRequestResponse } from 'fastify';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { MasterKey } from '../../src/crypto/master-key.js';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.js';
import type { Role } from '../../src/catalogue/scopes.js';
import type { Db } from '../../src/db/db.js';
import type { PasswordCost } from '../../src/crypto/passwords.js';
import { createTestDb } from './db.js';

export const ADMIN_EMAIL = 'owner@example.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const ISSUER = 'http://gatehouse.test';

export interface Harness {
  gh: Gatehouse;
  clock: ManualClock;
  config: Config;
  /** The bootstrap organization, owned by ADMIN_EMAIL. */
  orgId: string;
  /** A signed-in console session (the owner's unless another is made with `signIn`). */
  owner: ConsoleSession;
  signIn(email: string, password: string): Promise<ConsoleSession>;
  /**
   * Adds a new user with `role` in `orgId` (default: the bootstrap org) the only way there is
   * [P2]: the owner invites the email, the person accepts with their own name and password
   * (ADMIN_PASSWORD, for tests). Returns that signed-in session.
   */
  addUser(role: Role, orgId?: string): Promise<ConsoleSession & { email: string }>;
  /** Creates another organization owned by the bootstrap owner (cross-tenant tests). */
  createOrg(name?: string): Promise<string>;
  /** Creates a refresh token for `session` (default: the owner); returns its id and string. */
  createRefreshToken(session?: ConsoleSession, body?: Record<string, unknown>): Promise<{ id: string; refreshToken: string }>;
  /** POSTs the refresh_token grant (JSON). */
  refresh(refreshToken: string, extra?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The refresh_token grant's access token (expects success). */
  userAccessToken(refreshToken: string, scope?: string): Promise<string>;
  /** Creates a service account as the owner; returns its client id and secret. */
  createServiceAccount(scopes: string[], extra?: Record<string, unknown>, orgId?: string): Promise<{ clientId: string; clientSecret: string }>;
  /** POSTs to the token endpoint with JSON client_secret_post. */
  token(clientId: string, clientSecret: string, extra?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Mints a token and returns just the access token string (expects success). */
  accessToken(clientId: string, clientSecret: string, scope?: string): Promise<string>;
  /** Calls a protected API with a bearer token. */
  api(method: string, url: string, token?: string, body?: unknown): Promise<LightMyRequestResponse>;
  /**
   * Stops this server and starts a new one on the same database, master key and clock, with these
   * environment variables instead (e.g. another GATEHOUSE_CATALOGUE): a restart, as an operator does.
   */
  restart(env?: Record<string, string>): Promise<Harness>;
  close(): Promise<void>;
}

export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  userId: string;
  request(method: string, url: string, body?: unknown, opts?: { csrf?: boolean }): Promise<LightMyRequestResponse>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  /** scrypt cost for the server (default: cheap, for speed). */
  passwordCost?: PasswordCost;
  /** Wraps the test database (e.g. to cut it off). */
  wrapDb?: (db: Db) => Db;
  /** Fastify/pino logger options (default: no logging). */
  logger?: GatehouseOptions['logger'];
  /** [R3] Measures the data directory's free space: keeps the free-space floor on the test database. */
  storageProbe?: GatehouseOptions['storageProbe'];
  /** A restart (Harness.restart): this database, master key and organization instead of fresh ones. */
  reuse?: { db: Db; masterKey: MasterKey; orgId: string };
  /** §12 The catalogue forward authentication enforces (default: none, everything refused). */
  catalogue?: GatehouseOptions['catalogue'];
  /** The master key (default: a random one); a restore test needs to know it. */
  masterKey?: MasterKey;
}

/**
 * A whole Gatehouse on a fresh database (PGlite, or a fresh Postgres schema), with a clock that
 * moves only when told, driven through Fastify's inject (the full HTTP pipeline, no socket).
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new ManualClock('2026-06-01T12:00:00Z');
  const { config } = loadConfig({
    GATEHOUSE_ISSUER: ISSUER,
    GATEHOUSE_ADMIN_EMAIL: ADMIN_EMAIL,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Generous limits so tests of other things never trip them; rate-limit tests set their own.
    GATEHOUSE_RATE_LIMIT_TOKEN_CLIENT: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_ADDRESS: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS: '100000/100000',
    GATEHOUSE_RATE_LIMIT_TOKEN_FAILED_ADDRESS_CLIENT: '100000/100000',
    GATEHOUSE_RATE_LIMIT_SIGNIN_ADDRESS: '100000/100000',
    GATEHOUSE_RATE_LIMIT_SIGNIN_EMAIL: '100000/100000',
    // Tests that move the clock by hours keep their signed-in owner (the 12-hour absolute limit
    // still holds); the idle-timeout tests [P7] set their own.
    GATEHOUSE_SESSION_IDLE_MINUTES: '720',
    ...options.env,
  });
  const raw = options.reuse?.db ?? (await createTestDb());
  // Closing the server closes its database, except when it is stopped for a restart.
  let keepDb = false;
  const wrapped = options.wrapDb ? options.wrapDb(raw) : raw;
  const db: Db = { ...wrapped, close: () => (keepDb ? Promise.resolve() : wrapped.close()) };
  const masterKey = options.reuse?.masterKey ?? options.masterKey ?? MasterKey.random();
  const gh = await createGatehouse({
    config,
    clock,
    db,
    masterKey,
    // Cheap scrypt for tests only; production cost is DEFAULT_PASSWORD_COST.
    passwordCost: options.passwordCost ?? { logN: 10, r: 8, p: 1 },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.storageProbe ? { storageProbe: options.storageProbe } : {}),
    ...(options.catalogue ? { catalogue: options.catalogue } : {}),
  });
  // A restart (Harness.restart) or a database already bootstrapped (wrapDb returning an existing one): its first organization.
  const orgId = options.reuse?.orgId ?? gh.bootstrap?.orgId ?? (await gh.db.query<{ id: string }>('SELECT id FROM organizations ORDER BY id LIMIT 1'))[0]!.id;

  const signIn = async (email: string, password: string): Promise<ConsoleSession> => {
    const res = await gh.app.inject({ method: 'POST', url: '/console/api/session', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
    const setCookie = res.headers['set-cookie'];
    const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
    const body = res.json() as { csrfToken: string; user: { id: string } };
    return {
      cookie,
      csrfToken: body.csrfToken,
      userId: body.user.id,
      request: (method, url, payload, opts = {}) =>
        gh.app.inject({
          method: method as 'GET',
          url,
          headers: { cookie, ...(opts.csrf === false ? {} : { 'x-csrf-token': body.csrfToken }) },
          ...(payload !== undefined ? { payload: payload as object } : {}),
        }),
    };
  };
  // Without GATEHOUSE_ADMIN_PASSWORD the owner signs in with the generated one (and must change it, [P4]).
  const owner = await signIn(ADMIN_EMAIL, gh.bootstrap?.generatedPassword ?? ADMIN_PASSWORD);

  let userCount = 0;
  const harness: Harness = {
    gh,
    clock,
    config,
    orgId,
    owner,
    signIn,
    async addUser(role, org = orgId) {
      const email = `${role}${++userCount}@example.test`;
      const invited = await owner.request('POST', `/console/api/orgs/${org}/invitations`, { email, role });
      if (invited.statusCode !== 201) throw new Error(`invite failed: ${invited.statusCode} ${invited.body}`);
      const secret = (invited.json() as { inviteUrl: string }).inviteUrl.split('/invite/')[1]!;
      const accepted = await gh.app.inject({
        method: 'POST',
        url: `/console/api/invitations/${secret}/accept`,
        payload: { name: `${role} ${userCount}`, password: ADMIN_PASSWORD },
      });
      if (accepted.statusCode !== 201) throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
      return { ...(await signIn(email, ADMIN_PASSWORD)), email };
    },
    async createOrg(name = 'Other organization') {
      const res = await owner.request('POST', '/console/api/orgs', { name });
      if (res.statusCode !== 201) throw new Error(`create org failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { id: string }).id;
    },
    async createRefreshToken(session = owner, body = {}) {
      const res = await session.request('POST', '/console/api/me/refresh-tokens', { name: 'laptop', ...body });
      if (res.statusCode !== 201) throw new Error(`create refresh token failed: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; refreshToken: string };
    },
    refresh: (refreshToken, extra = {}) =>
      gh.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra } }),
    async userAccessToken(refreshToken, scope) {
      const res = await harness.refresh(refreshToken, scope ? { scope } : {});
      if (res.statusCode !== 200) throw new Error(`refresh failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { access_token: string }).access_token;
    },
    async createServiceAccount(scopes, extra = {}, org = orgId) {
      const res = await owner.request('POST', `/console/api/orgs/${org}/service-accounts`, { name: 'Test integration', scopes, ...extra });
      if (res.statusCode !== 201) throw new Error(`create service account failed: ${res.statusCode} ${res.body}`);
      const body = res.json() as { clientId: string; clientSecret: string };
      return { clientId: body.clientId, clientSecret: body.clientSecret };
    },
    token: (clientId, clientSecret, extra = {}) =>
      gh.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...extra },
      }),
    async accessToken(clientId, clientSecret, scope) {
      const res = await harness.token(clientId, clientSecret, scope ? { scope } : {});
      if (res.statusCode !== 200) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { access_token: string }).access_token;
    },
    api: (method, url, token, body) =>
      gh.app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      }),
    async restart(env = {}) {
      keepDb = true;
      await gh.close();
      return startHarness({ ...options, clock, env, reuse: { db: raw, masterKey, orgId } });
    },
    close: () => gh.close(),
  };
  return harness;
}
