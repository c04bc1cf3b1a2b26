-- Agenda collection (issue 10): per-forum agenda settings, standing items, organisations,
-- proposed items and questions with their history, and which agendas are published.

-- One row per forum that changed a default (no row: deadline 3 days, hold an empty agenda,
-- no sectioned format).
CREATE TABLE agenda_settings (
    forum_id         INTEGER PRIMARY KEY NOT NULL REFERENCES forums (id),
    deadline_minutes INTEGER NOT NULL DEFAULT 4320,
    empty_policy     TEXT    NOT NULL DEFAULT 'hold',  -- hold | notify | cancel
    format           TEXT                              -- a sectioned format (a3); NULL: none
);

-- Items on every agenda of a forum, in their place (start: before the proposals; end: after).
CREATE TABLE agenda_standing (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    forum_id  INTEGER NOT NULL REFERENCES forums (id),
    title     TEXT    NOT NULL,
    title_key TEXT    NOT NULL,
    place     TEXT    NOT NULL,  -- start | end
    position  INTEGER NOT NULL,
    UNIQUE (forum_id, title_key)
);

-- Roles an admin marked as organisations (a proposer's organisation is such a role of theirs).
CREATE TABLE organisations (
    guild_id INTEGER NOT NULL,
    role_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);

CREATE TABLE agenda_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id       INTEGER NOT NULL,
    forum_id       INTEGER NOT NULL REFERENCES forums (id),
    meeting_id     INTEGER NOT NULL REFERENCES meetings (id),
    kind           TEXT    NOT NULL,  -- proposal | question
    title          TEXT    NOT NULL,  -- as typed (escaped when shown)
    background     TEXT    NOT NULL DEFAULT '',
    wants          TEXT    NOT NULL,  -- information | discussion | decision
    minutes        INTEGER,           -- the proposer's estimate
    proposer       INTEGER NOT NULL,
    organisation   INTEGER,           -- a role marked as an organisation
    source_channel INTEGER,           -- the chat message it was proposed from
    source_message INTEGER,
    status         TEXT    NOT NULL DEFAULT 'proposed',
    reason         TEXT,              -- why it was rejected
    merged_into    INTEGER REFERENCES agenda_items (id),
    late_for       INTEGER REFERENCES meetings (id),  -- proposed after this meeting's deadline
    position       INTEGER NOT NULL,  -- order on its meeting's agenda
    timebox        INTEGER,           -- minutes the chair gave it
    presenter      TEXT,
    carried        INTEGER NOT NULL DEFAULT 0,  -- times carried over to a later meeting
    version        INTEGER NOT NULL DEFAULT 1,  -- bumped by every change: one triage wins
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting_id, position);
CREATE INDEX agenda_items_by_forum ON agenda_items (forum_id, status);
CREATE INDEX agenda_items_by_proposer ON agenda_items (guild_id, proposer, id);

-- What happened to an item: proposed, accepted, rejected, deferred, merged, moved, carried,
-- pulled_in, handled, timeboxed, presenter.
CREATE TABLE agenda_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    INTEGER NOT NULL REFERENCES agenda_items (id),
    at         INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    meeting_id INTEGER,
    actor      INTEGER,
    detail     TEXT
);
CREATE INDEX agenda_history_by_item ON agenda_history (item_id, id);

-- A meeting's agenda as published at its deadline, and what the empty-agenda policy did.
CREATE TABLE agenda_publications (
    meeting_id   INTEGER PRIMARY KEY NOT NULL REFERENCES meetings (id),
    published_at INTEGER NOT NULL,
    outcome      TEXT    NOT NULL  -- held | notified | cancelled
);
