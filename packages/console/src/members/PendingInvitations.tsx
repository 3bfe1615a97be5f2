import { useState } from 'react';
import { type ConsoleApi, fetchAll } from '../api/client';
import { ErrorAlert, Loading } from '../ui/Alert';
import { Confirm } from '../ui/Confirm';
import { formatDate } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { type Invitation, invitations } from './api';

/** [P1] Invitations not yet accepted, with Revoke (the links themselves are never shown again). */
export function PendingInvitations({ api, orgId }: { api: ConsoleApi; orgId: string }) {
  const list = useLoad(() => fetchAll((c) => invitations.list(api, orgId, c)), [api, orgId]);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  if (list.status === 'loading') return <Loading what="invitations" />;
  if (list.status === 'error') return <ErrorAlert error={list.error} doing="load the invitations" onRetry={list.reload} />;
  if (list.data.items.length === 0) return null;
  return (
    <section aria-labelledby="pending-invitations">
      <h2 id="pending-invitations">Pending invitations</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Invited by</th>
              <th>Expires</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{i.role}</td>
                <td>{i.invitedBy.name}</td>
                <td>{formatDate(i.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    className="button small danger-outline"
                    onClick={() => setRevoking(i)}
                    aria-label={`Revoke the invitation of ${i.email}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <Confirm
          title={`Revoke the invitation of ${revoking.email}?`}
          confirmLabel="Revoke invitation"
          danger
          doing="revoke the invitation"
          onConfirm={async () => {
            await invitations.revoke(api, orgId, revoking.id);
            list.reload();
          }}
          onClose={() => setRevoking(null)}
        >
          <p>The link stops working at once. You can invite them again later.</p>
        </Confirm>
      )}
    </section>
  );
}
