-- The billing tools' own customers (Datto RMM sites, Huntress organizations, ...), as each report run
-- last read them, and which PSA company each is.
--
-- `psa_company_id` and `tenant_id` are the tool's own links (Datto's Autotask company, Huntress's
-- Microsoft tenant); `decided_company_id` / `ignored` are a person's decision, which wins over
-- them. The decision columns are never touched by a run, so a customer that disappears from the
-- tool and comes back keeps its decision.
CREATE TABLE billing_tool_customers (
    tool               text        NOT NULL CHECK (tool IN ('datto_rmm', 'ninjaone', 'automate', 'huntress', 'sentinelone', 'duo', 'auvik')),
    customer_key       text        NOT NULL,
    name               text        NOT NULL,
    domains            text[]      NOT NULL DEFAULT '{}',
    psa_company_id     bigint,
    tenant_id          text,
    first_seen         timestamptz NOT NULL DEFAULT now(),
    last_seen          timestamptz NOT NULL DEFAULT now(),
    decided_company_id bigint,
    ignored            boolean     NOT NULL DEFAULT false,
    decided_by         uuid        REFERENCES users (id) ON DELETE SET NULL,
    decided_at         timestamptz,
    PRIMARY KEY (tool, customer_key),
    CHECK (NOT (ignored AND decided_company_id IS NOT NULL))
);

-- Every decision on a tool customer: who placed it where, ignored it or withdrew a decision.
CREATE TABLE billing_tool_customer_history (
    id            bigserial   PRIMARY KEY,
    tool          text        NOT NULL CHECK (tool IN ('datto_rmm', 'ninjaone', 'automate', 'huntress', 'sentinelone', 'duo', 'auvik')),
    customer_key  text        NOT NULL,
    customer_name text        NOT NULL,
    action        text        NOT NULL CHECK (action IN ('mapped', 'ignored', 'cleared')),
    company_id    bigint,
    decided_by    uuid        REFERENCES users (id) ON DELETE SET NULL,
    decided_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_tool_customer_history_tool_idx ON billing_tool_customer_history (tool, decided_at DESC);

-- The tools' settings on the Integrations page.
ALTER TABLE integration_values DROP CONSTRAINT integration_values_integration_check;
ALTER TABLE integration_values ADD CONSTRAINT integration_values_integration_check
    CHECK (integration IN ('partner_center', 'graph', 'autotask', 'pax8', 'connectwise', 'halo', 'smtp',
                           'datto_rmm', 'huntress', 'ninjaone', 'sentinelone', 'automate', 'duo', 'auvik'));
ALTER TABLE integration_audit DROP CONSTRAINT integration_audit_integration_check;
ALTER TABLE integration_audit ADD CONSTRAINT integration_audit_integration_check
    CHECK (integration IN ('partner_center', 'graph', 'autotask', 'pax8', 'connectwise', 'halo', 'smtp',
                           'datto_rmm', 'huntress', 'ninjaone', 'sentinelone', 'automate', 'duo', 'auvik'));
