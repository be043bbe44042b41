-- The conversation log on the hub (assistant/hub/conversation_log.py), shaped like the SQLite table
-- (assistant/migrations.py, 0003_conversation_log): every message a chat client reported, per shop and
-- conversation; `at` is the platform's time of the message and `received_at` the service's.
CREATE TABLE conversation_messages (
    id BIGSERIAL PRIMARY KEY,
    shop_id BIGINT NOT NULL,
    conversation TEXT NOT NULL,
    buyer_nick TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    source TEXT CHECK (source IN ('human', 'auto_reply', 'assist_bot')),
    agent_id BIGINT,
    sender TEXT,
    message_id TEXT,
    text TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    CHECK ((direction = 'in') = (source IS NULL))
);
CREATE INDEX idx_conv_messages_conversation ON conversation_messages (shop_id, conversation, at, id);
CREATE INDEX idx_conv_messages_shop_at ON conversation_messages (shop_id, at, id);
CREATE INDEX idx_conv_messages_buyer ON conversation_messages (shop_id, buyer_nick, at);
CREATE INDEX idx_conv_messages_at ON conversation_messages (at);
-- a message reported twice (a retry, two agents' clients) is kept once when it has the platform's id
CREATE UNIQUE INDEX idx_conv_messages_platform_id ON conversation_messages (shop_id, message_id)
    WHERE message_id IS NOT NULL;
