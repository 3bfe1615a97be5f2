import { Type } from '@sinclair/typebox';
import { Timestamp } from '../http/schemas.js';

const Url = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'An https:// URL ([E5]: http only for an allowed host)' });
const Fields = {
  url: Url,
  events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50, uniqueItems: true }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  active: Type.Optional(Type.Boolean()),
};
export const CreateBody = Type.Object(Fields, { additionalProperties: false });
export const UpdateBody = Type.Partial(Type.Object(Fields), { additionalProperties: false, minProperties: 1 });

export const WebhookBody = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Optional(Type.String()),
  active: Type.Boolean(),
  disabledAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  createdBy: Type.String(),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
});
export const CreatedBody = Type.Object({ ...WebhookBody.properties, secret: Type.String({ description: 'whsec_…, shown once' }) });
export const RotatedBody = Type.Object({ secret: Type.String(), previousValidUntil: Timestamp });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), deliveryId: Type.String({ minLength: 1, maxLength: 128 }) });
