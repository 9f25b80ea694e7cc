-- Persons with sealed identities (issue 3). Identity columns hold AES-256-GCM ciphertexts
-- under the row's own data key (data_key, wrapped by the key-encryption key kek_id, which
-- lives in the key file, never here). The open columns are what statistics count.
CREATE TABLE persons (
    id                    INTEGER PRIMARY KEY,
    agency_id             BIGINT NOT NULL REFERENCES agencies (id),
    pseudonym             TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL,
    gender                TEXT NOT NULL,
    age_at_identification INTEGER,
    birth_year            INTEGER NOT NULL DEFAULT 0,
    citizenship           TEXT NOT NULL DEFAULT '',
    primary_language      TEXT NOT NULL DEFAULT '',
    department            TEXT NOT NULL DEFAULT '',
    district              TEXT NOT NULL DEFAULT '',
    vulnerabilities       TEXT NOT NULL DEFAULT '',
    kek_id                TEXT NOT NULL,
    data_key              BLOB NOT NULL,
    given_names           BLOB NOT NULL,
    paternal_surname      BLOB NOT NULL,
    maternal_surname      BLOB NOT NULL,
    other_names           BLOB NOT NULL,
    birth_date            BLOB NOT NULL,
    document              BLOB NOT NULL,
    nationality_documents BLOB NOT NULL,
    phones                BLOB NOT NULL,
    addresses             BLOB NOT NULL,
    version               INTEGER NOT NULL,
    created_by            BIGINT NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX persons_agency ON persons (agency_id, id);
-- Rotation finds the rows still under an older key, and status counts them, by this index.
CREATE INDEX persons_kek ON persons (kek_id, id);

CREATE TABLE person_photos (
    person_id BIGINT PRIMARY KEY REFERENCES persons (id),
    photo     BLOB NOT NULL
);

-- Blind indexes: HMAC-SHA-256 (truncated to 16 bytes) of name tokens, their phonetic codes,
-- document numbers and phones. Keyed by hash first: every search is an equality lookup.
CREATE TABLE person_index (
    hash      BLOB NOT NULL,
    agency_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (hash, agency_id, person_id)
) WITHOUT ROWID;

-- The pseudonym sequence of each year. A number, once handed out, is never handed out again.
CREATE TABLE pseudonym_counters (
    year INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);

-- Which index key the blind indexes were made with, so that a server started with another
-- key file refuses to run instead of silently finding nothing.
CREATE TABLE seal_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
