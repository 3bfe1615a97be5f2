import { useState } from 'react';
import { useSignedIn } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { useLoad } from '../ui/useLoad';
import { securityApi } from './api';

/** [P6] For each organization the person owns: require a second factor of its owners and admins. */
export function OrgRequirements({ hasFactor }: { hasFactor: boolean }) {
  const { api, memberships } = useSignedIn();
  const sec = securityApi(api);
  const owned = memberships.filter((m) => m.role === 'owner');
  const orgs = useLoad(() => Promise.all(owned.map((m) => sec.org(m.orgId))), [owned.map((m) => m.orgId).join()]);
  const [error, setError] = useState<unknown>(null);
  if (owned.length === 0) return null;

  const toggle = async (orgId: string, on: boolean) => {
    setError(null);
    try {
      await sec.setRequirement(orgId, on);
      orgs.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="panel" aria-labelledby="org-mfa-title">
      <h2 id="org-mfa-title">Organizations you own</h2>
      <p className="muted">Require owners and admins to use a second factor. {hasFactor ? '' : 'Set one up yourself first.'}</p>
      {error !== null && <ErrorAlert error={error} doing="change the requirement" />}
      {orgs.status === 'ready' &&
        orgs.data.map((o) => (
          <label className="checkbox-row" key={o.id}>
            <input type="checkbox" checked={o.requireMfaForAdmins === true} disabled={!hasFactor} onChange={(e) => void toggle(o.id, e.target.checked)} />
            Require a second factor of owners and admins of <strong>{o.name}</strong>
          </label>
        ))}
    </section>
  );
}
