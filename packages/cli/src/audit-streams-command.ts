import type { AuditStream, Delivery } from '@gatehouse/contract';
import { CliError } from './errors.js';
import type { Io } from './io.js';
import { Manage, type ManageOptions } from './manage.js';

const streamLine = (s: AuditStream): string =>
  `${s.id}  ${s.active ? 'active  ' : s.disabledAt ? 'disabled' : 'paused  '}  ${s.url}${s.description ? `  (${s.description})` : ''}`;
const deliveryLine = (d: Delivery): string =>
  // [E4] A batch message names how many events it carried, and their types.
  `${d.createdAt}  ${d.eventTypes ? `${d.eventCount ?? 0} events (${d.eventTypes.join(', ')})` : d.eventType}  ${d.status}  attempts ${d.attempts}${d.lastAttempt ? `  last: ${d.lastAttempt.statusCode ?? '—'} in ${d.lastAttempt.latencyMs} ms` : ''}`;

/**
 * `gatehouse audit-streams <action>` ([E4] over [M1]): list | create URL [--description D] |
 * get ID | pause ID | resume ID | test ID | deliveries ID | delete ID. Owners, with a token that
 * carries manage:organization [M2]; `create` prints the signing secret once.
 */
export async function auditStreams(io: Io, action: string, arg: string | undefined, opts: ManageOptions & { description?: string }): Promise<void> {
  const m = new Manage(io, opts);
  const org = await m.org();
  const c = m.client;
  const need = (what: string): string => {
    if (!arg) throw new CliError(`audit-streams ${action} needs ${what}`, 2);
    return arg;
  };
  switch (action) {
    case 'list': {
      const items = await m.run(() => m.all((p) => c.listAuditStreams(org, p)));
      return m.print(items, () => items.map(streamLine).join('\n') || '(no audit streams)');
    }
    case 'create': {
      const url = need('the endpoint URL (https://...)');
      const s = await m.run(() => c.createAuditStream(org, { url, ...(opts.description ? { description: opts.description } : {}) }));
      return m.print(s, () => `${streamLine(s)}\nsigning secret: ${s.secret}\n(shown this once: store it now; deliveries are signed per Standard Webhooks)`);
    }
    case 'get': {
      const s = await m.run(() => c.getAuditStream(org, need("the stream's id (ast_...)")));
      return m.print(s, () => streamLine(s));
    }
    case 'pause':
    case 'resume': {
      const s = await m.run(() => c.updateAuditStream(org, need("the stream's id (ast_...)"), { active: action === 'resume' }));
      return m.print(s, () => streamLine(s));
    }
    case 'test': {
      const id = need("the stream's id (ast_...)");
      await m.run(() => c.testAuditStream(org, id));
      return m.print({ tested: id }, () => `a test event was recorded; it is delivered in the background (see: gatehouse audit-streams deliveries ${id})`);
    }
    case 'deliveries': {
      const id = need("the stream's id (ast_...)");
      const page = await m.run(() => c.listAuditStreamDeliveries(org, id, { limit: 50 }));
      return m.print(page.items, () => page.items.map(deliveryLine).join('\n') || '(no deliveries yet)');
    }
    case 'delete': {
      const id = need("the stream's id (ast_...)");
      await m.run(() => c.deleteAuditStream(org, id));
      return m.print({ deleted: id }, () => `deleted ${id}`);
    }
    default:
      throw new CliError(`unknown action ${action}: use list, create, get, pause, resume, test, deliveries or delete`, 2);
  }
}
