-- The patrol log (巡查日志): roster, duties, attendance, checklist, observations, hazards,
-- signatures and the hash chain. Ids are UUIDv7 BLOBs; times are UTC RFC 3339 text.

CREATE TABLE member (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- One Ed25519 key per person who signs on this device. The secret half is sealed with a
-- key derived from the person's PIN (Argon2id); the PIN itself is never stored.
CREATE TABLE signer_key (
    member_id     BLOB PRIMARY KEY NOT NULL REFERENCES member (id),
    public_key    BLOB NOT NULL CHECK (length(public_key) = 32),
    kdf_salt      BLOB NOT NULL,
    nonce         BLOB NOT NULL,
    sealed_secret BLOB NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE duty (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    assignment  TEXT NOT NULL,
    place       TEXT NOT NULL,
    time        TEXT NOT NULL,   -- local HH:MM:SS
    recurrence  TEXT NOT NULL,   -- JSON, shared::duty::Recurrence
    removed_at  TEXT
) STRICT;

ALTER TABLE patrol ADD COLUMN duty_id BLOB REFERENCES duty (id);
ALTER TABLE patrol ADD COLUMN assignment TEXT NOT NULL DEFAULT 'zone.town_centre';
ALTER TABLE patrol ADD COLUMN route TEXT NOT NULL DEFAULT '';
ALTER TABLE patrol ADD COLUMN planned_start TEXT;
ALTER TABLE patrol ADD COLUMN ended_at TEXT;
ALTER TABLE patrol ADD COLUMN remarks TEXT NOT NULL DEFAULT '';
ALTER TABLE patrol ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE patrol ADD COLUMN returned_reason TEXT;
ALTER TABLE patrol ADD COLUMN amends BLOB REFERENCES patrol (id);

CREATE TABLE attendance (
    patrol_id   BLOB NOT NULL REFERENCES patrol (id),
    position    INTEGER NOT NULL,
    member_id   BLOB REFERENCES member (id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    presence    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (patrol_id, position)
) STRICT;

-- The 巡查重点 catalog, versioned; the county may publish a newer version later.
CREATE TABLE checklist_item (
    version     INTEGER NOT NULL,
    code        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    domain      TEXT NOT NULL,
    zones       TEXT NOT NULL,   -- JSON list of assignment keys; empty list = every zone
    text_zh     TEXT NOT NULL,
    text_en     TEXT NOT NULL,
    PRIMARY KEY (version, code)
) STRICT;

CREATE TABLE check_result (
    patrol_id       BLOB NOT NULL REFERENCES patrol (id),
    code            TEXT NOT NULL,
    catalog_version INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    PRIMARY KEY (patrol_id, code)
) STRICT;

CREATE TABLE hazard (
    id            BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    first_patrol  BLOB NOT NULL REFERENCES patrol (id),
    report        TEXT NOT NULL,   -- JSON, shared::observation::HazardReport
    created_at    TEXT NOT NULL
) STRICT;

-- A hazard's history: only ever appended to.
CREATE TABLE hazard_event (
    id           BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    hazard_id    BLOB NOT NULL REFERENCES hazard (id),
    at           TEXT NOT NULL,
    by_name      TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    responsible  TEXT,
    deadline     TEXT,
    patrol_id    BLOB REFERENCES patrol (id)
) STRICT;
CREATE INDEX hazard_event_by_hazard ON hazard_event (hazard_id, at);

CREATE TABLE observation (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patrol_id   BLOB NOT NULL REFERENCES patrol (id),
    body        TEXT NOT NULL,   -- JSON, shared::observation::Observation
    hazard_id   BLOB REFERENCES hazard (id),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX observation_by_patrol ON observation (patrol_id, id);

-- The exact bytes that were signed, addressed by their SHA-256.
CREATE TABLE signed_record (
    hash        BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
    patrol_id   BLOB NOT NULL REFERENCES patrol (id),
    canonical   BLOB NOT NULL
) STRICT;

CREATE TABLE signature (
    id           BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patrol_id    BLOB NOT NULL REFERENCES patrol (id),
    role         TEXT NOT NULL,
    member_id    BLOB NOT NULL REFERENCES member (id),
    public_key   BLOB NOT NULL CHECK (length(public_key) = 32),
    record_hash  BLOB NOT NULL REFERENCES signed_record (hash),
    signature    BLOB NOT NULL CHECK (length(signature) = 64),
    handwriting  BLOB NOT NULL,
    signed_at    TEXT NOT NULL
) STRICT;
CREATE INDEX signature_by_patrol ON signature (patrol_id, signed_at);

-- The bound volume (装订成册): every sealed record, in order, each link hashing the last.
CREATE TABLE chain (
    seq          INTEGER PRIMARY KEY NOT NULL,
    patrol_id    BLOB NOT NULL UNIQUE REFERENCES patrol (id),
    record_hash  BLOB NOT NULL,
    link         BLOB NOT NULL CHECK (length(link) = 32)
) STRICT;

-- Forms being typed, saved on every change so a killed app loses at most one field.
CREATE TABLE draft (
    key         TEXT PRIMARY KEY NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- Frozen means frozen: the database itself refuses changes to sealed patrols and their
-- parts, and to anything append-only.
CREATE TRIGGER patrol_sealed_no_update BEFORE UPDATE ON patrol WHEN OLD.state = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned; record an amendment instead'); END;
CREATE TRIGGER patrol_sealed_no_delete BEFORE DELETE ON patrol WHEN OLD.state = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned; record an amendment instead'); END;

CREATE TRIGGER attendance_sealed_no_insert BEFORE INSERT ON attendance
WHEN (SELECT state FROM patrol WHERE id = NEW.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER attendance_sealed_no_update BEFORE UPDATE ON attendance
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER attendance_sealed_no_delete BEFORE DELETE ON attendance
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;

CREATE TRIGGER check_result_sealed_no_insert BEFORE INSERT ON check_result
WHEN (SELECT state FROM patrol WHERE id = NEW.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER check_result_sealed_no_update BEFORE UPDATE ON check_result
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER check_result_sealed_no_delete BEFORE DELETE ON check_result
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;

CREATE TRIGGER observation_sealed_no_insert BEFORE INSERT ON observation
WHEN (SELECT state FROM patrol WHERE id = NEW.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER observation_sealed_no_update BEFORE UPDATE ON observation
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;
CREATE TRIGGER observation_sealed_no_delete BEFORE DELETE ON observation
WHEN (SELECT state FROM patrol WHERE id = OLD.patrol_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'frozen: patrol is countersigned'); END;

CREATE TRIGGER hazard_no_update BEFORE UPDATE ON hazard
BEGIN SELECT RAISE(ABORT, 'append-only: a hazard changes by a new history entry'); END;
CREATE TRIGGER hazard_no_delete BEFORE DELETE ON hazard
BEGIN SELECT RAISE(ABORT, 'append-only: a hazard changes by a new history entry'); END;
CREATE TRIGGER hazard_event_no_update BEFORE UPDATE ON hazard_event
BEGIN SELECT RAISE(ABORT, 'append-only: hazard history is never edited'); END;
CREATE TRIGGER hazard_event_no_delete BEFORE DELETE ON hazard_event
BEGIN SELECT RAISE(ABORT, 'append-only: hazard history is never edited'); END;
CREATE TRIGGER signed_record_no_update BEFORE UPDATE ON signed_record
BEGIN SELECT RAISE(ABORT, 'append-only: signed bytes are never edited'); END;
CREATE TRIGGER signed_record_no_delete BEFORE DELETE ON signed_record
BEGIN SELECT RAISE(ABORT, 'append-only: signed bytes are never edited'); END;
CREATE TRIGGER signature_no_update BEFORE UPDATE ON signature
BEGIN SELECT RAISE(ABORT, 'append-only: signatures are never edited'); END;
CREATE TRIGGER signature_no_delete BEFORE DELETE ON signature
BEGIN SELECT RAISE(ABORT, 'append-only: signatures are never edited'); END;
CREATE TRIGGER chain_no_update BEFORE UPDATE ON chain
BEGIN SELECT RAISE(ABORT, 'append-only: the chain is never edited'); END;
CREATE TRIGGER chain_no_delete BEFORE DELETE ON chain
BEGIN SELECT RAISE(ABORT, 'append-only: the chain is never edited'); END;

-- Catalog version 1: DOMAIN.md's 巡查重点 (seed 004, with 000 and 002).
INSERT INTO checklist_item (version, code, position, domain, zones, text_zh, text_en) VALUES
 (1, 'PO-01',  1, 'public_order', '[]', '公共场所有无聚众赌博、涉黄现象', 'Gambling or prostitution in public places'),
 (1, 'PO-02',  2, 'public_order', '["zone.town_centre"]', '宾馆旅店是否落实实名登记、未成年人入住"五必须"', 'Hotels: real-name registration and the "five musts" for minors'),
 (1, 'PO-03',  3, 'public_order', '["zone.town_centre","zone.industrial","zone.rural"]', '出租房是否备案', 'Rental houses registered'),
 (1, 'PO-04',  4, 'public_order', '["zone.town_centre","zone.industrial","zone.rural"]', '流动人口是否登记', 'Migrant population registered'),
 (1, 'PO-05',  5, 'public_order', '["post.school_gate","zone.town_centre"]', '校园是否封闭管理、保安是否在岗值守', 'School closed management and guards on duty'),
 (1, 'PO-06',  6, 'public_order', '["zone.highland","zone.rural","zone.town_centre"]', '重点群体是否排查管控到位', 'Key groups under watch'),
 (1, 'PO-07',  7, 'public_order', '["zone.rural","zone.highland","post.market_street"]', '农村道路有无三轮车、两轮车超载', 'Overloaded tricycles and motorbikes on village roads'),
 (1, 'PO-08',  8, 'public_order', '[]', '有无可疑人员、车辆、物品', 'Suspicious persons, vehicles or items'),
 (1, 'PO-09',  9, 'public_order', '["zone.industrial","zone.rural","zone.highland","post.night_patrol"]', '有无盗窃变压器、电缆、农用车、牲畜', 'Theft of transformers, cables, farm vehicles, livestock'),
 (1, 'WS-01', 10, 'work_safety', '[]', '疏散通道、安全出口是否被占用、堵塞、封闭', 'Escape routes and exits blocked or locked'),
 (1, 'WS-02', 11, 'work_safety', '["zone.industrial"]', '特种作业人员是否持证上岗', 'Special-operation workers certified'),
 (1, 'WS-03', 12, 'work_safety', '["zone.town_centre","zone.industrial"]', '有无住宿与生产经营"三合一"', '"Three-in-one" buildings (living, production, trade)'),
 (1, 'WS-04', 13, 'work_safety', '[]', '有无违规停放、充电电动自行车', 'E-bikes parked or charged illegally'),
 (1, 'WS-05', 14, 'work_safety', '[]', '消火栓是否被遮挡、完好有效', 'Fire hydrants unobstructed and working'),
 (1, 'WS-06', 15, 'work_safety', '["zone.town_centre","zone.industrial"]', '灭火器是否每月检查并记录', 'Extinguishers checked monthly and logged'),
 (1, 'WS-07', 16, 'work_safety', '["zone.town_centre","post.market_street","post.night_patrol"]', '餐饮、夜市、摊点是否安全', 'Restaurants, night markets and stalls safe'),
 (1, 'WS-08', 17, 'work_safety', '["zone.industrial"]', '危化品、建筑施工、特种设备、交通运输是否安全', 'Hazardous chemicals, construction, special equipment, transport'),
 (1, 'FS-01', 18, 'fire_safety', '["zone.town_centre","zone.industrial"]', '出租房、合用场所消防安全', 'Rental and shared-use buildings'),
 (1, 'FS-02', 19, 'fire_safety', '[]', '挂牌重大火灾隐患单位(区域)', 'Listed major fire-hazard units'),
 (1, 'FS-03', 20, 'fire_safety', '["zone.rural","zone.highland"]', '问题村(社区)', 'Problem villages'),
 (1, 'FS-04', 21, 'fire_safety', '["zone.town_centre"]', '老旧住宅小区', 'Old housing estates'),
 (1, 'FS-05', 22, 'fire_safety', '["zone.highland","zone.rural","zone.town_centre"]', '独居老人等特殊群体居住场所', 'Homes of elderly people living alone'),
 (1, 'FS-06', 23, 'fire_safety', '["zone.town_centre","zone.highland"]', '老年人居住周转用房', 'Elderly transition housing'),
 (1, 'FS-07', 24, 'fire_safety', '["zone.town_centre","post.market_street","post.night_patrol"]', '"九小场所"消防安全', 'The "nine kinds of small premises"');
