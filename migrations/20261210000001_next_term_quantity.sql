-- The quantity Partner Center holds for a subscription's next term
-- (`scheduledNextTermInstructions.quantity`), when one is scheduled: a reduction already
-- scheduled for the renewal is not alerted again.
ALTER TABLE subscriptions ADD COLUMN next_term_quantity BIGINT;

-- A finding at renewal taken from a quantity already scheduled for the next term keeps that
-- quantity, so the ticket and the page can say "already scheduled to N".
ALTER TABLE licence_findings ADD COLUMN scheduled BIGINT;

-- A licence's spare seats for one customer are set on the Alerts page: who set them, and when.
ALTER TABLE alert_sku_allowances
    ADD COLUMN set_by UUID REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN set_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- The alert e-mails: per customer, what its last e-mail listed (a new one goes out only when
-- that changes); and on each run, what was e-mailed or why not.
CREATE TABLE licence_alert_emails (
    tenant_id     TEXT PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    told          TEXT NOT NULL,
    delivery_key  TEXT NOT NULL,
    sent_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE licence_alert_runs
    ADD COLUMN emails_sent INT,
    ADD COLUMN email_failed TEXT[];
