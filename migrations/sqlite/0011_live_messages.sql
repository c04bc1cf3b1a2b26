-- Live documents (a published agenda) mirrored as Discord messages: which message shows which
-- part of which document. Discord state is a mirror, never a domain field.
CREATE TABLE live_messages (
    -- The document's key, e.g. 'agenda:12'.
    doc             TEXT    NOT NULL,
    -- 0-based: a long document is several messages.
    part            INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    -- NULL while a post is being attempted (then `floor` says where to look for it).
    message_id      INTEGER,
    -- A Discord message id at or before the attempted post.
    floor           INTEGER,
    -- SHA-256 of the content posted or being posted: finds an earlier attempt's message.
    content_digest  TEXT    NOT NULL,
    -- SHA-256 of what the message shows (content and buttons): skips edits that change nothing.
    shown_digest    TEXT    NOT NULL,
    PRIMARY KEY (doc, part)
);
CREATE INDEX live_messages_message ON live_messages (message_id) WHERE message_id IS NOT NULL;
