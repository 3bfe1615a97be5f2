import { CopyButton } from '../ui/CopyButton';

/** [P6] The ten recovery codes, shown once: Gatehouse keeps only their hashes. */
export function RecoveryCodesReveal({ codes, onDone }: { codes: string[]; onDone(): void }) {
  return (
    <section className="reveal" aria-labelledby="recovery-title">
      <div className="warning strong" role="note">
        <strong id="recovery-title">Save your recovery codes now. You will not see them again.</strong>
        <div>Each code signs you in once if you lose your authenticator app or passkey. Keep them somewhere safe, apart from your password.</div>
      </div>
      <pre className="recovery-codes" data-testid="recovery-codes">
        {codes.join('\n')}
      </pre>
      <div className="dialog-actions">
        <CopyButton value={codes.join('\n')} label="recovery codes" />
        <button type="button" className="button primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </section>
  );
}
