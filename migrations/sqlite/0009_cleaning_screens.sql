-- The hallway screen's links: a TV opens the published class league with no account, by an unguessable token
-- the admin made and can revoke. Only the token's SHA-256 is kept.
CREATE TABLE cleaning_screens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
