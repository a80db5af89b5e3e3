-- 入户下访 quotas (seed 001: 30, 50 or 80 households, by rank), households a month, per member
-- of the roster, set by the county. NULL: no quota.
ALTER TABLE member ADD COLUMN visit_quota INTEGER CHECK (visit_quota BETWEEN 1 AND 1000);
