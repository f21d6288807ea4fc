-- The sync engine's receipts, and Job 1, the gate visitor log.

-- One row per outbox namespace (a user on a browser): the last sequence number applied.
CREATE TABLE sync_clients (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    last_seq BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    app_build TEXT NOT NULL,
    -- The phone's clock minus the server's at the last push, in milliseconds.
    clock_skew_ms BIGINT NOT NULL DEFAULT 0
);

-- Every mutation ever received, with the answer it got: a repeat gets the same answer.
CREATE TABLE sync_mutations (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES sync_clients (id),
    seq BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    client_time BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (client_id, seq)
);

-- Holes in a client's sequence that it could not fill (a phone's storage lost entries), kept for the admin.
CREATE TABLE sync_gaps (
    client_id TEXT NOT NULL REFERENCES sync_clients (id),
    from_seq BIGINT NOT NULL,
    to_seq BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    -- Personal data; all NULL once purged by retention (purged_at set). Counts stay.
    visitor_name TEXT,
    phone TEXT,
    id_masked TEXT,
    id_hash TEXT,
    plate TEXT,
    id_type TEXT NOT NULL,
    organisation TEXT NOT NULL,
    host_user_id TEXT REFERENCES users (id),
    host_place_id TEXT REFERENCES places (id),
    reason TEXT NOT NULL,
    party_size BIGINT NOT NULL,
    time_in BIGINT NOT NULL,
    gate_id TEXT REFERENCES places (id),
    registered_by TEXT NOT NULL REFERENCES users (id),
    received_at BIGINT NOT NULL,
    -- The registering phone's clock minus the server's when it arrived; time_in is the phone's clock.
    clock_skew_ms BIGINT NOT NULL,
    watch_entry_id TEXT,
    watch_decision TEXT,
    purged_at BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX visits_version ON visits (version);
CREATE INDEX visits_time_in ON visits (time_in);
CREATE INDEX visits_phone ON visits (phone);

CREATE TABLE visit_sign_outs (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL REFERENCES visits (id),
    time_out BIGINT NOT NULL,
    signed_out_by TEXT NOT NULL REFERENCES users (id),
    received_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX visit_sign_outs_visit ON visit_sign_outs (visit_id);
CREATE INDEX visit_sign_outs_version ON visit_sign_outs (version);

CREATE TABLE watch_entries (
    id TEXT PRIMARY KEY,
    phone TEXT,
    id_hash TEXT,
    id_masked TEXT,
    note TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX watch_entries_version ON watch_entries (version);

-- Who looked at full personal data, and every watch-list hit.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    subject_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE INDEX places_version ON places (version);
CREATE INDEX users_version ON users (version);

-- Every write bumps sync_state.version; tell every app instance listening, when the transaction commits, so
-- their phones pull at once.
CREATE FUNCTION houqin_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('houqin_changes', NEW.version::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sync_state_changed AFTER UPDATE ON sync_state
    FOR EACH ROW EXECUTE FUNCTION houqin_notify_change();
