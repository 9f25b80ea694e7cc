package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/stats/analysis"
	"nanduti/internal/store"
)

func benchInt(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q is not a positive number", name, v)
		}
		return n
	}
	return def
}

// baselineVictimsByYear is the national victims table by year written as one GROUP BY (each
// person once, dated by the earliest case in which they are an actual victim); with no merges
// and every case in scope it gives what the service gives.
const baselineVictimsByYear = `SELECT substr(first, 1, 4), count(*) FROM (
	SELECT cp.person_id, MIN(c.reported_on) AS first FROM case_persons cp JOIN cases c ON c.id = cp.case_id
	WHERE cp.victim_status = 'actual' GROUP BY cp.person_id) v GROUP BY 1 ORDER BY 1`

// BenchmarkCaseVictimsTable times the national victims table by year from the case database
// on SQLite, through the statistics service (scope, merges, one record per person, tabulation
// and disclosure control), against the same count written as one GROUP BY and run directly
// through database/sql, and through the sqlite3 command-line tool when it is installed, in the
// same run. Sizes: NANDUTI_BENCH_PERSONS (1,000,000 persons), six persons in each case (five
// victims, one suspect), one person in five in two cases.
//
//	go test -run '^$' -bench CaseVictimsTable -benchtime 1x -timeout 60m ./internal/store/
func BenchmarkCaseVictimsTable(b *testing.B) {
	nPersons := benchInt(b, "NANDUTI_BENCH_PERSONS", 1_000_000)
	nCaseRows := nPersons + nPersons/5
	nCases := nCaseRows / 6
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "nanduti.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	at := "'2026-01-05 12:00:00+00:00'"
	stmts := []string{
		`INSERT INTO task_forces (id, name, created_at) VALUES (1, 'Mesa de medición', ` + at + `)`,
		`INSERT INTO agencies (id, task_force_id, code, name, kind, created_at) VALUES (1, 1, 'MTESS', 'MTESS', 'labour', ` + at + `),
			(2, 1, 'PN', 'PN', 'police', ` + at + `), (3, 1, 'MP', 'MP', 'prosecution', ` + at + `)`,
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO persons (id, agency_id, pseudonym, kind, gender, age_at_identification, birth_year, citizenship,
				kek_id, data_key, given_names, paternal_surname, maternal_surname, other_names, birth_date, document,
				nationality_documents, phones, addresses, version, created_by, created_at, updated_at)
			SELECT i, 1 + i %% 3, 'V-2025-' || printf('%%07d', i), 'victim',
				CASE i %% 3 WHEN 0 THEN 'Feminine' WHEN 1 THEN 'Masculine' ELSE 'NonSpecifiedUnknown' END,
				CASE WHEN i %% 7 = 0 THEN NULL ELSE 8 + i %% 50 END, 0, CASE i %% 5 WHEN 0 THEN ',BRA,' ELSE ',PRY,' END,
				'k', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', 1, 1, %s, %s FROM n`, nPersons, at, at),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO cases (id, agency_id, number, year, seq, title, status, exploitation, sector, department, district,
				reported_on, opened_on, closed_on, source, sensitive, version, created_by, created_at, updated_at)
			SELECT i, 1 + i %% 3, 'C-' || i, 2020 + i %% 6, i, 'Caso de medición', 'reported',
				CASE i %% 4 WHEN 0 THEN ',SexualExploitation,' WHEN 1 THEN ',ForcedLabour,Criadazgo,' ELSE ',ForcedLabour,' END,
				'A', printf('%%02d', i %% 18), '', date('2020-01-01', '+' || (i %% 2190) || ' days'), '', '', 'inspection', 0, 1, 1,
				%s, %s FROM n`, nCases, at, at),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO case_persons (case_id, person_id, role, perpetrator_roles, victim_status, status_decided_by, agency_id,
				created_by, created_at)
			SELECT 1 + (i - 1) / 6, 1 + ((i - 1) * 7) %% %d, CASE i %% 6 WHEN 0 THEN 'suspect' ELSE 'victim' END, '',
				CASE i %% 6 WHEN 0 THEN '' ELSE 'actual' END, '', 1, 1, %s FROM n`, nCases*6, nPersons, at),
		`ANALYZE`,
	}
	for _, s := range stmts {
		if err := db.ExecForTest(ctx, s); err != nil {
			b.Fatalf("generate: %v\n%s", err, s)
		}
	}
	b.Logf("generated %d persons, %d cases, %d persons in cases in %s", nPersons, nCases, nCases*6, time.Since(start).Round(time.Second))

	svc := analysis.New(db.Analysis(), analysis.Config{Cases: db.CaseStats()})
	req := analysis.Request{Source: analysis.SourceDB, Threshold: 5}
	spec := []analysis.Spec{{ID: "year", By: []string{"year"}}}
	var counted int64
	service := func() {
		docs, err := svc.Tables(ctx, core.SystemActor, req, spec)
		if err != nil {
			b.Fatal(err)
		}
		counted = docs[0].Counted
	}
	raw, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var baseline int64
	direct := func() {
		rows, err := raw.Query(baselineVictimsByYear)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		baseline = 0
		for rows.Next() {
			var y string
			var n int64
			if err := rows.Scan(&y, &n); err != nil {
				b.Fatal(err)
			}
			baseline += n
		}
	}
	cli, _ := exec.LookPath("sqlite3")
	var cliTotal int64
	tool := func() {
		out, err := exec.Command(cli, "-readonly", path, baselineVictimsByYear).Output()
		if err != nil {
			b.Fatal(err)
		}
		cliTotal = 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			_, n, _ := strings.Cut(line, "|")
			v, _ := strconv.ParseInt(n, 10, 64)
			cliTotal += v
		}
	}
	best := func(fn func()) time.Duration {
		d := time.Duration(1 << 62)
		for range 3 {
			t0 := time.Now()
			fn()
			d = min(d, time.Since(t0))
		}
		return d
	}
	// Warm the page cache once, then interleave.
	direct()
	b.ResetTimer()
	for range b.N {
		tService, tDirect := best(service), best(direct)
		if counted != baseline {
			b.Fatalf("the service counted %d victims, the GROUP BY %d", counted, baseline)
		}
		b.ReportMetric(float64(tService.Milliseconds()), "service-ms")
		b.ReportMetric(float64(tDirect.Milliseconds()), "groupby-ms")
		b.ReportMetric(float64(tService)/float64(tDirect), "ratio")
		msg := fmt.Sprintf("%d victims: service %s, GROUP BY through database/sql %s (ratio %.2f)", counted,
			tService.Round(time.Millisecond), tDirect.Round(time.Millisecond), float64(tService)/float64(tDirect))
		if cli != "" {
			tTool := best(tool)
			if cliTotal != counted {
				b.Fatalf("sqlite3 counted %d victims, the service %d", cliTotal, counted)
			}
			b.ReportMetric(float64(tTool.Milliseconds()), "sqlite3-ms")
			msg += fmt.Sprintf(", sqlite3 tool %s (ratio %.2f)", tTool.Round(time.Millisecond), float64(tService)/float64(tTool))
		}
		b.Log(msg)
	}
}
