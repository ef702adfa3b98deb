-- Autotask's web address (the zone's webUrl) as of each refresh, so pages build their links into
-- Autotask from PostgreSQL alone and never call Autotask while rendering.
ALTER TABLE autotask_refreshes ADD COLUMN web_url TEXT;
