-- Hazard photos. The JPEG lives in the app data directory as photos/<sha256>.jpg (and its
-- thumbnail as photos/<sha256>.thumb.jpg); a row is written only after both files are
-- complete on disk, so a row never points at a half-written file.
CREATE TABLE photo (
    sha256       TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    bytes        INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    taken_at     TEXT NOT NULL,
    camera_time  TEXT,
    place        TEXT,            -- JSON, shared::photo::PhotoPlace
    device       TEXT NOT NULL,
    uploaded_at  TEXT             -- set by sync once the county holds the bytes
) STRICT;

CREATE TABLE observation_photo (
    observation_id  BLOB NOT NULL REFERENCES observation (id),
    sha256          TEXT NOT NULL REFERENCES photo (sha256),
    position        INTEGER NOT NULL,
    PRIMARY KEY (observation_id, sha256)
) STRICT;
CREATE INDEX observation_photo_by_photo ON observation_photo (sha256);

CREATE TRIGGER observation_photo_sealed_no_insert BEFORE INSERT ON observation_photo
WHEN (SELECT p.state FROM observation o JOIN patrol p ON p.id = o.patrol_id WHERE o.id = NEW.observation_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER observation_photo_sealed_no_delete BEFORE DELETE ON observation_photo
WHEN (SELECT p.state FROM observation o JOIN patrol p ON p.id = o.patrol_id WHERE o.id = OLD.observation_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER observation_photo_no_update BEFORE UPDATE ON observation_photo
BEGIN SELECT RAISE(ABORT, 'observation photos are added or removed, never edited'); END;
-- A photo's bytes are its name: only the upload mark may change.
CREATE TRIGGER photo_content_no_update BEFORE UPDATE OF sha256, bytes, width, height, taken_at, camera_time, place, device ON photo
BEGIN SELECT RAISE(ABORT, 'photos are immutable'); END;
