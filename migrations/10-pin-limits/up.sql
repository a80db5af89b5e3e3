-- Wrong PINs per person on this phone: after three each try waits longer, after ten the key
-- is locked until a leader lifts it with their own PIN (a right PIN clears the count). Only a
-- leader whose key is older than the first wrong PIN may lift it: a key made afterwards for
-- the purpose does not count.
CREATE TABLE pin_failure (
    member_id        BLOB PRIMARY KEY NOT NULL REFERENCES member (id),
    failed           INTEGER NOT NULL CHECK (failed > 0),
    first_failed_at  TEXT NOT NULL,
    last_failed_at   TEXT NOT NULL
) STRICT;
