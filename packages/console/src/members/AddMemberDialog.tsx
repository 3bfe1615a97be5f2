import { useId, useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import type { Role } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { SecretReveal } from '../ui/SecretReveal';
import { members } from './api';
import { ROLE_SUMMARY, ROLES } from './rules';

/** Adds a person by email with a role; a new account's one-time password is shown once. */
export function AddMemberDialog({ api, orgId, onAdded, onClose }: { api: ConsoleApi; orgId: string; onAdded(): void; onClose(): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const roleId = useId();
  const [initial, setInitial] = useState<{ email: string; password: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await members.add(api, orgId, { email: email.trim(), role, ...(password ? { password } : {}) });
      onAdded();
      if (added.initialPassword) setInitial({ email: added.email, password: added.initialPassword });
      else onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (initial) {
    return (
      <Dialog title={`${initial.email} was added`} onClose={onClose} describedBy="secret-warning">
        <SecretReveal
          what="one-time password"
          onDone={onClose}
          items={[
            { label: 'Email', value: initial.email },
            { label: 'One-time password', value: initial.password, secret: true },
          ]}
        >
          <p className="muted">Give it to them over a channel you trust. They sign in with it at this address.</p>
        </SecretReveal>
      </Dialog>
    );
  }

  return (
    <Dialog title="Add member" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Email</span>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required maxLength={254} data-autofocus />
        </label>
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby={`${roleId}-help`}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <small className="muted" id={`${roleId}-help`}>
            {ROLE_SUMMARY[role]}
          </small>
        </div>
        <label className="field">
          <span>Password for a new account (optional)</span>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} maxLength={1024} />
          <small className="muted">Leave empty to get a one-time password, or if they already have an account.</small>
        </label>
        {error !== null && <ErrorAlert error={error} doing="add the member" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add member'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
