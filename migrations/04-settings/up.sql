-- Device settings, one JSON value per key (track thresholds, UI language).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) STRICT;
