-- Gatehouse schema, version 2: personal refresh tokens (§3) and SBOM bucket names.

-- [B1] A user's refresh tokens. The token string embeds the id (`ghrt_<ULID>_<secret>`); only a
-- keyed hash of the whole string is stored. Idle expiry [B4] is derived, not stored: a token
-- expires 365 days after COALESCE(last_used_at, created_at). scopes/org_ids are the optional
-- narrowing chosen at creation [B8]; NULL means "not narrowed".
CREATE TABLE refresh_tokens (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  token_hash    text NOT NULL,
  scopes        text[],
  org_ids       text[],
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  revoked_by    text
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id, id);

-- SBOM buckets (§7) live in `records`; a bucket's name is unique within its organization.
CREATE UNIQUE INDEX records_bucket_name_key ON records (org_id, (data->>'name')) WHERE resource = 'sbom.buckets';
