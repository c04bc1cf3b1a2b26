-- Recurring meetings: a forum's schedule, its meetings (materialised a little ahead of time),
-- DM reminder opt-ins, and where delivery to the forum's channel failed.

ALTER TABLE forums ADD COLUMN schedule TEXT;            -- JSON recurrence; NULL: no recurring meetings
ALTER TABLE forums ADD COLUMN reminders TEXT;           -- reminder policy spec; NULL: the defaults
ALTER TABLE forums ADD COLUMN participant_role BIGINT; -- mentioned by reminders marked with @
ALTER TABLE forums ADD COLUMN delivery_problem TEXT;    -- why the last post to the channel failed
ALTER TABLE forums ADD COLUMN delivery_problem_at BIGINT;

CREATE TABLE meetings (
    id               BIGSERIAL PRIMARY KEY,
    forum_id         BIGINT  NOT NULL REFERENCES forums (id),
    guild_id         BIGINT  NOT NULL,
    -- r:YYYY-MM-DD for the recurring meeting of that scheduled local date; x:<millis> extra
    occurrence       TEXT    NOT NULL,
    starts_at        BIGINT  NOT NULL,
    ends_at          BIGINT  NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'scheduled',  -- scheduled | cancelled
    moved            BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason    TEXT,
    discord_event_id BIGINT,
    created_at       BIGINT  NOT NULL,
    UNIQUE (forum_id, occurrence)
);
CREATE INDEX meetings_by_start ON meetings (forum_id, starts_at);

CREATE TABLE reminder_subscriptions (
    forum_id BIGINT  NOT NULL REFERENCES forums (id),
    user_id  BIGINT  NOT NULL,
    PRIMARY KEY (forum_id, user_id)
);
