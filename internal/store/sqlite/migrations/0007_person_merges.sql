-- Confirmed record-linkage merges: two person records (often of different agencies) that are
-- the same human being. Both records stay as they are, with their provenance; a merge only
-- says which record stands for the person in statistics and linkage. Undoing a merge sets
-- undone_at; rows are never deleted, so the history of every decision stays.
CREATE TABLE person_merges (
    id                  INTEGER PRIMARY KEY,
    person_id           BIGINT NOT NULL REFERENCES persons (id),
    canonical_person_id BIGINT NOT NULL REFERENCES persons (id),
    confirmed_by        BIGINT NOT NULL REFERENCES users (id),
    confirmed_at        TIMESTAMP NOT NULL,
    undone_by           BIGINT REFERENCES users (id),
    undone_at           TIMESTAMP,
    CHECK (person_id <> canonical_person_id)
);
-- A person is merged into at most one other at a time.
CREATE UNIQUE INDEX person_merges_active ON person_merges (person_id) WHERE undone_at IS NULL;
CREATE INDEX person_merges_canonical ON person_merges (canonical_person_id);
