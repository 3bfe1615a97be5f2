import type { AuditQuery } from './api';

/** The filter form as typed: `from`/`to` are `<input type=datetime-local>` values in local time. */
export interface AuditFilterForm {
  actorId: string;
  action: string;
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilterForm = { actorId: '', action: '', from: '', to: '' };

/** Actions Gatehouse records, offered as suggestions; the filter matches prefixes (`token` finds token.grant and token.deny). */
export const KNOWN_ACTIONS = [
  'service_account.create',
  'service_account.update',
  'service_account.rotate_secret',
  'service_account.disable',
  'service_account.enable',
  'service_account.delete',
  'token.grant',
  'token.deny',
  'refresh_token.create',
  'refresh_token.revoke',
  'member.add',
  'member.role_change',
  'member.remove',
  'member.leave',
  'user.deactivate',
  'user.reactivate',
  'organization.create',
  'organization.rename',
  'organization.secret_rotation_days',
  'session.sign_in',
  'session.sign_out',
];

/** A datetime-local value (local wall time) as RFC 3339, or undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value); // "YYYY-MM-DDTHH:mm" without an offset is local time
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The query for the API, or an error to show. `to` is inclusive of its whole minute, so that
 * "to 12:05" includes an event at 12:05:30.
 */
export function toQuery(form: AuditFilterForm): { query: AuditQuery } | { error: string } {
  const from = localToIso(form.from);
  let to = localToIso(form.to);
  if (form.from && !from) return { error: 'The start time is not a valid date.' };
  if (form.to && !to) return { error: 'The end time is not a valid date.' };
  if (to && /T\d{2}:\d{2}$/.test(form.to)) to = new Date(new Date(to).getTime() + 59_999).toISOString();
  if (from && to && from > to) return { error: 'The start time is after the end time.' };
  const query: AuditQuery = {};
  if (form.actorId.trim()) query.actorId = form.actorId.trim();
  if (form.action.trim()) query.action = form.action.trim();
  if (from) query.from = from;
  if (to) query.to = to;
  return { query };
}

export const isFiltered = (q: AuditQuery): boolean => Object.values(q).some(Boolean);
