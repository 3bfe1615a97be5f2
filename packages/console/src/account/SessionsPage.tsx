import { useState } from 'react';
import { useSession } from '../session/session';
import { ErrorAlert, Loading } from '../ui/Alert';
import { formatDate } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { useLoad } from '../ui/useLoad';
import { account } from './api';

/** [P7] The person's console sessions: device, address, last seen; end one, or all the others. */
export function SessionsPage() {
  const { api } = useSession();
  const list = useLoad(() => account.sessions(api), [api]);
  const [error, setError] = useState<unknown>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHeader
        crumbs={['Account']}
        title="Sessions"
        description="Where you are signed in to this console. A session ends after 30 idle minutes, and 12 hours after sign-in at the latest."
        actions={
          <button type="button" className="button" onClick={() => void act(() => account.endOtherSessions(api))}>
            Sign out all other sessions
          </button>
        }
      />
      {error !== null && <ErrorAlert error={error} doing="end the session" />}
      {list.status === 'loading' && <Loading what="sessions" />}
      {list.status === 'error' && <ErrorAlert error={list.error} doing="load your sessions" onRetry={list.reload} />}
      {list.status === 'ready' && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Device</th>
                <th>Address</th>
                <th>Signed in</th>
                <th>Last seen</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.device} {s.current && <span className="badge">this session</span>}
                  </td>
                  <td>{s.address}</td>
                  <td>{formatDate(s.createdAt)}</td>
                  <td>{formatDate(s.lastSeenAt)}</td>
                  <td>
                    {!s.current && (
                      <button type="button" className="button small danger-outline" onClick={() => void act(() => account.endSession(api, s.id))}>
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
