-- Analysis datasets (issue 6): published CTDC files imported so that analysts can put
-- Paraguay's figures beside the regional and global picture. The rows are already
-- disclosure-controlled open data and hold no person: only the categories statistics count.
-- agency_id is the owning agency, or 0 for a dataset shared with every agency (imported by the
-- operator or a system administrator); it has no foreign key because 0 names no agency.
-- An import writes its rows in many short transactions under state 'loading' and becomes
-- 'ready' in one last transaction that also removes the dataset it replaces, so readers see
-- the old dataset or the new one, never half of either.
CREATE TABLE stats_datasets (
    id          INTEGER PRIMARY KEY,
    agency_id   BIGINT NOT NULL,
    name        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    layout      TEXT NOT NULL,
    row_count   BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL,
    imported_by BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX stats_datasets_ready_name ON stats_datasets (agency_id, name) WHERE state = 'ready';

-- One row per record of the file, normalised (stats.Victim): year 0 is unknown; flags holds
-- the 21 yes/no facts of the CTDC v2024 layout in its column order, one digit each
-- (0 unknown, 1 no, 2 yes).
CREATE TABLE stats_ctdc_rows (
    dataset_id           BIGINT NOT NULL,
    year                 INTEGER NOT NULL,
    sex                  TEXT NOT NULL,
    age_band             TEXT NOT NULL,
    age_group            TEXT NOT NULL,
    citizenship          TEXT NOT NULL,
    exploitation_country TEXT NOT NULL,
    department           TEXT NOT NULL,
    traffick_months      TEXT NOT NULL,
    flags                TEXT NOT NULL
);
CREATE INDEX stats_ctdc_rows_dataset ON stats_ctdc_rows (dataset_id);
