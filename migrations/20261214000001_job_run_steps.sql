-- Progress of a job that goes step by step rather than tenant by tenant (the billing report: one
-- step per tool), and what it is waiting for, so its page can say how far a long run has got.
ALTER TABLE job_runs
    ADD COLUMN steps_done  integer,
    ADD COLUMN steps_total integer,
    ADD COLUMN step_note   text;
