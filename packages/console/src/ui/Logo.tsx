/** The Gatehouse mark: a gate in a rounded square. */
export function Logo({ small = false }: { small?: boolean }) {
  return (
    <span className={small ? 'logo small' : 'logo'}>
      <svg viewBox="0 0 32 32" width={small ? 24 : 36} height={small ? 24 : 36} aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path d="M9 24V13a7 7 0 0 1 14 0v11" fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
        <path d="M16 14v10M9 18h14" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" opacity=".8" />
      </svg>
      <span className="logo-word">Gatehouse</span>
    </span>
  );
}
