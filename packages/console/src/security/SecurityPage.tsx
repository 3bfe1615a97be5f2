import { startRegistration } from '@simplewebauthn/browser';
import { useState, type FormEvent } from 'react';
import { useSignedIn } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { formatTime } from './format';
import { OrgRequirements } from './OrgRequirements';
import { RecoveryCodesReveal } from './RecoveryCodes';
import { securityApi } from './api';

/**
 * [P6] Security: an authenticator app (TOTP, a manual key and its otpauth:// URI), passkeys,
 * recovery codes (shown once), and for owners the organization's requirement.
 */
export function SecurityPage() {
  const { api } = useSignedIn();
  const sec = securityApi(api);
  const status = useLoad(() => sec.status(), []);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [passkeyName, setPasskeyName] = useState('');
  const [error, setError] = useState<{ err: unknown; doing: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const required = new URLSearchParams(window.location.search).get('enrol') === 'required';

  const run = async (doing: string, fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      status.reload();
    } catch (err) {
      setError({ err, doing });
    } finally {
      setBusy(false);
    }
  };

  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void run('confirm the authenticator app', async () => {
      const done = await sec.confirmTotp(code.trim());
      setEnrolment(null);
      setCode('');
      if (done.recoveryCodes) setCodes(done.recoveryCodes);
    });
  };

  const addPasskey = () =>
    run('add a passkey', async () => {
      const optionsJSON = await sec.passkeyOptions();
      const response = await startRegistration({ optionsJSON: optionsJSON as never });
      const done = await sec.registerPasskey(response, passkeyName.trim() || 'Passkey');
      setPasskeyName('');
      if (done.recoveryCodes) setCodes(done.recoveryCodes);
    });

  const data = status.status === 'ready' ? status.data : null;
  const hasFactor = Boolean(data && (data.totp || data.passkeys.length > 0));
  return (
    <>
      <PageHeader title="Security" description="A second factor keeps your account safe if your password leaks." />
      {required && !hasFactor && (
        <div className="warning strong" role="alert">
          <strong>Your organization requires a second factor.</strong>
          <div>Owners and admins must set up an authenticator app or a passkey before doing anything else there.</div>
        </div>
      )}
      {codes && <RecoveryCodesReveal codes={codes} onDone={() => setCodes(null)} />}
      {error && <ErrorAlert error={error.err} doing={error.doing} />}
      {status.status === 'error' && <ErrorAlert error={status.error} doing="load your second factors" onRetry={status.reload} />}
      {data && (
        <>
          <section className="panel" aria-labelledby="totp-title">
            <h2 id="totp-title">Authenticator app</h2>
            {data.totp ? (
              <p>
                <span className="badge">On</span>{' '}
                <button type="button" className="button small danger" disabled={busy} onClick={() => void run('remove the authenticator app', sec.removeTotp)}>
                  Remove
                </button>
              </p>
            ) : enrolment ? (
              <form onSubmit={confirm}>
                <p>Add this key to your authenticator app (or open the link on your phone), then enter the code it shows.</p>
                <p>
                  Key: <code data-testid="totp-secret">{enrolment.secret}</code>
                </p>
                <p className="muted">
                  <a href={enrolment.uri} data-testid="totp-uri">
                    {enrolment.uri}
                  </a>
                </p>
                <label className="field">
                  <span>Code</span>
                  <input name="totp-code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
                </label>
                <button type="submit" className="button primary" disabled={busy}>
                  Confirm
                </button>
              </form>
            ) : (
              <button
                type="button"
                className="button primary"
                disabled={busy}
                onClick={() => void run('set up an authenticator app', async () => setEnrolment(await sec.startTotp()))}
              >
                Set up an authenticator app
              </button>
            )}
          </section>

          <section className="panel" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">Passkeys</h2>
            {data.passkeys.length > 0 && (
              <ul className="plain-list">
                {data.passkeys.map((p) => (
                  <li key={p.id}>
                    <strong>{p.name}</strong> <span className="muted">added {formatTime(p.createdAt)}</span>
                    {p.lastUsedAt && <span className="muted">, last used {formatTime(p.lastUsedAt)}</span>}{' '}
                    <button
                      type="button"
                      className="button small danger"
                      disabled={busy}
                      onClick={() => void run('remove the passkey', () => sec.removePasskey(p.id))}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <label className="field">
              <span>Name (optional)</span>
              <input name="passkey-name" value={passkeyName} onChange={(e) => setPasskeyName(e.target.value)} placeholder="Laptop" />
            </label>
            <button type="button" className="button" disabled={busy} onClick={() => void addPasskey()}>
              Add a passkey
            </button>
          </section>

          <section className="panel" aria-labelledby="recovery-codes-title">
            <h2 id="recovery-codes-title">Recovery codes</h2>
            <p className="muted">{hasFactor ? `${data.recoveryCodesLeft} of 10 left.` : 'You get ten when you set up your first second factor.'}</p>
            {hasFactor && (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void run('make new recovery codes', async () => setCodes((await sec.regenerate()).recoveryCodes))}
              >
                Make new codes
              </button>
            )}
          </section>
          <OrgRequirements hasFactor={hasFactor} />
        </>
      )}
    </>
  );
}
