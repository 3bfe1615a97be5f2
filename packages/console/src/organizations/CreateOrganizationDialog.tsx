import { useState, type FormEvent } from 'react';
import { useNavigation } from '../app/navigation';
import { sectionPath } from '../app/routes';
import { useSignedIn } from '../session/session';
import { ErrorAlert } from '../ui/Alert';
import { Dialog } from '../ui/Dialog';

/** `POST /console/api/orgs`: the creator becomes its owner (§8). */
export function CreateOrganizationDialog({ onClose }: { onClose(): void }) {
  const { api, reload } = useSignedIn();
  const { navigate } = useNavigation();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const org = await api.post<{ id: string }>('/console/api/orgs', { name: name.trim() });
      await reload();
      onClose();
      navigate(sectionPath(org.id, 'members'));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title="New organization" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Organization name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <p className="muted">You become its owner. Everything in it — service accounts, members, the audit log — is separate from your other organizations.</p>
        {error !== null && <ErrorAlert error={error} doing="create the organization" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create organization'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
