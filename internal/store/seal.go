package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"nanduti/internal/seal"
)

// Seal returns the key manager's view of the database.
func (db *DB) Seal() seal.Store { return sealStore{db} }

type sealStore struct{ db *DB }

func (s sealStore) Read(ctx context.Context, fn func(seal.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s sealStore) Write(ctx context.Context, fn func(seal.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// sealedTables are the tables whose rows carry a data key wrapped by a key-encryption key, in
// columns id, kek_id and data_key (kek_id empty for a row that seals nothing). A module that
// seals a table of its own adds it here.
var sealedTables = []string{"persons", "case_notes"}

func (tx *Tx) SealedTables() []string { return slices.Clone(sealedTables) }

func checkSealedTable(table string) error {
	if !slices.Contains(sealedTables, table) {
		return fmt.Errorf("store: %q is not a sealed table", table)
	}
	return nil
}

func (tx *Tx) KeyUsage(ctx context.Context) ([]seal.Usage, error) {
	var out []seal.Usage
	for _, table := range sealedTables {
		rows, err := tx.query(ctx, `SELECT kek_id, count(*) FROM `+table+` WHERE kek_id <> '' GROUP BY kek_id ORDER BY kek_id`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			u := seal.Usage{Table: table}
			if err := rows.Scan(&u.KEKID, &u.Rows); err != nil {
				rows.Close()
				return nil, tx.db.translateErr(err)
			}
			out = append(out, u)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
	}
	return out, nil
}

func (tx *Tx) WrappedKeysUnder(ctx context.Context, table, kekID string, limit int) ([]seal.WrappedKey, error) {
	if err := checkSealedTable(table); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT id, kek_id, data_key FROM `+table+` WHERE kek_id = $1 ORDER BY id LIMIT $2`, kekID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []seal.WrappedKey
	for rows.Next() {
		w := seal.WrappedKey{Table: table}
		if err := rows.Scan(&w.RowID, &w.KEKID, &w.Wrapped); err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, w)
	}
	return out, tx.db.translateErr(rows.Err())
}

// SetWrappedKey changes nothing when the row is no longer under oldKEK: a server re-wrapped
// it meanwhile, which is as good.
func (tx *Tx) SetWrappedKey(ctx context.Context, table string, rowID int64, oldKEK, newKEK string, wrapped []byte) error {
	if err := checkSealedTable(table); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE `+table+` SET kek_id = $1, data_key = $2 WHERE id = $3 AND kek_id = $4`,
		newKEK, wrapped, rowID, oldKEK)
	return err
}

func (tx *Tx) IndexKeyID(ctx context.Context) (string, error) {
	var v string
	err := tx.queryRow(ctx, `SELECT value FROM seal_settings WHERE name = 'index_key_id'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, tx.db.translateErr(err)
}

func (tx *Tx) SetIndexKeyID(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `INSERT INTO seal_settings (name, value) VALUES ('index_key_id', $1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, id)
	return err
}
