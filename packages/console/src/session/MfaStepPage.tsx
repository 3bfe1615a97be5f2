import type { MfaMethod } from '@gatehouse/contract';
import { startAuthentication } from '@simplewebauthn/browser';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { explainError } from '../api/explain';
import { Logo } from '../ui/Logo';
import { useSession } from './session';

/** [P6] The second step of signing in: a code from the authenticator app, a passkey, or a recovery code. */
export function MfaStepPage({ methods }: { methods: MfaMethod[] }) {
  const { completeMfa, passkeyOptions, cancelMfa } = useSession();
  const [method, setMethod] = useState<'totp' | 'recovery'>(methods.includes('totp') ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; detail: string } | null>(null);

  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) {
      setError({ title: 'That was not accepted', detail: 'Check the code and try again. After several wrong tries, sign in with your password again.' });
    } else if (err instanceof Error && !(err instanceof ApiError)) {
      setError({ title: 'The passkey was not used', detail: err.message });
    } else {
      setError(explainError(err, 'sign in'));
    }
    setBusy(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await completeMfa({ method, code: code.trim() });
    } catch (err) {
      fail(err);
    }
  };

  const signInWithPasskey = async () => {
    setBusy(true);
    setError(null);
    try {
      const optionsJSON = await passkeyOptions();
      const response = await startAuthentication({ optionsJSON: optionsJSON as never });
      await completeMfa({ method: 'passkey', response });
    } catch (err) {
      fail(err);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="mfa-title">
        <Logo />
        <h1 id="mfa-title">Confirm it is you</h1>
        <p className="muted">Your account has a second factor.</p>
        {error && (
          <div className="alert" role="alert">
            <strong>{error.title}</strong>
            <p>{error.detail}</p>
          </div>
        )}
        {methods.includes('passkey') && (
          <button type="button" className="button primary wide" onClick={() => void signInWithPasskey()} disabled={busy}>
            Use a passkey
          </button>
        )}
        <label className="field">
          <span>{method === 'totp' ? 'Code from your authenticator app' : 'Recovery code'}</span>
          <input
            name="code"
            autoComplete="one-time-code"
            inputMode={method === 'totp' ? 'numeric' : 'text'}
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <button className={`button wide${methods.includes('passkey') ? '' : ' primary'}`} type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
        <p className="hint">
          {methods.includes('totp') && (
            <button type="button" className="link-button" onClick={() => setMethod(method === 'totp' ? 'recovery' : 'totp')}>
              {method === 'totp' ? 'Use a recovery code instead' : 'Use your authenticator app instead'}
            </button>
          )}{' '}
          <button type="button" className="link-button" onClick={cancelMfa}>
            Back to sign in
          </button>
        </p>
      </form>
    </main>
  );
}
