-- Autotask contracts of mapped companies and their services with current units, as last read.
-- Pages show this snapshot (with its age); the contract sync and every action refresh it.
CREATE TABLE autotask_contracts (
    id             BIGINT PRIMARY KEY,
    company_id     BIGINT NOT NULL,
    name           TEXT NOT NULL,
    contract_type  BIGINT,
    status         BIGINT,
    is_active      BOOLEAN NOT NULL,
    start_date     DATE NOT NULL,
    end_date       DATE NOT NULL,
    refreshed_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX autotask_contracts_company_idx ON autotask_contracts (company_id);

CREATE TABLE autotask_contract_services (
    id            BIGINT PRIMARY KEY,
    contract_id   BIGINT NOT NULL REFERENCES autotask_contracts (id) ON DELETE CASCADE,
    service_id    BIGINT NOT NULL,
    units         BIGINT NOT NULL,
    unit_price    DOUBLE PRECISION,
    unit_cost     DOUBLE PRECISION
);
CREATE INDEX autotask_contract_services_contract_idx ON autotask_contract_services (contract_id);

-- When each company's contracts were last read from Autotask.
CREATE TABLE contract_snapshots (
    company_id    BIGINT PRIMARY KEY,
    refreshed_at  TIMESTAMPTZ NOT NULL
);

-- The contract SeatSync created for a tenant's contract group (seatsync_domain::GroupKey).
CREATE TABLE contract_links (
    tenant_id    TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    group_key    TEXT NOT NULL,
    contract_id  BIGINT NOT NULL,
    created_by   UUID REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, group_key)
);

-- Intent to create a contract, written before Autotask is asked, so that a double click, a
-- second tab, a retry after a timeout or a crash mid-way resumes this one instead of creating a
-- second contract. At most one unfinished intent per tenant group.
CREATE TABLE contract_creations (
    id             BIGSERIAL PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    group_key      TEXT NOT NULL,
    company_id     BIGINT NOT NULL,
    contract_name  TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'contract_created', 'done', 'failed')),
    contract_id    BIGINT,
    attempts       INT NOT NULL DEFAULT 0,
    error          TEXT,
    requested_by   UUID REFERENCES users (id),
    requested_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contract_creations_open_idx ON contract_creations (tenant_id, group_key)
    WHERE state IN ('pending', 'contract_created');

-- Contract sync runs (scheduled, on demand, or dry runs) with live counters.
CREATE TABLE contract_sync_runs (
    id              BIGSERIAL PRIMARY KEY,
    trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    dry_run         BOOLEAN NOT NULL,
    scope_tenant_id TEXT,
    requested_by    UUID REFERENCES users (id),
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ,
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    tenants_total   INT NOT NULL DEFAULT 0,
    tenants_done    INT NOT NULL DEFAULT 0,
    tenants_failed  INT NOT NULL DEFAULT 0,
    changes         INT NOT NULL DEFAULT 0,
    autotask_requests INT NOT NULL DEFAULT 0,
    error           TEXT
);

-- Every change SeatSync made (or, in a dry run, would make) to an Autotask contract, with before
-- and after; flagged items wait for a person.
CREATE TABLE contract_changes (
    id            BIGSERIAL PRIMARY KEY,
    run_id        BIGINT REFERENCES contract_sync_runs (id) ON DELETE CASCADE,
    tenant_id     TEXT NOT NULL,
    group_key     TEXT,
    contract_id   BIGINT,
    service_id    BIGINT,
    kind          TEXT NOT NULL CHECK (kind IN ('create_contract', 'add_service', 'adjust_units', 'flag_ended')),
    description   TEXT NOT NULL,
    units_before  BIGINT,
    units_after   BIGINT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('applied', 'planned', 'flagged', 'failed')),
    error         TEXT,
    changed_by    UUID REFERENCES users (id),
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contract_changes_tenant_idx ON contract_changes (tenant_id, changed_at DESC);
CREATE INDEX contract_changes_run_idx ON contract_changes (run_id);

CREATE TABLE contract_sync_tenants (
    run_id     BIGINT NOT NULL REFERENCES contract_sync_runs (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
    error      TEXT,
    changes    INT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, tenant_id)
);
