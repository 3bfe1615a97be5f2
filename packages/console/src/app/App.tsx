import { useEffect } from 'react';
import { AcceptInvitationPage } from '../account/AcceptInvitationPage';
import { ChangePasswordPage } from '../account/ChangePasswordPage';
import { ResetPasswordPage } from '../account/ResetPasswordPage';
import { SessionsPage } from '../account/SessionsPage';
import { AuditPage } from '../audit/AuditPage';
import { MembersPage } from '../members/MembersPage';
import { canManageServiceAccounts } from '../members/rules';
import { CredentialsPage } from '../service-accounts/CredentialsPage';
import { ServiceAccountPage } from '../service-accounts/ServiceAccountPage';
import { useSession, type Membership } from '../session/session';
import { SignInPage } from '../session/SignInPage';
import { MfaStepPage } from '../session/MfaStepPage';
import { SecurityPage } from '../security/SecurityPage';
import { TokensPage } from '../tokens/TokensPage';
import { ErrorAlert } from '../ui/Alert';
import { Logo } from '../ui/Logo';
import { useNavigation } from './navigation';
import { NoOrganization, NotAMember, NotFoundPage } from './NotFound';
import { parseRoute, sectionPath, type Route } from './routes';
import { Shell } from './Shell';

/** Decides what to show from the session and the URL. */
export function App() {
  const { state, api } = useSession();
  const { pathname, navigate } = useNavigation();
  const route = parseRoute(pathname);
  const memberships = state.status === 'signed-in' ? state.memberships : null;
  const first = memberships?.[0];
  // Signed in at `/` or `/sign-in`: go to the first organization's credentials, or to one's own
  // API tokens for a role that cannot manage service accounts.
  const landing = first ? sectionPath(first.orgId, canManageServiceAccounts(first.role) ? 'credentials' : 'api-tokens') : null;

  useEffect(() => {
    if (state.status !== 'signed-in') return;
    if ((route.name === 'home' || route.name === 'sign-in') && landing) navigate(landing, { replace: true });
  }, [state.status, route.name, landing, navigate]);

  // [P6] An organization requiring a second factor sends an owner or admin without one to enrol.
  useEffect(() => {
    api.onEnrolmentRequired = () => navigate('/security?enrol=required');
    return () => {
      api.onEnrolmentRequired = null;
    };
  }, [api, navigate]);

  useEffect(() => {
    document.title = `${titleOf(route, memberships)} · Gatehouse`;
  }, [route, memberships]);

  if (state.status === 'loading') {
    return (
      <main className="splash" aria-busy="true">
        <Logo />
        <p className="muted">Loading…</p>
      </main>
    );
  }
  if (state.status === 'unreachable') {
    return (
      <main className="signin">
        <div className="signin-card">
          <Logo />
          <ErrorAlert error={state.error} doing="open the console" onRetry={() => window.location.reload()} />
        </div>
      </main>
    );
  }
  // [P3] [P5] Links that carry a secret work signed in or out.
  if (route.name === 'invite') return <AcceptInvitationPage secret={route.secret} />;
  if (route.name === 'reset') return <ResetPasswordPage secret={route.secret} />;
  if (state.status === 'signed-out') return <SignInPage expired={state.expired} />;
  if (state.status === 'mfa') return <MfaStepPage methods={state.methods} />;
  // [P4] A generated password is changed before anything else (the server refuses everything else).
  if (state.passwordChangeRequired) {
    return (
      <main className="signin">
        <div className="signin-card">
          <ChangePasswordPage forced />
        </div>
      </main>
    );
  }

  const orgId = route.name === 'section' || route.name === 'service-account' ? route.orgId : null;
  const membership = orgId ? (state.memberships.find((m) => m.orgId === orgId) ?? null) : null;
  return (
    <Shell route={route} membership={membership}>
      {renderPage(route, membership, state.memberships.length)}
    </Shell>
  );
}

function renderPage(route: Route, membership: Membership | null, orgCount: number) {
  if (route.name === 'not-found') return <NotFoundPage />;
  if (route.name === 'account') return route.page === 'password' ? <ChangePasswordPage /> : <SessionsPage />;
  if (route.name === 'invite' || route.name === 'reset') return null;
  if (route.name === 'security') return <SecurityPage />;
  if (route.name === 'home' || route.name === 'sign-in') return orgCount === 0 ? <NoOrganization /> : null;
  if (!membership) return <NotAMember orgId={route.orgId} />;
  if (route.name === 'service-account') return <ServiceAccountPage key={route.id} membership={membership} id={route.id} />;
  switch (route.section) {
    case 'credentials':
      return <CredentialsPage key={membership.orgId} membership={membership} />;
    case 'api-tokens':
      return <TokensPage />;
    case 'members':
      return <MembersPage key={membership.orgId} membership={membership} />;
    case 'audit-log':
      return <AuditPage key={membership.orgId} membership={membership} />;
  }
}

const SECTION_TITLES = { credentials: 'Credentials', 'api-tokens': 'My API tokens', members: 'Members', 'audit-log': 'Audit log' } as const;

function titleOf(route: Route, memberships: Membership[] | null): string {
  if (!memberships) return 'Sign in';
  if (route.name === 'section') {
    const org = memberships.find((m) => m.orgId === route.orgId);
    return `${SECTION_TITLES[route.section]}${org ? ` · ${org.orgName}` : ''}`;
  }
  if (route.name === 'service-account') return 'Service account';
  if (route.name === 'account') return route.page === 'password' ? 'Change password' : 'Sessions';
  if (route.name === 'invite') return 'Invitation';
  if (route.name === 'reset') return 'Reset password';
  if (route.name === 'security') return 'Security';
  return route.name === 'not-found' ? 'Not found' : 'Console';
}
