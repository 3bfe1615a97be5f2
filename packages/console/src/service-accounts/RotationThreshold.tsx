import { MAX_SECRET_ROTATION_DAYS } from '@gatehouse/contract/limits';
import { useId, useState, type FormEvent } from 'react';
import type { ConsoleApi } from '../api/client';
import type { Membership } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { useLoad } from '../ui/useLoad';
import { serviceAccounts } from './api';

/**
 * Issue 14 item 5: after how many days a secret is marked "rotation recommended", per
 * organization. Everyone who manages service accounts sees it; only owners change it (the server
 * checks that, and the range, again).
 */
export function RotationThreshold({ api, membership }: { api: ConsoleApi; membership: Membership }) {
  const { orgId } = membership;
  const org = useLoad(() => serviceAccounts.organization(api, orgId), [api, orgId]);
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const inputId = useId();
  if (org.status !== 'ready') return null;
  const current = org.data.secretRotationDays ?? 90;
  const owner = membership.role === 'owner';

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const days = Number(value ?? current);
    if (!Number.isInteger(days) || days < 1 || days > MAX_SECRET_ROTATION_DAYS) {
      return setProblem(`Enter a whole number of days from 1 to ${MAX_SECRET_ROTATION_DAYS}.`);
    }
    setProblem(null);
    try {
      await serviceAccounts.setRotationDays(api, orgId, days);
      setValue(null);
      setSaved(true);
      org.reload();
    } catch (err) {
      setError(err);
    }
  };

  if (!owner) {
    return <p className="muted small">Rotation is recommended once a secret is older than {current} days (owners change this).</p>;
  }
  return (
    <form className="threshold" onSubmit={save} aria-label="Secret rotation threshold" noValidate>
      <label htmlFor={inputId}>Recommend rotating secrets older than</label>
      <input
        id={inputId}
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_SECRET_ROTATION_DAYS}
        value={value ?? String(current)}
        onChange={(e) => {
          setValue(e.target.value);
          setSaved(false);
        }}
      />
      <span>days</span>
      <button type="submit" className="button small">
        Save
      </button>
      {saved && (
        <span role="status" className="muted small">
          Saved
        </span>
      )}
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      {error !== null && <ErrorAlert error={error} doing="change the rotation threshold" />}
    </form>
  );
}
