-- One team, many phones: the county's roster is the truth; keys and people added on the
-- phone reach the county as records of their own; a refusal names its cause by code.

-- Whether the county's roster lists the member as confirmed, and the member a clerk merged
-- a proposal from this phone into (merged rows are hidden; their keys move to the target).
ALTER TABLE member ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE member ADD COLUMN merged_into BLOB REFERENCES member (id);

-- Every key ever made on this phone, as sent to the county (signer_key holds only the
-- current one per member). A PIN change is endorsed by the key it replaces.
CREATE TABLE key_record (
    id           BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    member_id    BLOB NOT NULL REFERENCES member (id),
    public_key   BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
    previous_key BLOB,
    endorsement  BLOB,
    created_at   TEXT NOT NULL
) STRICT;
CREATE TRIGGER key_record_no_update BEFORE UPDATE ON key_record
BEGIN SELECT RAISE(ABORT, 'append-only: key records are never edited'); END;

-- The refusal code of a refused entry, or the cause a held entry waits on; `held` entries
-- are skipped until that cause may have gone (a key accepted, the roster changed).
ALTER TABLE outbox ADD COLUMN code TEXT;
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

-- Keys and members made before this version go to the county like new ones, people first.
INSERT INTO outbox (kind, ref, created_at, updated_at)
SELECT 'member',
       lower(substr(hex(id), 1, 8) || '-' || substr(hex(id), 9, 4) || '-' || substr(hex(id), 13, 4) || '-' ||
             substr(hex(id), 17, 4) || '-' || substr(hex(id), 21, 12)),
       created_at, created_at
FROM member ORDER BY created_at, id;
INSERT INTO key_record (id, member_id, public_key, created_at)
SELECT randomblob(16), member_id, public_key, created_at FROM signer_key;
INSERT INTO outbox (kind, ref, created_at, updated_at)
SELECT 'key', lower(hex(public_key)), created_at, created_at FROM key_record ORDER BY created_at;

-- Records refused under the old rules (a key declared only at enrolment, a chain that had to
-- arrive unbroken) are judged again under the new ones.
UPDATE outbox SET state = 'pending', reason = NULL WHERE state = 'failed';
