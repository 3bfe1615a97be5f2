import type { ConsoleApi } from '../api/client';
import { useCatalogueInfo } from '../scopes/useCatalogue';
import { ROLES, roleGrants } from './rules';

/** The rules of the members API, shown rather than only enforced; what roles grant comes from the catalogue [C5]. */
export function RoleRules({ api }: { api: ConsoleApi }) {
  const { info } = useCatalogueInfo(api);
  return (
    <section className="panel" aria-labelledby="role-rules">
      <h2 id="role-rules">Roles and rules</h2>
      <dl className="role-table">
        {ROLES.map((r) => (
          <div key={r}>
            <dt>
              <span className="badge role">{r}</span>
            </dt>
            <dd>
              {(() => {
                const g = roleGrants(r, info?.roles ?? null);
                return (
                  <>
                    {g.scopes === null ? null : g.scopes.length ? <code>{g.scopes.join(' ')}</code> : <span className="muted">No API scopes.</span>} {g.console}
                  </>
                );
              })()}
            </dd>
          </div>
        ))}
      </dl>
      <ul className="rules">
        <li>Only owners invite people, change roles and remove people, and nobody grants a role above their own.</li>
        <li>An organization always keeps an owner: make someone else owner before demoting or removing the last one.</li>
        <li>Role changes and removals apply to tokens already issued, on their very next call.</li>
        <li>
          Adding an email that has no account yet creates one, with the password you choose or a one-time password shown once. An existing account is added as
          it is, without a password.
        </li>
      </ul>
    </section>
  );
}
