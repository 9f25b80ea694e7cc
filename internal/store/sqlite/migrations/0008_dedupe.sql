-- In-deployment dedupe (issue 8): pairs of person records the linkage job finds likely to be
-- the same human being. A candidate holds the two person ids (the smaller first), the match
-- weight and the comparison vector: one agreement level per compared field, in the order the
-- job documents (never a value). Nothing here names anyone.
CREATE TABLE dedupe_candidates (
    id          INTEGER PRIMARY KEY,
    person_a    BIGINT NOT NULL REFERENCES persons (id),
    person_b    BIGINT NOT NULL REFERENCES persons (id),
    weight      DOUBLE PRECISION NOT NULL,
    levels      TEXT NOT NULL,
    -- open, confirmed, rejected or withdrawn (no longer found by the job).
    status      TEXT NOT NULL,
    merge_id    BIGINT REFERENCES person_merges (id),
    found_at    TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    decided_by  BIGINT REFERENCES users (id),
    decided_at  TIMESTAMP,
    CHECK (person_a < person_b),
    UNIQUE (person_a, person_b)
);
CREATE INDEX dedupe_candidates_b ON dedupe_candidates (person_b);
CREATE INDEX dedupe_candidates_status ON dedupe_candidates (status, id);

-- What each agency has been told about a candidate it sees one side of: that another agency
-- asked for access to its record (kind access_requested). The requesting agency is named; the
-- requester's record never is.
CREATE TABLE dedupe_notices (
    id             INTEGER PRIMARY KEY,
    candidate_id   BIGINT NOT NULL REFERENCES dedupe_candidates (id),
    agency_id      BIGINT NOT NULL REFERENCES agencies (id),
    from_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    kind           TEXT NOT NULL,
    case_id        BIGINT,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (candidate_id, agency_id, from_agency_id, kind)
);
CREATE INDEX dedupe_notices_agency ON dedupe_notices (agency_id, id);
