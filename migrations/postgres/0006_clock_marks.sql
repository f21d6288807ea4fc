-- How far back a phone's clock is believed: each request says how far the phone had numbered its outbox, and
-- anything numbered later was written after that request arrived (`sync::server::marks`).
CREATE TABLE sync_client_marks (
    client_id TEXT NOT NULL,
    numbered_through BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, numbered_through)
);
