-- Foundation: guild directory, forums, small bot state.
-- Discord ids are stored as BIGINT (the same 64 bits as i64); timestamps as milliseconds.

CREATE TABLE guilds (
    id             BIGINT PRIMARY KEY NOT NULL,
    name           TEXT    NOT NULL,
    name_key       TEXT    NOT NULL,
    language       TEXT,
    is_local       BOOLEAN NOT NULL DEFAULT FALSE,
    directory_hash TEXT,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX guilds_by_name ON guilds (name_key);

CREATE TABLE channels (
    guild_id BIGINT  NOT NULL,
    id       BIGINT  NOT NULL,
    name     TEXT    NOT NULL,
    name_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, id)
);
CREATE INDEX channels_by_name ON channels (guild_id, name_key);

CREATE TABLE roles (
    guild_id BIGINT  NOT NULL,
    id       BIGINT  NOT NULL,
    name     TEXT    NOT NULL,
    name_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, id)
);
CREATE INDEX roles_by_name ON roles (guild_id, name_key);

CREATE TABLE forums (
    id           BIGSERIAL PRIMARY KEY,
    guild_id     BIGINT  NOT NULL,
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,
    tier         TEXT    NOT NULL,
    channel_id   BIGINT  NOT NULL,
    time_zone    TEXT    NOT NULL,
    escalates_to BIGINT  REFERENCES forums (id),
    chair_role   BIGINT,
    created_at   BIGINT  NOT NULL,
    UNIQUE (guild_id, name_key)
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
