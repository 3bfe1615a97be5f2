import { useState } from 'react';
import { CreateOrganizationDialog } from '../organizations/CreateOrganizationDialog';
import { useSignedIn } from '../session/session';
import { EmptyState } from '../ui/Alert';
import { Link } from './navigation';
import { sectionPath } from './routes';

export function NotFoundPage() {
  const { memberships } = useSignedIn();
  const first = memberships[0];
  return (
    <EmptyState
      title="There is no page here"
      action={
        first && (
          <Link className="button" to={sectionPath(first.orgId, 'credentials')}>
            Go to {first.orgName}
          </Link>
        )
      }
    >
      Check the address, or pick a page from the menu.
    </EmptyState>
  );
}

/** An organization ID the user holds no role in: same answer whether or not it exists (§5). */
export function NotAMember({ orgId }: { orgId: string }) {
  const { memberships } = useSignedIn();
  return (
    <EmptyState title="You are not a member of this organization">
      <p>
        No organization <code>{orgId}</code> is available to you: it does not exist, or you hold no role in it. Ask one of its owners to add you.
      </p>
      {memberships.length > 0 && (
        <ul className="plain-list">
          {memberships.map((m) => (
            <li key={m.orgId}>
              <Link to={sectionPath(m.orgId, 'credentials')}>{m.orgName}</Link> <span className="muted">({m.role})</span>
            </li>
          ))}
        </ul>
      )}
    </EmptyState>
  );
}

export function NoOrganization() {
  const [creating, setCreating] = useState(false);
  return (
    <EmptyState
      title="You are not in any organization yet"
      action={
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          Create an organization
        </button>
      }
    >
      Ask an owner to add you to theirs, or create your own: you become its owner.
      {creating && <CreateOrganizationDialog onClose={() => setCreating(false)} />}
    </EmptyState>
  );
}
