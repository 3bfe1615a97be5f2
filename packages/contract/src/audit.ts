import { Type, type Static } from '@sinclair/typebox';
import { Timestamp, TimestampInput, type Wire } from './common.js';

const Actor = Type.Object({
  type: Type.String(),
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});

/** An audit event: the console's view (§8) and the SIEM export (§7) read the same shape. */
export const AuditEventBody = Type.Object(
  {
    id: Type.String(),
    occurredAt: Timestamp,
    action: Type.String(),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    actor: Actor,
    target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
    credential: Type.Union([Type.String(), Type.Null()], { description: 'Which secret or token was used (its id, never its value)' }),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: 'An audit event' },
);
export type AuditEvent = Wire<Static<typeof AuditEventBody>>;

export const AuditQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(TimestampInput),
    to: Type.Optional(TimestampInput),
  },
  { additionalProperties: false },
);
/** The filters of an audit-log query (paging aside). */
export type AuditFilters = Omit<Static<typeof AuditQuery>, 'cursor' | 'limit'>;
