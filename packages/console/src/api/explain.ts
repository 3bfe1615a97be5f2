import { ApiError } from './client';

export interface Explanation {
  title: string;
  detail: string;
  /** The session is gone or stale: the fix is to sign in again or reload. */
  signInAgain?: boolean;
}

/**
 * Turns a failed call into words a person can act on (a 403 or a network failure is explained,
 * not swallowed). `doing` names what was attempted, e.g. "create the service account".
 */
export function explainError(err: unknown, doing?: string): Explanation {
  const couldNot = doing ? `Could not ${doing}` : 'Something went wrong';
  if (!(err instanceof ApiError)) {
    return { title: couldNot, detail: err instanceof Error ? err.message : String(err) };
  }
  const said = err.description ? ` The server said: “${err.description}”.` : '';
  switch (true) {
    case err.isNetwork:
      return {
        title: `${couldNot}: the Gatehouse server did not answer`,
        detail:
          'Check your network connection and that the server is running, then try again. If you were changing something, reload to see whether it was saved.',
      };
    case err.status === 401:
      return { title: 'Your session has ended', detail: 'Sign in again to continue.', signInAgain: true };
    case err.code === 'mfa_enrolment_required':
      return {
        title: 'Enrol a second factor first',
        detail: 'This organization requires owners and admins to use a second factor. Set one up under Security.',
      };
    case err.code === 'csrf_token_invalid':
      return {
        title: `${couldNot}: your session's security token is out of date`,
        detail: 'This happens after signing in from another tab. Reload the page and try again.',
        signInAgain: true,
      };
    case err.status === 403:
      return {
        title: `${couldNot}: your role does not allow it`,
        detail: `Ask an owner of this organization for a role that does.${said}`,
      };
    case err.status === 404:
      return {
        title: `${couldNot}: not found`,
        detail: 'It may have been deleted, or you are not a member of this organization.',
      };
    case err.status === 409:
      return { title: `${couldNot}: it conflicts with the current state`, detail: `Reload and try again.${said}` };
    case err.status === 400 || err.status === 413 || err.status === 415:
      return { title: `${couldNot}: the request was refused`, detail: err.description || 'Check the values you entered.' };
    case err.status === 429:
      return { title: `${couldNot}: too many attempts`, detail: 'Wait a minute, then try again.' };
    case err.status === 503:
      return {
        title: `${couldNot}: the server is temporarily unavailable`,
        detail: 'Its database may be unreachable. Nothing was changed; try again in a moment.',
      };
    default:
      return { title: `${couldNot}: the server answered ${err.status}`, detail: err.description || 'Try again; if it persists, check the server log.' };
  }
}
