import { normalizeEmail } from '../users/email.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { generateSecret, safeEqual, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db } from '../db/db.js';
import { ApiError } from '../errors.js';
import { addressAnd, AttemptLimiter, RateLimiter } from '../http/rate-limiter.js';
import { organizationStore, type Membership } from '../organizations/store.js';
import { userStore, type User } from '../users/store.js';
import { sessionStore } from './store.js';

/** Console sessions last 12 hours from sign-in. */
export const SESSION_SECONDS = 12 * 3600;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
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
  ) {
    const monotonicMs = () => clock.monotonicMs();
    this.failures = new AttemptLimiter([new RateLimiter(limits.signInPerAddress, monotonicMs), new RateLimiter(limits.signInPerEmail, monotonicMs)]);
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
      await sessionStore.deleteExpired(tx, now);
      await sessionStore.insert(tx, {
        idHash: this.hasher.hash(sessionId),
        userId: user.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000),
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
    return { mfaRequired: false as const, sessionId, csrfToken: this.csrfToken(sessionId), user: toSessionUser(user), memberships };
  }

  /** The signed-in user for a cookie value, or null when absent, unknown, expired or deactivated. */
  async resolve(sessionId: string | undefined): Promise<{ user: SessionUser; csrfToken: string } | null> {
    if (!sessionId?.startsWith(SECRET_PREFIX.session)) return null;
    const session = await sessionStore.find(this.db, this.hasher.hash(sessionId));
    if (!session || session.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    const user = await userStore.find(this.db, session.userId);
    if (!user || user.deactivatedAt) return null;
    return { user: toSessionUser(user), csrfToken: this.csrfToken(sessionId) };
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

const toSessionUser = (u: User): SessionUser => ({ id: u.id, email: u.email, name: u.name });
