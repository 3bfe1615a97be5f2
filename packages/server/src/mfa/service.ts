import type { AuditLog } from '../audit/audit-log.js';
import type { AuditAction } from '../audit/actions.js';
import type { RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { MasterKey } from '../crypto/master-key.js';
import { generateSecret, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db, Queryable } from '../db/db.js';
import { ApiError } from '../errors.js';
import { RateLimiter } from '../http/rate-limiter.js';
import type { Acting } from '../organizations/service.js';
import type { SessionService, SessionUser } from '../sessions/service.js';
import { userStore } from '../users/store.js';
import type { PasskeyCeremonies } from './passkeys.js';
import { newRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { mfaStore } from './store.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';

/** The pending sign-in lasts 5 minutes and allows 5 wrong codes, then the password is asked again. */
export const MFA_PENDING_SECONDS = 300;
export const MFA_MAX_FAILURES = 5;

export type MfaMethod = 'totp' | 'passkey' | 'recovery';
export type MfaProof = { method: 'totp'; code: string } | { method: 'recovery'; code: string } | { method: 'passkey'; response: unknown };

const FAILED = 'the second factor was not accepted';
const totpContext = (userId: string) => `mfa-totp:${userId}`;

/**
 * [P6] Second factors: TOTP enrolment (secret encrypted under the master key, confirmed with a
 * code before it counts), recovery codes (keyed hashes, single use), and the step between a right
 * password and a session. Passkey ceremonies are in passkeys.ts.
 */
export class MfaService {
  /** Wrong second factors per person, across pending sign-ins (a fresh password does not reset it). */
  private readonly perUser: RateLimiter;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly master: MasterKey,
    private readonly audit: AuditLog,
    private readonly sessions: SessionService,
    private readonly passkeys: PasskeyCeremonies,
    private readonly issuerName: string,
  ) {
    this.perUser = new RateLimiter({ burst: 10, perSecond: 10 / 900 }, () => clock.monotonicMs());
  }

  async status(userId: string) {
    const totp = await mfaStore.totp(this.db, userId);
    const passkeys = await mfaStore.passkeys(this.db, userId);
    return {
      totp: totp?.confirmed === true,
      passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, backedUp: p.backedUp })),
      recoveryCodesLeft: await mfaStore.recoveryCodesLeft(this.db, userId),
    };
  }

  // ---- TOTP enrolment

  /** A new secret, shown once; it counts only after `confirmTotp`. 409 when one is confirmed already. */
  async startTotp(user: SessionUser): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret();
    const ok = await mfaStore.startTotp(this.db, user.id, this.master.encrypt(secret, totpContext(user.id)), this.clock.now());
    if (!ok) throw new ApiError('conflict', 'an authenticator app is already enrolled; remove it first');
    return { secret, uri: totpUri(secret, user.email, this.issuerName) };
  }

  /** Confirms the enrolment with a first code; the first factor also brings the recovery codes. */
  async confirmTotp(user: SessionUser, code: string, ctx: RequestContext): Promise<{ recoveryCodes: string[] | null }> {
    const stored = await mfaStore.totp(this.db, user.id);
    if (!stored || stored.confirmed) throw new ApiError('conflict', 'start an authenticator enrolment first');
    const now = this.clock.now();
    const step = totpStep(this.secretOf(user.id, stored.secretEnc), code.trim(), now);
    if (step === null) throw new ApiError('invalid_request', 'that code is not right; check the time on your device');
    return this.db.transaction(async (tx) => {
      const first = !(await this.hasFactor(tx, user.id));
      if (!(await mfaStore.useTotpStep(tx, user.id, step, now))) throw new ApiError('conflict', 'start an authenticator enrolment first');
      await this.record(tx, 'user.mfa_enrol', user, { method: 'totp' }, ctx);
      return { recoveryCodes: first ? await this.newRecoveryCodes(tx, user.id) : null };
    });
  }

  async removeTotp(user: SessionUser, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await mfaStore.deleteTotp(tx, user.id))) throw new ApiError('not_found', 'no authenticator app is enrolled');
      await this.afterRemoval(tx, user, { method: 'totp' }, ctx);
    });
  }

  // ---- Passkeys

  passkeyRegistrationOptions(user: SessionUser) {
    return this.passkeys.registrationOptions(user);
  }

  async registerPasskey(user: SessionUser, response: unknown, name: string, ctx: RequestContext) {
    const passkey = await this.passkeys.verifyRegistration(user, response, name);
    return this.db.transaction(async (tx) => {
      const first = !(await this.hasFactor(tx, user.id));
      await mfaStore.insertPasskey(tx, passkey);
      await this.record(tx, 'user.mfa_enrol', user, { method: 'passkey', passkeyId: passkey.id }, ctx);
      return { id: passkey.id, name: passkey.name, recoveryCodes: first ? await this.newRecoveryCodes(tx, user.id) : null };
    });
  }

  async removePasskey(user: SessionUser, id: string, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await mfaStore.deletePasskey(tx, user.id, id))) throw new ApiError('not_found', 'passkey not found');
      await this.afterRemoval(tx, user, { method: 'passkey', passkeyId: id }, ctx);
    });
  }

  // ---- Recovery codes

  async regenerateRecoveryCodes(user: SessionUser, ctx: RequestContext): Promise<{ recoveryCodes: string[] }> {
    return this.db.transaction(async (tx) => {
      if (!(await this.hasFactor(tx, user.id))) throw new ApiError('conflict', 'enrol a second factor first');
      const recoveryCodes = await this.newRecoveryCodes(tx, user.id);
      await this.record(tx, 'user.mfa_recovery_codes', user, {}, ctx);
      return { recoveryCodes };
    });
  }

  // ---- [P6] The organization's requirement

  /**
   * Requires a second factor of the organization's owners and admins. The owner switching it on
   * must have one already: otherwise the switch would lock them out of the organization at once.
   */
  async setOrgRequirement(acting: Acting, orgId: string, required: boolean, ctx: RequestContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (required && !(await this.hasFactor(tx, acting.actor.id))) {
        throw new ApiError('conflict', 'enrol a second factor yourself before requiring one of owners and admins');
      }
      if ((await mfaStore.orgRequirement(tx, orgId)) === required) return;
      await mfaStore.setOrgRequirement(tx, orgId, required);
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'organization.mfa_requirement',
          outcome: 'success',
          actor: acting.actor,
          target: { type: 'organization', id: orgId },
          detail: { requireMfaForAdmins: required },
        },
        ctx,
      );
    });
  }

  /** consoleGuard's check: an owner or admin of an organization that requires a factor, without one. */
  mustEnrol(orgId: string, userId: string): Promise<boolean> {
    return mfaStore.mustEnrol(this.db, orgId, userId);
  }

  // ---- The sign-in step

  /** SessionService.signIn's second step: a pending sign-in when the person has a factor. */
  async begin(userId: string): Promise<{ mfaRequired: true; methods: MfaMethod[]; pendingId: string } | null> {
    const m = await mfaStore.methods(this.db, userId);
    if (!m.totp && !m.passkey) return null;
    const pendingId = generateSecret(SECRET_PREFIX.mfaPending);
    const now = this.clock.now();
    await mfaStore.deleteExpired(this.db, now);
    await mfaStore.insertPending(this.db, this.hasher.hash(pendingId), userId, new Date(now.getTime() + MFA_PENDING_SECONDS * 1000));
    const methods: MfaMethod[] = [...(m.totp ? (['totp'] as const) : []), ...(m.passkey ? (['passkey'] as const) : []), 'recovery'];
    return { mfaRequired: true, methods, pendingId };
  }

  /** The WebAuthn options for a pending sign-in (its challenge is bound to that pending sign-in). */
  async passkeySignInOptions(pendingId: string | undefined) {
    const { userId, idHash } = await this.pending(pendingId);
    return this.passkeys.authenticationOptions(userId, `signin:${idHash}`);
  }

  /** Checks the second factor; a session on success. Wrong answers are counted, audited and limited. */
  async complete(pendingId: string | undefined, proof: MfaProof, ctx: RequestContext) {
    const { userId, idHash } = await this.pending(pendingId);
    const user = await userStore.find(this.db, userId);
    if (!user || user.deactivatedAt) throw new ApiError('unauthenticated', 'sign in again');
    const who: SessionUser = { id: user.id, email: user.email, name: user.name };
    this.perUser.take(userId);
    const ok = await this.check(userId, idHash, proof);
    if (!ok) {
      const failures = await this.db.transaction(async (tx) => {
        await this.record(tx, 'session.mfa_failure', who, { method: proof.method }, ctx, 'failure');
        return mfaStore.pendingFailed(tx, idHash);
      });
      if (failures >= MFA_MAX_FAILURES) await mfaStore.deletePending(this.db, idHash);
      throw new ApiError('unauthenticated', FAILED);
    }
    this.perUser.refund(userId);
    // Single use: only the request that deletes the pending sign-in gets the session.
    if (!(await mfaStore.deletePending(this.db, idHash))) throw new ApiError('unauthenticated', 'sign in again');
    await this.db.transaction((tx) => this.record(tx, 'session.mfa_success', who, { method: proof.method }, ctx));
    return this.sessions.startSession(user, ctx);
  }

  private async check(userId: string, idHash: string, proof: MfaProof): Promise<boolean> {
    if (proof.method === 'recovery') {
      return mfaStore.useRecoveryCode(this.db, userId, this.hasher.hash(`recovery:${normalizeRecoveryCode(proof.code)}`));
    }
    if (proof.method === 'totp') {
      const stored = await mfaStore.totp(this.db, userId);
      if (!stored?.confirmed) return false;
      const step = totpStep(this.secretOf(userId, stored.secretEnc), proof.code.trim(), this.clock.now());
      // RFC 6238 §5.2: a code accepted once is refused afterwards, even within its window.
      return step !== null && (await mfaStore.useTotpStep(this.db, userId, step));
    }
    return this.passkeys.verifyAuthentication(userId, `signin:${idHash}`, proof.response);
  }

  private async pending(pendingId: string | undefined): Promise<{ userId: string; idHash: string }> {
    if (!pendingId?.startsWith(SECRET_PREFIX.mfaPending)) throw new ApiError('unauthenticated', 'sign in with your password first');
    const idHash = this.hasher.hash(pendingId);
    const p = await mfaStore.findPending(this.db, idHash, this.clock.now());
    if (!p || p.failures >= MFA_MAX_FAILURES) throw new ApiError('unauthenticated', 'sign in with your password first');
    return { userId: p.userId, idHash };
  }

  private async hasFactor(q: Queryable, userId: string): Promise<boolean> {
    const m = await mfaStore.methods(q, userId);
    return m.totp || m.passkey;
  }

  /** The last factor gone, the recovery codes go too: they would be a second factor on their own. */
  private async afterRemoval(tx: Queryable, user: SessionUser, detail: Record<string, unknown>, ctx: RequestContext): Promise<void> {
    if (!(await this.hasFactor(tx, user.id))) await mfaStore.replaceRecoveryCodes(tx, user.id, []);
    await this.record(tx, 'user.mfa_remove', user, detail, ctx);
  }

  private async newRecoveryCodes(tx: Queryable, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await mfaStore.replaceRecoveryCodes(
      tx,
      userId,
      codes.map((c) => this.hasher.hash(`recovery:${normalizeRecoveryCode(c)}`)),
    );
    return codes;
  }

  private secretOf(userId: string, secretEnc: string): string {
    return this.master.decrypt(secretEnc, totpContext(userId)).toString('utf8');
  }

  private record(
    tx: Queryable,
    action: AuditAction,
    user: SessionUser,
    detail: Record<string, unknown>,
    ctx: RequestContext,
    outcome: 'success' | 'failure' = 'success',
  ) {
    return this.audit.inTransaction(tx, { orgId: null, action, outcome, actor: { type: 'user', id: user.id, name: user.email }, detail }, ctx);
  }
}
