-- The leader signs on their own phone. The county holds each patrol once, whichever phone
-- delivers it: signed by its volunteer it waits for a leader (submitted); a leader sends it
-- back (returned; a new signed version follows) or countersigns it (countersigned, final:
-- corrections are amendments, patrols of their own).
CREATE TABLE patrol (
    id               UUID PRIMARY KEY,
    team_id          UUID NOT NULL REFERENCES team (id),
    record_hash      BYTEA NOT NULL CHECK (length(record_hash) = 32),
    canonical        TEXT NOT NULL,
    volunteer        JSONB NOT NULL,   -- the volunteer's signature (wire::WireSignature)
    track_rvtk       TEXT,             -- base64; absent until a phone that has it sends it
    state            TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'countersigned')),
    leader           JSONB,            -- the countersignature, once countersigned
    returned_by      UUID,
    returned_reason  TEXT,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX patrol_by_team ON patrol (team_id, state);

-- Patrols sealed before this version are held as countersigned.
INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, track_rvtk, state, leader)
SELECT r.id, r.team_id, sha256(convert_to(r.body->>'canonical', 'UTF8')), r.body->>'canonical',
       (SELECT s FROM jsonb_array_elements(r.body->'signatures') s WHERE s->>'role' = 'volunteer' LIMIT 1),
       r.body->>'track_rvtk', 'countersigned',
       (SELECT s FROM jsonb_array_elements(r.body->'signatures') s WHERE s->>'role' = 'leader' LIMIT 1)
FROM record r WHERE r.kind = 'patrol'
ON CONFLICT (id) DO NOTHING;
