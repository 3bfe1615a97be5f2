import type { RoleTable, ServiceAccountState, UserState } from './state.js';
import { roleTableOf } from './state.js';

/**
 * The state feed's wire schema (`GET /api/v1/state-feed`, server-sent events), written by the
 * server and read by the SDK verifier: what the access decision reads and nothing else (no
 * secrets, no hashes). `v` orders states of one principal: a state loaded later has a higher `v`.
 */
export interface ServiceAccountWire {
  id: string;
  orgId: string;
  name: string;
  scopes: string[];
  disabled: boolean;
  /** RFC 3339, or null for no expiry. */
  expiresAt: string | null;
  tokenEpoch: number;
  v: number;
}

export interface UserWire {
  id: string;
  /** The person's email (named `name` on the wire since the first release). */
  name: string;
  deactivated: boolean;
  tokenEpoch: number;
  /** orgId → role, the user's current roles [B6]. */
  roles: Record<string, string>;
  v: number;
}

export type PrincipalWireKind = 'service_account' | 'user';

/** `event: snapshot`: every principal, and the role table, on connect. */
export interface SnapshotEvent {
  cursor: string;
  heartbeatMs: number;
  roles: Record<string, readonly string[]>;
  serviceAccounts: ServiceAccountWire[];
  users: UserWire[];
}

/** `event: change`: one principal's new state, or null when it was deleted. */
export interface ChangeEvent {
  cursor: string;
  kind: PrincipalWireKind;
  id: string;
  v: number;
  state: ServiceAccountWire | UserWire | null;
}

/** `event: heartbeat`: the feed is alive and this instance's own state is fresh. */
export interface HeartbeatEvent {
  cursor: string;
}

export const serviceAccountToWire = (s: ServiceAccountState, v: number): ServiceAccountWire => ({
  id: s.id,
  orgId: s.orgId,
  name: s.name,
  scopes: [...s.scopes],
  disabled: s.disabled,
  expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
  tokenEpoch: s.tokenEpoch,
  v,
});

export const userToWire = (u: UserState, v: number): UserWire => ({
  id: u.id,
  name: u.email,
  deactivated: u.deactivated,
  tokenEpoch: u.tokenEpoch,
  roles: Object.fromEntries(u.roles),
  v,
});

/** Frozen, so that a verifier can rely on identity: a changed principal is a new object. */
export const serviceAccountFromWire = (w: ServiceAccountWire): ServiceAccountState & { readonly v: number } =>
  Object.freeze({
    id: w.id,
    orgId: w.orgId,
    name: w.name,
    scopes: new Set(w.scopes),
    disabled: w.disabled,
    expiresAt: w.expiresAt === null ? null : new Date(w.expiresAt),
    tokenEpoch: w.tokenEpoch,
    v: w.v,
  });

export const userFromWire = (w: UserWire): UserState & { readonly name: string; readonly v: number } =>
  Object.freeze({
    id: w.id,
    email: w.name,
    name: w.name,
    deactivated: w.deactivated,
    tokenEpoch: w.tokenEpoch,
    roles: new Map(Object.entries(w.roles)),
    v: w.v,
  });

export const roleTableFromWire = (roles: SnapshotEvent['roles']): RoleTable => roleTableOf(roles);
