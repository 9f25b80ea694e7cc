// Package postgres opens a PostgreSQL database through pgx and knows its error codes and its
// own migrations.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"nanduti/internal/core"
)

// Migrations are the schema changes for PostgreSQL, applied in file-name order.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Open connects to url (postgres://...). One pool serves readers and writers; PostgreSQL
// handles concurrent writers itself.
func Open(ctx context.Context, url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// AuditLock serialises appends to the audit chain across transactions and server nodes; the
// lock is released when the transaction ends.
const AuditLock = "SELECT pg_advisory_xact_lock(7346151001)"

// MigrationLock keeps two nodes starting at once from migrating at the same time.
const MigrationLock = "SELECT pg_advisory_xact_lock(7346151002)"

// TranslateError maps PostgreSQL errors to the project's error codes.
func TranslateError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		return core.Wrap(core.Conflict, "error.conflict", err)
	case "23503", "23502", "23514", "22P02":
		return core.Wrap(core.Invalid, "error.invalid", err)
	case "40001", "40P01":
		return core.Wrap(core.Conflict, "error.conflict", err)
	}
	return err
}
