CREATE TABLE task_forces (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    region     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE agencies (
    id            INTEGER PRIMARY KEY,
    task_force_id BIGINT NOT NULL REFERENCES task_forces (id),
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    agency_id           BIGINT NOT NULL REFERENCES agencies (id),
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    roles               TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    totp_secret         TEXT NOT NULL DEFAULT '',
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    hash           TEXT PRIMARY KEY,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage          TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT '',
    pending_secret TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    last_seen_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The audit chain. seq has no gaps: it is assigned as the previous row's seq + 1 while the
-- appending transaction holds the audit lock, so a missing number means a deleted row.
CREATE TABLE audit_log (
    seq              BIGINT PRIMARY KEY,
    at               TIMESTAMP NOT NULL,
    actor_user_id    BIGINT NOT NULL,
    actor_agency_id  BIGINT NOT NULL,
    action           TEXT NOT NULL,
    object_type      TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    object_agency_id BIGINT NOT NULL,
    fields           TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_actor_agency ON audit_log (actor_agency_id, seq);
CREATE INDEX audit_object_agency ON audit_log (object_agency_id, seq);

-- Append-only for the application: changing history needs a deliberate act (dropping these
-- triggers), and even then audit verify finds it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
