-- Decision search (issue 11): FTS5 keeps prefix indexes of every word's first 2 and 3
-- letters, so a short prefix (`"le"*`, `"avt"*`) reads one ordered list of matches instead of
-- merging the lists of every word that begins so. Longer prefixes and whole words still merge
-- the few words they match. The same words and tokenizer as 0009; an external-content table
-- keeps no text of its own, so it is made again and filled from `decisions`.
DROP TRIGGER decisions_fts_insert;
DROP TABLE decisions_fts;
CREATE VIRTUAL TABLE decisions_fts USING fts5 (
    search_text,
    content = 'decisions',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
INSERT INTO decisions_fts (decisions_fts) VALUES ('rebuild');
CREATE TRIGGER decisions_fts_insert AFTER INSERT ON decisions BEGIN
    INSERT INTO decisions_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
