-- Photo bytes move out of PostgreSQL into the photo store (crates/county/src/photos.rs).
-- A row per part an upload received, pointing at its object; the upload's `received` is the
-- sum of its parts. `upload.data` is no longer written: `redvest-county move-photos` (also
-- run by `serve` at start) moves what it holds and empties it.
CREATE TABLE upload_part (
    team_id     UUID NOT NULL,
    sha256      TEXT NOT NULL,
    start       BIGINT NOT NULL CHECK (start >= 0),
    length      BIGINT NOT NULL CHECK (length > 0),
    object_key  TEXT NOT NULL,
    PRIMARY KEY (team_id, sha256, start),
    FOREIGN KEY (team_id, sha256) REFERENCES upload (team_id, sha256) ON DELETE CASCADE
);
