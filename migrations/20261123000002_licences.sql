-- Customer tenants as Partner Center lists them, with the outcome of their last sync.
CREATE TABLE tenants (
    tenant_id        TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    primary_domain   TEXT,
    first_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The last sync that succeeded: the data shown is as of then.
    last_synced_at   TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    -- Why the last attempt failed; NULL when it succeeded. Failed tenants keep their last good data.
    last_error       TEXT,
    -- No longer listed by Partner Center.
    removed_at       TIMESTAMPTZ
);
CREATE INDEX tenants_name_idx ON tenants (lower(name));

-- Subscriptions as Partner Center bills them.
CREATE TABLE subscriptions (
    id                          TEXT PRIMARY KEY,
    tenant_id                   TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    offer_id                    TEXT NOT NULL,
    offer_name                  TEXT,
    friendly_name               TEXT,
    quantity                    BIGINT NOT NULL,
    unit_type                   TEXT,
    term                        TEXT,
    billing_cycle               TEXT,
    effective_start             TIMESTAMPTZ,
    commitment_end              TIMESTAMPTZ,
    cancellation_allowed_until  TIMESTAMPTZ,
    status                      TEXT,
    auto_renew                  BOOLEAN NOT NULL,
    is_nce                      BOOLEAN NOT NULL,
    is_trial                    BOOLEAN NOT NULL,
    -- The Graph SKU this subscription's seats belong to (from subscribedSkus.subscriptionIds).
    sku_id                      TEXT,
    synced_at                   TIMESTAMPTZ NOT NULL,
    -- Gone from Partner Center's list at the last successful sync.
    removed_at                  TIMESTAMPTZ
);
CREATE INDEX subscriptions_tenant_idx ON subscriptions (tenant_id);

-- Seats bought and assigned per SKU in a tenant, from Graph. `consumed` counts assigned users.
CREATE TABLE sku_consumption (
    tenant_id          TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    sku_id             TEXT NOT NULL,
    sku_part_number    TEXT NOT NULL,
    applies_to         TEXT,
    capability_status  TEXT,
    consumed           BIGINT NOT NULL,
    enabled            BIGINT NOT NULL,
    suspended          BIGINT NOT NULL,
    warning            BIGINT NOT NULL,
    locked_out         BIGINT NOT NULL,
    synced_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);

-- One point per successful sync, for the purchased-vs-assigned charts.
CREATE TABLE licence_history (
    tenant_id    TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    sku_id       TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    purchased    BIGINT NOT NULL,
    assigned     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sku_id, recorded_at)
);

-- Every sync run and each tenant's outcome in it.
CREATE TABLE sync_runs (
    id              BIGSERIAL PRIMARY KEY,
    trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    scope_tenant_id TEXT,
    requested_by    UUID REFERENCES users (id),
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ,
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    tenants_total   INT NOT NULL DEFAULT 0,
    tenants_done    INT NOT NULL DEFAULT 0,
    tenants_failed  INT NOT NULL DEFAULT 0,
    error           TEXT
);

CREATE TABLE sync_run_tenants (
    run_id         BIGINT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
    error          TEXT,
    subscriptions  INT,
    finished_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, tenant_id)
);
