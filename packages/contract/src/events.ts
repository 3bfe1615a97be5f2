import { Type, type Static } from '@sinclair/typebox';
import { NullableTimestamp, Timestamp, type Wire } from './common.js';

/**
 * §15 Events: the shapes shared by webhook subscriptions (/api/v1/webhooks) and audit streams
 * (/console/api/orgs/{orgId}/audit-streams and /manage/v1/orgs/{orgId}/audit-streams). A destination is an https URL [E5].
 */
const Url = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'An https:// URL' });

export const AuditStreamCreateBody = Type.Object({ url: Url, description: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/** [E4] What an owner may change on a stream; `active: true` also resumes one disabled after failures [E3]. */
export const AuditStreamUpdateBody = Type.Object(
  { url: Type.Optional(Url), description: Type.Optional(Type.String({ maxLength: 500 })), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type AuditStreamUpdate = Static<typeof AuditStreamUpdateBody>;

export const AuditStreamBody = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  disabledAt: NullableTimestamp,
  createdAt: Timestamp,
  createdBy: Type.String(),
});
export type AuditStream = Wire<Static<typeof AuditStreamBody>>;

/** Returned once, at creation: the signing secret (`whsec_…`, Standard Webhooks). */
export const AuditStreamCreatedBody = Type.Object({ ...AuditStreamBody.properties, secret: Type.String() });
export type AuditStreamCreated = Wire<Static<typeof AuditStreamCreatedBody>>;

export const AuditStreamParams = Type.Object({ orgId: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });

/** One outbox row and its latest attempt [E3]: time, HTTP status, latency, an excerpt (≤ 256 chars). */
export const DeliveryBody = Type.Object({
  id: Type.String({ description: "The message's `webhook-id`." }),
  eventId: Type.String({ description: 'The event; for an audit-stream batch, its first (oldest) event.' }),
  eventType: Type.String({ description: "The message's type; `audit.events` for an audit-stream batch." }),
  // [E4] An audit stream sends its events in batches of up to 100 per message.
  eventCount: Type.Optional(Type.Integer({ description: 'Audit-stream batches only: how many events the message carries.' })),
  eventTypes: Type.Optional(Type.Array(Type.String(), { description: 'Audit-stream batches only: the distinct types of its events.' })),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('skipped')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  lastAttempt: Type.Union([
    Type.Object({
      attemptedAt: Timestamp,
      outcome: Type.String(),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      latencyMs: Type.Integer(),
      excerpt: Type.String(),
    }),
    Type.Null(),
  ]),
});
export type Delivery = Wire<Static<typeof DeliveryBody>>;
