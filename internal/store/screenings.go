package store

import (
	"context"
	"database/sql"

	"nanduti/internal/screenings"
)

// Screenings returns the screenings domain's view of the database.
func (db *DB) Screenings() screenings.Store { return screeningsStore{db} }

type screeningsStore struct{ db *DB }

func (s screeningsStore) Read(ctx context.Context, fn func(screenings.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s screeningsStore) Write(ctx context.Context, fn func(screenings.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// screeningNullID stores 0 as NULL: a screening not linked to a person.
func screeningNullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func (tx *Tx) CreateScreening(ctx context.Context, s *screenings.Stored) error {
	id, err := tx.insertID(ctx, `INSERT INTO screenings (agency_id, officer_id, created_at, lang, input, rulebook_id,
		rulebook_version, result, trafficking_outcome, forced_labour_outcome, child_labour_outcome, person_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		s.AgencyID, s.OfficerID, s.CreatedAt, s.Lang, string(s.Input), s.RulebookID, s.RulebookVersion, string(s.Result),
		s.Outcomes.Trafficking, s.Outcomes.ForcedLabour, s.Outcomes.ChildLabour, screeningNullID(s.PersonID))
	s.ID = id
	return err
}

const screeningSummaryColumns = `id, agency_id, officer_id, created_at, rulebook_id, rulebook_version,
	trafficking_outcome, forced_labour_outcome, child_labour_outcome, person_id`

func scanScreeningSummary(row interface{ Scan(...any) error }, extra ...any) (screenings.Summary, error) {
	var s screenings.Summary
	var person sql.NullInt64
	dest := append([]any{&s.ID, &s.AgencyID, &s.OfficerID, &s.CreatedAt, &s.RulebookID, &s.RulebookVersion,
		&s.Outcomes.Trafficking, &s.Outcomes.ForcedLabour, &s.Outcomes.ChildLabour, &person}, extra...)
	err := row.Scan(dest...)
	s.CreatedAt = utc(s.CreatedAt)
	s.PersonID = person.Int64
	return s, err
}

func (tx *Tx) ScreeningByID(ctx context.Context, id int64) (screenings.Stored, error) {
	var st screenings.Stored
	var input, result string
	sum, err := scanScreeningSummary(tx.queryRow(ctx, `SELECT `+screeningSummaryColumns+`, lang, input, result
		FROM screenings WHERE id = $1`, id), &st.Lang, &input, &result)
	if err != nil {
		return st, tx.scanErr(err)
	}
	st.Summary, st.Input, st.Result = sum, []byte(input), []byte(result)
	return st, nil
}

func (tx *Tx) ListScreenings(ctx context.Context, agencyID, beforeID int64, limit int) ([]screenings.Summary, error) {
	rows, err := tx.query(ctx, `SELECT `+screeningSummaryColumns+` FROM screenings
		WHERE agency_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, agencyID, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []screenings.Summary
	for rows.Next() {
		s, err := scanScreeningSummary(rows)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, s)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx *Tx) CountScreenings(ctx context.Context, agencyID int64) (screenings.Counts, error) {
	c := screenings.Counts{Trafficking: map[string]int{}, ForcedLabour: map[string]int{}, ChildLabour: map[string]int{}}
	rows, err := tx.query(ctx, `SELECT trafficking_outcome, forced_labour_outcome, child_labour_outcome, count(*)
		FROM screenings WHERE agency_id = $1
		GROUP BY trafficking_outcome, forced_labour_outcome, child_labour_outcome`, agencyID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, f, ch string
		var n int
		if err := rows.Scan(&t, &f, &ch, &n); err != nil {
			return c, tx.db.translateErr(err)
		}
		c.Total += n
		c.Trafficking[t] += n
		c.ForcedLabour[f] += n
		c.ChildLabour[ch] += n
	}
	return c, tx.db.translateErr(rows.Err())
}

func (tx *Tx) SetScreeningPerson(ctx context.Context, id, personID int64) error {
	res, err := tx.exec(ctx, `UPDATE screenings SET person_id = $1 WHERE id = $2`, screeningNullID(personID), id)
	if err != nil {
		return err
	}
	return affected(res)
}
