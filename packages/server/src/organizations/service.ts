import type { PrincipalStates } from '../access/principal-state.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Actor, RequestContext } from '../audit/events.js';
import { MAX_SECRET_ROTATION_DAYS } from '@gatehouse/contract';
import { roleRank, type Role } from '../catalogue/scopes.js';
import type { Clock } from '../clock.js';
import type { Db, Queryable } from '../db/db.js';
import { ApiError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { validName } from '../names.js';
import { refreshTokenStore } from '../refresh-tokens/store.js';
import { userStore } from '../users/store.js';
import { organizationStore, type Member } from './store.js';

/** The acting user and the role they hold in the organization being changed. */
export interface Acting {
  actor: Actor & { id: string };
  role: Role;
}

/**
 * Organizations and their members (§1, §8). Callers have checked that the acting user holds a
 * role with the needed capability. Every change locks the organization's row first, commits with
 * its audit event, then invalidates the affected user's principal state, so a role change reaches
 * live access tokens on their next call [B6].
 */
export class OrganizationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly states: PrincipalStates,
  ) {}

  /** §8: the creator becomes the owner. */
  async create(actor: Actor & { id: string }, name: string, ctx: RequestContext) {
    const org = { id: newId('org'), name: validName(name), createdAt: this.clock.now(), createdBy: actor.id };
    await this.db.transaction(async (tx) => {
      await organizationStore.insert(tx, org);
      await organizationStore.addMember(tx, org.id, actor.id, 'owner', org.createdAt);
      await this.audit.inTransaction(
        tx,
        {
          orgId: org.id,
          action: 'organization.create',
          outcome: 'success',
          actor,
          target: { type: 'organization', id: org.id },
          detail: { name: org.name },
        },
        ctx,
      );
    });
    this.states.invalidateUser(actor.id);
    return { id: org.id, name: org.name, createdAt: org.createdAt, role: 'owner' as const };
  }

  async get(orgId: string) {
    const org = await organizationStore.find(this.db, orgId);
    if (!org) throw notFound('organization');
    return org;
  }

  async rename(acting: Acting, orgId: string, name: string, ctx: RequestContext) {
    const next = validName(name);
    await this.change(
      orgId,
      async (tx) => {
        await organizationStore.rename(tx, orgId, next);
        await this.audit.inTransaction(
          tx,
          {
            orgId,
            action: 'organization.rename',
            outcome: 'success',
            actor: acting.actor,
            target: { type: 'organization', id: orgId },
            detail: { name: next },
          },
          ctx,
        );
      },
      acting,
    );
    return { ...(await this.get(orgId)), role: acting.role };
  }

  /**
   * Issue 14 item 5: owners set after how many days a service account's secret is marked
   * "rotation recommended" (the route's schema has checked the range; checked again for other callers).
   */
  async setSecretRotationDays(acting: Acting, orgId: string, days: number, ctx: RequestContext): Promise<void> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_SECRET_ROTATION_DAYS) {
      throw new ApiError('invalid_request', `secretRotationDays must be a whole number of days from 1 to ${MAX_SECRET_ROTATION_DAYS}`);
    }
    await this.change(
      orgId,
      async (tx) => {
        const previous = await organizationStore.setSecretRotationDays(tx, orgId, days);
        await this.audit.inTransaction(
          tx,
          {
            orgId,
            action: 'organization.secret_rotation_days',
            outcome: 'success',
            actor: acting.actor,
            target: { type: 'organization', id: orgId },
            detail: { days, previous },
          },
          ctx,
        );
      },
      acting,
    );
  }

  listMembers(orgId: string, after: string | null, limit: number): Promise<Member[]> {
    return organizationStore.listMembers(this.db, orgId, after, limit);
  }

  async changeRole(acting: Acting, orgId: string, userId: string, role: Role, ctx: RequestContext): Promise<Member> {
    grantable(acting, role);
    await this.change(
      orgId,
      async (tx) => {
        const member = await this.memberOf(tx, orgId, userId);
        if (roleRank(member.role) > roleRank(acting.role))
          throw new ApiError('forbidden', `you cannot change the role of someone above your own role (${acting.role})`);
        if (member.role === role) return;
        if (member.role === 'owner') await this.keepsOwner(tx, orgId, userId);
        await organizationStore.setRole(tx, orgId, userId, role);
        await this.audit.inTransaction(
          tx,
          {
            orgId,
            action: 'member.role_change',
            outcome: 'success',
            actor: acting.actor,
            target: { type: 'user', id: userId },
            detail: { email: member.email, from: member.role, to: role },
          },
          ctx,
        );
      },
      acting,
    );
    this.states.invalidateUser(userId);
    return (await organizationStore.member(this.db, orgId, userId))!;
  }

  /** Owners remove members; anyone may leave. The last owner can do neither to themselves. */
  async removeMember(acting: Acting, orgId: string, userId: string, ctx: RequestContext): Promise<void> {
    await this.change(
      orgId,
      async (tx) => {
        const member = await this.memberOf(tx, orgId, userId);
        if (roleRank(member.role) > roleRank(acting.role)) throw new ApiError('forbidden', `you cannot remove someone above your own role (${acting.role})`);
        if (member.role === 'owner') await this.keepsOwner(tx, orgId, userId);
        await organizationStore.removeMember(tx, orgId, userId);
        await this.audit.inTransaction(
          tx,
          {
            orgId,
            action: userId === acting.actor.id ? 'member.leave' : 'member.remove',
            outcome: 'success',
            actor: acting.actor,
            target: { type: 'user', id: userId },
            detail: { email: member.email, role: member.role },
          },
          ctx,
        );
      },
      acting,
    );
    this.states.invalidateUser(userId);
  }

  /**
   * [B7] Deactivation: the user cannot sign in, their live access tokens fail on the next call
   * (the token epoch moves on), and their refresh tokens are revoked, so reactivating them later
   * revives nothing. Users span organizations, so only someone who owns every organization the
   * user belongs to may deactivate them, and no organization may be left without an active owner;
   * except the organizations the user created: creating one is no way to escape deactivation, and
   * it goes dormant with its creator rather than being handed to anyone (README, "Where the spec
   * is silent"). Elsewhere the acting owner is an active owner, so nobody is stranded as owner.
   */
  async setDeactivated(acting: Acting, orgId: string, userId: string, deactivate: boolean, ctx: RequestContext): Promise<Member> {
    if (userId === acting.actor.id) throw new ApiError('forbidden', 'you cannot deactivate or reactivate yourself');
    const now = this.clock.now();
    await this.change(
      orgId,
      async (tx) => {
        await this.memberOf(tx, orgId, userId);
        const user = await userStore.findForUpdate(tx, userId);
        if (!user || (user.deactivatedAt !== null) === deactivate) return; // already so: nothing to record
        const orgs = await organizationStore.membershipsOf(tx, userId);
        for (const m of orgs) {
          if ((await organizationStore.createdBy(tx, m.orgId)) === userId) continue;
          if ((await organizationStore.roleOf(tx, m.orgId, acting.actor.id)) !== 'owner') {
            throw new ApiError('forbidden', 'this user also belongs to organizations you do not own; remove them from this one instead');
          }
          if (deactivate && m.role === 'owner') await this.keepsOwner(tx, m.orgId, userId);
        }
        let revoked: string[] = [];
        if (deactivate) {
          await userStore.deactivate(tx, userId, now);
          await userStore.deleteSessions(tx, userId);
          revoked = await refreshTokenStore.revokeAllOf(tx, userId, now, acting.actor.id);
        } else {
          await userStore.reactivate(tx, userId);
        }
        await this.audit.manyInTransaction(
          tx,
          orgs.map((m) => ({
            orgId: m.orgId,
            action: deactivate ? 'user.deactivate' : 'user.reactivate',
            outcome: 'success' as const,
            actor: acting.actor,
            target: { type: 'user', id: userId },
            detail: { email: user.email, ...(deactivate ? { refreshTokensRevoked: revoked.length } : {}) },
          })),
          ctx,
        );
      },
      acting,
    );
    this.states.invalidateUser(userId);
    return (await organizationStore.member(this.db, orgId, userId))!;
  }

  /**
   * Locks the organization's row and applies `fn` in the same transaction. The acting user's role
   * was checked before the lock; it is checked again under it, so an owner demoted a moment ago
   * by a concurrent change cannot still act as one.
   */
  private async change(orgId: string, fn: (tx: Queryable) => Promise<void>, acting?: Acting): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await organizationStore.lock(tx, orgId))) throw notFound('organization');
      if (acting && (await organizationStore.roleOf(tx, orgId, acting.actor.id)) !== acting.role) {
        throw new ApiError('conflict', 'your role in this organization changed meanwhile; reload and retry');
      }
      await fn(tx);
    });
  }

  private async memberOf(tx: Queryable, orgId: string, userId: string): Promise<Member> {
    const member = await organizationStore.member(tx, orgId, userId);
    if (!member) throw notFound('member');
    return member;
  }

  /** §8: an organization always keeps an active owner. */
  private async keepsOwner(tx: Queryable, orgId: string, losingUserId: string): Promise<void> {
    if ((await organizationStore.activeOwnerCount(tx, orgId, losingUserId)) === 0) {
      throw new ApiError('conflict', 'an organization must keep an owner; make someone else owner first');
    }
  }
}

/** Nobody grants a role above their own. */
function grantable(acting: Acting, role: Role): void {
  if (roleRank(role) > roleRank(acting.role)) {
    throw new ApiError('forbidden', `you cannot grant a role above your own (${acting.role})`);
  }
}
