import type { ConsoleApi } from '../api/client';
import { ErrorAlert, Loading } from '../ui/Alert';
import { formatDate } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { serviceAccounts } from './api';
import { GrantsChart } from './GrantsChart';

/**
 * Issue 14 item 5: what a service account did lately — tokens issued per day over 30 days, the
 * address of its last grant, and its secret's age against the organization's rotation threshold.
 * `version` changes when the account does (a rotation), so the panel reads again.
 */
export function ActivityPanel({ api, orgId, id, version }: { api: ConsoleApi; orgId: string; id: string; version: string }) {
  const load = useLoad(() => serviceAccounts.activity(api, orgId, id), [api, orgId, id, version]);
  if (load.status === 'loading') return <Loading what="activity" />;
  if (load.status === 'error') return <ErrorAlert error={load.error} doing="load the activity" onRetry={load.reload} />;
  const a = load.data;
  const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;
  return (
    <section className="panel" aria-labelledby="activity-title" data-testid="activity">
      <h2 id="activity-title">Activity</h2>
      <GrantsChart days={a.days} />
      <dl className="details compact">
        <div>
          <dt>Last used from</dt>
          <dd data-testid="last-address">{a.lastUsedAddress ? <code>{a.lastUsedAddress}</code> : 'Never used'}</dd>
        </div>
        <div>
          <dt>Last token issued</dt>
          <dd>{formatDate(a.lastTokenIssuedAt, 'Never')}</dd>
        </div>
        <div>
          <dt>Secret age</dt>
          <dd data-testid="secret-age">
            {a.secretAgeDays === null ? 'No current secret' : days(a.secretAgeDays)}{' '}
            {a.rotationRecommended && (
              <span className="badge rotate" title={`Older than this organization's ${days(a.rotationThresholdDays)} threshold`}>
                Rotation recommended
              </span>
            )}
          </dd>
        </div>
      </dl>
      <p className="muted small">
        Rotation is recommended once a secret is older than {days(a.rotationThresholdDays)}; owners change this on the Credentials page.
      </p>
    </section>
  );
}
