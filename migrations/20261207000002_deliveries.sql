-- Deliveries: every ticket and e-mail SeatSync sends, recorded before anything is sent (the
-- intent), with everything needed to finish it from the record alone, so another instance can
-- carry on after a crash. `dedup_key` makes a message once: asking again for the same key finds
-- this row, never a second ticket or e-mail.
CREATE TABLE deliveries (
    id               BIGSERIAL PRIMARY KEY,
    dedup_key        TEXT NOT NULL UNIQUE,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'autotask', 'connectwise', 'halo')),
    purpose          TEXT NOT NULL,
    title            TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT,
    -- E-mail: the addresses. Ticket: the PSA's company, by its id there and by name as it was.
    email_to         TEXT[],
    company_id       BIGINT,
    company_name     TEXT,
    -- Put in the ticket's title and the e-mail's Message-ID, so the PSA can be searched for it.
    reference        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'uncertain', 'failed')),
    attempts         INT NOT NULL DEFAULT 0,
    ticket_id        BIGINT,
    ticket_number    TEXT,
    attachments_done INT NOT NULL DEFAULT 0,
    -- The mail server's answer, or the PSA's ticket number in words.
    answer           TEXT,
    error            TEXT,
    requested_by     UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    CHECK ((channel = 'email') = (email_to IS NOT NULL)),
    CHECK ((channel IN ('autotask', 'connectwise', 'halo')) = (company_id IS NOT NULL))
);
CREATE INDEX deliveries_created_idx ON deliveries (created_at DESC);

CREATE TABLE delivery_attachments (
    delivery_id  BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    position     INT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    PRIMARY KEY (delivery_id, position)
);
