-- Gatehouse schema, version 3: the principal change log that keeps every instance's in-memory
-- principal state current (§9: a change made on one instance holds on every other within a second).
--
-- Triggers, not application code, append to it, so no write path can forget: a service account's
-- name, scopes, expiry, disable state or token epoch, its secrets, a user's deactivation, a
-- membership, and the signing keys. Grant bookkeeping (last_token_issued_at) is deliberately not a
-- change: it would invalidate hot accounts on every batch. NOTIFY is only a wake-up (it is lost
-- if nobody listens); the table is the record, and instances poll it to heal missed wake-ups.
CREATE TABLE principal_changes (
  id            bigserial PRIMARY KEY,
  kind          text NOT NULL,
  principal_id  text NOT NULL
);

CREATE FUNCTION record_principal_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  principal text;
BEGIN
  -- TG_ARGV[1] names the column that holds the principal's id (it differs from table to table).
  IF TG_OP = 'DELETE' THEN principal := to_jsonb(OLD) ->> TG_ARGV[1];
  ELSE principal := to_jsonb(NEW) ->> TG_ARGV[1];
  END IF;
  INSERT INTO principal_changes (kind, principal_id) VALUES (TG_ARGV[0], principal);
  -- One channel per schema, so that test schemas sharing a database do not wake each other.
  PERFORM pg_notify('gatehouse_changes_' || current_schema(), TG_ARGV[0]);
  RETURN NULL;
END $$;

CREATE TRIGGER service_accounts_changed
  AFTER INSERT OR DELETE OR UPDATE OF org_id, name, scopes, expires_at, disabled_at, token_epoch ON service_accounts
  FOR EACH ROW EXECUTE FUNCTION record_principal_change('service_account', 'id');
CREATE TRIGGER service_account_secrets_changed
  AFTER INSERT OR DELETE OR UPDATE ON service_account_secrets
  FOR EACH ROW EXECUTE FUNCTION record_principal_change('service_account', 'service_account_id');
CREATE TRIGGER users_changed
  AFTER DELETE OR UPDATE OF email, name, deactivated_at, token_epoch ON users
  FOR EACH ROW EXECUTE FUNCTION record_principal_change('user', 'id');
CREATE TRIGGER memberships_changed
  AFTER INSERT OR DELETE OR UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION record_principal_change('user', 'user_id');
CREATE TRIGGER signing_keys_changed
  AFTER INSERT OR DELETE OR UPDATE ON signing_keys
  FOR EACH ROW EXECUTE FUNCTION record_principal_change('signing_keys', 'kid');

-- Signing-key rotation publishes a new key before it signs: it is inserted with a future
-- activates_at, while the current key keeps signing until then (its retired_at). NULL for keys
-- made before this column existed: they were active from their creation.
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
