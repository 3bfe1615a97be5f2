import type {
  AuditEvent,
  AuditFilters,
  AuditStream,
  AuditStreamCreated,
  AuditStreamUpdate,
  CreateServiceAccount,
  Delivery,
  Member,
  Organization,
  Role,
  SecretRotated,
  ServiceAccount,
  ServiceAccountCreated,
  UpdateServiceAccount,
} from '@gatehouse/contract';
import { GatehouseError } from './errors.js';
import { createBearerFetch, type BearerFetch, type BearerSource } from './fetch.js';
import { readOAuthError } from './http.js';
import { RefreshTokenClient } from './token-client.js';

/** `{"items": [...], "nextCursor": "..."}`, as every list answers (§8). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageOptions {
  cursor?: string;
  limit?: number;
}

/** [P1] An invitation as listed (never its URL); `inviteUrl` only in the answer to `createInvitation`. */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  invitedBy: { id: string | null; name: string };
}
export interface InvitationCreated {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  inviteUrl: string;
}

export interface ManagementClientOptions {
  /** Gatehouse's base URL (its issuer). */
  url: string;
  /** A person's refresh token (`gatehouse login`, the console, or a narrowed CI token [B8] [M2]). */
  refreshToken?: string;
  /** Or any source of that person's access tokens (e.g. a shared RefreshTokenClient). */
  tokens?: BearerSource;
  /** Injected for tests and proxies. */
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

/** /manage/v1 refused a call: the server's `{"error","error_description"}` and the HTTP status (never a token). */
export class ManagementError extends GatehouseError {
  override readonly name = 'ManagementError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${code} (HTTP ${status}): ${description}`);
  }
}

const enc = encodeURIComponent;
const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/**
 * [M1] The management API (`/manage/v1`) for scripts: what the console does on an organization,
 * as a person, with that person's access tokens from a refresh token (renewed before expiry, one
 * retry with a fresh token on 401). The server decides each call by the person's role at that
 * moment and the token's scopes; refusals throw ManagementError.
 */
export class ManagementClient {
  private readonly call: BearerFetch;
  private readonly timeoutMs: number;
  readonly url: string;

  constructor(options: ManagementClientOptions) {
    this.url = new URL(options.url).toString().replace(/\/+$/, '');
    const source =
      options.tokens ??
      new RefreshTokenClient({
        url: this.url,
        refreshToken: options.refreshToken ?? '',
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    this.call = createBearerFetch(source, { baseUrl: this.url, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  listOrgs(): Promise<Page<Organization>> {
    return this.request('GET', '/manage/v1/orgs');
  }
  createOrg(name: string): Promise<Organization> {
    return this.request('POST', '/manage/v1/orgs', { name });
  }
  getOrg(orgId: string): Promise<Organization> {
    return this.request('GET', this.org(orgId));
  }
  renameOrg(orgId: string, name: string): Promise<Organization> {
    return this.request('PATCH', this.org(orgId), { name });
  }

  listServiceAccounts(orgId: string, page: PageOptions = {}): Promise<Page<ServiceAccount>> {
    return this.request('GET', `${this.org(orgId)}/service-accounts${query({ ...page })}`);
  }
  /** [A2] The answer holds the client secret: shown this once, never again. */
  createServiceAccount(orgId: string, body: CreateServiceAccount): Promise<ServiceAccountCreated> {
    return this.request('POST', `${this.org(orgId)}/service-accounts`, body);
  }
  getServiceAccount(orgId: string, id: string): Promise<ServiceAccount> {
    return this.request('GET', this.svc(orgId, id));
  }
  updateServiceAccount(orgId: string, id: string, body: UpdateServiceAccount): Promise<ServiceAccount> {
    return this.request('PATCH', this.svc(orgId, id), body);
  }
  /** [A5] A new secret (shown once); the previous one works for `graceSeconds` (default 60, 0 = at once). */
  rotateSecret(orgId: string, id: string, options: { graceSeconds?: number } = {}): Promise<SecretRotated> {
    return this.request('POST', `${this.svc(orgId, id)}/rotate-secret`, options);
  }
  disableServiceAccount(orgId: string, id: string): Promise<ServiceAccount> {
    return this.request('POST', `${this.svc(orgId, id)}/disable`);
  }
  enableServiceAccount(orgId: string, id: string): Promise<ServiceAccount> {
    return this.request('POST', `${this.svc(orgId, id)}/enable`);
  }
  deleteServiceAccount(orgId: string, id: string): Promise<void> {
    return this.request('DELETE', this.svc(orgId, id));
  }

  listMembers(orgId: string, page: PageOptions = {}): Promise<Page<Member>> {
    return this.request('GET', `${this.org(orgId)}/members${query({ ...page })}`);
  }
  setMemberRole(orgId: string, userId: string, role: Role): Promise<Member> {
    return this.request('PATCH', `${this.org(orgId)}/members/${enc(userId)}`, { role });
  }
  removeMember(orgId: string, userId: string): Promise<void> {
    return this.request('DELETE', `${this.org(orgId)}/members/${enc(userId)}`);
  }

  /** [P1] The answer's `inviteUrl` is the single-use secret: shown this once. */
  createInvitation(orgId: string, body: { email: string; role: Role }): Promise<InvitationCreated> {
    return this.request('POST', `${this.org(orgId)}/invitations`, body);
  }
  listInvitations(orgId: string, page: PageOptions = {}): Promise<Page<Invitation>> {
    return this.request('GET', `${this.org(orgId)}/invitations${query({ ...page })}`);
  }
  revokeInvitation(orgId: string, id: string): Promise<void> {
    return this.request('DELETE', `${this.org(orgId)}/invitations/${enc(id)}`);
  }

  /** One page of the audit log, newest first. */
  listAuditEvents(orgId: string, options: AuditFilters & PageOptions = {}): Promise<Page<AuditEvent>> {
    return this.request('GET', `${this.org(orgId)}/audit-events${query({ ...options })}`);
  }

  /** [E4] The organization's audit streams (owners; a token with manage:organization [M2]). */
  listAuditStreams(orgId: string, page: PageOptions = {}): Promise<Page<AuditStream>> {
    return this.request('GET', `${this.org(orgId)}/audit-streams${query({ ...page })}`);
  }
  /** The answer's `secret` (`whsec_…`, Standard Webhooks) signs every delivery: shown this once. */
  createAuditStream(orgId: string, body: { url: string; description?: string }): Promise<AuditStreamCreated> {
    return this.request('POST', `${this.org(orgId)}/audit-streams`, body);
  }
  getAuditStream(orgId: string, id: string): Promise<AuditStream> {
    return this.request('GET', this.stream(orgId, id));
  }
  /** `{ active: true }` resumes a stream that was paused or disabled after days of failures. */
  updateAuditStream(orgId: string, id: string, body: AuditStreamUpdate): Promise<AuditStream> {
    return this.request('PATCH', this.stream(orgId, id), body);
  }
  deleteAuditStream(orgId: string, id: string): Promise<void> {
    return this.request('DELETE', this.stream(orgId, id));
  }
  /** Records an audited test event, which every stream of the organization then receives. */
  testAuditStream(orgId: string, id: string): Promise<void> {
    return this.request('POST', `${this.stream(orgId, id)}/test`);
  }
  /** [E3] The stream's delivery log, newest first: status, attempts, the last answer. */
  listAuditStreamDeliveries(orgId: string, id: string, page: PageOptions = {}): Promise<Page<Delivery>> {
    return this.request('GET', `${this.stream(orgId, id)}/deliveries${query({ ...page })}`);
  }

  /** Every page in turn (each list's `nextCursor`), for scripts that want all of it. */
  async *pages<T>(list: (page: PageOptions) => Promise<Page<T>>): AsyncGenerator<Page<T>> {
    let cursor: string | undefined;
    do {
      const page = await list(cursor ? { cursor } : {});
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private org(orgId: string): string {
    return `/manage/v1/orgs/${enc(orgId)}`;
  }
  private stream(orgId: string, id: string): string {
    return `${this.org(orgId)}/audit-streams/${enc(id)}`;
  }
  private svc(orgId: string, id: string): string {
    return `${this.org(orgId)}/service-accounts/${enc(id)}`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(path, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    if (!res.ok) {
      const { code, description } = await readOAuthError(res);
      throw new ManagementError(res.status, code, description);
    }
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
}
