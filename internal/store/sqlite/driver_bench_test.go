//go:build driverbench

// The benchmark that chose the SQLite driver: modernc.org/sqlite (pure Go) against
// github.com/mattn/go-sqlite3 (cgo), on the operations the store does most. Run with
//
//	go test -tags driverbench -run '^$' -bench Driver -benchtime 2s ./internal/store/sqlite/
//
// Results and the decision are in docs/benchmarks.md.
package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

var drivers = []struct{ name, driver, dsn string }{
	{"modernc", "sqlite", "file:%s?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)"},
	{"mattn", "sqlite3", "file:%s?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000"},
}

func open(b *testing.B, driver, dsn string) *sql.DB {
	db, err := sql.Open(driver, fmt.Sprintf(dsn, filepath.Join(b.TempDir(), "bench.db")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, roles TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkDriverInsertTx: one transaction per row, as a service call writes a change and its
// audit row.
func BenchmarkDriverInsertTx(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO t (email, name, roles) VALUES (?, ?, ?)`, fmt.Sprintf("u%d@x.example", i), "Nombre Apellido", "investigator"); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDriverPointRead: a lookup by unique key, as every authenticated request does.
func BenchmarkDriverPointRead(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			tx, _ := db.Begin()
			for i := 0; i < 10000; i++ {
				tx.Exec(`INSERT INTO t (email, name, roles) VALUES (?, ?, ?)`, fmt.Sprintf("u%d@x.example", i), "Nombre Apellido", "investigator")
			}
			tx.Commit()
			b.ResetTimer()
			var name, roles string
			for i := 0; i < b.N; i++ {
				if err := db.QueryRow(`SELECT name, roles FROM t WHERE email = ?`, fmt.Sprintf("u%d@x.example", i%10000)).Scan(&name, &roles); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDriverScan: reading many rows, as lists and exports do.
func BenchmarkDriverScan(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			db := open(b, d.driver, d.dsn)
			tx, _ := db.Begin()
			for i := 0; i < 10000; i++ {
				tx.Exec(`INSERT INTO t (email, name, roles) VALUES (?, ?, ?)`, fmt.Sprintf("u%d@x.example", i), "Nombre Apellido", "investigator")
			}
			tx.Commit()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rows, err := db.Query(`SELECT id, email, name, roles FROM t`)
				if err != nil {
					b.Fatal(err)
				}
				var id int64
				var e, n, r string
				for rows.Next() {
					rows.Scan(&id, &e, &n, &r)
				}
				rows.Close()
			}
		})
	}
}
