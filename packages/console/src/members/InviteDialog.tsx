import { useId, useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import type { Role } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { SecretReveal } from '../ui/SecretReveal';
import { type CreatedInvitation, invitations } from './api';
import { ROLE_SUMMARY, ROLES } from './rules';

/** [P1] [P2] Invites an email to a role; the link is shown once (and mailed when SMTP is set). */
export function InviteDialog({ api, orgId, onInvited, onClose }: { api: ConsoleApi; orgId: string; onInvited(): void; onClose(): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const roleId = useId();
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await invitations.create(api, orgId, { email: email.trim(), role }));
      onInvited();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog title={`${created.email} is invited`} onClose={onClose} describedBy="secret-warning">
        <SecretReveal what="invitation link" onDone={onClose} items={[{ label: 'Invitation link', value: created.inviteUrl, secret: true }]}>
          <p className="muted">
            {created.mailed ? 'It was also mailed to them. ' : ''}Whoever opens it can join as {created.role} until{' '}
            {new Date(created.expiresAt).toLocaleString()}: give it to them over a channel you trust.
          </p>
        </SecretReveal>
      </Dialog>
    );
  }

  return (
    <Dialog title="Invite someone" onClose={onClose}>
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
        <p className="muted">They choose their own name and password when they accept; an existing account signs in and accepts.</p>
        {error !== null && <ErrorAlert error={error} doing="invite them" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Inviting…' : 'Invite'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
