-- Minutes (issue 11): per meeting the minutes (seq 0) and their addenda (seq 1, 2, …), each
-- drafted, submitted by the secretary and approved (or sent back with a comment) by the
-- forum's approver. Every change raises `version` (a change is conditional on the version
-- read) and leaves a row in minutes_versions. Approved text is frozen with its SHA-256:
-- the trigger refuses any later change of an approved row.

CREATE TABLE minutes (
    id           BIGSERIAL PRIMARY KEY,
    guild_id     BIGINT NOT NULL,
    forum_id     BIGINT NOT NULL REFERENCES forums (id),
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id),
    seq          BIGINT NOT NULL,            -- 0: the minutes; 1, 2, …: addenda
    state        TEXT   NOT NULL,            -- draft | submitted | changes_requested | approved
    body         TEXT   NOT NULL,            -- the Markdown document
    version      BIGINT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_by   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    submitted_by BIGINT,
    submitted_at BIGINT,
    reviewed_by  BIGINT,                     -- approved or requested changes
    reviewed_at  BIGINT,
    comment      TEXT,                       -- the approver's request for changes
    sha256       TEXT,                       -- of body, set when approved
    UNIQUE (meeting_id, seq)
);
CREATE INDEX minutes_by_forum ON minutes (forum_id, state, reviewed_at);

CREATE TABLE minutes_versions (
    minutes_id BIGINT NOT NULL REFERENCES minutes (id),
    version    BIGINT NOT NULL,
    event      TEXT   NOT NULL,   -- generated | edited | uploaded | submitted | approved | changes_requested
    state      TEXT   NOT NULL,   -- the state after it
    body       TEXT   NOT NULL,
    comment    TEXT,
    actor      BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (minutes_id, version)
);

CREATE FUNCTION minutes_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'approved minutes are frozen';
END;
$$;
CREATE TRIGGER minutes_frozen BEFORE UPDATE OR DELETE ON minutes
FOR EACH ROW WHEN (old.state = 'approved') EXECUTE FUNCTION minutes_frozen();
