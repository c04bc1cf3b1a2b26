-- Decision search (issue 11): nothing to change on PostgreSQL. Its GIN index already finds a
-- prefix's words in its ordered entry tree; the search itself now reads the newest decisions
-- first (see `Store::search_decisions`). This number is kept so both backends count alike;
-- 0015 of SQLite adds FTS5 prefix indexes.
SELECT 1;
