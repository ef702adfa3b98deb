-- Product names from the newest "Product names and service plan identifiers for licensing" CSV an
-- Admin uploaded. The table of common SKUs bundled with SeatSync is used where this has no row.
CREATE TABLE product_names (
    sku_id           TEXT PRIMARY KEY,
    sku_part_number  TEXT NOT NULL,
    display_name     TEXT NOT NULL
);
CREATE INDEX product_names_part_number_idx ON product_names (upper(sku_part_number));

-- Every upload of that CSV, so the Settings page can say which file is in use.
CREATE TABLE product_name_uploads (
    id           BIGSERIAL PRIMARY KEY,
    file_name    TEXT NOT NULL,
    products     INT NOT NULL,
    uploaded_by  UUID REFERENCES users (id),
    uploaded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Local choices per SKU: a name that wins over Microsoft's, and what a seat costs the MSP a month
-- (used for the cost of unused seats when no mapped PSA service says otherwise).
CREATE TABLE sku_overrides (
    sku_id        TEXT PRIMARY KEY,
    display_name  TEXT,
    monthly_cost  DOUBLE PRECISION CHECK (monthly_cost IS NULL OR monthly_cost >= 0),
    changed_by    UUID REFERENCES users (id),
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Spare seats a customer is expected to keep (e.g. for new starters); unused seats up to this
-- many per product are not reported as waste.
ALTER TABLE tenants ADD COLUMN spare_seats INT NOT NULL DEFAULT 0 CHECK (spare_seats >= 0);

-- The offer a subscription is mapped through (seatsync_domain::OfferKey), set by the licence sync.
ALTER TABLE subscriptions ADD COLUMN offer_key TEXT;
CREATE INDEX subscriptions_offer_key_idx ON subscriptions (offer_key) WHERE removed_at IS NULL;

-- Settings an Admin changes in the app (name templates and the like), one JSON value per key.
CREATE TABLE app_settings (
    key         TEXT PRIMARY KEY,
    value       JSONB NOT NULL,
    changed_by  UUID REFERENCES users (id),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
