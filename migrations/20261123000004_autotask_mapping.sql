-- Autotask companies and services, cached so pages and pickers never wait on Autotask. Refreshed
-- by a job and on demand; a record Autotask no longer returns is marked removed, not deleted.
CREATE TABLE autotask_companies (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    number        TEXT,
    company_type  BIGINT,
    is_active     BOOLEAN NOT NULL,
    web_address   TEXT,
    refreshed_at  TIMESTAMPTZ NOT NULL,
    removed_at    TIMESTAMPTZ
);

CREATE TABLE autotask_services (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    description   TEXT,
    unit_price    DOUBLE PRECISION,
    unit_cost     DOUBLE PRECISION,
    period_type   BIGINT,
    -- The period's label from Autotask's picklist (e.g. "Monthly"), for monthly cost figures.
    period_label  TEXT,
    is_active     BOOLEAN NOT NULL,
    refreshed_at  TIMESTAMPTZ NOT NULL,
    removed_at    TIMESTAMPTZ
);
CREATE INDEX autotask_services_name_idx ON autotask_services (lower(name));

-- Each refresh of that cache.
CREATE TABLE autotask_refreshes (
    id            BIGSERIAL PRIMARY KEY,
    trigger       TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'start')),
    requested_by  UUID REFERENCES users (id),
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ,
    companies     INT,
    services      INT,
    error         TEXT
);

-- Which Autotask company each tenant is, or that it is deliberately ignored. `version` grows with
-- every change so that two editors cannot overwrite each other unknowingly; a reset keeps the row
-- (state 'unmapped') so versions never repeat.
CREATE TABLE tenant_mappings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('unmapped', 'mapped', 'ignored')),
    company_id  BIGINT,
    version     INT NOT NULL,
    changed_by  UUID REFERENCES users (id),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((state = 'mapped') = (company_id IS NOT NULL))
);
CREATE INDEX tenant_mappings_company_idx ON tenant_mappings (company_id) WHERE state = 'mapped';

-- Suggestions a person turned down; never offered again for that tenant.
CREATE TABLE suggestion_dismissals (
    tenant_id     TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    company_id    BIGINT NOT NULL,
    dismissed_by  UUID REFERENCES users (id),
    dismissed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, company_id)
);

-- Which Autotask service each Microsoft offer (offer + term + billing cycle) is billed through.
CREATE TABLE offer_mappings (
    offer_key   TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('unmapped', 'mapped', 'ignored')),
    service_id  BIGINT,
    version     INT NOT NULL,
    changed_by  UUID REFERENCES users (id),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((state = 'mapped') = (service_id IS NOT NULL))
);

-- Every mapping change: who, when, before and after.
CREATE TABLE mapping_audit (
    id            BIGSERIAL PRIMARY KEY,
    subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('tenant', 'offer')),
    subject_key   TEXT NOT NULL,
    action        TEXT NOT NULL,
    before        JSONB,
    after         JSONB,
    changed_by    UUID REFERENCES users (id),
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mapping_audit_subject_idx ON mapping_audit (subject_kind, subject_key, changed_at DESC);
