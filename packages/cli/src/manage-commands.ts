import type { AuditEvent, UpdateServiceAccount } from '@gatehouse/contract';
import { CliError } from './errors.js';
import type { Io } from './io.js';
import { accountLine, eventLine, Manage, validRole, type ManageOptions } from './manage.js';

type SaOptions = ManageOptions & { name?: string; scope?: string[]; expiresAt?: string; graceSeconds?: string };

/** `gatehouse service-accounts <action>` ([M3]); `create` and `rotate` print the new secret once. */
export async function serviceAccounts(io: Io, action: string, id: string | undefined, opts: SaOptions): Promise<void> {
  const m = new Manage(io, opts);
  const org = await m.org();
  const c = m.client;
  const need = (): string => {
    if (!id) throw new CliError(`service-accounts ${action} needs the service account's id (svc_...)`, 2);
    return id;
  };
  switch (action) {
    case 'list': {
      const items = await m.run(() => m.all((p) => c.listServiceAccounts(org, p)));
      return m.print(items, () => items.map(accountLine).join('\n') || '(no service accounts)');
    }
    case 'create': {
      if (!opts.name || !opts.scope?.length) throw new CliError('service-accounts create needs --name and at least one --scope', 2);
      const body = { name: opts.name, scopes: opts.scope, ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}) };
      const created = await m.run(() => c.createServiceAccount(org, body));
      return m.print(
        created,
        () => `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\n(the secret is shown this once: store it now)`,
      );
    }
    case 'get': {
      const a = await m.run(() => c.getServiceAccount(org, need()));
      return m.print(a, () => accountLine(a));
    }
    case 'update': {
      const body: UpdateServiceAccount = {
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.scope?.length ? { scopes: opts.scope } : {}),
        ...(opts.expiresAt ? { expiresAt: opts.expiresAt === 'never' ? null : opts.expiresAt } : {}),
      };
      if (Object.keys(body).length === 0) throw new CliError('service-accounts update needs --name, --scope or --expires-at', 2);
      const a = await m.run(() => c.updateServiceAccount(org, need(), body));
      return m.print(a, () => accountLine(a));
    }
    case 'rotate': {
      const grace = opts.graceSeconds === undefined ? undefined : Number(opts.graceSeconds);
      if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw new CliError('--grace-seconds must be a whole number of seconds', 2);
      const r = await m.run(() => c.rotateSecret(org, need(), grace === undefined ? {} : { graceSeconds: grace }));
      const until = r.previousSecretExpiresAt ? `the previous secret works until ${r.previousSecretExpiresAt}` : 'the previous secret no longer works';
      return m.print(r, () => `client_secret: ${r.clientSecret}\n(shown this once: store it now; ${until})`);
    }
    case 'disable':
    case 'enable': {
      const a = await m.run(() => (action === 'disable' ? c.disableServiceAccount(org, need()) : c.enableServiceAccount(org, need())));
      return m.print(a, () => accountLine(a));
    }
    case 'delete': {
      const target = need();
      await m.run(() => c.deleteServiceAccount(org, target));
      return m.print({ deleted: target }, () => `deleted ${target}`);
    }
    default:
      throw new CliError(`unknown action ${action}: use list, create, get, update, rotate, disable, enable or delete`, 2);
  }
}

/** `gatehouse members <action>` ([M3]): list, invite EMAIL --role R, set-role USER ROLE, remove USER. */
export async function members(io: Io, action: string, args: string[], opts: ManageOptions & { role?: string }): Promise<void> {
  const m = new Manage(io, opts);
  const org = await m.org();
  const c = m.client;
  const arg = (i: number, what: string): string => {
    const v = args[i];
    if (!v) throw new CliError(`members ${action} needs ${what}`, 2);
    return v;
  };
  switch (action) {
    case 'list': {
      const items = await m.run(() => m.all((p) => c.listMembers(org, p)));
      return m.print(items, () => items.map((u) => `${u.userId}  ${u.role.padEnd(6)}  ${u.email}  ${u.status}`).join('\n'));
    }
    case 'invite': {
      const email = arg(0, 'the email to invite');
      const role = validRole(opts.role ?? 'member');
      const inv = await m.run(() => c.createInvitation(org, { email, role }));
      return m.print(inv, () => `invited ${inv.email} as ${inv.role} (expires ${inv.expiresAt})\ninvite link (shown this once): ${inv.inviteUrl}`);
    }
    case 'set-role': {
      const userId = arg(0, 'the user id (usr_...)');
      const role = validRole(arg(1, 'the new role'));
      const u = await m.run(() => c.setMemberRole(org, userId, role));
      return m.print(u, () => `${u.userId}  ${u.role}  ${u.email}`);
    }
    case 'remove': {
      const userId = arg(0, 'the user id (usr_...)');
      await m.run(() => c.removeMember(org, userId));
      return m.print({ removed: userId }, () => `removed ${userId}`);
    }
    default:
      throw new CliError(`unknown action ${action}: use list, invite, set-role or remove`, 2);
  }
}

type TailOptions = ManageOptions & { since?: string; follow?: boolean; interval?: string; limit?: string; action?: string; actor?: string };

/**
 * `gatehouse audit tail [--since T] [--action A] [--actor ID] [--follow]`: the organization's audit
 * events oldest first (JSON lines with --json). Without --since, the newest page; with it, every
 * page since T (a progress line on stderr as pages arrive). --action matches a prefix of the action
 * (`token` finds token.grant and token.deny) and --actor one actor's id, both filtered by the
 * server. --follow then polls for new events until interrupted.
 */
export async function auditTail(io: Io, opts: TailOptions, signal?: AbortSignal): Promise<void> {
  const m = new Manage(io, opts);
  const org = await m.org();
  const limit = opts.limit ? Number(opts.limit) : 50;
  const intervalMs = (opts.interval ? Number(opts.interval) : 5) * 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliError('--limit must be 1 to 100', 2);
  if (!(intervalMs >= 500)) throw new CliError('--interval must be at least 0.5 seconds', 2);
  if (opts.since !== undefined && Number.isNaN(Date.parse(opts.since))) throw new CliError(`--since is not a timestamp: ${opts.since}`, 2);
  const filters = { ...(opts.action ? { action: opts.action } : {}), ...(opts.actor ? { actorId: opts.actor } : {}) };

  // Ids printed, with their time: a poll re-reads a window already printed (below), and these
  // keep each event to one line; ids older than that window are dropped, so a long follow stays small.
  const seen = new Map<string, number>();
  const emit = (events: AuditEvent[]) => {
    // Pages come newest first; a tail reads oldest first.
    for (const e of [...events].reverse()) {
      if (seen.has(e.id)) continue;
      seen.set(e.id, Date.parse(e.occurredAt));
      io.stdout.write(`${opts.json ? JSON.stringify(e) : eventLine(e)}\n`);
    }
  };
  const fetchSince = async (from: string | undefined, allPages: boolean, progress: boolean): Promise<AuditEvent[]> => {
    const events: AuditEvent[] = [];
    let pages = 0;
    for await (const page of m.client.pages((p) => m.client.listAuditEvents(org, { ...p, ...filters, limit, ...(from ? { from } : {}) }))) {
      events.push(...page.items);
      pages++;
      if (progress && (pages > 1 || page.nextCursor)) io.stderr.write(`audit tail: ${events.length} events read (${pages} pages)…\n`);
      if (!allPages) break;
    }
    return events;
  };

  const first = await m.run(() => fetchSince(opts.since, opts.since !== undefined, true));
  emit(first);
  if (!opts.follow) return;
  // The newest time seen, by the server's clock (never this machine's: clocks differ). Nothing yet:
  // poll from --since, or from the start of an empty log.
  let newest = first[0] ? Date.parse(first[0].occurredAt) : opts.since !== undefined ? Date.parse(opts.since) : undefined;
  while (!signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    // An event is stamped when it is recorded and seen when its transaction commits, so one stamped
    // earlier than the newest seen can still appear: each poll reads FOLLOW_OVERLAP_MS back again,
    // and `seen` keeps what was printed to one line.
    const from = newest === undefined ? undefined : newest - FOLLOW_OVERLAP_MS;
    const more = await m.run(() => fetchSince(from === undefined ? undefined : new Date(from).toISOString(), true, false));
    emit(more);
    if (more[0]) newest = Math.max(newest ?? 0, Date.parse(more[0].occurredAt));
    if (from !== undefined) for (const [id, at] of seen) if (at < from) seen.delete(id);
  }
}

/** How far back each --follow poll reads again, for events that commit after newer ones. */
const FOLLOW_OVERLAP_MS = 10_000;
