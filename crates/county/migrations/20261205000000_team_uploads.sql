-- A photo upload belongs to the team whose records name it: keyed by (team, hash), so a
-- device of another team whose record names the same hash can neither read its offset,
-- create it first with a wrong length, nor append to it.
ALTER TABLE upload DROP CONSTRAINT upload_pkey;
ALTER TABLE upload ADD COLUMN team_id UUID REFERENCES team (id);
UPDATE upload u SET team_id = (SELECT r.team_id FROM photo_ref r WHERE r.sha256 = u.sha256 ORDER BY r.team_id LIMIT 1);
-- A photo two teams' records name was one upload: each team gets its own copy.
INSERT INTO upload (team_id, sha256, length, received, data, completed_at)
SELECT r.team_id, u.sha256, u.length, u.received, u.data, u.completed_at
FROM upload u JOIN (SELECT DISTINCT team_id, sha256 FROM photo_ref) r ON r.sha256 = u.sha256 AND r.team_id <> u.team_id;
-- An upload no record names could not have been created; none is kept.
DELETE FROM upload WHERE team_id IS NULL;
ALTER TABLE upload ALTER COLUMN team_id SET NOT NULL;
ALTER TABLE upload ADD PRIMARY KEY (team_id, sha256);
-- The console finds a photo by its hash alone (a clerk sees several teams).
CREATE INDEX upload_by_sha256 ON upload (sha256);
