import type { ReactNode } from 'react';

/** The title row of a page: breadcrumbs, title, one-line purpose, primary actions. */
export function PageHeader({ crumbs, title, description, actions }: { crumbs?: ReactNode[]; title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {crumbs && crumbs.length > 0 && (
          <nav aria-label="Breadcrumb" className="crumbs">
            {crumbs.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: breadcrumbs are fixed per page; their position is their identity
              <span key={i}>
                {c}
                <span aria-hidden="true"> › </span>
              </span>
            ))}
          </nav>
        )}
        <h1>{title}</h1>
        {description && <p className="muted page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
