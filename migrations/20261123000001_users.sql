-- Staff who have signed in. The role the identity provider claims is refreshed at every sign-in;
-- an Admin's override, when set, wins over it (see seatsync_domain::role::effective_role).
CREATE TABLE users (
    id               UUID PRIMARY KEY,
    -- Entra object id (`oid`), stable across renames and e-mail changes.
    subject          TEXT NOT NULL UNIQUE,
    email            TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    claimed_role     TEXT CHECK (claimed_role IN ('viewer', 'editor', 'admin')),
    role_override    TEXT CHECK (role_override IN ('viewer', 'editor', 'admin')),
    role_changed_by  UUID REFERENCES users (id),
    role_changed_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX users_email_idx ON users (lower(email));
