-- Sync with the county. Every record that must reach the county is queued here in the same
-- transaction that makes it final (a countersignature, a hazard change), so nothing saved
-- is ever left out; `(kind, ref)` is unique, so nothing is queued twice.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,              -- patrol | hazard_event | photo
    ref         TEXT NOT NULL,              -- the record's UUID, or the photo's SHA-256
    state       TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed | conflict
    reason      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (kind, ref)
) STRICT;

-- 提示短信 from the county.
CREATE TABLE alert (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    text        TEXT NOT NULL,
    area        TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL
) STRICT;
