import { useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import { ScopePicker } from '../scopes/ScopePicker';
import type { ScopeInfo } from '../scopes/grouping';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { SecretReveal } from '../ui/SecretReveal';
import { serviceAccounts, type ServiceAccount } from './api';
import { expiryInputToIso, minExpiryInput } from './expiry';
import { TokenSnippet } from './TokenSnippet';

interface Props {
  api: ConsoleApi;
  orgId: string;
  catalogue: ScopeInfo[];
  onCreated(account: ServiceAccount): void;
  onClose(): void;
}

/** [A1]/[A2]: name, scopes (nothing pre-selected), optional expiry; then the secret, once. */
export function CreateServiceAccountDialog({ api, orgId, catalogue, onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [created, setCreated] = useState<(ServiceAccount & { clientSecret: string }) | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (scopes.length === 0) {
      setInvalid('Choose at least one scope: the ones this integration needs, and no more.');
      return;
    }
    setInvalid(null);
    setBusy(true);
    setError(null);
    try {
      const expiresAt = expiryInputToIso(expires);
      const account = await serviceAccounts.create(api, orgId, { name: name.trim(), scopes, ...(expiresAt ? { expiresAt } : {}) });
      setCreated(account);
      onCreated(account);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog title={`“${created.name}” is ready`} onClose={onClose} wide describedBy="secret-warning">
        <SecretReveal
          what="client secret"
          onDone={onClose}
          items={[
            { label: 'Client ID', value: created.clientId },
            { label: 'Client secret', value: created.clientSecret, secret: true },
          ]}
        >
          <TokenSnippet clientId={created.clientId} />
        </SecretReveal>
      </Dialog>
    );
  }

  return (
    <Dialog title="Create service account" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="e.g. ServiceNow Findings Sync" data-autofocus />
          <small className="muted">Say what the integration does: the audit log names it on every action.</small>
        </label>
        <ScopePicker
          legend="Scopes"
          catalogue={catalogue}
          selected={scopes}
          onChange={(s) => {
            setScopes(s);
            setInvalid(null);
          }}
        />
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        <label className="field narrow">
          <span>Expires (optional)</span>
          <input type="date" value={expires} min={minExpiryInput(new Date())} onChange={(e) => setExpires(e.target.value)} />
          <small className="muted">Leave empty for no expiry. Past it, the account behaves as disabled.</small>
        </label>
        {error !== null && <ErrorAlert error={error} doing="create the service account" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create service account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
