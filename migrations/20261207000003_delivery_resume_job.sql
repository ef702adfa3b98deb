-- The resume of interrupted deliveries joins the jobs on the queue.
ALTER TABLE job_schedules DROP CONSTRAINT job_schedules_job_check;
ALTER TABLE job_schedules ADD CONSTRAINT job_schedules_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume'));
ALTER TABLE job_runs DROP CONSTRAINT job_runs_job_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_job_check
    CHECK (job IN ('licence_sync', 'autotask_refresh', 'contract_sync', 'contract_resume', 'delivery_resume'));
