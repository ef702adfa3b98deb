-- Revoking access: an Admin can block a user (checked on every request, effective at once) and
-- end every session of a user; roles can be given to an e-mail address before its first sign-in;
-- every change to who may do what is kept.
ALTER TABLE users
    -- Who set `role_override`: an Admin, the bootstrap setting, or a pre-assignment.
    ADD COLUMN override_source      TEXT CHECK (override_source IN ('admin', 'bootstrap', 'pre_assigned')),
    ADD COLUMN blocked_at           TIMESTAMPTZ,
    ADD COLUMN blocked_by           UUID REFERENCES users (id),
    -- Sessions begun before this are over ("sign out everywhere").
    ADD COLUMN sessions_revoked_at  TIMESTAMPTZ;
UPDATE users SET override_source = CASE WHEN role_changed_by IS NULL THEN 'bootstrap' ELSE 'admin' END
WHERE role_override IS NOT NULL;

-- Roles given to an address before anyone has signed in with it; used up at the first sign-in.
CREATE TABLE role_grants (
    -- Lower case: Entra compares addresses case-insensitively.
    email       TEXT PRIMARY KEY CHECK (email = lower(email)),
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    granted_by  UUID NOT NULL REFERENCES users (id),
    granted_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every change to a user's access: claims seen at sign-in, overrides, pre-assignments, blocks.
CREATE TABLE user_access_events (
    id           BIGSERIAL PRIMARY KEY,
    -- NULL for a pre-assignment made before the user existed (found again by e-mail).
    user_id      UUID REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    change       TEXT NOT NULL CHECK (change IN ('claimed_role', 'override_set', 'override_cleared', 'bootstrap_admin',
                                                 'pre_assigned', 'pre_assignment_withdrawn', 'pre_assignment_applied',
                                                 'blocked', 'unblocked', 'signed_out_everywhere')),
    role_before  TEXT CHECK (role_before IN ('viewer', 'editor', 'admin')),
    role_after   TEXT CHECK (role_after IN ('viewer', 'editor', 'admin')),
    -- The Admin who made the change; NULL when it came from a sign-in or the configuration.
    by_user      UUID REFERENCES users (id),
    at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX user_access_events_user_idx ON user_access_events (user_id, at);
CREATE INDEX user_access_events_email_idx ON user_access_events (lower(email), at);
