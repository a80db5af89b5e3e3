-- 一键报警: rapid reports, saved the moment the button is pressed and queued ahead of
-- everything else. The report is kept as the JSON the county receives (it never changes
-- after saving), so what is sent is exactly what was saved.
CREATE TABLE rapid_report (
    id      BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    at      TEXT NOT NULL,
    body    TEXT NOT NULL CHECK (json_valid(body))
) STRICT;

-- A member's phone number as the county's roster has it: the 一键报警 page calls the leader.
ALTER TABLE member ADD COLUMN phone TEXT;
