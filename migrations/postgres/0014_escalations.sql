-- Escalations (issue 11): the earlier step of an escalation passed further up the ladder, who
-- made its last change of state, and the reads by the originating meeting.
ALTER TABLE escalations ADD COLUMN parent_id BIGINT REFERENCES escalations (id);
ALTER TABLE escalations ADD COLUMN decided_by BIGINT;
CREATE INDEX escalations_by_meeting ON escalations (meeting_id);
CREATE INDEX escalations_by_parent ON escalations (parent_id);
