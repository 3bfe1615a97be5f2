import { useState, type FormEvent } from 'react';
import { useSession } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { PageHeader } from '../ui/PageHeader';
import { account } from './api';

/** [P4] Change one's password; `forced`: the generated first-owner password, before anything else. */
export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const { api, reload } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await account.changePassword(api, current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      if (forced) await reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={['Account']}
        title={forced ? 'Choose your own password' : 'Change password'}
        description={
          forced
            ? 'You signed in with a generated password. Choose your own before anything else.'
            : 'At least 12 characters, not your email, not a common password. Your other sessions end; this one stays.'
        }
      />
      {done && (
        <p className="notice" role="status">
          Your password is changed. Your other sessions have ended.
        </p>
      )}
      <form onSubmit={submit} className="form narrow" aria-label="Change password">
        <label className="field">
          <span>Current password</span>
          <input type="password" name="currentPassword" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="field">
          <span>New password</span>
          <input
            type="password"
            name="newPassword"
            autoComplete="new-password"
            required
            minLength={12}
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        {error !== null && <ErrorAlert error={error} doing="change the password" />}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </>
  );
}
