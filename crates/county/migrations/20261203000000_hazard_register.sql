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
CREATE TRIGGER hazard_event_no_truncate BEFORE TRUNCATE ON hazard_event
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Hazards already at the county: their report from the first patrol that names them (an
-- amendment names its original's hazards again; the original comes first).
CREATE TEMPORARY TABLE found_hazard ON COMMIT DROP AS
SELECT DISTINCT ON ((o ->> 'hazard_id')::uuid, r.team_id)
       (o ->> 'hazard_id')::uuid AS hazard_id, r.id AS patrol_id, r.team_id, r.started_at, o
FROM (SELECT id, team_id, started_at, substr(canonical, length('redvest/patrol-record/v1') + 2)::jsonb AS j FROM patrol) r,
     jsonb_array_elements(r.j -> 'observations') o
WHERE o ->> 'hazard_id' IS NOT NULL AND o -> 'body' ->> 'type' = 'hazard'
ORDER BY (o ->> 'hazard_id')::uuid, r.team_id, (r.j ->> 'amends') IS NOT NULL, r.started_at;

UPDATE hazard h SET
    patrol_id = f.patrol_id,
    found_at = f.started_at,
    domain = f.o -> 'body' ->> 'domain',
    item = f.o -> 'body' ->> 'item',
    description = coalesce(f.o -> 'body' ->> 'description', ''),
    severity = f.o -> 'body' ->> 'severity',
    place = coalesce(f.o -> 'body' ->> 'place', ''),
    unit = f.o -> 'body' -> 'handling' ->> 'unit',
    responsible = f.o -> 'body' -> 'handling' ->> 'responsible',
    deadline = (f.o -> 'body' -> 'handling' ->> 'deadline')::date,
    photos = coalesce(ARRAY(SELECT jsonb_array_elements(f.o -> 'photos') ->> 'sha256'), '{}')
FROM found_hazard f
WHERE f.hazard_id = h.id AND f.team_id = h.team_id;

-- Their history: found (in the state its handling opened it in), the team's changes (each
-- under its record's id, as new ones are), the county's earlier decisions.
INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, responsible, deadline, patrol_id)
SELECT gen_random_uuid(), h.id, coalesce(h.found_at, h.updated_at), '巡查发现', 'found',
       CASE f.o -> 'body' -> 'handling' ->> 'kind' WHEN 'rectify' THEN 'assigned' WHEN 'fixed_on_spot' THEN 'fixed_on_spot'
            WHEN 'escalated' THEN 'escalated' ELSE h.state END,
       h.responsible, h.deadline, h.patrol_id
FROM hazard h LEFT JOIN found_hazard f ON f.hazard_id = h.id AND f.team_id = h.team_id;

INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, reason, responsible, deadline)
SELECT r.id, h.id, (r.body ->> 'at')::timestamptz, coalesce(r.body ->> 'by_name', ''), 'team', r.body ->> 'state',
       coalesce(r.body ->> 'reason', ''), r.body ->> 'responsible', (r.body ->> 'deadline')::date
FROM record r JOIN hazard h ON h.id = (r.body ->> 'hazard_id')::uuid AND h.team_id = r.team_id
WHERE r.kind = 'hazard_event'
ON CONFLICT (id) DO NOTHING;

-- `set`: a state the county set by the command line before the console's decisions existed.
INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, reason)
SELECT (p.body ->> 'id')::uuid, h.id, (p.body ->> 'at')::timestamptz, '县综治中心', 'set', p.body ->> 'state', coalesce(p.body ->> 'reason', '')
FROM published p JOIN hazard h ON h.id = (p.body ->> 'hazard_id')::uuid AND h.team_id = p.team_id
WHERE p.body ->> 'kind' = 'hazard_decision'
ON CONFLICT (id) DO NOTHING;

-- A hazard's state, responsible person and deadline follow from its history (db::hazard::settle).
UPDATE hazard h SET
    state = coalesce((SELECT e.state FROM hazard_event e WHERE e.hazard_id = h.id AND e.action <> 'supervise'
                      ORDER BY e.at DESC, e.id DESC LIMIT 1), h.state),
    responsible = coalesce((SELECT e.responsible FROM hazard_event e WHERE e.hazard_id = h.id AND e.responsible IS NOT NULL
                            ORDER BY e.at DESC, e.id DESC LIMIT 1), h.responsible),
    deadline = coalesce((SELECT e.deadline FROM hazard_event e WHERE e.hazard_id = h.id AND e.deadline IS NOT NULL
                         ORDER BY e.at DESC, e.id DESC LIMIT 1), h.deadline);

-- The register lists open hazards, overdue first.
CREATE INDEX hazard_by_team_state ON hazard (team_id, state, deadline);
CREATE INDEX hazard_by_deadline ON hazard (deadline) WHERE state NOT IN ('closed', 'fixed_on_spot');
