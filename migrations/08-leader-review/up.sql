-- The leader signs on their own phone. A patrol signed on another phone comes here for the
-- leader's review (队长待审), from the county or by QR; the decision made here goes back to
-- the county. A countersigned row is this phone's copy of the sealed record.
CREATE TABLE review (
    patrol_id     BLOB NOT NULL CHECK (length(patrol_id) = 16),
    record_hash   BLOB NOT NULL CHECK (length(record_hash) = 32),
    canonical     BLOB NOT NULL,
    volunteer     TEXT NOT NULL,   -- JSON, wire::WireSignature
    track_rvtk    BLOB,            -- absent when handed over by QR
    source        TEXT NOT NULL,   -- county | qr
    received_at   TEXT NOT NULL,
    decision      TEXT,            -- countersigned | returned | superseded
    decision_id   BLOB,            -- the record sent to the county, for a decision made here
    leader        TEXT,            -- JSON, wire::WireSignature, once countersigned
    reason        TEXT,            -- why it was sent back
    returned_by   BLOB,            -- the leader who sent it back here, their key and signature
    return_key    BLOB,
    return_sig    BLOB,
    decided_at    TEXT,
    PRIMARY KEY (patrol_id, record_hash)
) STRICT;

-- The keys the county's roster lists for each member: a record handed over by QR is
-- checked against these (and the keys made on this phone).
CREATE TABLE roster_key (
    public_key  BLOB PRIMARY KEY NOT NULL CHECK (length(public_key) = 32),
    member_id   BLOB NOT NULL
) STRICT;
