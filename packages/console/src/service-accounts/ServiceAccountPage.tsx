import { useState } from 'react';
import { Link, useNavigation } from '../app/navigation';
import { sectionPath } from '../app/routes';
import { useCatalogue } from '../scopes/useCatalogue';
import { useSignedIn, type Membership } from '../session/session';
import { ErrorAlert, Loading, Warning } from '../ui/Alert';
import { Confirm } from '../ui/Confirm';
import { CopyButton } from '../ui/CopyButton';
import { formatDate, relativeTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { ActivityPanel } from './ActivityPanel';
import { serviceAccounts, type ServiceAccount } from './api';
import { EditServiceAccountDialog } from './EditServiceAccountDialog';
import { secretSummary } from './grace';
import { ScopeChips, StatusBadge } from './parts';
import { RotateSecretDialog } from './RotateSecretDialog';

type Open = null | 'edit' | 'rotate' | 'disable' | 'enable' | 'delete';

/** One service account: what it holds, and rotate, disable/enable, edit, delete ([A5]-[A9]). */
export function ServiceAccountPage({ membership, id }: { membership: Membership; id: string }) {
  const { api } = useSignedIn();
  const { navigate } = useNavigation();
  const { orgId } = membership;
  const load = useLoad(() => serviceAccounts.get(api, orgId, id), [api, orgId, id]);
  const { catalogue } = useCatalogue(api);
  const [open, setOpen] = useState<Open>(null);
  const [account, setAccount] = useState<ServiceAccount | null>(null);
  const back = sectionPath(orgId, 'credentials');

  if (load.status === 'loading') return <Loading what="the service account" />;
  if (load.status === 'error') {
    return (
      <>
        <PageHeader
          crumbs={[
            'Developers',
            'API',
            <Link key="c" to={back}>
              Credentials
            </Link>,
          ]}
          title="Service account"
        />
        <ErrorAlert error={load.error} doing="load the service account" onRetry={load.reload} />
      </>
    );
  }
  const a = account && account.updatedAt >= load.data.updatedAt ? account : load.data;
  const update = (next: ServiceAccount) => setAccount(next);
  const now = new Date();

  return (
    <>
      <PageHeader
        crumbs={[
          'Developers',
          'API',
          <Link key="c" to={back}>
            Credentials
          </Link>,
        ]}
        title={a.name}
        actions={
          <>
            <button type="button" className="button" onClick={() => setOpen('edit')} disabled={!catalogue}>
              Edit
            </button>
            <button type="button" className="button" onClick={() => setOpen('rotate')}>
              Rotate secret
            </button>
            {a.status === 'disabled' ? (
              <button type="button" className="button" onClick={() => setOpen('enable')}>
                Enable
              </button>
            ) : (
              <button type="button" className="button danger-outline" onClick={() => setOpen('disable')}>
                Disable
              </button>
            )}
            <button type="button" className="button danger-outline" onClick={() => setOpen('delete')}>
              Delete
            </button>
          </>
        }
      />
      {a.status === 'disabled' && (
        <Warning title="Disabled">New tokens are refused and tokens it held stopped working. Enabling it again does not revive those tokens.</Warning>
      )}
      {a.status === 'expired' && <Warning title="Expired">Past its expiry date it behaves as disabled. Edit the expiry to use it again.</Warning>}
      <dl className="details">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={a.status} />
          </dd>
        </div>
        <div>
          <dt>Client ID</dt>
          <dd>
            <code className="id" data-testid="client-id">
              {a.clientId}
            </code>{' '}
            <CopyButton value={a.clientId} label="client ID" />
          </dd>
        </div>
        <div>
          <dt>Client secret</dt>
          <dd>Shown once when created or rotated. {secretSummary(a.secrets, now)}</dd>
        </div>
        <div>
          <dt>Scopes</dt>
          <dd>
            <ScopeChips scopes={a.scopes} />
          </dd>
        </div>
        <div>
          <dt>Last token issued</dt>
          <dd>{a.lastTokenIssuedAt ? `${relativeTime(a.lastTokenIssuedAt, now)} (${formatDate(a.lastTokenIssuedAt)})` : 'Never'}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>{formatDate(a.expiresAt, 'Never')}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(a.createdAt)}</dd>
        </div>
        <div>
          <dt>Organization</dt>
          <dd>
            {membership.orgName} <code className="id">{orgId}</code>
          </dd>
        </div>
      </dl>
      <ActivityPanel api={api} orgId={orgId} id={a.id} version={`${a.updatedAt} ${a.secrets.map((x) => x.id).join()}`} />

      {open === 'edit' && catalogue && <EditServiceAccountDialog api={api} account={a} catalogue={catalogue} onSaved={update} onClose={() => setOpen(null)} />}
      {open === 'rotate' && <RotateSecretDialog api={api} account={a} onRotated={update} onClose={() => setOpen(null)} />}
      {(open === 'disable' || open === 'enable') && (
        <Confirm
          title={open === 'disable' ? `Disable “${a.name}”?` : `Enable “${a.name}”?`}
          confirmLabel={open === 'disable' ? 'Disable now' : 'Enable'}
          danger={open === 'disable'}
          doing={`${open} the service account`}
          onConfirm={async () => update(await serviceAccounts.setEnabled(api, orgId, a.id, open === 'enable'))}
          onClose={() => setOpen(null)}
        >
          {open === 'disable' ? (
            <>
              <p>
                <strong>Live tokens die at once.</strong> Every token this account holds fails on its very next call, whichever secret issued it, and new tokens
                are refused.
              </p>
              <p>Enabling it later does not revive those tokens; only tokens issued after re-enabling work.</p>
            </>
          ) : (
            <p>It can get tokens again with its current secret. Tokens it held before it was disabled stay dead.</p>
          )}
        </Confirm>
      )}
      {open === 'delete' && (
        <Confirm
          title={`Delete “${a.name}”?`}
          confirmLabel="Delete service account"
          danger
          doing="delete the service account"
          onConfirm={async () => {
            await serviceAccounts.remove(api, orgId, a.id);
            navigate(back);
          }}
          onClose={() => setOpen(null)}
        >
          <p>Its secrets stop working and its tokens fail on their next call. This cannot be undone; the audit log keeps its history.</p>
        </Confirm>
      )}
    </>
  );
}
