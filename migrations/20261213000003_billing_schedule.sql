-- A schedule an Admin sets in the app (the billing report's, on the Billing page): it wins over
-- the configured expression (`cron`, from the environment or its default) until cleared.
ALTER TABLE job_schedules ADD COLUMN app_cron text;
