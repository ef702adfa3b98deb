-- Links that reduce a subscription's quantity (put in tickets or opened from the Alerts page):
-- signed, expiring, single-use; and every change they made, recorded before it is sent.

CREATE TABLE remediation_links (
    -- The signed token's id (`jti`).
    id           UUID PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    -- The dedup key of the ticket (delivery) the link was put in, if any: known before the
    -- ticket is recorded, so the link can be signed into its text.
    delivery_key TEXT,
    -- Who made it on the Alerts page; NULL for the alert run.
    created_by   UUID REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    used_by      UUID REFERENCES users (id),
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);

CREATE TABLE remediation_link_items (
    link_id          UUID NOT NULL REFERENCES remediation_links (id) ON DELETE CASCADE,
    subscription_id  TEXT NOT NULL,
    target           BIGINT NOT NULL CHECK (target > 0),
    PRIMARY KEY (link_id, subscription_id)
);

-- One quantity change a confirmed link asked a vendor for: the intent first, then its outcome.
CREATE TABLE remediation_actions (
    id                    BIGSERIAL PRIMARY KEY,
    link_id               UUID NOT NULL REFERENCES remediation_links (id),
    tenant_id             TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    subscription_id       TEXT NOT NULL,
    product               TEXT NOT NULL,
    channel               TEXT NOT NULL CHECK (channel IN ('pax8', 'partner_center')),
    pax8_subscription_id  TEXT,
    -- 'now' changes the quantity at once; 'next_term' schedules it for the renewal.
    kind                  TEXT NOT NULL CHECK (kind IN ('now', 'next_term')),
    quantity_before       BIGINT NOT NULL,
    target                BIGINT NOT NULL CHECK (target > 0),
    status                TEXT NOT NULL CHECK (status IN ('intent', 'done', 'refused', 'uncertain', 'failed')),
    quantity_after        BIGINT,
    -- The vendor's words for a refusal or failure.
    detail                TEXT,
    requested_by          UUID NOT NULL REFERENCES users (id),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at           TIMESTAMPTZ
);
CREATE INDEX remediation_actions_tenant_idx ON remediation_actions (tenant_id, created_at DESC);
