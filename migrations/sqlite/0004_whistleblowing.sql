-- Anonymous whistleblowing intake (issue 4). Nothing here identifies a reporter: no Discord id,
-- name, locale or token, and reporter-side dates are days ('YYYY-MM-DD'), never instants.
-- Case content and messages are ciphertexts under a per-case key; that key is stored only sealed
-- to each handler's public key; handler private keys only encrypted with their passphrase.

-- Handlers (not anonymous): Discord user id, X25519 public key (hex), passphrase-encrypted
-- private key (`v1$m=..$salt$nonce$ct`).
CREATE TABLE wb_handlers (
    user_id           INTEGER PRIMARY KEY,
    public_key        TEXT    NOT NULL,
    encrypted_private TEXT    NOT NULL,
    added_at          INTEGER NOT NULL
);

CREATE TABLE wb_cases (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT    NOT NULL UNIQUE,       -- VB-XXXX-XXXX, random
    status          TEXT    NOT NULL,              -- received | acknowledged | in_progress | closed
    outcome         TEXT,
    received_on     TEXT    NOT NULL,              -- day resolution
    acknowledged_on TEXT,
    feedback_on     TEXT,
    closed_on       TEXT,
    receipt_phc     TEXT    NOT NULL,              -- Argon2id of the reporter's secret
    failed_attempts INTEGER NOT NULL DEFAULT 0,    -- wrong secrets; locked at MAX_FAILED_ATTEMPTS
    content         BLOB    NOT NULL,              -- XChaCha20-Poly1305 ciphertext of the form
    -- The reporter's own key pair, its private key encrypted under Argon2id of the receipt
    -- secret, and the case key sealed to it: with the secret the reporter reads replies.
    reporter_private TEXT   NOT NULL,
    reporter_sealed  BLOB    NOT NULL,
    next_seq        INTEGER NOT NULL DEFAULT 1
);

-- The case key sealed to each handler allowed on the case. Excluding a handler deletes the row.
CREATE TABLE wb_case_keys (
    case_id    INTEGER NOT NULL REFERENCES wb_cases (id) ON DELETE CASCADE,
    handler_id INTEGER NOT NULL,
    sealed     BLOB    NOT NULL,
    PRIMARY KEY (case_id, handler_id)
);

-- Follow-up conversation; author and text are inside the ciphertext.
CREATE TABLE wb_messages (
    case_id INTEGER NOT NULL REFERENCES wb_cases (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    body    BLOB    NOT NULL,
    sent_on TEXT    NOT NULL,                      -- day resolution
    PRIMARY KEY (case_id, seq)
);

-- Who of the handlers did what to which case, when. Purged with the case.
CREATE TABLE wb_audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES wb_cases (id) ON DELETE CASCADE,
    handler_id INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX wb_audit_by_case ON wb_audit (case_id, at);
