import { ACTIVITY_DAYS } from '@gatehouse/contract/limits';
import { useState } from 'react';
import { Link } from '../app/navigation';
import { routePath } from '../app/routes';
import { canManageServiceAccounts } from '../members/rules';
import { useCatalogue } from '../scopes/useCatalogue';
import type { Membership } from '../session/session';
import { useSignedIn } from '../session/session';
import { EmptyState, ErrorAlert, Loading } from '../ui/Alert';
import { CopyButton } from '../ui/CopyButton';
import { formatDate, relativeTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { serviceAccounts } from './api';
import { CreateServiceAccountDialog } from './CreateServiceAccountDialog';
import { ScopeChips, StatusBadge } from './parts';
import { RotationThreshold } from './RotationThreshold';

/** Developers → API → Credentials: the organization's service accounts ([A1]). */
export function CredentialsPage({ membership }: { membership: Membership }) {
  const { api } = useSignedIn();
  const { orgId } = membership;
  const allowed = canManageServiceAccounts(membership.role);
  // Issue 14 item 5: show only accounts with no token in the last 30 days (or never).
  const [unusedOnly, setUnusedOnly] = useState(false);
  const list = useLoad(
    () => (allowed ? serviceAccounts.list(api, orgId, null, unusedOnly ? ACTIVITY_DAYS : undefined) : Promise.resolve(null)),
    [api, orgId, allowed, unusedOnly],
  );
  const { catalogue, error: catalogueError } = useCatalogue(api);
  const [creating, setCreating] = useState(false);

  const createButton = (
    <button type="button" className="button primary" onClick={() => setCreating(true)} disabled={!catalogue}>
      Create service account
    </button>
  );

  return (
    <>
      <PageHeader
        crumbs={['Developers', 'API']}
        title="Credentials"
        description="Service accounts let integrations call the API as themselves: they trade a client ID and secret for 15-minute tokens holding only the scopes you grant."
        actions={allowed ? createButton : undefined}
      />
      {!allowed && (
        <EmptyState title="Only owners and admins manage service accounts">
          Your role in {membership.orgName} is <strong>{membership.role}</strong>. Ask an owner for the admin role, or create a{' '}
          <Link to={routePath({ name: 'section', orgId, section: 'api-tokens' })}>personal API token</Link> to call the API as yourself.
        </EmptyState>
      )}
      {catalogueError !== null && <ErrorAlert error={catalogueError} doing="load the scope catalogue" />}
      {allowed && (
        <div className="list-tools">
          <label className="checkbox-row">
            <input type="checkbox" checked={unusedOnly} onChange={(e) => setUnusedOnly(e.target.checked)} />
            Only accounts unused for {ACTIVITY_DAYS} days
          </label>
          <RotationThreshold api={api} membership={membership} />
        </div>
      )}
      {list.status === 'loading' && <Loading what="service accounts" />}
      {list.status === 'error' && <ErrorAlert error={list.error} doing="load the service accounts" onRetry={list.reload} />}
      {list.status === 'ready' &&
        list.data &&
        (list.data.items.length === 0 && unusedOnly ? (
          <EmptyState title={`No account unused for ${ACTIVITY_DAYS} days`}>
            Every service account here was issued a token in the last {ACTIVITY_DAYS} days.
          </EmptyState>
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No service accounts yet" action={createButton}>
            Create one per integration, with only the scopes it needs. Its secret is shown once.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Service accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client ID</th>
                  <th scope="col" className="hide-narrow">
                    Scopes
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-narrow">
                    Created
                  </th>
                  <th scope="col">Last token issued</th>
                  <th scope="col" className="hide-narrow">
                    Expires
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link to={routePath({ name: 'service-account', orgId, id: a.id })} className="strong-link">
                        {a.name}
                      </Link>
                    </td>
                    <td className="nowrap">
                      <code className="id">{a.clientId}</code> <CopyButton value={a.clientId} label={`client ID of ${a.name}`} />
                    </td>
                    <td className="hide-narrow">
                      <ScopeChips scopes={a.scopes} max={3} />
                    </td>
                    <td>
                      <StatusBadge status={a.status} />
                    </td>
                    <td className="hide-narrow nowrap">{formatDate(a.createdAt)}</td>
                    <td className="nowrap" title={a.lastTokenIssuedAt ? formatDate(a.lastTokenIssuedAt) : undefined}>
                      {a.lastTokenIssuedAt ? relativeTime(a.lastTokenIssuedAt) : 'Never'}
                    </td>
                    <td className="hide-narrow nowrap">{formatDate(a.expiresAt, 'Never')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {list.data.nextCursor && <p className="muted">Showing the first {list.data.items.length} service accounts.</p>}
          </div>
        ))}
      {creating && catalogue && (
        <CreateServiceAccountDialog api={api} orgId={orgId} catalogue={catalogue} onCreated={() => list.reload()} onClose={() => setCreating(false)} />
      )}
    </>
  );
}
