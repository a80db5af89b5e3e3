-- One team, many phones: the county's roster is the truth for who signs in what role; keys
-- arrive as records of their own at any time; a phone's hash chain outlives its token.

-- A person proposed from a phone is a member in status 'proposed' (they may sign as a
-- volunteer, never countersign) until a clerk confirms them or merges them into a member.
ALTER TABLE member ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'proposed', 'merged'));
ALTER TABLE member ADD COLUMN merged_into UUID REFERENCES member (id);
ALTER TABLE member ADD CONSTRAINT member_merged_has_target CHECK ((status = 'merged') = (merged_into IS NOT NULL));

-- Keys: the role and name a device once declared are not trusted; the roster decides.
ALTER TABLE signer_key DROP COLUMN name;
ALTER TABLE signer_key DROP COLUMN role;
ALTER TABLE signer_key ADD COLUMN previous_key BYTEA;
ALTER TABLE signer_key ADD COLUMN accepted_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE signer_key ADD COLUMN revoked_at TIMESTAMPTZ;
CREATE INDEX signer_key_by_team ON signer_key (team_id);

-- The chain belongs to the phone, not to its token: re-enrolment continues it.
ALTER TABLE device ADD COLUMN chain_id UUID;
UPDATE device SET chain_id = id;
ALTER TABLE device ALTER COLUMN chain_id SET NOT NULL;
CREATE INDEX device_by_chain ON device (chain_id);

ALTER TABLE chain_link ADD COLUMN chain_id UUID;
ALTER TABLE chain_link ADD COLUMN prev BYTEA;
UPDATE chain_link c SET chain_id = d.chain_id FROM device d WHERE d.id = c.device_id;
UPDATE chain_link c SET prev = coalesce(
    (SELECT p.link FROM chain_link p WHERE p.device_id = c.device_id AND p.seq = c.seq - 1),
    CASE WHEN c.seq = 1 THEN '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea END);
ALTER TABLE chain_link ALTER COLUMN chain_id SET NOT NULL;
ALTER TABLE chain_link DROP CONSTRAINT chain_link_pkey;
ALTER TABLE chain_link ADD PRIMARY KEY (chain_id, seq);

-- Every refusal, so a gap in a chain can be told apart: refused (and why) or never received.
CREATE TABLE refusal (
    id          BIGSERIAL PRIMARY KEY,
    record_id   UUID NOT NULL,
    device_id   UUID NOT NULL REFERENCES device (id),
    chain_seq   BIGINT,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refusal_by_record ON refusal (record_id, at);
