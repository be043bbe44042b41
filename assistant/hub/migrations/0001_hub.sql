-- The change feed: one row per hub write, appended in the write's own transaction (assistant/hub/feed.py).
CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    version INTEGER NOT NULL DEFAULT 0,
    data JSONB
);

-- Quick replies, shaped like the SQLite tables (quick_replies/migrations.py) so a row reads the same on
-- both backends. Shops, teams and agents stay in each process's SQLite file: no foreign keys to them.
CREATE TABLE quick_reply_groups (
    id BIGSERIAL PRIMARY KEY,
    shop_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, name)
);

CREATE TABLE quick_replies (
    id BIGSERIAL PRIMARY KEY,
    shop_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL REFERENCES quick_reply_groups(id),
    scope TEXT NOT NULL CHECK (scope IN ('shop', 'team', 'personal')),
    team_id BIGINT,
    owner_agent_id BIGINT,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    valid_from TEXT,
    valid_until TEXT,
    attachment TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    search_keys TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((scope = 'team') = (team_id IS NOT NULL)),
    CHECK ((scope = 'personal') = (owner_agent_id IS NOT NULL))
);
-- A short code is unique within its scope: the shop, one team, or one agent.
CREATE UNIQUE INDEX idx_quick_replies_code ON quick_replies
    (shop_id, scope, COALESCE(team_id, 0), COALESCE(owner_agent_id, 0), code);
CREATE INDEX idx_quick_replies_group ON quick_replies (group_id, position);

CREATE TABLE quick_reply_revisions (
    id BIGSERIAL PRIMARY KEY,
    entity_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'rollback')),
    agent_id BIGINT,
    at TEXT NOT NULL,
    before JSONB,
    after JSONB
);
CREATE INDEX idx_quick_reply_revisions ON quick_reply_revisions (entity_id, version);

-- Claims as database facts: at most one live owner per resource (a partial unique index), history kept.
CREATE TABLE claims (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    resource TEXT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    released_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX idx_claims_one_owner ON claims (kind, resource) WHERE released_at IS NULL;
