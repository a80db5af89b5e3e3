-- The county console: townships (乡镇) and their teams, clerks with their sessions, an audit
-- log nobody can edit, and what the patrol list filters and sorts by.
CREATE TABLE township (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE team ADD COLUMN township_id UUID REFERENCES township (id);
CREATE INDEX team_by_township ON team (township_id);

-- A clerk of the county (township_id NULL: sees every township) or of one township (综治中心).
-- The password is kept as an Argon2id PHC string; wrong passwords make the next try wait.
CREATE TABLE clerk (
    id              UUID PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 64),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    password_hash   TEXT NOT NULL,
    township_id     UUID REFERENCES township (id),
    is_admin        BOOLEAN NOT NULL DEFAULT false,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    last_failed_at  TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a session's cookie is kept.
CREATE TABLE clerk_session (
    token_hash  BYTEA PRIMARY KEY,
    clerk_id    UUID NOT NULL REFERENCES clerk (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX clerk_session_by_clerk ON clerk_session (clerk_id);

-- Who did what, when: appended by the console, never changed.
CREATE TABLE audit_log (
    id        BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    clerk_id  UUID REFERENCES clerk (id),
    login     TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The patrol list filters by date and post or zone: kept beside the signed bytes.
ALTER TABLE patrol ADD COLUMN started_at TIMESTAMPTZ;
ALTER TABLE patrol ADD COLUMN assignment TEXT;
UPDATE patrol p SET
    started_at = (r.j ->> 'started_at')::timestamptz,
    assignment = coalesce('post.' || (r.j -> 'assignment' ->> 'post'), 'zone.' || (r.j -> 'assignment' ->> 'zone'))
FROM (SELECT id, substr(canonical, length('redvest/patrol-record/v1') + 2)::jsonb AS j FROM patrol) r
WHERE r.id = p.id;
CREATE INDEX patrol_by_team_start ON patrol (team_id, started_at DESC);
CREATE INDEX patrol_by_start ON patrol (started_at DESC);
