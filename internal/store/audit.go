package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"nanduti/internal/audit"
	"nanduti/internal/core"
)

// Audit returns the audit domain's view of the database.
func (db *DB) Audit() audit.Store { return auditStore{db} }

type auditStore struct{ db *DB }

func (s auditStore) Read(ctx context.Context, fn func(audit.Tx) error) error {
	return s.db.ReadTx(ctx, func(tx *Tx) error { return fn(tx) })
}

// AppendAudit adds a row to the chain within this transaction. The previous row is read under
// a lock (PostgreSQL's advisory lock; SQLite's write transactions are already exclusive), so
// concurrent transactions append one after another and the chain never forks.
func (tx *Tx) AppendAudit(ctx context.Context, actor core.Actor, at time.Time, e audit.Entry) error {
	if tx.db.auditLock != "" {
		if _, err := tx.exec(ctx, tx.db.auditLock); err != nil {
			return err
		}
	}
	var prev *audit.Record
	var p audit.Record
	err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&p.Seq, &p.Hash)
	switch {
	case err == nil:
		prev = &p
	case !errors.Is(err, sql.ErrNoRows):
		return tx.db.translateErr(err)
	}
	r := audit.Record{At: at, ActorUserID: actor.UserID, ActorAgencyID: actor.AgencyID, Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, ObjectAgencyID: e.ObjectAgencyID, Fields: e.Fields}
	audit.Seal(&r, prev)
	_, err = tx.exec(ctx, `INSERT INTO audit_log (seq, at, actor_user_id, actor_agency_id, action, object_type, object_id,
		object_agency_id, fields, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.Seq, r.At, r.ActorUserID, r.ActorAgencyID, r.Action, r.ObjectType, r.ObjectID, r.ObjectAgencyID,
		audit.JoinFields(r.Fields), r.PrevHash, r.Hash)
	return err
}

const auditColumns = `seq, at, actor_user_id, actor_agency_id, action, object_type, object_id, object_agency_id, fields, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (audit.Record, error) {
	var r audit.Record
	var fields string
	err := row.Scan(&r.Seq, &r.At, &r.ActorUserID, &r.ActorAgencyID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.ObjectAgencyID, &fields, &r.PrevHash, &r.Hash)
	r.At = utc(r.At)
	r.Fields = audit.SplitFields(fields)
	return r, err
}

// ListAudit returns up to f.Limit rows, newest first, before f.BeforeSeq when it is set, and
// only rows of f.AgencyID's staff or records when it is set.
func (tx *Tx) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	return collect(tx, ctx, `SELECT `+auditColumns+` FROM audit_log
		WHERE ($1 = 0 OR actor_agency_id = $1 OR object_agency_id = $1)
		  AND ($2 = 0 OR seq < $2)
		  AND ($3 = '' OR action = $3)
		ORDER BY seq DESC LIMIT $4`, []any{f.AgencyID, f.BeforeSeq, f.Action, f.Limit},
		func(r *sql.Rows) (audit.Record, error) { return scanAudit(r) })
}

// EachAudit calls fn for every row in sequence order, streaming.
func (tx *Tx) EachAudit(ctx context.Context, fn func(audit.Record) error) error {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return tx.db.translateErr(err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return tx.db.translateErr(rows.Err())
}
