-- Every decision a person made on which tenant a Pax8 company is (confirmed, ignored, or given
-- back to SeatSync's own matching), for the history on the Pax8 companies page.
CREATE TABLE pax8_link_history (
    id          BIGSERIAL PRIMARY KEY,
    company_id  TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('confirmed', 'ignored', 'reset')),
    tenant_id   TEXT,
    decided_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    decided_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pax8_link_history_company_idx ON pax8_link_history (company_id, id);
