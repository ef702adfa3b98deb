-- The jobs on the durable queue (underway's tables live in their own schema, `underway`).
--
-- One row per scheduled job: its cron expression as configured, whether an Admin paused it, and
-- the newest slot already handed to the queue. Whoever moves `last_slot` forward (under a row
-- lock, in the transaction that enqueues the run) owns that slot, so each slot runs once however
-- many instances watch the clock and however their clocks disagree.
CREATE TABLE job_schedules (
    job        TEXT PRIMARY KEY CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume')),
    cron       TEXT NOT NULL,
    last_slot  TIMESTAMPTZ NOT NULL,
    paused     BOOLEAN NOT NULL DEFAULT false,
    paused_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    paused_at  TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every run of every job, whoever asked for it: one model for trigger, scope and outcome. The
-- job's own record of its work (a licence sync's tenants, a contract sync's changes) is
-- `detail_run_id` in that job's table; a run taken over after its instance died continues it.
CREATE TABLE job_runs (
    id              BIGSERIAL PRIMARY KEY,
    job             TEXT NOT NULL CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume')),
    trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual', 'start')),
    requested_by    UUID REFERENCES users (id) ON DELETE SET NULL,
    slot            TIMESTAMPTZ,
    scope_tenant_id TEXT,
    dry_run         BOOLEAN NOT NULL DEFAULT false,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'skipped')),
    queued_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    attempts        INT NOT NULL DEFAULT 0,
    instance        TEXT,
    detail_run_id   BIGINT,
    error           TEXT
);
CREATE INDEX job_runs_job_idx ON job_runs (job, id DESC);
-- A slot is enqueued once; this makes a second attempt fail loudly instead of running twice.
CREATE UNIQUE INDEX job_runs_slot_idx ON job_runs (job, slot) WHERE slot IS NOT NULL;
