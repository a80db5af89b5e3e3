-- 旬报 and 月报 are queries over the records (crates/county/src/db/report.rs): the signed
-- patrol as JSON, and the patrol it amends (an amended patrol counts once, as its amendment).
-- Both are read from the signed bytes when a patrol is stored (db/records.rs `store_copy`;
-- NULL when the bytes are not a v1 record PostgreSQL's jsonb can hold), and filled here for
-- the patrols already held.
ALTER TABLE patrol ADD COLUMN doc JSONB;
ALTER TABLE patrol ADD COLUMN amends UUID;
UPDATE patrol SET doc = substr(canonical, 26)::jsonb
WHERE left(canonical, 25) = 'redvest/patrol-record/v1' || E'\n' AND strpos(canonical, '\u0000') = 0;
UPDATE patrol SET amends = (doc ->> 'amends')::uuid
WHERE doc ->> 'amends' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
CREATE INDEX patrol_amends ON patrol (amends) WHERE amends IS NOT NULL;
CREATE INDEX hazard_by_found ON hazard (found_at);
