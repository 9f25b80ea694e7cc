// Package sqlite opens the embedded SQLite database and knows its peculiarities: connection
// settings, bind-variable syntax, error codes and its own migrations.
package sqlite

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"nanduti/internal/core"
)

// Migrations are the schema changes for SQLite, applied in file-name order.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Open returns two pools on the database file at path: a writer with a single connection whose
// transactions take the write lock at BEGIN (so two writers never deadlock upgrading read locks
// and audit rows are appended strictly in order), and readers that run concurrently with it
// under WAL.
func Open(path string) (writer, reader *sql.DB, err error) {
	dsn := func(extra string) string {
		v := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
			v.Add("_pragma", p)
		}
		if extra != "" {
			v.Add("_txlock", extra)
		}
		return "file:" + escapePath(path) + "?" + v.Encode()
	}
	writer, err = sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, nil, err
	}
	writer.SetMaxOpenConns(1)
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	reader, err = sql.Open("sqlite", dsn("")+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, nil, err
	}
	reader.SetMaxOpenConns(8)
	return writer, reader, nil
}

// escapePath makes a file path safe inside a file: URI, where "?" would start the parameters
// and "#" a fragment, silently opening another file.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

var dollarParam = regexp.MustCompile(`\$(\d+)`)

// Rebind turns PostgreSQL-style $1 bind variables, in which the store's queries are written,
// into SQLite's numbered ?1 form. (SQLite would read $1 as a named parameter and number it by
// first appearance, which silently misbinds a query that uses $2 before $1.)
func Rebind(query string) string { return dollarParam.ReplaceAllString(query, "?$1") }

// TranslateError maps SQLite errors to the project's error codes.
func TranslateError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return core.Wrap(core.Conflict, "error.conflict", err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
		return core.Wrap(core.Invalid, "error.invalid", err)
	}
	return err
}
