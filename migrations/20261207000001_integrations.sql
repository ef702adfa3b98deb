-- Integrations configured in the app (the Integrations page). The environment still wins over
-- these values, so installations configured by environment variables keep working unchanged.
--
-- A secret is never stored in plain text: `secret_value` is AES-256-GCM over the value (nonce
-- first), keyed by SEATSYNC_SECRETS_KEY, with the integration and field as associated data so a
-- ciphertext cannot be moved to another field. `key_id` names the key that encrypted it (a hash,
-- not the key), so a wrong key at start is a clear error and a rotation knows what to re-encrypt.
CREATE TABLE integration_values (
    integration  TEXT NOT NULL CHECK (integration IN ('partner_center', 'graph', 'autotask', 'pax8', 'connectwise', 'halo', 'smtp')),
    field        TEXT NOT NULL,
    plain_value  TEXT,
    secret_value BYTEA,
    key_id       TEXT,
    set_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    set_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (integration, field),
    CHECK ((plain_value IS NULL) <> (secret_value IS NULL)),
    CHECK ((secret_value IS NULL) = (key_id IS NULL))
);

-- Every change to an integration, who made it and when. A secret's value is never written here;
-- other fields keep the value before and after.
CREATE TABLE integration_audit (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    integration TEXT NOT NULL CHECK (integration IN ('partner_center', 'graph', 'autotask', 'pax8', 'connectwise', 'halo', 'smtp')),
    field       TEXT,
    action      TEXT NOT NULL CHECK (action IN ('set', 'cleared', 'rotated')),
    old_value   TEXT,
    new_value   TEXT,
    changed_by  UUID REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX integration_audit_integration_idx ON integration_audit (integration, at DESC);
