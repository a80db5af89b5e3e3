-- The hazard register (隐患台账) at the county: what was reported, kept from the patrol that
-- found it, and every entry of its history: found on a patrol, changed by the team's phones,
-- decided by the county (交办, 督办, 复查, 销号, 退回). The history is only ever appended to.
ALTER TABLE hazard ADD COLUMN patrol_id UUID;
ALTER TABLE hazard ADD COLUMN found_at TIMESTAMPTZ;
ALTER TABLE hazard ADD COLUMN domain TEXT;
ALTER TABLE hazard ADD COLUMN item TEXT;
ALTER TABLE hazard ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE hazard ADD COLUMN severity TEXT;
ALTER TABLE hazard ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE hazard ADD COLUMN unit TEXT;
ALTER TABLE hazard ADD COLUMN responsible TEXT;
ALTER TABLE hazard ADD COLUMN deadline DATE;
ALTER TABLE hazard ADD COLUMN photos TEXT[] NOT NULL DEFAULT '{}';

CREATE TABLE hazard_event (
    id           UUID PRIMARY KEY,
    hazard_id    UUID NOT NULL REFERENCES hazard (id),
    at           TIMESTAMPTZ NOT NULL,
    by_name      TEXT NOT NULL,
    -- found | team | assign | supervise | recheck | close | return
    action       TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    responsible  TEXT,
    deadline     DATE,
    patrol_id    UUID,
    clerk_id     UUID REFERENCES clerk (id)
);
CREATE INDEX hazard_event_by_hazard ON hazard_event (hazard_id, at);

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER hazard_event_no_change BEFORE UPDATE OR DELETE ON hazard_event
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- Hazards already at the county: their report from the sealed patrol that names them.
UPDATE hazard h SET
    patrol_id = p.id,
    found_at = p.started_at,
    domain = o -> 'body' ->> 'domain',
    item = o -> 'body' ->> 'item',
    description = coalesce(o -> 'body' ->> 'description', ''),
    severity = o -> 'body' ->> 'severity',
    place = coalesce(o -> 'body' ->> 'place', ''),
    unit = o -> 'body' -> 'handling' ->> 'unit',
    responsible = o -> 'body' -> 'handling' ->> 'responsible',
    deadline = (o -> 'body' -> 'handling' ->> 'deadline')::date,
    photos = coalesce(ARRAY(SELECT jsonb_array_elements(o -> 'photos') ->> 'sha256'), '{}')
FROM patrol p, jsonb_array_elements(substr(p.canonical, length('redvest/patrol-record/v1') + 2)::jsonb -> 'observations') o
WHERE (o ->> 'hazard_id')::uuid = h.id AND p.team_id = h.team_id;
INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, patrol_id)
SELECT gen_random_uuid(), id, coalesce(found_at, updated_at), '巡查发现', 'found', state, patrol_id FROM hazard;

-- The register lists open hazards, overdue first.
CREATE INDEX hazard_by_team_state ON hazard (team_id, state, deadline);
CREATE INDEX hazard_by_deadline ON hazard (deadline) WHERE state NOT IN ('closed', 'fixed_on_spot');
