/**
 * What the access decision needs to know about a principal right now (ARCHITECTURE property 2).
 * The server loads it from its database (PrincipalStates), a resource server from the state feed;
 * either way these objects are replaced on every change, never mutated, so identity tells
 * whether a decision made from one still holds.
 */
export interface ServiceAccountState {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  /** [A9] The scopes the account holds now. */
  readonly scopes: ReadonlySet<string>;
  /** [A7] */
  readonly disabled: boolean;
  /** [A8] Past it the account behaves as disabled. */
  readonly expiresAt: Date | null;
  /** Moved on by a disable: tokens minted before it never work again [A7]. */
  readonly tokenEpoch: number;
}

/** A person: [B7] deactivation and token epoch, [B6] the current role per organization. */
export interface UserState {
  readonly id: string;
  /** How the person is named in audit events and to resource servers. */
  readonly email: string;
  readonly deactivated: boolean;
  readonly tokenEpoch: number;
  /** organization id → role, where the user holds one. */
  readonly roles: ReadonlyMap<string, string>;
}

export type PrincipalState = ServiceAccountState | UserState;

/** §6 What each role grants, by role name: the scopes. */
export type RoleTable = ReadonlyMap<string, ReadonlySet<string>>;

/** Builds a RoleTable from plain data (the server's catalogue, the feed's snapshot). */
export const roleTableOf = (roles: Readonly<Record<string, readonly string[]>>): RoleTable =>
  new Map(Object.entries(roles).map(([role, scopes]) => [role, new Set(scopes)]));

/** [A8]: past its expiry a service account behaves as disabled. */
export const isActive = (state: ServiceAccountState, nowMs: number): boolean =>
  !state.disabled && (state.expiresAt === null || state.expiresAt.getTime() > nowMs);
