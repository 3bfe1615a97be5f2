import type { PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestContext } from '../audit/events.js';
import { roleRank, type Role } from '../catalogue/scopes.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { generateSecret, SECRET_PREFIX, type SecretHasher } from '../crypto/secrets.js';
import type { Db, Queryable } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Mailer } from '../mail/mailer.js';
import { validName } from '../names.js';
import type { Acting } from '../organizations/service.js';
import { organizationStore } from '../organizations/store.js';
import type { SessionUser } from '../sessions/service.js';
import { looksLikeEmail, normalizeEmail } from '../users/email.js';
import { assertPasswordAllowed } from '../users/password-policy.js';
import { userStore } from '../users/store.js';
import { invitationStore, type Invitation } from './store.js';

/** How an invitation is accepted: by the signed-in owner of its email, or by creating the account. */
export type Acceptor = { signedIn: SessionUser } | { name?: string | undefined; password?: string | undefined };

const SECRET_RE = new RegExp(`^${SECRET_PREFIX.invitation}[A-Za-z0-9_-]{43}$`);

/** Unknown, used, revoked and expired all look the same: nothing to tell apart, nothing to probe. */
const gone = (): ApiError => new ApiError('not_found', 'this invitation does not exist, was already used, was revoked or has expired');

/**
 * Invitations (§11 [P1]–[P3]). Nobody creates another person's account or chooses their password
 * [P2]: an owner invites an email to a role; whoever holds the link creates the account with their
 * own password, or signs in as that email and consents. Only then are they a member.
 */
export class InvitationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: SecretHasher,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditLog,
    private readonly states: PrincipalStates,
    private readonly options: { issuer: string; ttlHours: number; mailer: Mailer | null },
  ) {}

  /**
   * [P1] The secret is returned here once, in the URL. [P2] Whether the email has an account is
   * not even looked up, so the answer cannot differ.
   */
  async create(acting: Acting, orgId: string, input: { email: string; role: Role; inviterName: string }, ctx: RequestContext) {
    if (roleRank(input.role) > roleRank(acting.role)) throw new ApiError('forbidden', `you cannot invite to a role above your own (${acting.role})`);
    const email = normalizeEmail(input.email);
    if (!looksLikeEmail(email) || email.length > 254) throw new ApiError('invalid_request', 'email must be an email address');
    const secret = generateSecret(SECRET_PREFIX.invitation);
    const now = this.clock.now();
    const invitation: Invitation = {
      id: newId('inv'),
      orgId,
      email,
      role: input.role,
      invitedBy: acting.actor.id,
      inviterName: input.inviterName,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.ttlHours * 3_600_000),
      acceptedAt: null,
      revokedAt: null,
    };
    let orgName = '';
    await this.inOrg(orgId, acting, async (tx) => {
      orgName = (await organizationStore.find(tx, orgId))!.name;
      await invitationStore.insert(tx, { ...invitation, secretHash: this.hasher.hash(secret) });
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'invitation.create',
          outcome: 'success',
          actor: acting.actor,
          target: { type: 'invitation', id: invitation.id },
          detail: { email, role: input.role, expiresAt: invitation.expiresAt.toISOString() },
        },
        ctx,
      );
    });
    const inviteUrl = `${this.options.issuer}/invite/${secret}`;
    const mailed =
      this.options.mailer?.sendInvitation({
        to: email,
        orgName,
        inviterName: invitation.inviterName,
        role: input.role,
        url: inviteUrl,
        expiresAt: invitation.expiresAt,
      }) ?? null;
    return { invitation, inviteUrl, mailed };
  }

  list(orgId: string, after: string | null, limit: number): Promise<Invitation[]> {
    return invitationStore.listPending(this.db, orgId, this.clock.now(), after, limit);
  }

  async revoke(acting: Acting, orgId: string, id: string, ctx: RequestContext): Promise<void> {
    await this.inOrg(orgId, acting, async (tx) => {
      const revoked = await invitationStore.revoke(tx, orgId, id, this.clock.now());
      if (!revoked) throw notFound('invitation');
      await this.audit.inTransaction(
        tx,
        {
          orgId,
          action: 'invitation.revoke',
          outcome: 'success',
          actor: acting.actor,
          target: { type: 'invitation', id },
          detail: { email: revoked.email, role: revoked.role },
        },
        ctx,
      );
    });
  }

  /** [P3] What the link offers: organization, role, inviter, expiry. No session needed. */
  async preview(secret: string) {
    const invitation = await this.pending(this.db, secret);
    const org = await organizationStore.find(this.db, invitation.orgId);
    if (!org) throw gone();
    return { invitation, orgName: org.name };
  }

  /**
   * [P3] Accepting: the signed-in person must own the invited email (consent of an existing
   * account); otherwise the account is created with the person's own name and password [P4], but
   * only when no account has that email. The invitation is locked and used once.
   */
  async accept(secret: string, who: Acceptor, ctx: RequestContext) {
    const found = await this.pending(this.db, secret);
    let created: { id: string; name: string; passwordHash: string } | null = null;
    if ('signedIn' in who) {
      if (normalizeEmail(who.signedIn.email) !== found.email) {
        throw new ApiError('forbidden', 'this invitation is for another email address; sign in with that address to accept it');
      }
    } else {
      if (await userStore.findByEmail(this.db, found.email)) {
        await this.pending(this.db, secret); // a racer that just used this link made the account: 404, as for any used link
        throw new ApiError('unauthenticated', 'an account with this email exists: sign in as it to accept the invitation');
      }
      if (!who.name || !who.password) throw new ApiError('invalid_request', 'name and password are required to create your account');
      await assertPasswordAllowed(who.password, found.email);
      created = { id: newId('usr'), name: validName(who.name), passwordHash: await this.passwords.hash(who.password) };
    }
    const userId = 'signedIn' in who ? who.signedIn.id : created!.id;
    const now = this.clock.now();
    await this.inOrg(found.orgId, null, async (tx) => {
      const invitation = await this.pending(tx, secret, true);
      if (created) await userStore.insert(tx, { ...created, email: invitation.email, createdAt: now });
      if (await organizationStore.roleOf(tx, invitation.orgId, userId)) {
        throw new ApiError('conflict', 'you are already a member of this organization');
      }
      await organizationStore.addMember(tx, invitation.orgId, userId, invitation.role, now);
      await invitationStore.markAccepted(tx, invitation.id, userId, now);
      await this.audit.inTransaction(
        tx,
        {
          orgId: invitation.orgId,
          action: 'invitation.accept',
          outcome: 'success',
          actor: { type: 'user', id: userId, name: invitation.email },
          target: { type: 'invitation', id: invitation.id },
          detail: { email: invitation.email, role: invitation.role, newUser: created !== null, invitedBy: invitation.invitedBy },
        },
        ctx,
      );
    });
    this.states.invalidateUser(userId);
    return { userId, email: found.email, orgId: found.orgId, role: found.role, newUser: created !== null };
  }

  private async pending(q: Queryable, secret: string, forUpdate = false): Promise<Invitation> {
    if (!SECRET_RE.test(secret)) throw gone();
    const invitation = await invitationStore.findPendingBySecret(q, this.hasher.hash(secret), this.clock.now(), forUpdate);
    if (!invitation) throw gone();
    return invitation;
  }

  /**
   * Runs `fn` under the organization's row lock, as every membership change does (see
   * OrganizationService), re-checking under it that the acting owner still holds their role.
   */
  private async inOrg(orgId: string, acting: Acting | null, fn: (tx: Queryable) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await organizationStore.lock(tx, orgId))) throw acting ? notFound('organization') : gone();
      if (acting && (await organizationStore.roleOf(tx, orgId, acting.actor.id)) !== acting.role) {
        throw new ApiError('conflict', 'your role in this organization changed meanwhile; reload and retry');
      }
      await fn(tx);
    });
  }
}
