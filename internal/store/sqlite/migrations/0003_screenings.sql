-- Stored screenings (issue 4). A screening describes a person's situation without naming them:
-- input holds age, sex, the indicators ticked and work facts, never a name or a free text.
-- input and result are kept as the exact JSON text the engine produced, so that re-screening
-- the input with rulebook_id at rulebook_version years later can be compared byte for byte.
-- The outcome columns repeat the result's verdicts so that lists and counts need not parse it.
-- person_id links the screening to a person of the persons module; it has no foreign key yet
-- because that table arrives with its own migration, and the service validates the link.
CREATE TABLE screenings (
    id                    INTEGER PRIMARY KEY,
    agency_id             BIGINT NOT NULL REFERENCES agencies (id),
    officer_id            BIGINT NOT NULL REFERENCES users (id),
    created_at            TIMESTAMP NOT NULL,
    lang                  TEXT NOT NULL,
    input                 TEXT NOT NULL,
    rulebook_id           TEXT NOT NULL,
    rulebook_version      TEXT NOT NULL,
    result                TEXT NOT NULL,
    trafficking_outcome   TEXT NOT NULL,
    forced_labour_outcome TEXT NOT NULL,
    child_labour_outcome  TEXT NOT NULL,
    person_id             BIGINT
);
CREATE INDEX screenings_agency ON screenings (agency_id, id);
CREATE INDEX screenings_person ON screenings (person_id);
