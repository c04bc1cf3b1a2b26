-- Whistleblowing hardening (issue 12). Still nothing that identifies a reporter: the lock is a
-- day ('YYYY-MM-DD'), like every other reporter-side date.

-- Wrong secrets lock a case until a day (a time-based backoff), never for good; `lockouts`
-- counts the locks since a handler last lifted one, and lengthens the next.
ALTER TABLE wb_cases ADD COLUMN locked_until TEXT;
ALTER TABLE wb_cases ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
-- Received while the hourly limit on new cases was exceeded: kept, and shown flagged.
ALTER TABLE wb_cases ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
-- The case key sealed to the operator's offline recovery key (if one is configured).
ALTER TABLE wb_cases ADD COLUMN recovery_sealed BYTEA;

-- Handlers excluded from a case (conflict of interest). Remembered so that re-sealing a case
-- key to handlers who lack it never undoes an exclusion. `requested_by` NULL: the reporter asked
-- at intake. `approved_by` NULL: a handler's request still waiting for a second handler.
CREATE TABLE wb_exclusions (
    case_id      BIGINT  NOT NULL REFERENCES wb_cases (id) ON DELETE CASCADE,
    handler_id   BIGINT  NOT NULL,
    requested_by BIGINT,
    approved_by  BIGINT,
    PRIMARY KEY (case_id, handler_id)
);
