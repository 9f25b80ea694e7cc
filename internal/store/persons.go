package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"nanduti/internal/core"
	"nanduti/internal/persons"
)

// Persons returns the persons domain's view of the database.
func (db *DB) Persons() persons.Store { return personsStore{db} }

type personsStore struct{ db *DB }

func (s personsStore) Read(ctx context.Context, fn func(persons.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s personsStore) Write(ctx context.Context, fn func(persons.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// sealedColumns are the ciphertext columns of persons, in persons.SealedFields order.
var sealedColumns = strings.Join(persons.SealedFields, ", ")

const personOpenColumns = `id, agency_id, pseudonym, kind, gender, age_at_identification, birth_year, citizenship,
	primary_language, department, district, vulnerabilities, kek_id, data_key, version, created_by, created_at, updated_at`

func (tx *Tx) NextPseudonymNumber(ctx context.Context, year int) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO pseudonym_counters (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = pseudonym_counters.last + 1 RETURNING last`, year).Scan(&n)
	return n, tx.scanErr(err)
}

// personJoin stores a list of codes in one column.
func personJoin(l []string) string { return strings.Join(l, ",") }

func personSplit(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func personAge(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func (tx *Tx) InsertPerson(ctx context.Context, r *persons.Record) error {
	p := r.Profile
	args := []any{r.AgencyID, r.Pseudonym, string(r.Kind), p.Gender, personAge(p.AgeAtIdentification), p.BirthYear,
		personJoin(p.Citizenship), p.PrimaryLanguage, p.Department, p.District, personJoin(p.Vulnerabilities),
		r.KEKID, personBytes(r.DataKey), r.Version, r.CreatedBy, r.CreatedAt, r.UpdatedAt}
	params := make([]string, 0, len(args)+len(persons.SealedFields))
	for i := range args {
		params = append(params, "$"+strconv.Itoa(i+1))
	}
	for i := range persons.SealedFields {
		args = append(args, personBytes(r.Sealed[i]))
		params = append(params, "$"+strconv.Itoa(len(args)))
	}
	id, err := tx.insertID(ctx, `INSERT INTO persons (agency_id, pseudonym, kind, gender, age_at_identification,
		birth_year, citizenship, primary_language, department, district, vulnerabilities, kek_id, data_key, version,
		created_by, created_at, updated_at, `+sealedColumns+`) VALUES (`+strings.Join(params, ", ")+`) RETURNING id`, args...)
	r.ID = id
	return err
}

// personBytes stores an absent byte slice as an empty value, not NULL, in the NOT NULL columns.
func personBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (tx *Tx) SetPersonSealed(ctx context.Context, id int64, kekID string, dataKey []byte, sealed persons.Sealed) error {
	sets := []string{"kek_id = $2", "data_key = $3"}
	args := []any{id, kekID, dataKey}
	for i, col := range persons.SealedFields {
		args = append(args, sealed[i])
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	res, err := tx.exec(ctx, `UPDATE persons SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...)
	if err != nil {
		return err
	}
	return affected(res)
}

func (tx *Tx) UpdatePerson(ctx context.Context, r persons.Record, expectVersion int) error {
	p := r.Profile
	args := []any{r.ID, expectVersion, string(r.Kind), p.Gender, personAge(p.AgeAtIdentification), p.BirthYear,
		personJoin(p.Citizenship), p.PrimaryLanguage, p.Department, p.District, personJoin(p.Vulnerabilities),
		r.KEKID, r.DataKey, r.Version, r.UpdatedAt}
	sets := []string{"kind = $3", "gender = $4", "age_at_identification = $5", "birth_year = $6", "citizenship = $7",
		"primary_language = $8", "department = $9", "district = $10", "vulnerabilities = $11", "kek_id = $12",
		"data_key = $13", "version = $14", "updated_at = $15"}
	for i, col := range persons.SealedFields {
		args = append(args, r.Sealed[i])
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	res, err := tx.exec(ctx, `UPDATE persons SET `+strings.Join(sets, ", ")+` WHERE id = $1 AND version = $2`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.db.translateErr(err)
	} else if n == 0 {
		return core.Errorf(core.Conflict, "person.changed")
	}
	return nil
}

// scanPerson reads the open columns and, when withSealed, the sealed ones after them.
func scanPerson(row interface{ Scan(...any) error }, withSealed bool) (persons.Record, error) {
	var r persons.Record
	var kind, cit, vul string
	var age sql.NullInt64
	dest := []any{&r.ID, &r.AgencyID, &r.Pseudonym, &kind, &r.Profile.Gender, &age, &r.Profile.BirthYear, &cit,
		&r.Profile.PrimaryLanguage, &r.Profile.Department, &r.Profile.District, &vul, &r.KEKID, &r.DataKey,
		&r.Version, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt}
	if withSealed {
		for i := range r.Sealed {
			dest = append(dest, &r.Sealed[i])
		}
	}
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	r.Kind = persons.Kind(kind)
	if age.Valid {
		a := int(age.Int64)
		r.Profile.AgeAtIdentification = &a
	}
	r.Profile.Citizenship, r.Profile.Vulnerabilities = personSplit(cit), personSplit(vul)
	r.CreatedAt, r.UpdatedAt = utc(r.CreatedAt), utc(r.UpdatedAt)
	return r, nil
}

func (tx *Tx) PersonByID(ctx context.Context, id int64) (persons.Record, error) {
	r, err := scanPerson(tx.queryRow(ctx, `SELECT `+personOpenColumns+`, `+sealedColumns+` FROM persons WHERE id = $1`, id), true)
	return r, tx.scanErr(err)
}

// bindVars returns "$from, $from+1, ..." for n values.
func bindVars(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(p, ", ")
}

func (tx *Tx) PersonsByIDs(ctx context.Context, ids []int64) ([]persons.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT `+personOpenColumns+`, `+sealedColumns+` FROM persons WHERE id IN (`+bindVars(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persons.Record
	for rows.Next() {
		r, err := scanPerson(rows, true)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, r)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx *Tx) ListPersons(ctx context.Context, agencyID, beforeID int64, limit int) ([]persons.Record, error) {
	rows, err := tx.query(ctx, `SELECT `+personOpenColumns+` FROM persons
		WHERE agency_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, agencyID, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persons.Record
	for rows.Next() {
		r, err := scanPerson(rows, false)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, r)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx *Tx) AgencyPersonsExtent(ctx context.Context, agencyID int64) (int, int64, error) {
	var n int
	var last int64
	err := tx.queryRow(ctx, `SELECT count(*), coalesce(max(id), 0) FROM persons WHERE agency_id = $1`, agencyID).Scan(&n, &last)
	return n, last, tx.scanErr(err)
}

func (tx *Tx) AgencyPersonPage(ctx context.Context, agencyID, afterID, throughID int64, limit int) ([]persons.Record, error) {
	return collect(tx, ctx, `SELECT `+personOpenColumns+`, `+sealedColumns+` FROM persons
		WHERE agency_id = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT $4`,
		[]any{agencyID, afterID, throughID, limit}, func(r *sql.Rows) (persons.Record, error) { return scanPerson(r, true) })
}

func (tx *Tx) PersonPhoto(ctx context.Context, personID int64) ([]byte, error) {
	var b []byte
	err := tx.queryRow(ctx, `SELECT photo FROM person_photos WHERE person_id = $1`, personID).Scan(&b)
	return b, tx.scanErr(err)
}

func (tx *Tx) HasPersonPhoto(ctx context.Context, personID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM person_photos WHERE person_id = $1`, personID).Scan(&n)
	return n > 0, tx.scanErr(err)
}

func (tx *Tx) SetPersonPhoto(ctx context.Context, personID int64, sealed []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO person_photos (person_id, photo) VALUES ($1, $2)
		ON CONFLICT (person_id) DO UPDATE SET photo = excluded.photo`, personID, sealed)
	return err
}

func (tx *Tx) DeletePersonPhoto(ctx context.Context, personID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM person_photos WHERE person_id = $1`, personID)
	return err
}

// indexBatch bounds the rows of one INSERT into person_index, well under either engine's
// limit on parameters.
const indexBatch = 300

func (tx *Tx) AddPersonIndex(ctx context.Context, personID, agencyID int64, hashes [][]byte) error {
	for len(hashes) > 0 {
		n := min(len(hashes), indexBatch)
		args := []any{personID, agencyID}
		values := make([]string, n)
		for i, h := range hashes[:n] {
			args = append(args, h)
			values[i] = "($" + strconv.Itoa(len(args)) + ", $2, $1)"
		}
		if _, err := tx.exec(ctx, `INSERT INTO person_index (hash, agency_id, person_id) VALUES `+strings.Join(values, ", "), args...); err != nil {
			return err
		}
		hashes = hashes[n:]
	}
	return nil
}

func (tx *Tx) RemovePersonIndex(ctx context.Context, personID, agencyID int64, hashes [][]byte) error {
	for len(hashes) > 0 {
		n := min(len(hashes), indexBatch)
		args := []any{personID, agencyID}
		for _, h := range hashes[:n] {
			args = append(args, h)
		}
		if _, err := tx.exec(ctx, `DELETE FROM person_index WHERE person_id = $1 AND agency_id = $2 AND hash IN (`+
			bindVars(3, n)+`)`, args...); err != nil {
			return err
		}
		hashes = hashes[n:]
	}
	return nil
}

// SearchPersonIndex scores each person of the agency whose index holds any of the terms'
// hashes: per term 2 for the exact hash, 1 for the phonetic one, and keeps those that match
// every term. The query is built for the number of terms; its values are all parameters.
func (tx *Tx) SearchPersonIndex(ctx context.Context, agencyID int64, terms []persons.Term, limit int) ([]persons.Hit, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	if len(terms) == 1 {
		return tx.searchOneTerm(ctx, agencyID, terms[0], limit)
	}
	args := []any{agencyID}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var in, scores, having []string
	for _, t := range terms {
		e := param(t.Exact)
		in = append(in, e)
		expr := "MAX(CASE WHEN hash = " + e + " THEN 2"
		if t.Phonetic != nil {
			p := param(t.Phonetic)
			in = append(in, p)
			expr += " WHEN hash = " + p + " THEN 1"
		}
		expr += " ELSE 0 END)"
		scores = append(scores, expr)
		having = append(having, expr+" > 0")
	}
	score := strings.Join(scores, " + ")
	q := `SELECT person_id, ` + score + ` AS score FROM person_index WHERE agency_id = $1 AND hash IN (` +
		strings.Join(in, ", ") + `) GROUP BY person_id HAVING ` + strings.Join(having, " AND ") +
		` ORDER BY ` + score + ` DESC, person_id DESC LIMIT ` + param(limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []persons.Hit
	for rows.Next() {
		var h persons.Hit
		if err := rows.Scan(&h.PersonID, &h.Score); err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, h)
	}
	return out, tx.db.translateErr(rows.Err())
}

// searchOneTerm answers the commonest search, one word, without aggregating: the exact
// matches come straight from the index in (hash, agency_id, person_id) order, newest first,
// and only when they are fewer than limit are the matches by sound read to fill the rest. A
// surname a few percent of a million persons carry then costs a short index range instead of
// grouping every row that carries it; the results and their order are those of the general
// query (score 2 before 1, then newer first).
func (tx *Tx) searchOneTerm(ctx context.Context, agencyID int64, t persons.Term, limit int) ([]persons.Hit, error) {
	ids := func(hash []byte, n int) ([]int64, error) {
		rows, err := tx.query(ctx, `SELECT person_id FROM person_index WHERE hash = $1 AND agency_id = $2
			ORDER BY person_id DESC LIMIT $3`, hash, agencyID, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, tx.db.translateErr(err)
			}
			out = append(out, id)
		}
		return out, tx.db.translateErr(rows.Err())
	}
	exact, err := ids(t.Exact, limit)
	if err != nil {
		return nil, err
	}
	out := make([]persons.Hit, 0, limit)
	seen := make(map[int64]bool, len(exact))
	for _, id := range exact {
		out = append(out, persons.Hit{PersonID: id, Score: 2})
		seen[id] = true
	}
	if len(out) == limit || t.Phonetic == nil {
		return out, nil
	}
	// Every exact match carries the phonetic index too: read enough to skip them.
	sound, err := ids(t.Phonetic, limit+len(exact))
	if err != nil {
		return nil, err
	}
	for _, id := range sound {
		if !seen[id] && len(out) < limit {
			out = append(out, persons.Hit{PersonID: id, Score: 1})
		}
	}
	return out, nil
}
