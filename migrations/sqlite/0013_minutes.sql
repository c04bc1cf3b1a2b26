-- Minutes (issue 11): per meeting the minutes (seq 0) and their addenda (seq 1, 2, …), each
-- drafted, submitted by the secretary and approved (or sent back with a comment) by the
-- forum's approver. Every change raises `version` (a change is conditional on the version
-- read) and leaves a row in minutes_versions. Approved text is frozen with its SHA-256:
-- the trigger refuses any later change of an approved row.

CREATE TABLE minutes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    forum_id     INTEGER NOT NULL REFERENCES forums (id),
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id),
    seq          INTEGER NOT NULL,            -- 0: the minutes; 1, 2, …: addenda
    state        TEXT    NOT NULL,            -- draft | submitted | changes_requested | approved
    body         TEXT    NOT NULL,            -- the Markdown document
    version      INTEGER NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    submitted_by INTEGER,
    submitted_at INTEGER,
    reviewed_by  INTEGER,                     -- approved or requested changes
    reviewed_at  INTEGER,
    comment      TEXT,                        -- the approver's request for changes
    sha256       TEXT,                        -- of body, set when approved
    UNIQUE (meeting_id, seq)
);
CREATE INDEX minutes_by_forum ON minutes (forum_id, state, reviewed_at);

CREATE TABLE minutes_versions (
    minutes_id INTEGER NOT NULL REFERENCES minutes (id),
    version    INTEGER NOT NULL,
    event      TEXT    NOT NULL,   -- generated | edited | uploaded | submitted | approved | changes_requested
    state      TEXT    NOT NULL,   -- the state after it
    body       TEXT    NOT NULL,
    comment    TEXT,
    actor      INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (minutes_id, version)
);

CREATE TRIGGER minutes_frozen BEFORE UPDATE ON minutes
WHEN old.state = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'approved minutes are frozen');
END;
CREATE TRIGGER minutes_not_deleted BEFORE DELETE ON minutes
WHEN old.state = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'approved minutes are frozen');
END;
