-- Follow-ups on a delivered ticket: a note, or a note and then closing the ticket. Recorded
-- before anything is sent, like deliveries; `dedup_key` makes each follow-up once. The note's
-- title carries `reference`, so a note whose answer was lost is found on the ticket instead of
-- being added again.
CREATE TABLE delivery_followups (
    id           BIGSERIAL PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    dedup_key    TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('note', 'close')),
    title        TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    reference    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'uncertain', 'failed')),
    attempts     INT NOT NULL DEFAULT 0,
    -- Set once the note is on the ticket (added now or found by its reference).
    note_id      BIGINT,
    error        TEXT,
    requested_by UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at TIMESTAMPTZ
);
CREATE INDEX delivery_followups_delivery_idx ON delivery_followups (delivery_id, id);

-- The unused-licence ticket of each tenant: one episode from the first finding until nothing is
-- reducible any more (or a person closes the ticket). `told` is the fingerprint of the findings
-- the ticket last listed, so a note is added only when they change.
CREATE TABLE licence_alert_tickets (
    id           BIGSERIAL PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    episode      INT NOT NULL,
    delivery_key TEXT NOT NULL UNIQUE,
    told         TEXT NOT NULL,
    opened_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at    TIMESTAMPTZ,
    closed_why   TEXT,
    UNIQUE (tenant_id, episode)
);
CREATE UNIQUE INDEX licence_alert_tickets_open_idx ON licence_alert_tickets (tenant_id) WHERE closed_at IS NULL;

-- What each alert run did to the tickets, for the Alerts page.
ALTER TABLE licence_alert_runs
    ADD COLUMN tickets_opened   INT,
    ADD COLUMN tickets_noted    INT,
    ADD COLUMN tickets_closed   INT,
    ADD COLUMN tickets_unmapped TEXT[],
    ADD COLUMN tickets_failed   TEXT[],
    ADD COLUMN tickets_skipped  TEXT;
