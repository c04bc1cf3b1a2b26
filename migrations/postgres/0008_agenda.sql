-- Agenda collection (issue 10): per-forum agenda settings, standing items, organisations,
-- proposed items and questions with their history, and which agendas are published.

-- One row per forum that changed a default (no row: deadline 3 days, hold an empty agenda,
-- no sectioned format).
CREATE TABLE agenda_settings (
    forum_id         BIGINT PRIMARY KEY NOT NULL REFERENCES forums (id),
    deadline_minutes BIGINT  NOT NULL DEFAULT 4320,
    empty_policy     TEXT    NOT NULL DEFAULT 'hold',  -- hold | notify | cancel
    format           TEXT                              -- a sectioned format (a3); NULL: none
);

-- Items on every agenda of a forum, in their place (start: before the proposals; end: after).
CREATE TABLE agenda_standing (
    id        BIGSERIAL PRIMARY KEY,
    forum_id  BIGINT  NOT NULL REFERENCES forums (id),
    title     TEXT    NOT NULL,
    title_key TEXT    NOT NULL,
    place     TEXT    NOT NULL,  -- start | end
    position  BIGINT  NOT NULL,
    UNIQUE (forum_id, title_key)
);

-- Roles an admin marked as organisations (a proposer's organisation is such a role of theirs).
CREATE TABLE organisations (
    guild_id BIGINT  NOT NULL,
    role_id  BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);

CREATE TABLE agenda_items (
    id             BIGSERIAL PRIMARY KEY,
    guild_id       BIGINT  NOT NULL,
    forum_id       BIGINT  NOT NULL REFERENCES forums (id),
    meeting_id     BIGINT  NOT NULL REFERENCES meetings (id),
    kind           TEXT    NOT NULL,  -- proposal | question
    title          TEXT    NOT NULL,  -- as typed (escaped when shown)
    background     TEXT    NOT NULL DEFAULT '',
    wants          TEXT    NOT NULL,  -- information | discussion | decision
    minutes        BIGINT ,           -- the proposer's estimate
    proposer       BIGINT  NOT NULL,
    organisation   BIGINT ,           -- a role marked as an organisation
    source_channel BIGINT ,           -- the chat message it was proposed from
    source_message BIGINT ,
    status         TEXT    NOT NULL DEFAULT 'proposed',
    reason         TEXT,              -- why it was rejected
    merged_into    BIGINT  REFERENCES agenda_items (id),
    late_for       BIGINT  REFERENCES meetings (id),  -- proposed after this meeting's deadline
    position       BIGINT  NOT NULL,  -- order on its meeting's agenda
    timebox        BIGINT ,           -- minutes the chair gave it
    presenter      TEXT,
    carried        BIGINT  NOT NULL DEFAULT 0,  -- times carried over to a later meeting
    version        BIGINT  NOT NULL DEFAULT 1,  -- bumped by every change: one triage wins
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting_id, position);
CREATE INDEX agenda_items_by_forum ON agenda_items (forum_id, status);
CREATE INDEX agenda_items_by_proposer ON agenda_items (guild_id, proposer, id);

-- What happened to an item: proposed, accepted, rejected, deferred, merged, moved, carried,
-- pulled_in, handled, timeboxed, presenter.
CREATE TABLE agenda_history (
    id         BIGSERIAL PRIMARY KEY,
    item_id    BIGINT  NOT NULL REFERENCES agenda_items (id),
    at         BIGINT  NOT NULL,
    event      TEXT    NOT NULL,
    meeting_id BIGINT ,
    actor      BIGINT ,
    detail     TEXT
);
CREATE INDEX agenda_history_by_item ON agenda_history (item_id, id);

-- A meeting's agenda as published at its deadline, and what the empty-agenda policy did.
CREATE TABLE agenda_publications (
    meeting_id   BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id),
    published_at BIGINT  NOT NULL,
    outcome      TEXT    NOT NULL  -- held | notified | cancelled
);
