// Package storetest gives tests a fresh, migrated database on each engine: a SQLite file in a
// temporary directory, and, when NANDUTI_TEST_POSTGRES names a server, a PostgreSQL schema of
// its own that is dropped afterwards. Under NANDUTI_CI=1 PostgreSQL is required.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the control connection

	"nanduti/internal/store"
	"nanduti/internal/testutil"
)

// PostgresURL returns NANDUTI_TEST_POSTGRES, failing the test in CI when it is not set.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("NANDUTI_TEST_POSTGRES")
	if u == "" && testutil.InCI() {
		t.Fatal("NANDUTI_TEST_POSTGRES must name a PostgreSQL server when NANDUTI_CI=1")
	}
	return u
}

// Each runs fn as a subtest once per available engine, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run(store.Postgres, func(t *testing.T) {
		u := PostgresURL(t)
		if u == "" {
			t.Skip("NANDUTI_TEST_POSTGRES is not set")
		}
		fn(t, OpenPostgres(t, u))
	})
}

// OpenSQLite returns a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return openAndMigrate(t, filepath.Join(t.TempDir(), "nanduti.db"))
}

// OpenPostgres returns a migrated database in a new schema of the server at serverURL.
func OpenPostgres(t testing.TB, serverURL string) *store.DB {
	t.Helper()
	dsn, _ := NewSchema(t, serverURL)
	return openAndMigrate(t, dsn)
}

// NewSchema creates an empty schema on the server and returns a connection URL whose
// search_path points at it; the schema is dropped when the test ends.
func NewSchema(t testing.TB, serverURL string) (dsn, schema string) {
	t.Helper()
	ctrl, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatalf("PostgreSQL at NANDUTI_TEST_POSTGRES: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema = "t_" + hex.EncodeToString(b)
	if _, err := ctrl.Exec(`CREATE SCHEMA ` + schema); err != nil {
		ctrl.Close()
		t.Fatalf("PostgreSQL at NANDUTI_TEST_POSTGRES: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctrl.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		ctrl.Close()
	})
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func openAndMigrate(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
