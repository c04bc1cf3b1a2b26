-- The durable job queue: reminders, event syncs, notices, purges. The database is the queue.
-- `key` is the idempotency key: a job is enqueued at most once per key, ever.

CREATE TABLE jobs (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL UNIQUE,
    due_at      BIGINT  NOT NULL,
    payload     TEXT    NOT NULL,
    -- pending | running | done | skipped | failed | obsolete
    state       TEXT    NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT,
    leased_by   TEXT,
    outcome     TEXT,
    finished_at BIGINT,
    created_at  BIGINT  NOT NULL
);
-- Finding due work touches only unfinished jobs, in due order.
CREATE INDEX jobs_pending ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
