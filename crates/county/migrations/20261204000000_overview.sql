-- The console's overview (首页): today's duties per team against the patrols that answer them,
-- devices that have gone silent, alerts in force.

-- The duties of the published plans, as the phones keep them (a duty id published again
-- replaces its row, as on the phones).
CREATE TABLE plan_duty (
    id          UUID PRIMARY KEY,
    team_id     UUID NOT NULL REFERENCES team (id),
    month       TEXT NOT NULL,
    assignment  TEXT NOT NULL,
    place       TEXT NOT NULL,
    time        TIME NOT NULL,
    dates       DATE[] NOT NULL
);
CREATE INDEX plan_duty_by_date ON plan_duty USING gin (dates);
INSERT INTO plan_duty (id, team_id, month, assignment, place, time, dates)
SELECT DISTINCT ON ((d ->> 'id')::uuid) (d ->> 'id')::uuid, p.team_id, p.body ->> 'month',
       coalesce('post.' || (d -> 'assignment' ->> 'post'), 'zone.' || (d -> 'assignment' ->> 'zone')),
       d ->> 'place', (d ->> 'time')::time, ARRAY(SELECT jsonb_array_elements_text(d -> 'dates')::date)
FROM published p, jsonb_array_elements(p.body -> 'duties') d
WHERE p.body ->> 'kind' = 'plan'
ORDER BY (d ->> 'id')::uuid, p.seq DESC;

-- Which duty a patrol answers (from its signed record).
ALTER TABLE patrol ADD COLUMN duty_id UUID;
UPDATE patrol SET duty_id = (substr(canonical, length('redvest/patrol-record/v1') + 2)::jsonb ->> 'duty_id')::uuid;
CREATE INDEX patrol_by_duty ON patrol (duty_id, started_at) WHERE duty_id IS NOT NULL;

-- When a device last reached the county (updated at most once a minute).
ALTER TABLE device ADD COLUMN last_seen_at TIMESTAMPTZ;

CREATE INDEX published_alerts ON published (team_id) WHERE body ->> 'kind' = 'alert';

-- A clerk who left is disabled, never deleted: the audit log keeps naming them.
ALTER TABLE clerk ADD COLUMN disabled_at TIMESTAMPTZ;
