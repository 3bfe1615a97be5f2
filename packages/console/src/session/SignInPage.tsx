import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { explainError } from '../api/explain';
import { Logo } from '../ui/Logo';
import { useSession } from './session';

/** Sign in with email and password (§8). */
export function SignInPage({ expired }: { expired: boolean }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; detail: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError({
          title: 'Email or password is wrong',
          detail: 'Check both and try again. Forgot it? Your operator can give you a reset link (gatehouse users reset-password).',
        });
      } else {
        setError(explainError(err, 'sign in'));
      }
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <Logo />
        <h1 id="signin-title">Sign in to Gatehouse</h1>
        <p className="muted">Manage service accounts, personal API tokens, members and the audit log.</p>
        {expired && !error && (
          <p className="notice" role="status">
            Your session has ended. Sign in again to continue.
          </p>
        )}
        {error && (
          <div className="alert" role="alert">
            <strong>{error.title}</strong>
            <p>{error.detail}</p>
          </div>
        )}
        <label className="field">
          <span>Email</span>
          {/* biome-ignore lint/a11y/noAutofocus: the sign-in page has one task; the cursor belongs in its first field */}
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button className="button primary wide" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          First start? The owner’s email and password are <code>GATEHOUSE_ADMIN_EMAIL</code> and <code>GATEHOUSE_ADMIN_PASSWORD</code>, or the one-time password
          printed in the server’s terminal.
        </p>
      </form>
    </main>
  );
}
