// Package store is the SQL implementation of every domain's storage interface. The queries
// are written once, in PostgreSQL's dialect; the small engine packages (sqlite, postgres)
// supply what differs: opening, bind-variable syntax, error codes and migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/store/postgres"
	"nanduti/internal/store/sqlite"
)

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is an open database of either engine.
type DB struct {
	engine     string
	writer     *sql.DB
	reader     *sql.DB
	rebind     func(string) string
	translate  func(error) error
	migrations fs.FS
	auditLock  string
	queries    sync.Map // original query -> rebound query
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL for PostgreSQL,
// otherwise the path of a SQLite file (created if missing, in a directory created if
// missing). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		sub, _ := fs.Sub(postgres.Migrations, "migrations")
		return &DB{engine: Postgres, writer: db, reader: db, rebind: func(q string) string { return q },
			translate: postgres.TranslateError, migrations: sub, auditLock: postgres.AuditLock}, nil
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	w, r, err := sqlite.Open(dsn)
	if err != nil {
		return nil, err
	}
	sub, _ := fs.Sub(sqlite.Migrations, "migrations")
	return &DB{engine: SQLite, writer: w, reader: r, rebind: sqlite.Rebind,
		translate: sqlite.TranslateError, migrations: sub}, nil
}

// Engine reports which engine the database runs on.
func (db *DB) Engine() string { return db.engine }

// Close closes the pools.
func (db *DB) Close() error {
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Ping checks that the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.reader.PingContext(ctx) }

// q returns query in the engine's bind-variable style, converting each query once.
func (db *DB) q(query string) string {
	if v, ok := db.queries.Load(query); ok {
		return v.(string)
	}
	r := db.rebind(query)
	db.queries.Store(query, r)
	return r
}

// Tx is one transaction. It implements the Tx interfaces of the domain packages.
type Tx struct {
	db *DB
	tx *sql.Tx
}

func (db *DB) run(ctx context.Context, write bool, fn func(*Tx) error) (err error) {
	pool := db.reader
	opts := &sql.TxOptions{ReadOnly: !write}
	if write {
		pool = db.writer
	}
	if db.engine == SQLite {
		opts = nil // read-only is enforced by the reader pool's connections
	}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return db.translateErr(err)
	}
	tx := &Tx{db: db, tx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	return db.translateErr(sqlTx.Commit())
}

// ReadTx runs fn in a read-only transaction.
func (db *DB) ReadTx(ctx context.Context, fn func(*Tx) error) error { return db.run(ctx, false, fn) }

// WriteTx runs fn in a read-write transaction; an error from fn rolls it back.
func (db *DB) WriteTx(ctx context.Context, fn func(*Tx) error) error { return db.run(ctx, true, fn) }

// translateErr turns driver errors into project errors; project errors pass through.
func (db *DB) translateErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if t := db.translate(err); t != err {
		return t
	}
	return core.Wrap(core.Internal, "error.internal", err)
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := tx.tx.ExecContext(ctx, tx.db.q(query), args...)
	return res, tx.db.translateErr(err)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, tx.db.q(query), args...)
	return rows, tx.db.translateErr(err)
}

// collect runs a query and scans every row with scan; every list query of the store uses it.
func collect[T any](tx *Tx, ctx context.Context, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, tx.db.translateErr(err)
		}
		out = append(out, v)
	}
	return out, tx.db.translateErr(rows.Err())
}

// scanErr translates a QueryRow scan error: no rows is NotFound.
func (tx *Tx) scanErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return tx.db.translateErr(err)
}

// insertID runs an INSERT ... RETURNING id and returns the id.
func (tx *Tx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, query, args...).Scan(&id); err != nil {
		return 0, tx.scanErr(err)
	}
	return id, nil
}

// affected returns NotFound when a statement changed no row.
func affected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return core.Errorf(core.NotFound, "error.not_found")
	}
	return nil
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// utc normalises times read from either engine.
func utc(t time.Time) time.Time { return t.UTC() }

// Migrate applies the engine's migrations that have not been applied yet, each in its own
// transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	names, err := fs.Glob(db.migrations, "*.sql")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	applied := 0
	for _, name := range names {
		var version int
		if _, err := fmt.Sscanf(name, "%d_", &version); err != nil {
			return applied, fmt.Errorf("migration %s: name must start with a number", name)
		}
		body, err := fs.ReadFile(db.migrations, name)
		if err != nil {
			return applied, err
		}
		did, err := db.migrateOne(ctx, version, name, string(body))
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		if did {
			applied++
		}
	}
	return applied, nil
}

func (db *DB) migrateOne(ctx context.Context, version int, name, body string) (bool, error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if db.engine == Postgres {
		if _, err := tx.ExecContext(ctx, postgres.MigrationLock); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT count(*) FROM schema_migrations WHERE version = $1`), version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`),
		version, name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// ExecForTest runs a statement outside the domain interfaces. Tests use it to tamper with the
// database as an intruder would; nothing in the product calls it.
func (db *DB) ExecForTest(ctx context.Context, query string) error {
	_, err := db.writer.ExecContext(ctx, query)
	return err
}
