-- The response watch's take-over claims on the hub (assistant/hub/watch_claims.py), shaped like the
-- SQLite table (assistant/team/migrations.py): one open claim per conversation, released rows kept.
CREATE TABLE watch_claims (
    id BIGSERIAL PRIMARY KEY,
    shop_id BIGINT NOT NULL,
    conversation TEXT NOT NULL,
    buyer_nick TEXT NOT NULL,
    agent_id BIGINT NOT NULL,
    from_agent_id BIGINT,
    claimed_at TIMESTAMPTZ NOT NULL,
    released_at TIMESTAMPTZ,
    released_why TEXT
);
CREATE UNIQUE INDEX watch_claims_one_open ON watch_claims (shop_id, conversation) WHERE released_at IS NULL;
CREATE INDEX idx_watch_claims_shop_open ON watch_claims (shop_id) WHERE released_at IS NULL;

-- Scheduled jobs that run once per period across every process (assistant/hub/jobs.py): the last run,
-- read and written under the job's transaction-level advisory lock.
CREATE TABLE hub_jobs (
    name TEXT PRIMARY KEY,
    last_run_at TIMESTAMPTZ NOT NULL,
    run_by TEXT NOT NULL
);
