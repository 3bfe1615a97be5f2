import type { AuditLog } from '../audit/audit-log.js';
import type { RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { generateSecret, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db } from '../db/db.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { Mailer } from '../mail/mailer.js';
import type { SessionService, SessionUser } from '../sessions/service.js';
import { looksLikeEmail, normalizeEmail } from '../users/email.js';
import { assertPasswordAllowed } from '../users/password-policy.js';
import { userStore } from '../users/store.js';
import { passwordResetStore } from './store.js';

/** [P5] A reset link is usable for 30 minutes. */
export const RESET_MINUTES = 30;
const SECRET_RE = new RegExp(`^${SECRET_PREFIX.passwordReset}[A-Za-z0-9_-]{43}$`);
/** Unknown, used and expired links all look the same. */
const gone = () => new ApiError('not_found', 'this reset link does not exist, was already used or has expired');

/**
 * The person's own password (§11): changing it [P4] and resetting it [P5]. Nobody sets another
 * person's password: a change needs the current one, a reset needs the link mailed to the account
 * (or printed for the operator). Both end the person's sessions; both are audited without the password.
 */
export class PasswordService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditLog,
    private readonly sessions: SessionService,
    private readonly options: { issuer: string; mailer: Mailer | null },
  ) {}

  /**
   * [P4] Needs the current password (a wrong one counts as a failed sign-in for the rate limits);
   * the policy applies; the person's other sessions end, this one stays. Clears a forced change.
   */
  async change(who: SessionUser, cookie: string, currentPassword: string, newPassword: string, ctx: RequestContext): Promise<void> {
    const user = await userStore.find(this.db, who.id);
    if (!user) throw new ApiError('unauthenticated', 'sign in to use the console API');
    if (!(await this.sessions.checkPassword(user, currentPassword, ctx))) {
      throw new ApiError('invalid_request', 'the current password is wrong');
    }
    if (newPassword === currentPassword) throw new ApiError('invalid_request', 'the new password must differ from the current one');
    await assertPasswordAllowed(newPassword, user.email);
    const passwordHash = await this.passwords.hash(newPassword);
    await this.db.transaction(async (tx) => {
      await userStore.setPassword(tx, user.id, passwordHash);
      const ended = await this.sessions.endAllInTransaction(tx, user.id, cookie);
      await this.audit.inTransaction(
        tx,
        {
          orgId: null,
          action: 'user.password_change',
          outcome: 'success',
          actor: { type: 'user', id: user.id, name: user.email },
          detail: { otherSessionsEnded: ended },
        },
        ctx,
      );
    });
  }

  /** Whether reset links can be mailed; without SMTP the operator prints one (`gatehouse users reset-password`). */
  get canMail(): boolean {
    return this.options.mailer !== null;
  }

  /**
   * [P5] Asked by email: the same work whether or not the account exists (a secret is made and
   * hashed, one insert or one equally shaped look-up), the same answer, and the mail is sent off
   * the request's path, so neither the answer nor its timing says whether the email has an account.
   */
  async request(email: string, ctx: RequestContext): Promise<void> {
    if (!this.options.mailer) {
      throw new ApiError('conflict', 'password reset by email is not configured here; ask your operator to run gatehouse users reset-password');
    }
    const normalized = normalizeEmail(email);
    if (!looksLikeEmail(normalized)) throw new ApiError('invalid_request', 'email must be an email address');
    const user = await userStore.findByEmail(this.db, normalized);
    const issued = await this.issue(user && !user.deactivatedAt ? user : null, ctx, 'email');
    if (issued && user) {
      // The link is the credential: an SMTP error that might quote it is not logged.
      this.options.mailer.sendPasswordReset({ to: user.email, url: issued.url, expiresAt: issued.expiresAt }).catch(() => {});
    }
  }

  /** [P5] The operator's door (no SMTP): a link for this account, printed by the CLI. */
  async issueForOperator(email: string): Promise<{ url: string; expiresAt: Date }> {
    const user = await userStore.findByEmail(this.db, email);
    if (!user) throw new ApiError('not_found', `no account has the email ${normalizeEmail(email)}`);
    if (user.deactivatedAt) throw new ApiError('conflict', 'this account is deactivated; an owner reactivates it first');
    return (await this.issue(user, { ip: '' }, 'operator'))!;
  }

  /** [P5] Uses a link: the policy applies, every session of the person ends, every other link too. */
  async complete(secret: string, newPassword: string, ctx: RequestContext): Promise<void> {
    if (!SECRET_RE.test(secret)) throw gone();
    const now = this.clock.now();
    const found = await passwordResetStore.findUsable(this.db, this.hasher.hash(secret), now);
    const user = found ? await userStore.find(this.db, found.userId) : null;
    if (!found || !user || user.deactivatedAt) throw gone();
    await assertPasswordAllowed(newPassword, user.email);
    const passwordHash = await this.passwords.hash(newPassword);
    await this.db.transaction(async (tx) => {
      if (!(await passwordResetStore.findUsable(tx, this.hasher.hash(secret), now))) throw gone(); // a racer used it first
      await passwordResetStore.useAllOf(tx, user.id, now);
      await userStore.setPassword(tx, user.id, passwordHash);
      const ended = await this.sessions.endAllInTransaction(tx, user.id, null);
      await this.audit.inTransaction(
        tx,
        {
          orgId: null,
          action: 'user.password_reset',
          outcome: 'success',
          actor: { type: 'user', id: user.id, name: user.email },
          detail: { sessionsEnded: ended, resetId: found.id },
        },
        ctx,
      );
    });
  }

  private async issue(user: { id: string; email: string } | null, ctx: RequestContext, via: 'email' | 'operator') {
    const secret = generateSecret(SECRET_PREFIX.passwordReset);
    const secretHash = this.hasher.hash(secret);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + RESET_MINUTES * 60_000);
    const id = newId('rst');
    await this.db.transaction(async (tx) => {
      await passwordResetStore.deleteExpired(tx, now);
      // The same statements either way: an insert, or an equally shaped look-up; one audit row.
      if (user) await passwordResetStore.insert(tx, { id, userId: user.id, secretHash, createdAt: now, expiresAt });
      else await passwordResetStore.findUsable(tx, secretHash, now);
      await this.audit.inTransaction(
        tx,
        {
          orgId: null,
          action: 'user.password_reset_request',
          outcome: user ? 'success' : 'failure',
          actor: via === 'operator' ? { type: 'system', name: 'operator' } : { type: 'anonymous' },
          ...(user ? { target: { type: 'user', id: user.id } } : {}),
          detail: { via, ...(user ? { resetId: id, expiresAt: expiresAt.toISOString() } : { reason: 'no active account' }) },
        },
        ctx,
      );
    });
    return user ? { url: `${this.options.issuer}/reset/${secret}`, expiresAt } : null;
  }
}
