-- The meeting record (issue 11): forum roles and decision code, the session of an opened
-- meeting, decisions (numbered per forum and year, full-text searchable), actions and their
-- reminder opt-outs, escalations, and the members the bot has seen (so an action's owner can
-- be checked to be in the server).

ALTER TABLE forums ADD COLUMN secretary_role BIGINT;
ALTER TABLE forums ADD COLUMN approver_role BIGINT;
-- Short code of decision numbers (LF in LF-2026-07), upper case; NULL until first needed.
ALTER TABLE forums ADD COLUMN code TEXT;
CREATE UNIQUE INDEX forums_by_code ON forums (guild_id, code);

-- A meeting opened by a person (/meeting start). One row per meeting, kept when it ends.
CREATE TABLE meeting_sessions (
    meeting_id BIGINT PRIMARY KEY REFERENCES meetings (id),
    guild_id   BIGINT NOT NULL,
    opened_by  BIGINT NOT NULL,
    opened_at  BIGINT NOT NULL,
    -- closed automatically at this time if still open
    closes_at  BIGINT NOT NULL,
    ended_at   BIGINT,
    -- NULL with ended_at set: closed automatically
    ended_by   BIGINT
);

-- The last number given per forum and year: read and raised in the recording transaction.
CREATE TABLE decision_counters (
    forum_id BIGINT NOT NULL REFERENCES forums (id),
    year     BIGINT NOT NULL,
    last     BIGINT NOT NULL,
    PRIMARY KEY (forum_id, year)
);

-- Decisions are never deleted or edited; a correction supersedes.
CREATE TABLE decisions (
    id          BIGSERIAL PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    forum_id    BIGINT NOT NULL REFERENCES forums (id),
    meeting_id  BIGINT NOT NULL REFERENCES meetings (id),
    year        BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    code        TEXT    NOT NULL,
    number      TEXT    NOT NULL,            -- LF-2026-07, as given
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    agenda_item BIGINT,                     -- the item's position on the meeting's agenda
    supersedes  BIGINT REFERENCES decisions (id),
    recorded_by BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    -- title and body as lower-case words separated by single spaces (made by the store), the
    -- one input of full-text search on both backends
    search_text TEXT    NOT NULL,
    UNIQUE (forum_id, year, seq),
    UNIQUE (guild_id, number)
);
CREATE INDEX decisions_by_forum ON decisions (forum_id, id);
CREATE INDEX decisions_by_guild ON decisions (guild_id, id);
CREATE INDEX decisions_by_supersedes ON decisions (supersedes);

-- Full text: the words of search_text as lexemes, taken as they are (no parser, no
-- dictionary, no locale: the same words SQLite's FTS5 indexes), in a GIN index.
ALTER TABLE decisions ADD COLUMN search tsvector
    GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED;
CREATE INDEX decisions_search ON decisions USING GIN (search);

CREATE TABLE actions (
    id          BIGSERIAL PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    forum_id    BIGINT NOT NULL REFERENCES forums (id),
    meeting_id  BIGINT REFERENCES meetings (id),
    what        TEXT    NOT NULL,
    owner_id    BIGINT NOT NULL,
    due_date    TEXT    NOT NULL,            -- YYYY-MM-DD in the forum's time zone
    created_by  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    done_at     BIGINT,
    done_by     BIGINT
);
CREATE INDEX actions_by_forum ON actions (forum_id, done_at, due_date);
CREATE INDEX actions_by_owner ON actions (guild_id, owner_id, done_at);

-- Members who turned action reminder DMs off (/action remind-me on:false).
CREATE TABLE action_reminder_optouts (
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Escalations up the ladder: open, accepted, resolved (with a decision) or returned.
CREATE TABLE escalations (
    id            BIGSERIAL PRIMARY KEY,
    guild_id      BIGINT NOT NULL,
    from_forum    BIGINT NOT NULL REFERENCES forums (id),
    to_forum      BIGINT NOT NULL REFERENCES forums (id),
    meeting_id    BIGINT REFERENCES meetings (id),
    agenda_item   BIGINT,
    subject       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'open',
    outcome       TEXT,
    decision_id   BIGINT REFERENCES decisions (id),
    created_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX escalations_by_target ON escalations (to_forum, state);
CREATE INDEX escalations_by_origin ON escalations (from_forum, state);

-- Guild members the bot has seen resolved by Discord (an interaction's user options) or
-- made up by the shell in a local guild; a resolved non-member is removed.
CREATE TABLE members (
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    name     TEXT    NOT NULL,
    name_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX members_by_name ON members (guild_id, name_key);
