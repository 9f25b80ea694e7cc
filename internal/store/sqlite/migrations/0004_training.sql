-- Training of trainers: courses and modules, participants (staff, protected by access rules,
-- not sealed), sessions with trainers, enrolments with scores, attendance per module and
-- certificates with public verification codes.

CREATE TABLE training_courses (
    id                 INTEGER PRIMARY KEY,
    owner_agency_id    BIGINT NOT NULL REFERENCES agencies (id),
    title              TEXT NOT NULL,
    objectives         TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL,
    min_attendance_pct INTEGER NOT NULL,
    min_post_score     INTEGER NOT NULL,
    trainer_course     INTEGER NOT NULL DEFAULT 0,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE training_modules (
    id        INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES training_courses (id),
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    minutes   INTEGER NOT NULL,
    UNIQUE (course_id, position)
);

CREATE TABLE training_participants (
    id                      INTEGER PRIMARY KEY,
    agency_id               BIGINT NOT NULL REFERENCES agencies (id),
    registered_by_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    user_id                 BIGINT UNIQUE REFERENCES users (id),
    name                    TEXT NOT NULL,
    rank                    TEXT NOT NULL DEFAULT '',
    unit                    TEXT NOT NULL DEFAULT '',
    department              TEXT NOT NULL,
    contact                 TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMP NOT NULL
);
CREATE INDEX training_participants_agency ON training_participants (agency_id);
CREATE INDEX training_participants_registered ON training_participants (registered_by_agency_id);

CREATE TABLE training_sessions (
    id             INTEGER PRIMARY KEY,
    course_id      BIGINT NOT NULL REFERENCES training_courses (id),
    host_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    starts_on      TIMESTAMP NOT NULL,
    ends_on        TIMESTAMP NOT NULL,
    department     TEXT NOT NULL,
    district       TEXT NOT NULL DEFAULT '',
    place          TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_host ON training_sessions (host_agency_id);

CREATE TABLE training_session_trainers (
    session_id     BIGINT NOT NULL REFERENCES training_sessions (id),
    participant_id BIGINT NOT NULL REFERENCES training_participants (id),
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX training_session_trainers_participant ON training_session_trainers (participant_id);

CREATE TABLE training_enrolments (
    session_id     BIGINT NOT NULL REFERENCES training_sessions (id),
    participant_id BIGINT NOT NULL REFERENCES training_participants (id),
    pre_score      INTEGER,
    post_score     INTEGER,
    feedback       INTEGER,
    enrolled_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX training_enrolments_participant ON training_enrolments (participant_id);

CREATE TABLE training_attendance (
    session_id     BIGINT NOT NULL,
    participant_id BIGINT NOT NULL,
    module_id      BIGINT NOT NULL REFERENCES training_modules (id),
    status         TEXT NOT NULL,
    PRIMARY KEY (session_id, participant_id, module_id),
    FOREIGN KEY (session_id, participant_id) REFERENCES training_enrolments (session_id, participant_id)
);

CREATE TABLE training_certificates (
    id             INTEGER PRIMARY KEY,
    session_id     BIGINT NOT NULL,
    participant_id BIGINT NOT NULL,
    code           TEXT NOT NULL UNIQUE,
    issued_at      TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    UNIQUE (session_id, participant_id),
    FOREIGN KEY (session_id, participant_id) REFERENCES training_enrolments (session_id, participant_id)
);
