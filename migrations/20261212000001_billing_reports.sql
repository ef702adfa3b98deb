-- The billing count reports: each run's whole table (domain::billing::Report as JSON: rows,
-- columns and every cell) and how each tool's connector fared (status, error in words, time,
-- customers counted and customers it could not place), so any earlier report can be shown,
-- compared and downloaded exactly as it was.
CREATE TABLE billing_reports (
    id         bigserial   PRIMARY KEY,
    made_at    timestamptz NOT NULL DEFAULT now(),
    job_run_id bigint,
    report     jsonb       NOT NULL,
    tools      jsonb       NOT NULL,
    -- Each column's total ("Tool · Product" → count), for the chart over time without reading
    -- every report whole.
    totals     jsonb       NOT NULL
);
CREATE INDEX billing_reports_made_at_idx ON billing_reports (made_at DESC);

-- The report is a job of its own.
ALTER TABLE job_schedules DROP CONSTRAINT job_schedules_job_check;
ALTER TABLE job_schedules ADD CONSTRAINT job_schedules_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume',
                   'licence_alerts', 'billing_report'));
ALTER TABLE job_runs DROP CONSTRAINT job_runs_job_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume',
                   'licence_alerts', 'billing_report'));
