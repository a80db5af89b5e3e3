-- A patrol (巡查): one row per patrol started on this device.
-- Ids are UUIDv7 (16-byte BLOB); times are UTC RFC 3339 text.
CREATE TABLE patrol (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    started_at  TEXT NOT NULL
) STRICT;
