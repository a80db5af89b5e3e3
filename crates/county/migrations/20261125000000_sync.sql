-- Sync: members, enrolment codes, devices and their signing keys, pushed records, the
-- devices' hash chains, hazards, photo uploads (tus), and what the county publishes.
CREATE TABLE member (
    id          UUID PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One-time codes; only their SHA-256 is kept.
CREATE TABLE enrolment_code (
    code_hash   BYTEA PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);

CREATE TABLE device (
    id          UUID PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    name        TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);

CREATE TABLE signer_key (
    public_key  BYTEA PRIMARY KEY CHECK (length(public_key) = 32),
    team_id     UUID NOT NULL REFERENCES team (id),
    device_id   UUID NOT NULL REFERENCES device (id),
    member_id   UUID NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL
);

-- Every record a device pushed, exactly once, by the device's UUIDv7.
CREATE TABLE record (
    id              UUID PRIMARY KEY,
    team_id         UUID NOT NULL REFERENCES team (id),
    device_id       UUID NOT NULL REFERENCES device (id),
    kind            TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    body            JSONB NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX record_by_team ON record (team_id, received_at);

CREATE TABLE chain_link (
    device_id   UUID NOT NULL REFERENCES device (id),
    seq         BIGINT NOT NULL,
    patrol_id   UUID NOT NULL,
    link        BYTEA NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE hazard (
    id          UUID PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    state       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Which photos a team's records name: an upload is accepted only for those (text first).
CREATE TABLE photo_ref (
    team_id    UUID NOT NULL REFERENCES team (id),
    sha256     TEXT NOT NULL,
    record_id  UUID NOT NULL REFERENCES record (id),
    PRIMARY KEY (team_id, sha256, record_id)
);

CREATE TABLE upload (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    length        BIGINT NOT NULL CHECK (length > 0),
    received      BIGINT NOT NULL DEFAULT 0,
    data          BYTEA NOT NULL DEFAULT ''::bytea,
    completed_at  TIMESTAMPTZ
);

-- What the county publishes to a team, in order; `seq` is the devices' pull cursor.
CREATE TABLE published (
    seq         BIGSERIAL PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    body        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX published_by_team ON published (team_id, seq);
