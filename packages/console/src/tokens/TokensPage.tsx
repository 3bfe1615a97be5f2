import { useState } from 'react';
import { fetchAll } from '../api/client';
import { useCatalogue } from '../scopes/useCatalogue';
import { useSignedIn } from '../session/session';
import { EmptyState, ErrorAlert, Loading } from '../ui/Alert';
import { Confirm } from '../ui/Confirm';
import { formatDate, relativeTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { refreshTokens, type RefreshToken } from './api';
import { CreateTokenDialog } from './CreateTokenDialog';

/** My API tokens: personal refresh tokens, which belong to the person, not to an organization [B2]. */
export function TokensPage() {
  const { api, memberships } = useSignedIn();
  const list = useLoad(() => fetchAll((cursor) => refreshTokens.list(api, cursor)), [api]);
  const { catalogue } = useCatalogue(api);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<RefreshToken | null>(null);
  const orgName = (id: string) => memberships.find((m) => m.orgId === id)?.orgName ?? id;

  const createButton = (
    <button type="button" className="button primary" onClick={() => setCreating(true)} disabled={!catalogue}>
      Create token
    </button>
  );

  return (
    <>
      <PageHeader
        crumbs={['Developers', 'API']}
        title="My API tokens"
        description="Personal refresh tokens for scripts and the CLI. Each one trades for one-hour access tokens that act as you, with your roles at the moment of each call, in every organization you belong to unless you narrow it."
        actions={createButton}
      />
      {list.status === 'loading' && <Loading what="your tokens" />}
      {list.status === 'error' && <ErrorAlert error={list.error} doing="load your tokens" onRetry={list.reload} />}
      {list.status === 'ready' &&
        (list.data.items.length === 0 ? (
          <EmptyState title="You have no API tokens" action={createButton}>
            Create one to call the SBOM API as yourself. It is shown once; unused for a year, it expires.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Your API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-narrow">
                    Limited to
                  </th>
                  <th scope="col" className="hide-narrow">
                    Created
                  </th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <strong>{t.name}</strong>
                      <div className="muted small">
                        <code>{t.id}</code>
                      </div>
                    </td>
                    <td className="hide-narrow small">
                      {!t.scopes && !t.orgIds && <span className="muted">Your roles, every organization</span>}
                      {t.scopes && <div>Scopes: {t.scopes.join(', ')}</div>}
                      {t.orgIds && <div>Organizations: {t.orgIds.map(orgName).join(', ')}</div>}
                    </td>
                    <td className="hide-narrow nowrap">{formatDate(t.createdAt)}</td>
                    <td className="nowrap" title={formatDate(t.lastUsedAt, 'Never used')}>
                      {t.lastUsedAt ? relativeTime(t.lastUsedAt) : 'Never'}
                    </td>
                    <td className="nowrap" title="A year after its last use">
                      {formatDate(t.expiresAt)}
                    </td>
                    <td className="actions">
                      <button type="button" className="button small danger-outline" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {list.data.truncated && <p className="muted">Showing the first {list.data.items.length} tokens.</p>}
          </div>
        ))}
      {creating && catalogue && (
        <CreateTokenDialog api={api} catalogue={catalogue} memberships={memberships} onCreated={list.reload} onClose={() => setCreating(false)} />
      )}
      {revoking && (
        <Confirm
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          danger
          doing="revoke the token"
          onConfirm={async () => {
            await refreshTokens.revoke(api, revoking.id);
            list.reload();
          }}
          onClose={() => setRevoking(null)}
        >
          <p>
            It stops working at once: trading it for an access token fails with <code>invalid_grant</code>.
          </p>
          <p>Access tokens already minted from it live out their hour.</p>
        </Confirm>
      )}
    </>
  );
}
