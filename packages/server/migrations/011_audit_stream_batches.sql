-- [E4] Audit streams deliver in batches: one signed message carries up to 500 events. A stream
-- reads its events from audit_events itself (in export order, (txid, id), behind the horizon of
-- transactions still in progress, as the SIEM export does), so a streamed audit event costs no
-- outbox row of its own: the audit row, committed with the change, is the durable record.
-- stream_txid/stream_event_id: the position of the last event put in a batch (exclusive); set to
-- the creating (or re-activating) transaction, so its own audit event is the first one streamed.
ALTER TABLE webhook_endpoints ADD COLUMN stream_txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE webhook_endpoints ADD COLUMN stream_event_id text NOT NULL DEFAULT '';
-- A batch is a webhook_deliveries row (its id is the message's `webhook-id`; retries, attempts,
-- the delivery log and redelivery work on it as on any delivery) listing its events in order and
-- their distinct types (for the delivery log; the message's type is audit.events).
ALTER TABLE webhook_deliveries ADD COLUMN event_ids text[];
ALTER TABLE webhook_deliveries ADD COLUMN event_types text[];
-- One batch in flight per stream: finding a stream's pending batch without reading its history.
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (endpoint_id) WHERE status = 'pending';
-- Per-event audit-stream rows still waiting: their streams resume from the oldest of them (a
-- later event already delivered may be sent again: at least once), and the rows go.
UPDATE webhook_endpoints e SET stream_txid = w.txid
  FROM (SELECT d.endpoint_id, min(a.txid) AS txid FROM webhook_deliveries d JOIN audit_events a ON a.id = d.event_id
         WHERE d.status = 'pending' AND d.event_type LIKE 'audit.%' GROUP BY d.endpoint_id) w
 WHERE e.id = w.endpoint_id;
DELETE FROM webhook_deliveries d USING webhook_endpoints e
 WHERE e.id = d.endpoint_id AND e.kind = 'audit_stream' AND d.status = 'pending' AND d.event_ids IS NULL;
