-- Gatehouse schema, version 1. Timestamps come from the application's injected clock, never
-- from now(), so that expiry and grace windows are testable by moving the clock.

-- Server-held keys (the secret-hashing key, the cursor key), encrypted with the master key.
CREATE TABLE server_keys (
  name        text PRIMARY KEY,
  ciphertext  text NOT NULL,
  created_at  timestamptz NOT NULL
);

-- ES256 signing keys. The private JWK is encrypted with the master key; the public JWK is served
-- in the JWKS until every token the key signed has expired (retired_at + max token lifetime).
CREATE TABLE signing_keys (
  kid                 text PRIMARY KEY,
  alg                 text NOT NULL,
  public_jwk          jsonb NOT NULL,
  private_ciphertext  text NOT NULL,
  created_at          timestamptz NOT NULL,
  retired_at          timestamptz
);

CREATE TABLE users (
  id              text PRIMARY KEY,
  email           text NOT NULL,
  name            text NOT NULL,
  password_hash   text NOT NULL,
  created_at      timestamptz NOT NULL,
  deactivated_at  timestamptz,
  token_epoch     integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE organizations (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE TABLE memberships (
  org_id      text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Console sessions: the cookie value is never stored, only its keyed hash.
CREATE TABLE console_sessions (
  id_hash     text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);

-- Service accounts [A1]. token_epoch is bumped by every disable: a token carries the epoch it was
-- minted in, and only tokens of the current epoch are honoured [A7].
CREATE TABLE service_accounts (
  id                    text PRIMARY KEY,
  org_id                text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name                  text NOT NULL,
  scopes                text[] NOT NULL,
  expires_at            timestamptz,
  disabled_at           timestamptz,
  token_epoch           integer NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL,
  created_by            text NOT NULL,
  updated_at            timestamptz NOT NULL,
  last_token_issued_at  timestamptz
);
CREATE INDEX service_accounts_org_idx ON service_accounts (org_id, id);

-- Client secrets [A5]: the current one has expires_at NULL; during a grace window the previous
-- one has expires_at set. Rows whose window has closed are deleted by the next rotation.
CREATE TABLE service_account_secrets (
  id                  text PRIMARY KEY,
  service_account_id  text NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
  generation          integer NOT NULL,
  secret_hash         text NOT NULL,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz,
  UNIQUE (service_account_id, generation)
);

-- The audit log (A10): append-only. Actor names are copied in so that the log still reads after
-- the actor is renamed or deleted.
CREATE TABLE audit_events (
  id           text PRIMARY KEY,
  org_id       text,
  occurred_at  timestamptz NOT NULL,
  actor_type   text NOT NULL,
  actor_id     text,
  actor_name   text,
  action       text NOT NULL,
  outcome      text NOT NULL,
  target_type  text,
  target_id    text,
  credential   text,
  ip           text,
  user_agent   text,
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_org_idx ON audit_events (org_id, id);

-- Reference API data (§7): one table for every catalogue resource, keyed by organization.
CREATE TABLE records (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  resource    text NOT NULL,
  parent_id   text,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL
);
CREATE INDEX records_list_idx ON records (org_id, resource, parent_id, id);
