-- 督办 from the county presses on a hazard without changing its state: its history entry
-- shows the state it found and never says the state (the county's register follows the same
-- rule), so a change the team makes afterwards counts, whatever the clocks say.
ALTER TABLE hazard_event ADD COLUMN keeps_state INTEGER NOT NULL DEFAULT 0 CHECK (keeps_state IN (0, 1));
