-- Cases shared on a need-to-know basis (issue 5). A case belongs to the agency that opened it;
-- case_shares grants other agencies a level on it. Nothing here names a person: persons are
-- referred to by id (their identities are sealed by the persons module), titles are meant to be
-- non-identifying, and free texts about a person go into sealed notes. Dates of the facts are
-- ISO 8601 text (YYYY-MM-DD) in both engines so that they compare as text and never shift
-- with a time zone.
CREATE TABLE case_counters (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    year      INTEGER NOT NULL,
    last      INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    agency_id    BIGINT NOT NULL REFERENCES agencies (id),
    number       TEXT NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL,
    exploitation TEXT NOT NULL,
    sector       TEXT NOT NULL,
    department   TEXT NOT NULL,
    district     TEXT NOT NULL,
    reported_on  TEXT NOT NULL,
    opened_on    TEXT NOT NULL,
    closed_on    TEXT NOT NULL,
    source       TEXT NOT NULL,
    sensitive    INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (agency_id, year, seq)
);
CREATE INDEX cases_agency ON cases (agency_id, id);
CREATE INDEX cases_agency_status ON cases (agency_id, status, id);

CREATE TABLE case_officers (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE case_shares (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    agency_id  BIGINT NOT NULL REFERENCES agencies (id),
    level      TEXT NOT NULL,
    granted_by BIGINT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, agency_id)
);
CREATE INDEX case_shares_agency ON case_shares (agency_id, case_id);

CREATE TABLE case_access_requests (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    agency_id    BIGINT NOT NULL REFERENCES agencies (id),
    requested_by BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    level        TEXT NOT NULL,
    decided_by   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    decided_at   TIMESTAMP
);
CREATE INDEX case_access_requests_case ON case_access_requests (case_id, id);

CREATE TABLE case_status_changes (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_user     BIGINT NOT NULL,
    by_agency   BIGINT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX case_status_changes_case ON case_status_changes (case_id, id);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    agency_id   BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    department  TEXT NOT NULL,
    district    TEXT NOT NULL,
    place       TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, occurred_on);

CREATE TABLE case_tasks (
    id                 INTEGER PRIMARY KEY,
    case_id            BIGINT NOT NULL REFERENCES cases (id),
    title              TEXT NOT NULL,
    assigned_agency_id BIGINT NOT NULL,
    assigned_user_id   BIGINT NOT NULL,
    due_on             TEXT NOT NULL,
    status             TEXT NOT NULL,
    version            INTEGER NOT NULL,
    created_by         BIGINT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, id);
CREATE INDEX case_tasks_assigned ON case_tasks (assigned_agency_id, status, due_on);

CREATE TABLE case_evidence (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    agency_id    BIGINT NOT NULL,
    item         TEXT NOT NULL,
    description  TEXT NOT NULL,
    collected_by TEXT NOT NULL,
    collected_on TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX case_evidence_case ON case_evidence (case_id, id);

-- Chain of custody: entries are only ever appended, like the audit log's rows.
CREATE TABLE case_custody (
    id          INTEGER PRIMARY KEY,
    evidence_id BIGINT NOT NULL REFERENCES case_evidence (id),
    at          TIMESTAMP NOT NULL,
    action      TEXT NOT NULL,
    holder      TEXT NOT NULL,
    note        TEXT NOT NULL,
    by_user     BIGINT NOT NULL,
    by_agency   BIGINT NOT NULL
);
CREATE INDEX case_custody_evidence ON case_custody (evidence_id, id);
CREATE TRIGGER case_custody_no_update BEFORE UPDATE ON case_custody
BEGIN
    SELECT RAISE(ABORT, 'case_custody is append-only');
END;
CREATE TRIGGER case_custody_no_delete BEFORE DELETE ON case_custody
BEGIN
    SELECT RAISE(ABORT, 'case_custody is append-only');
END;

CREATE TABLE case_charges (
    id             INTEGER PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    case_person_id BIGINT NOT NULL,
    article        TEXT NOT NULL,
    filed_on       TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    outcome_on     TEXT NOT NULL,
    sentence       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_by     BIGINT NOT NULL,
    agency_id      BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX case_charges_case ON case_charges (case_id, id);

CREATE TABLE case_hearings (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    held_on    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    court      TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_hearings_case ON case_hearings (case_id, held_on);

-- A person's part in a case. person_id refers to the persons module's record; a person may
-- appear in several cases.
CREATE TABLE case_persons (
    id                INTEGER PRIMARY KEY,
    case_id           BIGINT NOT NULL REFERENCES cases (id),
    person_id         BIGINT NOT NULL,
    role              TEXT NOT NULL,
    perpetrator_roles TEXT NOT NULL,
    victim_status     TEXT NOT NULL,
    status_decided_by TEXT NOT NULL,
    agency_id         BIGINT NOT NULL,
    created_by        BIGINT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    UNIQUE (case_id, person_id, role)
);
CREATE INDEX case_persons_case ON case_persons (case_id, id);
CREATE INDEX case_persons_person ON case_persons (person_id);

CREATE TABLE case_referrals (
    id                 INTEGER PRIMARY KEY,
    case_id            BIGINT NOT NULL REFERENCES cases (id),
    case_person_id     BIGINT NOT NULL REFERENCES case_persons (id),
    service            TEXT NOT NULL,
    to_agency_id       BIGINT NOT NULL,
    outside_service    TEXT NOT NULL,
    consent            TEXT NOT NULL,
    override_reason    TEXT NOT NULL,
    status             TEXT NOT NULL,
    from_agency_id     BIGINT NOT NULL,
    created_by         BIGINT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    sent_at            TIMESTAMP,
    version            INTEGER NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id, id);
CREATE INDEX case_referrals_to ON case_referrals (to_agency_id, id);

CREATE TABLE case_referral_followups (
    id          INTEGER PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES case_referrals (id),
    at          TIMESTAMP NOT NULL,
    delivered   TEXT NOT NULL,
    note        TEXT NOT NULL,
    by_user     BIGINT NOT NULL,
    by_agency   BIGINT NOT NULL
);
CREATE INDEX case_referral_followups_referral ON case_referral_followups (referral_id, id);

-- Notes about a case; a note about a person is sealed (body holds the ciphertext, data_key the
-- note's wrapped data key) and attachments are always sealed.
CREATE TABLE case_notes (
    id             INTEGER PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    case_person_id BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    body           BLOB NOT NULL,
    data_key       BLOB NOT NULL,
    kek_id         TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    agency_id      BIGINT NOT NULL,
    created_by     BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);
