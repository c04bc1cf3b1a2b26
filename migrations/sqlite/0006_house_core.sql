-- A meeting's life cycle as one state (it replaces the status and moved columns), and
-- Discord's copy of a meeting kept beside it as a mirror row instead of a column of the
-- domain row.

ALTER TABLE meetings ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';
UPDATE meetings SET state = CASE
    WHEN status = 'cancelled' THEN 'cancelled'
    WHEN moved THEN 'moved'
    ELSE 'scheduled'
END;

-- The Discord scheduled event that mirrors a meeting.
CREATE TABLE discord_event_mirrors (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL,
    event_id   INTEGER NOT NULL
);
INSERT INTO discord_event_mirrors (meeting_id, guild_id, event_id)
    SELECT id, guild_id, discord_event_id FROM meetings WHERE discord_event_id IS NOT NULL;

ALTER TABLE meetings DROP COLUMN status;
ALTER TABLE meetings DROP COLUMN moved;
ALTER TABLE meetings DROP COLUMN discord_event_id;

-- A re-arm requested while the job runs (its worker may have read the state before the
-- change): honoured when the worker records its outcome.
ALTER TABLE jobs ADD COLUMN rearm_at INTEGER;
