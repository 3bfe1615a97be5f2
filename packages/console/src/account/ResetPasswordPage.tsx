import { useState, type FormEvent } from 'react';
import { Link } from '../app/navigation';
import { useSession } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { Logo } from '../ui/Logo';
import { account } from './api';

/** [P5] `/reset/{secret}`: choose a new password; every session of the account ends. */
export function ResetPasswordPage({ secret }: { secret: string }) {
  const { api } = useSession();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await account.completeReset(api, secret, password);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="reset-title">
        <Logo />
        <h1 id="reset-title">Choose a new password</h1>
        {done ? (
          <p className="notice" role="status">
            Your password is set, and you are signed out everywhere. <Link to="/sign-in">Sign in</Link>
          </p>
        ) : (
          <>
            {error !== null && <ErrorAlert error={error} doing="reset the password" />}
            <label className="field">
              <span>New password</span>
              <input type="password" autoComplete="new-password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <button className="button primary wide" type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Set password'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
