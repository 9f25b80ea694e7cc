package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"nanduti/internal/dedupe"
	"nanduti/internal/persons"
)

// Dedupe returns the dedupe domain's view of the database.
func (db *DB) Dedupe() dedupe.Store { return dedupeStore{db} }

type dedupeStore struct{ db *DB }

func (s dedupeStore) Read(ctx context.Context, fn func(dedupe.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s dedupeStore) Write(ctx context.Context, fn func(dedupe.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (tx *Tx) DedupePersonPage(ctx context.Context, afterID int64, limit int) ([]persons.Record, error) {
	return collect(tx, ctx, `SELECT `+personOpenColumns+` FROM persons WHERE id > $1 ORDER BY id LIMIT $2`,
		[]any{afterID, limit}, func(r *sql.Rows) (persons.Record, error) { return scanPerson(r, false) })
}

func (tx *Tx) CasesOfPerson(ctx context.Context, personID int64) ([]dedupe.CaseRef, error) {
	return collect(tx, ctx, `SELECT DISTINCT c.id, c.number, c.agency_id FROM case_persons p JOIN cases c ON c.id = p.case_id
		WHERE p.person_id = $1 ORDER BY c.id`, []any{personID}, func(r *sql.Rows) (dedupe.CaseRef, error) {
		var c dedupe.CaseRef
		err := r.Scan(&c.ID, &c.Number, &c.AgencyID)
		return c, err
	})
}

const candidateColumns = `id, person_a, person_b, weight, levels, status, merge_id, found_at, updated_at, decided_by, decided_at`

func scanCandidate(row interface{ Scan(...any) error }) (dedupe.Candidate, error) {
	var c dedupe.Candidate
	var levels string
	var merge, by sql.NullInt64
	var at sql.NullTime
	err := row.Scan(&c.ID, &c.PersonA, &c.PersonB, &c.Weight, &levels, &c.Status, &merge, &c.FoundAt, &c.UpdatedAt, &by, &at)
	c.Levels = dedupe.ParseLevels(levels)
	c.MergeID, c.DecidedBy = merge.Int64, by.Int64
	c.FoundAt, c.UpdatedAt = utc(c.FoundAt), utc(c.UpdatedAt)
	if at.Valid {
		c.DecidedAt = utc(at.Time)
	}
	return c, err
}

func (tx *Tx) DedupeCandidateStates(ctx context.Context) (map[[2]int64]dedupe.Candidate, error) {
	cs, err := collect(tx, ctx, `SELECT `+candidateColumns+` FROM dedupe_candidates`, nil,
		func(r *sql.Rows) (dedupe.Candidate, error) { return scanCandidate(r) })
	out := make(map[[2]int64]dedupe.Candidate, len(cs))
	for _, c := range cs {
		out[[2]int64{c.PersonA, c.PersonB}] = c
	}
	return out, err
}

func (tx *Tx) InsertDedupeCandidate(ctx context.Context, c *dedupe.Candidate) error {
	var err error
	c.ID, err = tx.insertID(ctx, `INSERT INTO dedupe_candidates (person_a, person_b, weight, levels, status, merge_id,
		found_at, updated_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		c.PersonA, c.PersonB, c.Weight, dedupe.FormatLevels(c.Levels), c.Status, nullID(c.MergeID), c.FoundAt, c.UpdatedAt,
		nullID(c.DecidedBy), nullTime(c.DecidedAt))
	return err
}

func (tx *Tx) UpdateDedupeCandidate(ctx context.Context, c dedupe.Candidate) error {
	res, err := tx.exec(ctx, `UPDATE dedupe_candidates SET weight = $2, levels = $3, status = $4, merge_id = $5,
		updated_at = $6, decided_by = $7, decided_at = $8 WHERE id = $1`,
		c.ID, c.Weight, dedupe.FormatLevels(c.Levels), c.Status, nullID(c.MergeID), c.UpdatedAt, nullID(c.DecidedBy), nullTime(c.DecidedAt))
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) DedupeCandidateByID(ctx context.Context, id int64) (dedupe.Candidate, error) {
	c, err := scanCandidate(tx.queryRow(ctx, `SELECT `+candidateColumns+` FROM dedupe_candidates WHERE id = $1`, id))
	return c, tx.scanErr(err)
}

func (tx *Tx) DedupeCandidatesNear(ctx context.Context, agencyID int64, limit int) ([]dedupe.Candidate, error) {
	// A person reaches the agency when it owns the person or when a case holding the person
	// is the agency's or is shared with it at operational level or above.
	const reaches = `(SELECT agency_id FROM persons WHERE id = %s) = $1 OR EXISTS (SELECT 1 FROM case_persons cp
		JOIN cases k ON k.id = cp.case_id LEFT JOIN case_shares s ON s.case_id = k.id AND s.agency_id = $1
		WHERE cp.person_id = %s AND (k.agency_id = $1 OR s.level IN ('operational', 'full')))`
	return collect(tx, ctx, `SELECT `+candidateColumns+` FROM dedupe_candidates c
		WHERE c.status IN ('open', 'confirmed') AND (`+strings.ReplaceAll(reaches, "%s", "c.person_a")+` OR `+strings.ReplaceAll(reaches, "%s", "c.person_b")+`)
		ORDER BY c.id DESC LIMIT $2`, []any{agencyID, limit}, func(r *sql.Rows) (dedupe.Candidate, error) { return scanCandidate(r) })
}

const mergeColumns = `m.id, m.person_id, m.canonical_person_id, m.confirmed_by, u.agency_id, m.confirmed_at, m.undone_by, m.undone_at`

func scanMerge(row interface{ Scan(...any) error }) (dedupe.Merge, error) {
	var m dedupe.Merge
	var by sql.NullInt64
	var at sql.NullTime
	err := row.Scan(&m.ID, &m.PersonID, &m.CanonicalPersonID, &m.ConfirmedBy, &m.ConfirmedByAgency, &m.ConfirmedAt, &by, &at)
	m.ConfirmedAt = utc(m.ConfirmedAt)
	m.UndoneBy = by.Int64
	if at.Valid {
		m.UndoneAt = utc(at.Time)
	}
	return m, err
}

func (tx *Tx) InsertPersonMerge(ctx context.Context, m *dedupe.Merge) error {
	var err error
	m.ID, err = tx.insertID(ctx, `INSERT INTO person_merges (person_id, canonical_person_id, confirmed_by, confirmed_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, m.PersonID, m.CanonicalPersonID, m.ConfirmedBy, m.ConfirmedAt)
	return err
}

func (tx *Tx) PersonMergeByID(ctx context.Context, id int64) (dedupe.Merge, error) {
	m, err := scanMerge(tx.queryRow(ctx, `SELECT `+mergeColumns+` FROM person_merges m JOIN users u ON u.id = m.confirmed_by
		WHERE m.id = $1`, id))
	return m, tx.scanErr(err)
}

func (tx *Tx) UndoPersonMerge(ctx context.Context, id, undoneBy int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE person_merges SET undone_by = $2, undone_at = $3 WHERE id = $1 AND undone_at IS NULL`,
		id, undoneBy, at)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) ActivePersonMerges(ctx context.Context) (map[int64]int64, error) {
	type pair struct{ p, c int64 }
	ps, err := collect(tx, ctx, `SELECT person_id, canonical_person_id FROM person_merges WHERE undone_at IS NULL`, nil,
		func(r *sql.Rows) (pair, error) {
			var p pair
			err := r.Scan(&p.p, &p.c)
			return p, err
		})
	out := make(map[int64]int64, len(ps))
	for _, p := range ps {
		out[p.p] = p.c
	}
	return out, err
}

func (tx *Tx) PersonMergesOf(ctx context.Context, personID int64) ([]dedupe.Merge, error) {
	return collect(tx, ctx, `SELECT `+mergeColumns+` FROM person_merges m JOIN users u ON u.id = m.confirmed_by
		WHERE m.undone_at IS NULL AND (m.person_id = $1 OR m.canonical_person_id = $1) ORDER BY m.id`, []any{personID},
		func(r *sql.Rows) (dedupe.Merge, error) { return scanMerge(r) })
}

func (tx *Tx) InsertDedupeNotice(ctx context.Context, n *dedupe.Notice) (bool, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO dedupe_notices (candidate_id, agency_id, from_agency_id, kind, case_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (candidate_id, agency_id, from_agency_id, kind) DO NOTHING RETURNING id`,
		n.CandidateID, n.AgencyID, n.FromAgencyID, n.Kind, nullID(n.CaseID), n.CreatedBy, n.CreatedAt).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, tx.scanErr(err)
	}
	n.ID = id
	return true, nil
}

func (tx *Tx) DedupeNotices(ctx context.Context, agencyID int64, limit int) ([]dedupe.Notice, error) {
	return collect(tx, ctx, `SELECT id, candidate_id, agency_id, from_agency_id, kind, case_id, created_by, created_at
		FROM dedupe_notices WHERE agency_id = $1 ORDER BY id DESC LIMIT $2`, []any{agencyID, limit},
		func(r *sql.Rows) (dedupe.Notice, error) {
			var n dedupe.Notice
			var caseID sql.NullInt64
			err := r.Scan(&n.ID, &n.CandidateID, &n.AgencyID, &n.FromAgencyID, &n.Kind, &caseID, &n.CreatedBy, &n.CreatedAt)
			n.CaseID, n.CreatedAt = caseID.Int64, utc(n.CreatedAt)
			return n, err
		})
}

func (tx *Tx) DedupeNoticeGiven(ctx context.Context, candidateID, fromAgencyID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM dedupe_notices WHERE candidate_id = $1 AND from_agency_id = $2`,
		candidateID, fromAgencyID).Scan(&n)
	return n > 0, tx.scanErr(err)
}
