import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

interface Item {
  label: string;
  value: string;
  secret?: boolean;
}

/**
 * A one-time reveal ([A2], [B1]): the values, copy buttons, and a plain warning that closing loses
 * the secret for good. Gatehouse keeps only a hash; nobody can show it again.
 */
export function SecretReveal({ items, children, onDone, what }: { items: Item[]; children?: ReactNode; onDone(): void; what: string }) {
  return (
    <div className="reveal">
      <div className="warning strong" role="note" id="secret-warning">
        <strong>Copy the {what} now. You will not see it again.</strong>
        <div>
          Gatehouse stores only a hash of it, so nobody can show it to you later. When you close this dialog it is gone for good; if you lose it, rotate or
          create a new one.
        </div>
      </div>
      {items.map((item) => (
        <div className="reveal-item" key={item.label}>
          <div className="reveal-label" id={`reveal-${slug(item.label)}`}>
            {item.label}
          </div>
          <div className="reveal-value">
            {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: names the value for assistive technology, as the visible label above does */}
            <code className={item.secret ? 'secret' : undefined} aria-labelledby={`reveal-${slug(item.label)}`} data-testid={`reveal-${slug(item.label)}`}>
              {item.value}
            </code>
            <CopyButton value={item.value} label={item.label} />
          </div>
        </div>
      ))}
      {children}
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onDone}>
          I have stored it, close
        </button>
      </div>
    </div>
  );
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
