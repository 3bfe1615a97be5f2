import { useState } from 'react';
import { fetchAll } from '../api/client';
import { useSignedIn, type Membership, type Role } from '../session/session';
import { EmptyState, ErrorAlert, Loading } from '../ui/Alert';
import { Confirm } from '../ui/Confirm';
import { formatDate } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { InviteDialog } from './InviteDialog';
import { PendingInvitations } from './PendingInvitations';
import { members as membersApi, type Member } from './api';
import { RoleRules } from './RoleRules';
import { canManageMembers, lastOwnerLock, ROLES } from './rules';

/** Members (§8): every member may look; owners invite [P1], change roles and remove. */
export function MembersPage({ membership }: { membership: Membership }) {
  const { api, user, reload: reloadSession } = useSignedIn();
  const { orgId } = membership;
  const manage = canManageMembers(membership.role);
  const list = useLoad(() => fetchAll((c) => membersApi.list(api, orgId, c)), [api, orgId]);
  const [adding, setAdding] = useState(false);
  const [invited, setInvited] = useState(0);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [rowError, setRowError] = useState<{ userId: string; error: unknown } | null>(null);
  const [saving, setSaving] = useState<string | null>(null);

  const changeRole = async (m: Member, role: Role) => {
    setSaving(m.userId);
    setRowError(null);
    try {
      await membersApi.changeRole(api, orgId, m.userId, role);
      if (m.userId === user.id) await reloadSession();
      list.reload();
    } catch (error) {
      setRowError({ userId: m.userId, error });
    } finally {
      setSaving(null);
    }
  };

  const addButton = manage ? (
    <button type="button" className="button primary" onClick={() => setAdding(true)}>
      Invite
    </button>
  ) : undefined;
  const all = list.status === 'ready' ? list.data.items : [];

  return (
    <>
      <PageHeader
        crumbs={[membership.orgName]}
        title="Members"
        description="People who can sign in to this organization, and their roles. A role change applies to their tokens already issued, on the very next call."
        actions={addButton}
      />
      {!manage && (
        <p className="notice">
          You can see who is here. Only owners invite people, change roles and remove people; your role is <strong>{membership.role}</strong>.
        </p>
      )}
      {list.status === 'loading' && <Loading what="members" />}
      {list.status === 'error' && <ErrorAlert error={list.error} doing="load the members" onRetry={list.reload} />}
      {list.status === 'ready' &&
        (all.length === 0 ? (
          <EmptyState title="No members" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Members of {membership.orgName}</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="hide-narrow">
                    Joined
                  </th>
                  {manage && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {all.map((m) => {
                  const lock = lastOwnerLock(all, m.userId);
                  return (
                    <tr key={m.userId}>
                      <td>
                        <strong>{m.name}</strong>
                        {m.userId === user.id && <span className="muted"> (you)</span>}
                        <div className="muted small">{m.email}</div>
                        {m.status === 'deactivated' && <span className="badge disabled">Deactivated</span>}
                        {rowError?.userId === m.userId && <ErrorAlert error={rowError.error} doing="change the role" />}
                      </td>
                      <td>
                        {manage ? (
                          <>
                            <select
                              aria-label={`Role of ${m.email}`}
                              value={m.role}
                              disabled={saving === m.userId || lock !== null}
                              onChange={(e) => void changeRole(m, e.target.value as Role)}
                              title={lock ?? undefined}
                            >
                              {ROLES.map((r) => (
                                <option key={r} value={r}>
                                  {r}
                                </option>
                              ))}
                            </select>
                            {lock && <div className="muted small">{lock}</div>}
                          </>
                        ) : (
                          <span className="badge role">{m.role}</span>
                        )}
                      </td>
                      <td className="hide-narrow nowrap">{formatDate(m.joinedAt)}</td>
                      {manage && (
                        <td className="actions">
                          <button
                            type="button"
                            className="button small danger-outline"
                            disabled={lock !== null}
                            onClick={() => setRemoving(m)}
                            aria-label={`Remove ${m.email}`}
                            title={lock ?? undefined}
                          >
                            Remove
                          </button>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
      {manage && <PendingInvitations key={invited} api={api} orgId={orgId} />}
      <RoleRules api={api} />
      {adding && <InviteDialog api={api} orgId={orgId} onInvited={() => setInvited((n) => n + 1)} onClose={() => setAdding(false)} />}
      {removing && (
        <Confirm
          title={`Remove ${removing.email}?`}
          confirmLabel="Remove member"
          danger
          doing="remove the member"
          onConfirm={async () => {
            await membersApi.remove(api, orgId, removing.userId);
            if (removing.userId === user.id) await reloadSession();
            list.reload();
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            They lose access to {membership.orgName} at once: their tokens fail here on the next call. Their account and their other organizations are
            untouched.
          </p>
        </Confirm>
      )}
    </>
  );
}
