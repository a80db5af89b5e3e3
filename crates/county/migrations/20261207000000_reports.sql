-- 旬报 and 月报 are queries over the records (crates/county/src/db/report.rs): the signed
-- patrol as JSON, and the patrol it amends (an amended patrol counts once, as its amendment),
-- both derived from the signed bytes, never kept by hand.
ALTER TABLE patrol ADD COLUMN doc JSONB GENERATED ALWAYS AS (
    CASE WHEN left(canonical, 25) = 'redvest/patrol-record/v1' || E'\n' THEN substr(canonical, 26)::jsonb END
) STORED;
ALTER TABLE patrol ADD COLUMN amends UUID GENERATED ALWAYS AS (
    CASE WHEN left(canonical, 25) = 'redvest/patrol-record/v1' || E'\n' THEN (substr(canonical, 26)::jsonb ->> 'amends')::uuid END
) STORED;
CREATE INDEX patrol_amends ON patrol (amends) WHERE amends IS NOT NULL;
CREATE INDEX hazard_by_found ON hazard (found_at);
