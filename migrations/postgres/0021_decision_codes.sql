-- Whether a code is in another forum's decision numbers is asked whenever a forum gets a
-- code (`assign_code`, `/forum edit code:`): without this index that reads every decision of
-- the guild.
CREATE INDEX decisions_by_code ON decisions (guild_id, code);
