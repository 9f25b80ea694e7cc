package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to count independently
	_ "modernc.org/sqlite"             // the "sqlite" driver, likewise
)

// rawDB opens the test's database with a plain driver, to count what the tables should say
// without the code under test.
func rawDB(t *testing.T, dbArgs []string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", dbArgs[1]
	if dbArgs[0] == "--data" {
		driver, dsn = "sqlite", filepath.Join(dbArgs[1], "nanduti.db")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	return n
}

// csvTotal is the grand total of a one-dimension table in CSV.
func csvTotal(t *testing.T, out string) string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, r := range rows {
		if r[0] == "Total" {
			return r[1]
		}
	}
	t.Fatalf("no Total line in\n%s", out)
	return ""
}

// The demo's case database counted from the command line: everything for the system actor and
// a system administrator, the prosecutor's office's own and shared cases for its analyst, no
// statistics for an investigator; each export audited; counts checked against SQL written
// independently (the demo has no merges, so distinct persons are distinct identities).
func TestCLIStatsTableCaseDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		dbArgs = append(dbArgs, "--kek-file", filepath.Join(t.TempDir(), "kek.json"))
		if code, _, errs := run(t, "", append([]string{"demo", "--no-serve"}, dbArgs...)...); code != 0 {
			t.Fatalf("demo: %d %s", code, errs)
		}
		raw := rawDB(t, dbArgs)
		all := count(t, raw, `SELECT count(DISTINCT person_id) FROM case_persons WHERE victim_status = 'actual'`)
		mp := count(t, raw, `SELECT count(DISTINCT cp.person_id) FROM case_persons cp JOIN cases c ON c.id = cp.case_id
			JOIN agencies a ON a.code = 'MP'
			WHERE cp.victim_status = 'actual' AND (c.agency_id = a.id OR c.id IN (SELECT case_id FROM case_shares WHERE agency_id = a.id))`)
		// Presumed victims: status possible in a case in scope, actual in none.
		allPresumed := count(t, raw, `SELECT count(DISTINCT person_id) FROM case_persons WHERE victim_status = 'possible'
			AND person_id NOT IN (SELECT person_id FROM case_persons WHERE victim_status = 'actual')`)
		mpPresumed := count(t, raw, `SELECT count(DISTINCT person_id) FROM case_persons WHERE victim_status = 'possible'
			AND case_id IN (SELECT c.id FROM cases c JOIN agencies a ON a.code = 'MP'
				WHERE c.agency_id = a.id OR c.id IN (SELECT case_id FROM case_shares WHERE agency_id = a.id))
			AND person_id NOT IN (SELECT person_id FROM case_persons WHERE victim_status = 'actual' AND case_id IN (
				SELECT c.id FROM cases c JOIN agencies a ON a.code = 'MP'
				WHERE c.agency_id = a.id OR c.id IN (SELECT case_id FROM case_shares WHERE agency_id = a.id)))`)
		if all == 0 || mp == 0 || mpPresumed == 0 || mpPresumed >= allPresumed {
			t.Fatalf("the demo should have victims in the prosecutor's cases and presumed victims beyond them: %d %d %d %d",
				all, mp, mpPresumed, allPresumed)
		}
		table := func(args ...string) (int, string, string) {
			return run(t, "", append(append([]string{"stats", "table", "--format", "csv", "--suppress", "3"}, args...), dbArgs...)...)
		}
		text := func(n int) string {
			if n < 3 {
				return "<3"
			}
			return strconv.Itoa(n)
		}
		code, out, errs := table("--source", "db", "--by", "year")
		if code != 0 || csvTotal(t, out) != text(all) || !strings.Contains(errs, "every agency's cases (system actor)") {
			t.Errorf("system actor: %d, total %q want %d\n%s\n%s", code, csvTotal(t, out), all, out, errs)
		}
		if code, out, errs := table("--source", "db", "--by", "sex", "--as", "admin@nanduti.example"); code != 0 || csvTotal(t, out) != text(all) {
			t.Errorf("system administrator: %d %s %s", code, out, errs)
		}
		code, out, errs = table("--source", "db", "--by", "exploitation", "--as", "analista@nanduti.example")
		if code != 0 || csvTotal(t, out) != text(mp) || !strings.Contains(errs, "analista@nanduti.example") {
			t.Errorf("the prosecutor's analyst: %d, total %q want %d\n%s\n%s", code, csvTotal(t, out), mp, out, errs)
		}
		if code, _, errs := table("--source", "db", "--by", "year", "--as", "investigador@nanduti.example"); code != 1 ||
			!strings.Contains(errs, "may not use statistics") {
			t.Errorf("an investigator: %d %s", code, errs)
		}
		if code, _, errs := table("--source", "db", "--by", "year", "--as", "nadie@nanduti.example"); code != 2 ||
			!strings.Contains(errs, `no user has the email "nadie@nanduti.example"`) {
			t.Errorf("an unknown user: %d %s", code, errs)
		}
		if code, out, _ := table("--source", "db:presumed", "--by", "age_group"); code != 0 ||
			!strings.HasPrefix(out, "age_group,value,suppression,threshold\n") || csvTotal(t, out) != text(allPresumed) {
			t.Errorf("presumed victims: %d, want %d\n%s", code, allPresumed, out)
		}
		if code, out, _ := table("--source", "db:presumed", "--by", "year", "--as", "analista@nanduti.example"); code != 0 ||
			csvTotal(t, out) != text(mpPresumed) {
			t.Errorf("the analyst's presumed victims: %d, want %d\n%s", code, mpPresumed, out)
		}
		// The PDF report of the analyst's scope.
		pdf := filepath.Join(t.TempDir(), "informe.pdf")
		year := strconv.Itoa(time.Now().Year())
		if code, _, errs := run(t, "", append([]string{"stats", "report", "--year", year, "--source", "db", "--as", "analista@nanduti.example",
			"--out", pdf}, dbArgs...)...); code != 0 {
			t.Errorf("report: %d %s", code, errs)
		}
		if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("report file: %v", err)
		}
		// Six exports succeeded (five tables and the report), each in the audit chain.
		if n := count(t, raw, `SELECT count(*) FROM audit_log WHERE action = 'stats.export' AND object_id IN ('db', 'db:presumed')`); n != 6 {
			t.Errorf("%d case-database exports audited, want 6", n)
		}
	})
}

// Proceedings from the command line: investigations (cases opened) counted as independent SQL
// counts them, disclosure-controlled, audited with the table's name, refused for a role
// without statistics and for an unknown table.
func TestCLIStatsCasesProceedings(t *testing.T) {
	eachDB(t, func(t *testing.T, dbArgs []string) {
		dbArgs = append(dbArgs, "--kek-file", filepath.Join(t.TempDir(), "kek.json"))
		if code, _, errs := run(t, "", append([]string{"demo", "--no-serve"}, dbArgs...)...); code != 0 {
			t.Fatalf("demo: %d %s", code, errs)
		}
		raw := rawDB(t, dbArgs)
		code, out, errs := run(t, "", append([]string{"stats", "cases", "--table", "proceedings", "--suppress", "3"}, dbArgs...)...)
		if code != 0 {
			t.Fatalf("stats cases: %d %q", code, errs)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		investigations := ""
		for _, r := range rows {
			if r[0] == "Total" && r[1] == "Investigation" {
				investigations = r[2]
			}
		}
		if want := strconv.Itoa(count(t, raw, `SELECT count(*) FROM cases WHERE opened_on <> ''`)); investigations != want {
			t.Errorf("investigations %q, want %s (the demo cases that were opened)\n%s", investigations, want, out)
		}
		if n := count(t, raw, `SELECT count(*) FROM audit_log WHERE action = 'stats.export' AND fields LIKE '%table:proceedings%'`); n != 1 {
			t.Errorf("%d audit rows for the proceedings export, want 1", n)
		}
		if code, _, errs := run(t, "", append([]string{"stats", "cases", "--table", "proceedings", "--as", "investigador@nanduti.example"}, dbArgs...)...); code != 1 || !strings.Contains(errs, "may not use statistics") {
			t.Errorf("investigator: %d %q", code, errs)
		}
		if code, _, errs := run(t, "", append([]string{"stats", "cases", "--table", "victims"}, dbArgs...)...); code != 2 || !strings.Contains(errs, "--table must be one of") {
			t.Errorf("unknown table: %d %q", code, errs)
		}
	})
}
