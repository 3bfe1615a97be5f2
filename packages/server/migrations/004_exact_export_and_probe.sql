-- Gatehouse schema, version 4: an exact audit export across instances, and a write probe.

-- Audit ids (ULIDs) are minted before their transaction commits, so commit order is not id order:
-- an export cursor past a later id would skip an earlier id that commits afterwards. Each row
-- records the transaction that wrote it; the oldest-first export (/api/v1/audit-events) pages by
-- (txid, id) and returns only rows whose transaction is older than every transaction still in
-- progress, so no row can later appear behind its cursor (audit/store.ts).
--
-- Rows written before this migration read as txid 1 (a constant default is stored once in the
-- catalogue, not written into every row); the volatile default applies to new rows only.
ALTER TABLE audit_events ADD COLUMN txid xid8 NOT NULL DEFAULT '1'::xid8;
ALTER TABLE audit_events ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_export_idx ON audit_events (org_id, txid, id);

-- /readyz writes here: an instance whose database takes reads but cannot commit writes (a lock,
-- a full disk, a lost synchronous standby) is not ready.
CREATE TABLE readiness_probe (
  id         integer PRIMARY KEY CHECK (id = 1),
  probed_at  timestamptz NOT NULL
);
INSERT INTO readiness_probe (id, probed_at) VALUES (1, now());
