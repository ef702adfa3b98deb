-- Which ConnectWise Manage company or HaloPSA client each tenant is, for the tickets SeatSync
-- opens there (Autotask's companies are the tenant mappings). Set by an Editor, one row per PSA
-- and tenant; the company's name is kept as it was chosen, for the pages and the tickets.
CREATE TABLE ticket_companies (
    psa          text        NOT NULL CHECK (psa IN ('connectwise', 'halo')),
    tenant_id    text        NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    company_id   bigint      NOT NULL,
    company_name text        NOT NULL,
    set_by       uuid        REFERENCES users (id) ON DELETE SET NULL,
    set_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (psa, tenant_id)
);
