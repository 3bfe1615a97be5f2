-- Gatehouse schema: the people lifecycle [P2] [P4] [P5] [P7].
-- [P4] A generated first-owner password must be changed before anything else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Who created an organization (NULL: the bootstrap). An organization someone created for
-- themselves never shields them from deactivation (README, "Where the spec is silent").
ALTER TABLE organizations ADD COLUMN created_by text REFERENCES users (id) ON DELETE SET NULL;

-- [P7] Sessions get a public id (for listing and ending one), an idle clock and what the person
-- will recognise them by. Sessions from before this version carry none of it: they end here.
DELETE FROM console_sessions;
ALTER TABLE console_sessions ADD COLUMN id text NOT NULL UNIQUE;
ALTER TABLE console_sessions ADD COLUMN last_seen_at timestamptz NOT NULL;
ALTER TABLE console_sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN address text NOT NULL DEFAULT '';

-- [P5] Password resets: a single-use secret (`ghrst_…`, 256 random bits), stored as a keyed hash.
CREATE TABLE password_resets (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash  text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
