-- Bearer tokens an Admin makes for other systems to read billing reports over HTTP. The token
-- itself is shown once and never stored: only its SHA-256 (a token is 32 random bytes, so a
-- plain hash cannot be guessed back), and its first characters so people can tell tokens apart.
CREATE TABLE api_tokens (
    id           bigserial   PRIMARY KEY,
    name         text        NOT NULL CHECK (length(trim(name)) > 0),
    token_hash   bytea       NOT NULL UNIQUE,
    token_prefix text        NOT NULL,
    scope        text        NOT NULL CHECK (scope IN ('billing_read')),
    created_by   uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid        REFERENCES users (id) ON DELETE SET NULL
);
