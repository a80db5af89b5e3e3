-- GPS tracks: each kept fix is one row, committed before the recorder returns.
CREATE TABLE track_point (
    patrol_id   BLOB NOT NULL REFERENCES patrol (id),
    seq         INTEGER NOT NULL,
    segment     INTEGER NOT NULL,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    altitude_m  REAL,
    accuracy_m  REAL NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (patrol_id, seq)
) STRICT, WITHOUT ROWID;

-- Where the recorder stands for a patrol, so a relaunch resumes the same track.
-- The newest fix dropped as standing still is kept here, so closing the track can keep
-- the last position too.
CREATE TABLE track_state (
    patrol_id         BLOB PRIMARY KEY NOT NULL REFERENCES patrol (id),
    last_received_at  TEXT NOT NULL,
    pending_fix       TEXT
) STRICT;

CREATE TABLE track_drop (
    patrol_id  BLOB NOT NULL REFERENCES patrol (id),
    reason     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (patrol_id, reason)
) STRICT;

CREATE TABLE track_gap (
    patrol_id  BLOB NOT NULL REFERENCES patrol (id),
    start      TEXT NOT NULL,
    seconds    INTEGER NOT NULL
) STRICT;

CREATE TRIGGER track_point_sealed_no_insert BEFORE INSERT ON track_point
WHEN (SELECT state FROM patrol WHERE id = NEW.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER track_point_no_update BEFORE UPDATE ON track_point
BEGIN SELECT RAISE(ABORT, 'append-only: track points are never edited'); END;
CREATE TRIGGER track_point_sealed_no_delete BEFORE DELETE ON track_point
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
