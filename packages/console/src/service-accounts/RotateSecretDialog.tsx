import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';
import { formatPrecise } from '../ui/format';
import { SecretReveal } from '../ui/SecretReveal';
import { serviceAccounts, type SecretRotated, type ServiceAccount } from './api';
import { DEFAULT_GRACE_SECONDS, describeDuration, graceSeconds, previousSecretStops, type GraceChoice, type GraceUnit } from './grace';

interface Props {
  api: ConsoleApi;
  account: ServiceAccount;
  onRotated(account: ServiceAccount): void;
  onClose(): void;
}

/** [A5]: a new secret, shown once; the old one keeps working for the chosen grace window. */
export function RotateSecretDialog({ api, account, onRotated, onClose }: Props) {
  const [kind, setKind] = useState<GraceChoice['kind']>('default');
  const [amount, setAmount] = useState('15');
  const [unit, setUnit] = useState<GraceUnit>('minutes');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [rotated, setRotated] = useState<SecretRotated | null>(null);
  const now = useNow();
  const unitId = useId();

  const choice: GraceChoice = kind === 'custom' ? { kind, amount, unit } : { kind };
  const grace = graceSeconds(choice);
  const twoLive = account.secrets.filter((s) => s.expiresAt && new Date(s.expiresAt) > now).length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ('error' in grace) return;
    setBusy(true);
    setError(null);
    try {
      const r = await serviceAccounts.rotate(api, account.orgId, account.id, grace.seconds);
      setRotated(r);
      onRotated(r.serviceAccount);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (rotated) {
    const stops = new Date(rotated.previousSecretExpiresAt);
    return (
      <Dialog title="New client secret" onClose={onClose} wide describedBy="secret-warning">
        <SecretReveal
          what="new client secret"
          onDone={onClose}
          items={[
            { label: 'Client ID', value: account.clientId },
            { label: 'Client secret', value: rotated.clientSecret, secret: true },
          ]}
        >
          <p className="callout" data-testid="previous-secret-stops">
            {stops <= new Date() ? (
              'The previous secret has stopped working.'
            ) : (
              <>
                The previous secret stops working at <strong>{formatPrecise(stops)}</strong>. Deploy the new one before then.
              </>
            )}{' '}
            Tokens already issued live out their 15 minutes.
          </p>
        </SecretReveal>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Rotate the secret of “${account.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>A new secret is issued and shown once. Choose how long the current secret keeps working, so you can deploy the new one first.</p>
        <fieldset className="radios">
          <legend>The current secret stops working</legend>
          <label>
            <input type="radio" name="grace" checked={kind === 'default'} onChange={() => setKind('default')} data-autofocus /> After {DEFAULT_GRACE_SECONDS}{' '}
            seconds <span className="muted">(default)</span>
          </label>
          <label>
            <input type="radio" name="grace" checked={kind === 'immediate'} onChange={() => setKind('immediate')} /> Immediately{' '}
            <span className="muted">— the secret is compromised</span>
          </label>
          <label>
            <input type="radio" name="grace" checked={kind === 'custom'} onChange={() => setKind('custom')} /> After a custom time
          </label>
          {kind === 'custom' && (
            <div className="inline-fields">
              <label className="field">
                <span>Grace period</span>
                <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={'error' in grace} />
              </label>
              <div className="field">
                <label htmlFor={unitId}>Unit</label>
                <select id={unitId} value={unit} onChange={(e) => setUnit(e.target.value as GraceUnit)}>
                  <option value="seconds">seconds</option>
                  <option value="minutes">minutes</option>
                  <option value="hours">hours</option>
                  <option value="days">days</option>
                </select>
              </div>
            </div>
          )}
        </fieldset>
        <p className="callout" aria-live="polite">
          {'error' in grace ? (
            <span className="field-error">{grace.error}</span>
          ) : grace.seconds === 0 ? (
            <>
              The current secret stops working <strong>the moment you rotate</strong>. Integrations using it fail until they get the new one.
            </>
          ) : (
            <>
              The current secret stops working <strong>{describeDuration(grace.seconds)}</strong> after you rotate, at about{' '}
              <strong>{formatPrecise(previousSecretStops(now, grace.seconds))}</strong>.
            </>
          )}
        </p>
        {twoLive && (
          <p className="muted">A previous secret is still in its grace window: rotating again ends it at once (at most two secrets are ever valid).</p>
        )}
        {error !== null && <ErrorAlert error={error} doing="rotate the secret" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className={grace && 'seconds' in grace && grace.seconds === 0 ? 'button danger' : 'button primary'}
            disabled={busy || 'error' in grace}
          >
            {busy ? 'Rotating…' : 'Rotate secret'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The current time, ticking each second so the "stops at" preview stays true. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
