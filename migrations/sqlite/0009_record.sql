-- The meeting record (issue 11): forum roles and decision code, the session of an opened
-- meeting, decisions (numbered per forum and year, full-text searchable), actions and their
-- reminder opt-outs, escalations, and the members the bot has seen (so an action's owner can
-- be checked to be in the server).

ALTER TABLE forums ADD COLUMN secretary_role INTEGER;
ALTER TABLE forums ADD COLUMN approver_role INTEGER;
-- Short code of decision numbers (LF in LF-2026-07), upper case; NULL until first needed.
ALTER TABLE forums ADD COLUMN code TEXT;
CREATE UNIQUE INDEX forums_by_code ON forums (guild_id, code);

-- A meeting opened by a person (/meeting start). One row per meeting, kept when it ends.
CREATE TABLE meeting_sessions (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    guild_id   INTEGER NOT NULL,
    opened_by  INTEGER NOT NULL,
    opened_at  INTEGER NOT NULL,
    -- closed automatically at this time if still open
    closes_at  INTEGER NOT NULL,
    ended_at   INTEGER,
    -- NULL with ended_at set: closed automatically
    ended_by   INTEGER
);

-- The last number given per forum and year: read and raised in the recording transaction.
CREATE TABLE decision_counters (
    forum_id INTEGER NOT NULL REFERENCES forums (id),
    year     INTEGER NOT NULL,
    last     INTEGER NOT NULL,
    PRIMARY KEY (forum_id, year)
);

-- Decisions are never deleted or edited; a correction supersedes.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    year        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    number      TEXT    NOT NULL,            -- LF-2026-07, as given
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    agenda_item INTEGER,                     -- the item's position on the meeting's agenda
    supersedes  INTEGER REFERENCES decisions (id),
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    -- title and body as lower-case words separated by single spaces (made by the store), the
    -- one input of full-text search on both backends
    search_text TEXT    NOT NULL,
    UNIQUE (forum_id, year, seq),
    UNIQUE (guild_id, number)
);
CREATE INDEX decisions_by_forum ON decisions (forum_id, id);
CREATE INDEX decisions_by_guild ON decisions (guild_id, id);
CREATE INDEX decisions_by_supersedes ON decisions (supersedes);

-- Full text: the words of search_text, kept in sync by a trigger (decisions only grow).
CREATE VIRTUAL TABLE decisions_fts USING fts5 (
    search_text,
    content = 'decisions',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER decisions_fts_insert AFTER INSERT ON decisions BEGIN
    INSERT INTO decisions_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    meeting_id  INTEGER REFERENCES meetings (id),
    what        TEXT    NOT NULL,
    owner_id    INTEGER NOT NULL,
    due_date    TEXT    NOT NULL,            -- YYYY-MM-DD in the forum's time zone
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    done_by     INTEGER
);
CREATE INDEX actions_by_forum ON actions (forum_id, done_at, due_date);
CREATE INDEX actions_by_owner ON actions (guild_id, owner_id, done_at);

-- Members who turned action reminder DMs off (/action remind-me on:false).
CREATE TABLE action_reminder_optouts (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Escalations up the ladder: open, accepted, resolved (with a decision) or returned.
CREATE TABLE escalations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    from_forum    INTEGER NOT NULL REFERENCES forums (id),
    to_forum      INTEGER NOT NULL REFERENCES forums (id),
    meeting_id    INTEGER REFERENCES meetings (id),
    agenda_item   INTEGER,
    subject       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'open',
    outcome       TEXT,
    decision_id   INTEGER REFERENCES decisions (id),
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX escalations_by_target ON escalations (to_forum, state);
CREATE INDEX escalations_by_origin ON escalations (from_forum, state);

-- Guild members the bot has seen resolved by Discord (an interaction's user options) or
-- made up by the shell in a local guild; a resolved non-member is removed.
CREATE TABLE members (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    name_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_by_name ON members (guild_id, name_key);
