-- [E4] Audit streams deliver in batches: one signed message carries up to 100 events. A batch is
-- a webhook_deliveries row of its own (its id is the message's `webhook-id`; retries, attempts,
-- the delivery log and redelivery work on it as on any delivery) listing its events in order.
-- The per-event outbox rows it was made from are deleted when it is made, in one statement.
-- NULL on every webhook delivery and on audit-stream events not yet in a batch.
ALTER TABLE webhook_deliveries ADD COLUMN event_ids text[];
-- The distinct event types in the batch, for the delivery log (the message's type is audit.events).
ALTER TABLE webhook_deliveries ADD COLUMN event_types text[];
-- Finding a stream's unbatched events, oldest first, without scanning its delivered batches.
CREATE INDEX webhook_deliveries_unbatched_idx ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending' AND event_ids IS NULL;
