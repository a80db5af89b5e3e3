-- 一键报警: a rapid report is a pushed record like the others (kind 'rapid', the report in
-- `body`, idempotent by its id), so it needs no table of its own. A team's page lists them
-- first, newest received first: this index keeps that read cheap however many patrols,
-- keys and hazard entries the team's records hold.
CREATE INDEX record_rapid_by_team ON record (team_id, received_at DESC, id DESC) WHERE kind = 'rapid';

-- A phone number the county keeps for a member (leaders: the phones' 一键报警 page calls
-- it), published with the roster. The county checks it with
-- `redvest_shared::rapid::is_phone_number` (3–20 digits, an optional leading +, - or spaces
-- between); this keeps the column sane whatever writes it. NULL: none.
ALTER TABLE member ADD COLUMN phone TEXT CHECK (length(phone) BETWEEN 3 AND 40 AND phone !~ '[^0-9+ -]');
