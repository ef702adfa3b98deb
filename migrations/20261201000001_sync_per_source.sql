-- Each source of a tenant's licence data is kept apart: Partner Center's subscriptions and
-- Graph's seat counts each have their own last good time and last error, so a failure of one
-- never throws away what the other returned. `last_synced_at` stays the last sync in which both
-- succeeded and `last_error` the last attempt's failures, in words.
ALTER TABLE tenants
    ADD COLUMN subscriptions_synced_at TIMESTAMPTZ,
    ADD COLUMN subscriptions_error     TEXT,
    ADD COLUMN seats_synced_at         TIMESTAMPTZ,
    ADD COLUMN seats_error             TEXT;
UPDATE tenants SET subscriptions_synced_at = last_synced_at, seats_synced_at = last_synced_at;

-- 'partial': one source answered and was stored, the other failed.
ALTER TABLE sync_run_tenants DROP CONSTRAINT sync_run_tenants_outcome_check;
ALTER TABLE sync_run_tenants ADD CONSTRAINT sync_run_tenants_outcome_check
    CHECK (outcome IN ('ok', 'partial', 'failed', 'skipped'));
