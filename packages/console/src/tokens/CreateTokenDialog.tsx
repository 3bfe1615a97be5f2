import { useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import type { ScopeInfo } from '../scopes/grouping';
import { ScopePicker } from '../scopes/ScopePicker';
import type { Membership } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { SecretReveal } from '../ui/SecretReveal';
import { refreshTokens } from './api';

interface Props {
  api: ConsoleApi;
  catalogue: ScopeInfo[];
  memberships: Membership[];
  onCreated(): void;
  onClose(): void;
}

/** [B1], [B8]: a name, optionally narrowed to scopes and organizations; the token shown once. */
export function CreateTokenDialog({ api, catalogue, memberships, onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [limitScopes, setLimitScopes] = useState(false);
  const [scopes, setScopes] = useState<string[]>([]);
  const [limitOrgs, setLimitOrgs] = useState(false);
  const [orgIds, setOrgIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [token, setToken] = useState<string | null>(null);
  const invalid =
    limitScopes && scopes.length === 0
      ? 'Choose at least one scope, or do not limit scopes.'
      : limitOrgs && orgIds.length === 0
        ? 'Choose at least one organization, or do not limit organizations.'
        : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    setBusy(true);
    setError(null);
    try {
      const created = await refreshTokens.create(api, {
        name: name.trim(),
        ...(limitScopes ? { scopes } : {}),
        ...(limitOrgs ? { orgIds } : {}),
      });
      setToken(created.refreshToken);
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (token) {
    return (
      <Dialog title={`Token “${name.trim()}” created`} onClose={onClose} wide describedBy="secret-warning">
        <SecretReveal what="token" onDone={onClose} items={[{ label: 'Refresh token', value: token, secret: true }]}>
          <details className="snippet">
            <summary>Trade it for an access token</summary>
            <pre>
              <code>{`curl -s -d grant_type=refresh_token \\\n  --data-urlencode "refresh_token=$GATEHOUSE_TOKEN" \\\n  ${window.location.origin}/api/v1/auth/token`}</code>
            </pre>
            <p className="muted">Access tokens live one hour; the refresh token stays valid until revoked or unused for 365 days.</p>
          </details>
        </SecretReveal>
      </Dialog>
    );
  }

  const toggleOrg = (id: string, on: boolean) => setOrgIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));

  return (
    <Dialog title="Create API token" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Token name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="e.g. laptop CLI" data-autofocus />
        </label>
        <fieldset className="radios">
          <legend>What it can do</legend>
          <p className="muted">It never does more than your role allows, in each organization, at the moment of each call.</p>
          <label>
            <input type="checkbox" checked={limitScopes} onChange={(e) => setLimitScopes(e.target.checked)} /> Limit to chosen scopes
          </label>
          {limitScopes && <ScopePicker legend="Scopes" catalogue={catalogue} selected={scopes} onChange={setScopes} />}
          <label>
            <input type="checkbox" checked={limitOrgs} onChange={(e) => setLimitOrgs(e.target.checked)} /> Limit to chosen organizations
          </label>
          {limitOrgs && (
            // biome-ignore lint/a11y/useSemanticElements: already inside the dialog's fieldset; a nested one would bring its own border and legend
            <div className="checkbox-list" role="group" aria-label="Organizations">
              {memberships.map((m) => (
                <label key={m.orgId}>
                  <input type="checkbox" checked={orgIds.includes(m.orgId)} onChange={(e) => toggleOrg(m.orgId, e.target.checked)} /> {m.orgName}{' '}
                  <span className="muted">({m.role})</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        {error !== null && <ErrorAlert error={error} doing="create the token" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || invalid !== null}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
