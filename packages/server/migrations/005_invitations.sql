-- Gatehouse schema, version 4: invitations [P1]-[P3]. Owners invite an email to a role; the person
-- accepts through a link that carries a single-use secret (`ghinv_…`, 256 random bits). Only a
-- keyed hash of the secret is stored. `email` is normalized [P8]. An invitation is pending while
-- accepted_at and revoked_at are NULL and expires_at is in the future (application clock).
CREATE TABLE invitations (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email         text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  secret_hash   text NOT NULL UNIQUE,
  invited_by    text REFERENCES users (id) ON DELETE SET NULL,
  -- Copied in, as in the audit log, so that the invitation still reads if the inviter is removed.
  inviter_name  text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  accepted_at   timestamptz,
  accepted_by   text REFERENCES users (id) ON DELETE SET NULL,
  revoked_at    timestamptz
);
CREATE INDEX invitations_org_idx ON invitations (org_id, id);
