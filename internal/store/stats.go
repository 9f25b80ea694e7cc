package store

import (
	"context"
	"strconv"
	"strings"

	"nanduti/internal/core"
	"nanduti/internal/stats"
	"nanduti/internal/stats/analysis"
)

// Analysis returns the statistics domain's view of the database.
func (db *DB) Analysis() analysis.Store { return analysisStore{db} }

type analysisStore struct{ db *DB }

func (s analysisStore) Read(ctx context.Context, fn func(analysis.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s analysisStore) Write(ctx context.Context, fn func(analysis.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// Dataset states: rows are written under loading and become visible all at once.
const (
	datasetLoading = "loading"
	datasetReady   = "ready"
)

func (tx *Tx) CreateLoadingDataset(ctx context.Context, d *analysis.Dataset) error {
	id, err := tx.insertID(ctx, `INSERT INTO stats_datasets (agency_id, name, file_name, layout, row_count, state, imported_by, imported_at)
		VALUES ($1, $2, $3, $4, 0, $5, $6, $7) RETURNING id`,
		d.AgencyID, d.Name, d.FileName, d.Layout, datasetLoading, d.ImportedBy, d.ImportedAt)
	d.ID = id
	return err
}

// datasetRowColumns is the number of columns of stats_ctdc_rows; a batch is written in
// statements of datasetRowsPerInsert rows, well below either engine's limit of parameters.
const (
	datasetRowColumns    = 10
	datasetRowsPerInsert = 250
)

// encodeFlags writes the 21 flags as digits (0 unknown, 1 no, 2 yes), as the table stores them.
func encodeFlags(f *[stats.NumFlags]stats.Flag) string {
	var b [stats.NumFlags]byte
	for i, v := range f {
		b[i] = '0' + byte(v)
	}
	return string(b[:])
}

func decodeFlags(s string, f *[stats.NumFlags]stats.Flag) {
	for i := range f {
		f[i] = stats.FlagUnknown
		if i < len(s) && s[i] >= '0' && s[i] <= '2' {
			f[i] = stats.Flag(s[i] - '0')
		}
	}
}

func (tx *Tx) InsertDatasetRows(ctx context.Context, datasetID int64, rows []stats.Victim) error {
	for len(rows) > 0 {
		n := min(len(rows), datasetRowsPerInsert)
		var q strings.Builder
		q.WriteString(`INSERT INTO stats_ctdc_rows (dataset_id, year, sex, age_band, age_group, citizenship,
			exploitation_country, department, traffick_months, flags) VALUES `)
		args := make([]any, 0, n*datasetRowColumns)
		for i, v := range rows[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for c := range datasetRowColumns {
				if c > 0 {
					q.WriteByte(',')
				}
				q.WriteByte('$')
				q.WriteString(strconv.Itoa(len(args) + c + 1))
			}
			q.WriteByte(')')
			args = append(args, datasetID, v.Year, v.Sex, v.AgeBand, v.AgeGroup, v.Citizenship, v.ExploitationCountry,
				v.Department, v.TraffickMonths, encodeFlags(&v.Flags))
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func (tx *Tx) PublishDataset(ctx context.Context, datasetID, rows int64) (int64, error) {
	var owner int64
	var name string
	if err := tx.queryRow(ctx, `SELECT agency_id, name FROM stats_datasets WHERE id = $1 AND state = $2`,
		datasetID, datasetLoading).Scan(&owner, &name); err != nil {
		return 0, tx.scanErr(err)
	}
	var replaced int64
	err := tx.queryRow(ctx, `SELECT id FROM stats_datasets WHERE agency_id = $1 AND name = $2 AND state = $3`,
		owner, name, datasetReady).Scan(&replaced)
	if err == nil {
		if err := tx.DeleteDataset(ctx, replaced); err != nil {
			return 0, err
		}
	} else if err = tx.scanErr(err); !core.Is(err, core.NotFound) {
		return 0, err
	}
	res, err := tx.exec(ctx, `UPDATE stats_datasets SET state = $1, row_count = $2 WHERE id = $3`, datasetReady, rows, datasetID)
	if err != nil {
		return 0, err
	}
	return replaced, affected(res)
}

func (tx *Tx) DeleteDataset(ctx context.Context, datasetID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM stats_ctdc_rows WHERE dataset_id = $1`, datasetID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM stats_datasets WHERE id = $1`, datasetID)
	return err
}

func (tx *Tx) DeleteLoadingDatasets(ctx context.Context, ownerAgencyID int64, name string) error {
	rows, err := tx.query(ctx, `SELECT id FROM stats_datasets WHERE agency_id = $1 AND name = $2 AND state = $3`,
		ownerAgencyID, name, datasetLoading)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return tx.db.translateErr(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return tx.db.translateErr(err)
	}
	for _, id := range ids {
		if err := tx.DeleteDataset(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

const datasetColumns = `id, agency_id, name, file_name, layout, row_count, imported_by, imported_at`

func scanDataset(row interface{ Scan(...any) error }) (analysis.Dataset, error) {
	var d analysis.Dataset
	err := row.Scan(&d.ID, &d.AgencyID, &d.Name, &d.FileName, &d.Layout, &d.Rows, &d.ImportedBy, &d.ImportedAt)
	d.ImportedAt = utc(d.ImportedAt)
	return d, err
}

func (tx *Tx) ReadyDatasets(ctx context.Context) ([]analysis.Dataset, error) {
	rows, err := tx.query(ctx, `SELECT `+datasetColumns+` FROM stats_datasets WHERE state = $1 ORDER BY name, agency_id`, datasetReady)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []analysis.Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, d)
	}
	return out, tx.db.translateErr(rows.Err())
}

func (tx *Tx) ReadyDataset(ctx context.Context, datasetID int64) (analysis.Dataset, error) {
	d, err := scanDataset(tx.queryRow(ctx, `SELECT `+datasetColumns+` FROM stats_datasets WHERE id = $1 AND state = $2`,
		datasetID, datasetReady))
	if err != nil {
		return d, tx.scanErr(err)
	}
	return d, nil
}

func (tx *Tx) EachDatasetRow(ctx context.Context, datasetID int64, fn func(*stats.Victim) error) error {
	rows, err := tx.query(ctx, `SELECT year, sex, age_band, age_group, citizenship, exploitation_country, department,
		traffick_months, flags FROM stats_ctdc_rows WHERE dataset_id = $1`, datasetID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var v stats.Victim
	var flags string
	for rows.Next() {
		v.Reset()
		if err := rows.Scan(&v.Year, &v.Sex, &v.AgeBand, &v.AgeGroup, &v.Citizenship, &v.ExploitationCountry,
			&v.Department, &v.TraffickMonths, &flags); err != nil {
			return tx.db.translateErr(err)
		}
		decodeFlags(flags, &v.Flags)
		if err := fn(&v); err != nil {
			return err
		}
	}
	return tx.db.translateErr(rows.Err())
}
