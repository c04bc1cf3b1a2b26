-- Delivery (issue 8): retries count failures, not claims; a send remembers what it attempted,
-- so a job taken over after its process died can find the message that process posted.

-- Failed tries so far (a transient error); rate-limit hand-backs do not count.
ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
-- A Discord message id at or before the first attempt to post: the search starts there.
ALTER TABLE jobs ADD COLUMN attempt_floor BIGINT;
-- SHA-256 of the content last attempted: the message to look for.
ALTER TABLE jobs ADD COLUMN attempt_digest TEXT;
-- The message the job posted (or found), once known.
ALTER TABLE jobs ADD COLUMN message_id BIGINT;
CREATE INDEX jobs_message ON jobs (message_id) WHERE message_id IS NOT NULL;
