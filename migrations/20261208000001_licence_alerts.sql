-- Unused-licence alerts: what Pax8 holds, which tenant each Pax8 company is, the rules' lists,
-- and each run's findings.

ALTER TABLE job_schedules DROP CONSTRAINT job_schedules_job_check;
ALTER TABLE job_schedules ADD CONSTRAINT job_schedules_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume', 'licence_alerts'));
ALTER TABLE job_runs DROP CONSTRAINT job_runs_job_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume', 'licence_alerts'));

-- Pax8 as the last successful read found it (a failed read keeps these).
CREATE TABLE pax8_companies (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    website   TEXT,
    status    TEXT,
    read_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE pax8_subscriptions (
    id                      TEXT PRIMARY KEY,
    company_id              TEXT NOT NULL,
    product_id              TEXT NOT NULL,
    product_name            TEXT,
    -- The Partner Center subscription, where Pax8 says which.
    vendor_subscription_id  TEXT,
    quantity                BIGINT NOT NULL,
    billing_term            TEXT,
    commitment_term         TEXT,
    commitment_end          TIMESTAMPTZ,
    price                   DOUBLE PRECISION,
    currency_code           TEXT,
    read_at                 TIMESTAMPTZ NOT NULL
);
CREATE INDEX pax8_subscriptions_vendor_idx ON pax8_subscriptions (lower(vendor_subscription_id));
CREATE INDEX pax8_subscriptions_company_idx ON pax8_subscriptions (company_id);

-- Pax8's products, read once each (a product's name does not change with a run).
CREATE TABLE pax8_products (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    vendor_name  TEXT,
    read_at      TIMESTAMPTZ NOT NULL
);

-- Which tenant a Pax8 company is: matched by the subscriptions it points at, suggested by
-- domain and name (waiting for an Editor), confirmed or ignored by one.
CREATE TABLE pax8_company_links (
    company_id   TEXT PRIMARY KEY,
    tenant_id    TEXT REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    state        TEXT NOT NULL CHECK (state IN ('matched', 'suggested', 'confirmed', 'ignored')),
    reason       TEXT NOT NULL,
    confidence   DOUBLE PRECISION,
    decided_by   UUID REFERENCES users (id),
    decided_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((state = 'ignored') = (tenant_id IS NULL))
);
CREATE INDEX pax8_company_links_tenant_idx ON pax8_company_links (tenant_id);

-- Pax8 product names an Admin added to the shipped table of product to SKU part number.
CREATE TABLE pax8_product_skus (
    product_name     TEXT PRIMARY KEY,
    sku_part_number  TEXT NOT NULL,
    added_by         UUID REFERENCES users (id),
    added_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- SKUs never alerted for any tenant (free, trial, device, consumption), by part number.
CREATE TABLE ignored_skus (
    part_number  TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('free', 'trial', 'device', 'consumption', 'other')),
    note         TEXT,
    added_by     UUID REFERENCES users (id),
    added_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ignored_skus_part_idx ON ignored_skus (lower(part_number));

-- Tenants left out of alerts, and SKUs left out for one tenant.
CREATE TABLE alert_tenant_exclusions (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    note       TEXT,
    added_by   UUID REFERENCES users (id),
    added_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE alert_sku_exclusions (
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    sku_id     TEXT NOT NULL,
    note       TEXT,
    added_by   UUID REFERENCES users (id),
    added_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sku_id)
);

-- A spare allowance for one SKU of one tenant, over the tenant's own (tenants.spare_seats).
CREATE TABLE alert_sku_allowances (
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    sku_id     TEXT NOT NULL,
    spare      INT NOT NULL CHECK (spare >= 0),
    PRIMARY KEY (tenant_id, sku_id)
);

-- One alert run: what it read and what it found.
CREATE TABLE licence_alert_runs (
    id            BIGSERIAL PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ,
    -- Why Pax8 could not be read (the last good read was used).
    pax8_error    TEXT,
    pax8_read_at  TIMESTAMPTZ,
    tenants       INT,
    alerted       INT,
    error         TEXT
);

-- A tenant's reducible seats as the newest run found them (replaced per tenant by each run).
CREATE TABLE licence_findings (
    tenant_id             TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    subscription_id       TEXT NOT NULL,
    run_id                BIGINT NOT NULL REFERENCES licence_alert_runs (id),
    sku_id                TEXT NOT NULL,
    product               TEXT NOT NULL,
    term                  TEXT,
    commitment_end        TIMESTAMPTZ,
    channel               TEXT NOT NULL CHECK (channel IN ('pax8', 'partner_center')),
    pax8_subscription_id  TEXT,
    purchased             BIGINT NOT NULL,
    -- The renewing seats of the SKU across its subscriptions.
    sku_purchased         BIGINT NOT NULL,
    assigned              BIGINT NOT NULL,
    allowance             BIGINT NOT NULL,
    reducible             BIGINT NOT NULL CHECK (reducible > 0),
    target                BIGINT NOT NULL CHECK (target > 0),
    timing                TEXT NOT NULL CHECK (timing IN ('now', 'at_renewal')),
    -- Until when 'now' holds (the cancellation window), or the renewal of 'at_renewal'.
    timing_date           TIMESTAMPTZ,
    alert                 BOOLEAN NOT NULL,
    monthly_saving        DOUBLE PRECISION,
    PRIMARY KEY (tenant_id, subscription_id)
);

-- What the newest run left out of a tenant's findings, and why.
CREATE TABLE licence_passed_over (
    tenant_id        TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    run_id           BIGINT NOT NULL REFERENCES licence_alert_runs (id),
    sku_id           TEXT,
    part_number      TEXT,
    subscription_id  TEXT,
    unused           BIGINT NOT NULL,
    reason           TEXT NOT NULL,
    words            TEXT NOT NULL
);
CREATE INDEX licence_passed_over_tenant_idx ON licence_passed_over (tenant_id);

-- One point per tenant per run, for the chart of reducible seats and money over time.
CREATE TABLE licence_alert_history (
    run_id          BIGINT NOT NULL REFERENCES licence_alert_runs (id),
    tenant_id       TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    recorded_at     TIMESTAMPTZ NOT NULL,
    reducible       BIGINT NOT NULL,
    monthly_saving  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, tenant_id)
);
