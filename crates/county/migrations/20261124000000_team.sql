-- Patrol teams the county knows (巡防队). Devices, members and records hang off a team.
CREATE TABLE team (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
