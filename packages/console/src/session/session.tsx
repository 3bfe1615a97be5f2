import type { Membership, MfaMethod, MfaProof, MfaRequired, Session as SessionBody, User, WebAuthnOptionsJson } from '@gatehouse/contract';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, ConsoleApi } from '../api/client';

export type { Membership, Role, User } from '@gatehouse/contract';

export type SessionState =
  | { status: 'loading' }
  | { status: 'unreachable'; error: ApiError }
  | { status: 'signed-out'; expired: boolean }
  /** [P6] The password was right; the second factor is still to come. */
  | { status: 'mfa'; methods: MfaMethod[] }
  | { status: 'signed-in'; user: User; memberships: Membership[]; passwordChangeRequired: boolean };

interface SessionContextValue {
  api: ConsoleApi;
  state: SessionState;
  signIn(email: string, password: string): Promise<void>;
  /** [P6] Finishes a sign-in waiting for its second factor. */
  completeMfa(proof: MfaProof): Promise<void>;
  /** [P6] WebAuthn options for finishing the sign-in with a passkey. */
  passkeyOptions(): Promise<WebAuthnOptionsJson>;
  /** Back to the password form. */
  cancelMfa(): void;
  signOut(): Promise<void>;
  /** Reads the memberships again (after creating an organization, or a role change). */
  reload(): Promise<void>;
  /** Takes a session the server just started elsewhere (accepting an invitation). */
  adopt(body: SessionBody): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** The console session: the cookie is HttpOnly; the page keeps the CSRF token and who is signed in. */
export function SessionProvider({ children, api: given }: { children: ReactNode; api?: ConsoleApi }) {
  const api = useRef(given ?? new ConsoleApi()).current;
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const accept = useCallback(
    (body: SessionBody) => {
      api.csrfToken = body.csrfToken;
      setState({ status: 'signed-in', user: body.user, memberships: body.memberships, passwordChangeRequired: body.passwordChangeRequired === true });
    },
    [api],
  );

  const reload = useCallback(async () => {
    try {
      accept(await api.get<SessionBody>('/console/api/session'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setState({ status: 'signed-out', expired: false });
      else setState({ status: 'unreachable', error: err instanceof ApiError ? err : new ApiError(0, 'network_error', String(err)) });
    }
  }, [api, accept]);

  useEffect(() => {
    api.onUnauthenticated = () => {
      api.csrfToken = null;
      setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', expired: true } : s));
    };
    void reload();
  }, [api, reload]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      // A wrong password is a 401 too: the sign-in form explains it, it is not an ended session.
      const handler = api.onUnauthenticated;
      api.onUnauthenticated = null;
      try {
        const body = await api.post<SessionBody | MfaRequired>('/console/api/session', { email, password });
        if ('mfaRequired' in body) setState({ status: 'mfa', methods: body.methods });
        else accept(body);
      } finally {
        api.onUnauthenticated = handler;
      }
    },
    [api, accept],
  );

  const completeMfa = useCallback(async (proof: MfaProof) => accept(await api.post<SessionBody>('/console/api/session/mfa', proof)), [api, accept]);
  const passkeyOptions = useCallback(() => api.post<WebAuthnOptionsJson>('/console/api/session/mfa/passkey-options'), [api]);
  const cancelMfa = useCallback(() => setState({ status: 'signed-out', expired: false }), []);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/console/api/session');
    } finally {
      api.csrfToken = null;
      setState({ status: 'signed-out', expired: false });
    }
  }, [api]);

  const value = useMemo(
    () => ({ api, state, signIn, completeMfa, passkeyOptions, cancelMfa, signOut, reload, adopt: accept }),
    [api, state, signIn, completeMfa, passkeyOptions, cancelMfa, signOut, reload, accept],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user's details; only for components rendered inside the signed-in shell. */
export function useSignedIn(): { api: ConsoleApi; user: User; memberships: Membership[]; reload(): Promise<void>; signOut(): Promise<void> } {
  const { api, state, reload, signOut } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedIn while not signed in');
  return { api, user: state.user, memberships: state.memberships, reload, signOut };
}
