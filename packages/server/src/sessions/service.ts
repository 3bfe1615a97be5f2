import { normalizeEmail } from '../users/email.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { generateSecret, safeEqual, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db, Queryable } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { addressAnd, AttemptLimiter, RateLimiter } from '../http/rate-limiter.js';
import { organizationStore, type Membership } from '../organizations/store.js';
import { userStore, type User } from '../users/store.js';
import { sessionStore } from './store.js';

/** [P7] Console sessions last 12 hours from sign-in at most, and end sooner when left idle. */
export const SESSION_SECONDS = 12 * 3600;
/** Last-seen is written at most this often, not on every call. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** A resolved session: the person, this session's CSRF token and public id, and [P4] the forced change. */
export interface ResolvedSession {
  user: SessionUser;
  csrfToken: string;
  sessionId: string;
  passwordChangeRequired: boolean;
}

const SIGN_IN_FAILED = 'invalid email or password';

/**
 * Console sign-in (§8). Passwords are checked with scrypt; an unknown email costs the same scrypt
 * and gets the same message, so neither the answer nor its timing tells whether an account exists.
 * Failed attempts are rate limited per address and per address + email, never per email alone
 * (anyone could spend that from elsewhere and lock the person out). The session id is a 256-bit
 * secret in an HttpOnly cookie, stored only as a keyed hash; the CSRF token is a MAC of it.
 */
/** [P6] The second-factor step, owned by `mfa/`: a pending sign-in when the person has a factor. */
export interface SecondFactorStep {
  begin(userId: string): Promise<{ mfaRequired: true; methods: string[]; pendingId: string } | null>;
}

export class SessionService {
  private readonly failures: AttemptLimiter;
  /** Set by the composition root once the MFA service exists (it needs this service too). */
  secondFactor: SecondFactorStep | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditLog,
    limits: Config['rateLimits'],
    private readonly options: { idleMinutes: number; issuer: string },
  ) {
    const monotonicMs = () => clock.monotonicMs();
    this.failures = new AttemptLimiter([new RateLimiter(limits.signInPerAddress, monotonicMs), new RateLimiter(limits.signInPerEmail, monotonicMs)]);
  }

  /** [P7] `__Host-` prefixed when the issuer is https: Secure, Path=/, no Domain (RFC 6265bis §4.1.3.2). */
  get cookieName(): string {
    return this.options.issuer.startsWith('https://') ? `__Host-${SESSION_COOKIE_NAME}` : SESSION_COOKIE_NAME;
  }

  /** Rate limits a password check that is not a sign-in ([P4] the current password) like a failed sign-in. */
  async checkPassword(user: User, password: string, ctx: RequestContext): Promise<boolean> {
    const attempt = this.failures.begin([ctx.ip, addressAnd(ctx.ip, normalizeEmail(user.email))]);
    const ok = await this.passwords.verify(password, user.passwordHash);
    if (ok) attempt.release();
    return ok;
  }

  async signIn(email: string, password: string, ctx: RequestContext) {
    // Reserved before the password is checked (concurrent guesses count too); given back unless
    // the sign-in failed. [P8] the email key is normalized the way emails are compared.
    const attempt = this.failures.begin([ctx.ip, addressAnd(ctx.ip, normalizeEmail(email))]);
    let failed = false;
    try {
      return await this.checkAndStart(email, password, ctx, () => {
        failed = true;
      });
    } finally {
      if (!failed) attempt.release();
    }
  }

  private async checkAndStart(email: string, password: string, ctx: RequestContext, onFailure: () => void) {
    const user = await userStore.findByEmail(this.db, email);
    const ok = user
      ? await this.passwords.verify(password, user.passwordHash)
      : await this.passwords.verify(password, await this.passwords.dummyHash()).then(() => false);
    if (!user || !ok || user.deactivatedAt) {
      await this.db.transaction((tx) =>
        this.audit.inTransaction(
          tx,
          {
            orgId: null,
            action: 'session.sign_in',
            outcome: 'failure',
            actor: user ? { type: 'user', id: user.id, name: user.email } : { type: 'anonymous' },
            detail: { reason: !user ? 'unknown email' : !ok ? 'wrong password' : 'user deactivated' },
          },
          ctx,
        ),
      );
      onFailure();
      throw new ApiError('unauthenticated', SIGN_IN_FAILED);
    }
    // [P6] With a factor enrolled, the password only opens the second-factor step.
    const pending = await this.secondFactor?.begin(user.id);
    if (pending) return pending;
    return this.startSession(user, ctx);
  }

  /** A new session for a person who has proved who they are (password, and a second factor if any). */
  async startSession(user: User, ctx: RequestContext) {
    const now = this.clock.now();
    const sessionId = generateSecret(SECRET_PREFIX.session);
    const memberships = await organizationStore.membershipsOf(this.db, user.id);
    await this.db.transaction(async (tx) => {
      await sessionStore.deleteExpired(tx, now, this.idleSince(now));
      await sessionStore.insert(tx, {
        idHash: this.hasher.hash(sessionId),
        id: newId('ses'),
        userId: user.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000),
        lastSeenAt: now,
        // [P7] What the person will recognise the session by in their list.
        userAgent: (ctx.userAgent ?? '').slice(0, 512),
        address: ctx.ip,
      });
      // A sign-in is recorded in each organization's log, where its admins will look for it.
      for (const m of memberships.length ? memberships : [null]) {
        await this.audit.inTransaction(
          tx,
          {
            orgId: m?.orgId ?? null,
            action: 'session.sign_in',
            outcome: 'success',
            actor: { type: 'user', id: user.id, name: user.email },
          },
          ctx,
        );
      }
    });
    return {
      mfaRequired: false as const,
      sessionId,
      csrfToken: this.csrfToken(sessionId),
      user: toSessionUser(user),
      memberships,
      passwordChangeRequired: user.mustChangePassword,
    };
  }

  /**
   * The signed-in user for a cookie value, or null when absent, unknown, past its 12 hours, idle
   * longer than `GATEHOUSE_SESSION_IDLE_MINUTES` [P7], or its user is deactivated. A use moves
   * its last-seen time on.
   */
  async resolve(sessionId: string | undefined): Promise<ResolvedSession | null> {
    if (!sessionId?.startsWith(SECRET_PREFIX.session)) return null;
    const idHash = this.hasher.hash(sessionId);
    const session = await sessionStore.find(this.db, idHash);
    const now = this.clock.now();
    if (!session || session.expiresAt.getTime() <= now.getTime() || session.lastSeenAt.getTime() <= this.idleSince(now).getTime()) return null;
    const user = await userStore.find(this.db, session.userId);
    if (!user || user.deactivatedAt) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await sessionStore.touch(this.db, idHash, now);
    return { user: toSessionUser(user), csrfToken: this.csrfToken(sessionId), sessionId: session.id, passwordChangeRequired: user.mustChangePassword };
  }

  /** [P7] The person's live sessions, the one making the call flagged. */
  async list(userId: string, currentId: string) {
    const now = this.clock.now();
    const idleSince = this.idleSince(now);
    const rows = await sessionStore.listOf(this.db, userId);
    return rows
      .filter((s) => s.expiresAt > now && s.lastSeenAt > idleSince)
      .map((s) => ({
        id: s.id,
        device: describeDevice(s.userAgent),
        address: s.address,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: s.expiresAt,
        current: s.id === currentId,
      }));
  }

  /** [P7] Ends one of the person's sessions (404 when it is not theirs), audited as a sign-out. */
  async end(user: SessionUser, id: string, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await sessionStore.deleteById(tx, user.id, id))) throw notFound('session');
      await this.audit.inTransaction(tx, { orgId: null, action: 'session.sign_out', outcome: 'success', actor: actorOf(user), detail: { session: id } }, ctx);
    });
  }

  /** [P7] Ends every session of the person but the calling one. */
  async endOthers(user: SessionUser, cookieValue: string, ctx: RequestContext): Promise<number> {
    return this.db.transaction(async (tx) => {
      const ended = await sessionStore.deleteOthers(tx, user.id, this.hasher.hash(cookieValue));
      await this.audit.inTransaction(
        tx,
        { orgId: null, action: 'session.sign_out', outcome: 'success', actor: actorOf(user), detail: { otherSessions: ended } },
        ctx,
      );
      return ended;
    });
  }

  /** [P4] [P5] Ends the person's sessions but `keepCookie` (all of them when null), in the caller's transaction. */
  endAllInTransaction(tx: Queryable, userId: string, keepCookie: string | null): Promise<number> {
    return sessionStore.deleteOthers(tx, userId, keepCookie ? this.hasher.hash(keepCookie) : null);
  }

  private idleSince(now: Date): Date {
    return new Date(now.getTime() - this.options.idleMinutes * 60_000);
  }

  async signOut(user: SessionUser, sessionId: string, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      await sessionStore.delete(tx, this.hasher.hash(sessionId));
      await this.audit.inTransaction(
        tx,
        {
          orgId: null,
          action: 'session.sign_out',
          outcome: 'success',
          actor: { type: 'user', id: user.id, name: user.email },
        },
        ctx,
      );
    });
  }

  checkCsrf(sessionId: string, presented: string | undefined): boolean {
    return presented !== undefined && safeEqual(presented, this.csrfToken(sessionId));
  }

  memberships(userId: string): Promise<Membership[]> {
    return organizationStore.membershipsOf(this.db, userId);
  }

  private csrfToken(sessionId: string): string {
    return this.hasher.mac('csrf', sessionId);
  }
}

/** The session cookie's name over plain http (tests, local use); see `cookieName`. */
export const SESSION_COOKIE_NAME = 'gatehouse_session';

const actorOf = (u: SessionUser) => ({ type: 'user' as const, id: u.id, name: u.email });

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** A short, recognisable device label from a User-Agent ("Firefox on Linux"); a label needs no parsing library. */
export function describeDevice(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const os = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (!browser && !os) return userAgent.slice(0, 60);
  return os ? `${browser ?? 'Browser'} on ${os}` : browser!;
}

const toSessionUser = (u: User): SessionUser => ({ id: u.id, email: u.email, name: u.name });
