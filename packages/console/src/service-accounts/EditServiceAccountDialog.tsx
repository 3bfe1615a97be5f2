import { Fragment, useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import { scopeChanges, type ScopeInfo } from '../scopes/grouping';
import { ScopePicker } from '../scopes/ScopePicker';
import { ErrorAlert, Warning } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { serviceAccounts, type ServiceAccount } from './api';
import { expiryInputToIso, isoToExpiryInput } from './expiry';

interface Props {
  api: ConsoleApi;
  account: ServiceAccount;
  catalogue: ScopeInfo[];
  onSaved(account: ServiceAccount): void;
  onClose(): void;
}

/** Name, scopes and expiry. Narrowing scopes narrows the live tokens too ([A9]). */
export function EditServiceAccountDialog({ api, account, catalogue, onSaved, onClose }: Props) {
  const [name, setName] = useState(account.name);
  const [scopes, setScopes] = useState<string[]>(account.scopes);
  const [expires, setExpires] = useState(isoToExpiryInput(account.expiresAt));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { removed, added } = scopeChanges(account.scopes, scopes);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (scopes.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const body: { name?: string; scopes?: string[]; expiresAt?: string | null } = {};
      if (name.trim() !== account.name) body.name = name.trim();
      if (removed.length || added.length) body.scopes = scopes;
      if (expires !== isoToExpiryInput(account.expiresAt)) body.expiresAt = expiryInputToIso(expires);
      if (Object.keys(body).length > 0) onSaved(await serviceAccounts.update(api, account.orgId, account.id, body));
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit “${account.name}”`} onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <ScopePicker legend="Scopes" catalogue={catalogue} selected={scopes} onChange={setScopes} />
        {scopes.length === 0 && (
          <p className="field-error" role="alert">
            A service account needs at least one scope; disable it to stop it instead.
          </p>
        )}
        {removed.length > 0 && (
          <Warning title="Removing scopes applies to live tokens">
            Tokens already issued lose{' '}
            {removed.map((s, i) => (
              <Fragment key={s}>
                {i > 0 && ', '}
                <code>{s}</code>
              </Fragment>
            ))}{' '}
            on their next call.
          </Warning>
        )}
        {added.length > 0 && <p className="muted">Added scopes reach only tokens issued after saving.</p>}
        <label className="field narrow">
          <span>Expires (optional)</span>
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
        {error !== null && <ErrorAlert error={error} doing="save the service account" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || scopes.length === 0}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
