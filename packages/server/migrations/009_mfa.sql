-- Gatehouse schema, version 6: second factors [P6]. TOTP secrets are stored only as AES-256-GCM
-- ciphertext under the master key; recovery codes only as keyed hashes; passkeys as their public
-- keys. A TOTP enrolment counts once confirmed_at is set; last_step is the RFC 6238 time step of
-- the last accepted code, so that a code is never accepted twice.
CREATE TABLE mfa_totp (
  user_id       text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_enc    text NOT NULL,
  created_at    timestamptz NOT NULL,
  confirmed_at  timestamptz,
  last_step     bigint
);

CREATE TABLE mfa_passkeys (
  id            text PRIMARY KEY,            -- the credential id, base64url
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  public_key    text NOT NULL,               -- COSE public key, base64url
  counter       bigint NOT NULL,
  transports    text[] NOT NULL DEFAULT '{}',
  device_type   text NOT NULL,               -- 'singleDevice' | 'multiDevice'
  backed_up     boolean NOT NULL,
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz
);
CREATE INDEX mfa_passkeys_user_idx ON mfa_passkeys (user_id);

CREATE TABLE mfa_recovery_codes (
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash     text NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

-- Sign-in with a factor enrolled: the password was right, the second factor is still to come. The
-- cookie value is never stored, only its keyed hash; it gives access to nothing but /session/mfa.
CREATE TABLE mfa_pending (
  id_hash       text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at    timestamptz NOT NULL,
  failures      integer NOT NULL DEFAULT 0
);

-- WebAuthn challenges: single use (deleted when checked) and short-lived (application clock).
-- key: 'register:<userId>' or 'signin:<pending id hash>'.
CREATE TABLE mfa_challenges (
  key           text PRIMARY KEY,
  challenge     text NOT NULL,
  expires_at    timestamptz NOT NULL
);

ALTER TABLE organizations ADD COLUMN require_mfa_for_admins boolean NOT NULL DEFAULT false;
