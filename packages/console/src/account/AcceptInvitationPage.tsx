import { useState, type FormEvent } from 'react';
import { useNavigation } from '../app/navigation';
import { useSession } from '../session/session';
import { ErrorAlert, Loading } from '../ui/Alert';
import { Logo } from '../ui/Logo';
import { useLoad } from '../ui/useLoad';
import { account } from './api';

/**
 * [P3] `/invite/{secret}`: organization, role and inviter; a newcomer chooses a name and password
 * and is signed in; an existing account signs in as the invited email and accepts (consent).
 */
export function AcceptInvitationPage({ secret }: { secret: string }) {
  const { api, state, adopt, reload, signIn } = useSession();
  const { navigate } = useNavigation();
  const preview = useLoad(() => account.previewInvitation(api, secret), [api, secret]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [existing, setExisting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const signedIn = state.status === 'signed-in' ? state.user : null;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => adopt(await account.acceptInvitation(api, secret, { name: name.trim(), password })));
  };
  const signInAndAccept = (e: FormEvent) => {
    e.preventDefault();
    if (preview.status !== 'ready') return;
    void run(async () => {
      await signIn(preview.data.email, password);
      await account.acceptInvitation(api, secret, {});
      await reload();
    });
  };
  const acceptSignedIn = () =>
    void run(async () => {
      await account.acceptInvitation(api, secret, {});
      await reload();
    });

  return (
    <main className="signin">
      <div className="signin-card">
        <Logo />
        {preview.status === 'loading' && <Loading what="the invitation" />}
        {preview.status === 'error' && <ErrorAlert error={preview.error} doing="open the invitation" />}
        {preview.status === 'ready' && (
          <>
            <h1>Join {preview.data.organization.name}</h1>
            <p>
              {preview.data.invitedBy.name} invites <strong>{preview.data.email}</strong> to {preview.data.organization.name} as{' '}
              <strong>{preview.data.role}</strong>.
            </p>
            {error !== null && <ErrorAlert error={error} doing="accept the invitation" />}
            {signedIn ? (
              <>
                <p className="muted">You are signed in as {signedIn.email}.</p>
                <button type="button" className="button primary wide" disabled={busy} onClick={acceptSignedIn}>
                  Accept invitation
                </button>
              </>
            ) : existing ? (
              <form onSubmit={signInAndAccept} aria-label="Sign in and accept">
                <label className="field">
                  <span>Password of {preview.data.email}</span>
                  <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
                </label>
                <button type="submit" className="button primary wide" disabled={busy}>
                  Sign in and accept
                </button>
              </form>
            ) : (
              <form onSubmit={create} aria-label="Create your account">
                <label className="field">
                  <span>Your name</span>
                  <input name="name" autoComplete="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
                </label>
                <label className="field">
                  <span>Choose a password</span>
                  <input
                    type="password"
                    name="password"
                    autoComplete="new-password"
                    required
                    minLength={12}
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                </label>
                <button type="submit" className="button primary wide" disabled={busy}>
                  {busy ? 'Creating…' : 'Create account and join'}
                </button>
                <button type="button" className="button link" onClick={() => setExisting(true)}>
                  I already have an account
                </button>
              </form>
            )}
          </>
        )}
      </div>
    </main>
  );
}
