-- Gatehouse schema: credential activity in the console (issue 14 item 5).

-- Days after which a service account's secret is marked "rotation recommended"; owners change it.
ALTER TABLE organizations ADD COLUMN secret_rotation_days integer NOT NULL DEFAULT 90
  CHECK (secret_rotation_days BETWEEN 1 AND 3650);

-- The address of the account's last successful grant, moved with last_token_issued_at by the
-- grants' group commit (the same UPDATE, so it costs the grant path nothing more).
ALTER TABLE service_accounts ADD COLUMN last_token_ip text;

-- Successful grants per account per UTC day, added to by the grants' group commit (one upsert per
-- account and day in a batch). A page reads at most 30 rows instead of counting audit events.
-- No foreign key: the group commit only counts accounts its UPDATE found, and deleting an account
-- deletes its rows (service-accounts/store.ts).
CREATE TABLE service_account_grant_days (
  service_account_id  text NOT NULL,
  day                 date NOT NULL,
  grants              integer NOT NULL,
  PRIMARY KEY (service_account_id, day)
);
