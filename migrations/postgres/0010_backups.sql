-- Every backup taken (`houqin backup DIR` or the nightly one): the admin home shows the last one and warns when
-- it is old or failed. A nightly backup claims its night first, so several instances on one database take one.
CREATE TABLE backups (
    id TEXT PRIMARY KEY,
    night TEXT UNIQUE,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    file TEXT,
    bytes BIGINT,
    error TEXT
);
CREATE INDEX backups_started ON backups (started_at);
