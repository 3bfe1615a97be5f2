-- §15 Events. One table of destinations: webhook subscriptions [E1] (owned by a service account)
-- and audit streams [E4] (owned by the organization). The signing secret is needed to sign, so it
-- is stored AES-256-GCM encrypted under the master key (crypto/master-key.ts), never hashed.
CREATE TABLE webhook_endpoints (
  id                   text PRIMARY KEY,
  org_id               text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  kind                 text NOT NULL CHECK (kind IN ('webhook', 'audit_stream')),
  owner_id             text,
  url                  text NOT NULL,
  events               text[] NOT NULL DEFAULT '{}',
  description          text,
  active               boolean NOT NULL DEFAULT true,
  secret_ciphertext    text NOT NULL,
  -- Rotation overlap: the previous secret also signs until previous_until.
  previous_ciphertext  text,
  previous_until       timestamptz,
  -- [E3] The first failure of the current run of failures; cleared by a success.
  failing_since        timestamptz,
  disabled_at          timestamptz,
  created_at           timestamptz NOT NULL,
  created_by           text NOT NULL,
  updated_at           timestamptz NOT NULL,
  updated_by           text NOT NULL
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, kind, id);

-- [E3] The durable outbox: one row per (event, destination), written in the transaction of the
-- audited change. The payload is built from audit_events at delivery time.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  org_id           text NOT NULL,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);

-- Every attempt: when, HTTP status (NULL: no answer), latency, a short excerpt (<= 256 chars).
CREATE TABLE webhook_attempts (
  id            text PRIMARY KEY,
  delivery_id   text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at  timestamptz NOT NULL,
  outcome       text NOT NULL,
  status_code   integer,
  latency_ms    integer NOT NULL,
  excerpt       text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
