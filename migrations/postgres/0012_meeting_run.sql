-- Running a meeting (issue 11): the record's thread, the current agenda entry and whether
-- consent to recording is asked, on the session; attendance (with each attendee's answer to
-- the consent prompt) and notes per agenda entry.

-- The thread that holds the meeting's record (its id is the starter message's); NULL until
-- the thread job started it.
ALTER TABLE meeting_sessions ADD COLUMN thread_id BIGINT;
-- The agenda entry under discussion (its number on the agenda, as decisions.agenda_item),
-- NULL before the first /meeting item next; and when it became current.
ALTER TABLE meeting_sessions ADD COLUMN current_item BIGINT;
ALTER TABLE meeting_sessions ADD COLUMN item_started_at BIGINT;
-- 1 once the chair asked for consent to recording.
ALTER TABLE meeting_sessions ADD COLUMN consent_asked BIGINT NOT NULL DEFAULT 0;

-- Who was there: members who pressed "I'm here", and absentees and guests the chair added.
CREATE TABLE meeting_attendees (
    id           BIGSERIAL PRIMARY KEY,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id),
    -- NULL: a guest or absentee without a member of the server behind them
    user_id      BIGINT,
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,
    organisation TEXT,
    role         TEXT,
    presence     TEXT    NOT NULL,  -- present | absent | guest
    -- the answer to the consent prompt: NULL unanswered, 1 yes, 0 no
    consent      BIGINT,
    added_by     BIGINT NOT NULL,
    added_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX meeting_attendees_member ON meeting_attendees (meeting_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE INDEX meeting_attendees_by_meeting ON meeting_attendees (meeting_id, id);

-- Notes for the minutes, per agenda entry; one per source message at most.
CREATE TABLE meeting_notes (
    id             BIGSERIAL PRIMARY KEY,
    meeting_id     BIGINT NOT NULL REFERENCES meetings (id),
    item           BIGINT,           -- the entry's number on the agenda (decisions.agenda_item)
    body           TEXT    NOT NULL,
    author_id      BIGINT NOT NULL,  -- who wrote the text (a message's author, or the noter)
    author_name    TEXT    NOT NULL,
    recorded_by    BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    source_guild   BIGINT,           -- the chat message it was taken from
    source_channel BIGINT,
    source_message BIGINT
);
CREATE UNIQUE INDEX meeting_notes_source ON meeting_notes (meeting_id, source_message)
    WHERE source_message IS NOT NULL;
CREATE INDEX meeting_notes_by_meeting ON meeting_notes (meeting_id, id);
