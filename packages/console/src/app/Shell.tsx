import { useState, type ReactNode } from 'react';
import { canManageMembers, canManageServiceAccounts, canReadAudit } from '../members/rules';
import { CreateOrganizationDialog } from '../organizations/CreateOrganizationDialog';
import { useSignedIn, type Membership } from '../session/session';
import { Logo } from '../ui/Logo';
import { Link, useNavigation } from './navigation';
import { sectionPath, type Route, type Section } from './routes';

/** The signed-in frame: top bar (organization switcher, who is signed in), side navigation, page. */
export function Shell({ route, membership, children }: { route: Route; membership: Membership | null; children: ReactNode }) {
  const { user, memberships, signOut } = useSignedIn();
  const { navigate } = useNavigation();
  const [creatingOrg, setCreatingOrg] = useState(false);
  const current = membership ?? memberships[0] ?? null;
  const section: Section | null = route.name === 'section' ? route.section : route.name === 'service-account' ? 'credentials' : null;

  const switchTo = (orgId: string) => navigate(sectionPath(orgId, section ?? 'credentials'));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Gatehouse home">
          <Logo small />
        </Link>
        {memberships.length > 0 && (
          <div className="org-switcher">
            <label htmlFor="org-switcher">Organization</label>
            <select id="org-switcher" value={membership?.orgId ?? ''} onChange={(e) => switchTo(e.target.value)}>
              {!membership && <option value="">Choose…</option>}
              {memberships.map((m) => (
                <option key={m.orgId} value={m.orgId}>
                  {m.orgName}
                </option>
              ))}
            </select>
            <button type="button" className="icon-button" aria-label="New organization" title="New organization" onClick={() => setCreatingOrg(true)}>
              +
            </button>
          </div>
        )}
        <div className="topbar-user">
          <span className="user-email" title={user.email}>
            {user.email}
          </span>
          {membership && <span className="badge role">{membership.role}</span>}
          <Link to="/security" className="button small" aria-current={route.name === 'security' ? 'page' : undefined}>
            Security
          </Link>
          <Link to="/account/password" className="button small">
            Change password
          </Link>
          <Link to="/account/sessions" className="button small">
            Sessions
          </Link>
          <button type="button" className="button small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="layout">
        {current && (
          <nav className="sidenav" aria-label="Console">
            <div className="nav-group">
              <div className="nav-heading">Developers</div>
              <div className="nav-subheading">API</div>
              <NavLink to={sectionPath(current.orgId, 'credentials')} active={section === 'credentials'} dim={!canManageServiceAccounts(current.role)}>
                Credentials
              </NavLink>
              <NavLink to={sectionPath(current.orgId, 'api-tokens')} active={section === 'api-tokens'}>
                My API tokens
              </NavLink>
            </div>
            <div className="nav-group">
              <div className="nav-heading">Organization</div>
              <NavLink
                to={sectionPath(current.orgId, 'members')}
                active={section === 'members'}
                dim={false}
                hint={canManageMembers(current.role) ? undefined : 'view only'}
              >
                Members
              </NavLink>
              <NavLink to={sectionPath(current.orgId, 'audit-log')} active={section === 'audit-log'} dim={!canReadAudit(current.role)}>
                Audit log
              </NavLink>
            </div>
            <div className="nav-org muted">
              <span>Organization ID</span>
              <code title="Use it in API paths such as /sbom/v1/orgs/{orgID}/buckets">{current.orgId}</code>
            </div>
          </nav>
        )}
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
      {creatingOrg && <CreateOrganizationDialog onClose={() => setCreatingOrg(false)} />}
    </div>
  );
}

function NavLink({ to, active, dim, hint, children }: { to: string; active: boolean; dim?: boolean; hint?: string; children: ReactNode }) {
  return (
    <Link to={to} className={`nav-link${active ? ' active' : ''}${dim ? ' dim' : ''}`} aria-current={active ? 'page' : undefined}>
      {children}
      {hint && <span className="nav-hint">{hint}</span>}
    </Link>
  );
}
