-- [R2] Retention deletes the oldest audit events in small batches; this index lets each batch find
-- them without scanning the whole log.
CREATE INDEX IF NOT EXISTS audit_events_occurred_idx ON audit_events (occurred_at);
