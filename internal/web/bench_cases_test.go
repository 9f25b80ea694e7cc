package web_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"nanduti/internal/accounts"
	"nanduti/internal/audit"
	"nanduti/internal/cases"
	"nanduti/internal/casewire"
	"nanduti/internal/core"
	"nanduti/internal/seal"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
	"nanduti/internal/web"
)

// benchSize reads a size from the environment, with a default.
func benchSize(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s must be a positive number", name)
	}
	return n
}

// BenchmarkCasePages measures the case list and the case page on SQLite with 200,000 cases
// and 1,000,000 persons (NANDUTI_BENCH_CASES and NANDUTI_BENCH_PERSONS change the sizes),
// against GET /healthz through the same server in the same run. It is a benchmark, so the
// normal test run leaves it out; run it with
//
//	go test -run '^$' -bench CasePages -benchtime 1x -timeout 60m ./internal/web/
//
// The data is generated in SQL (recursive common table expressions, one statement per
// table): every case has five persons and a status change; a fifth of the labour ministry's
// cases are shared operationally with the police. Persons carry stand-in ciphertexts, so
// the pages measured are those that show pseudonyms (the owner's overview and list, the
// police's list and persons tab): opening identities is a cost of the key ring, measured in
// the persons benchmarks, not of the case pages.
func BenchmarkCasePages(b *testing.B) {
	nCases := benchSize(b, "NANDUTI_BENCH_CASES", 200_000)
	nPersons := benchSize(b, "NANDUTI_BENCH_PERSONS", 1_000_000)
	requests := benchSize(b, "NANDUTI_BENCH_REQUESTS", 400)
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	acc := accounts.New(db.Accounts(), accounts.Config{Password: cheap, SecondFactorWaived: true})
	tf, err := acc.EnsureTaskForce(ctx, core.SystemActor, "Mesa de medición", "")
	if err != nil {
		b.Fatal(err)
	}
	agency := func(code string, kind core.AgencyKind) core.Agency {
		a, err := acc.CreateAgency(ctx, core.SystemActor, accounts.NewAgency{TaskForceID: tf.ID, Code: code, Name: code, Kind: kind})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	labour, police, prosecution := agency("MTESS", core.AgencyLabour), agency("PN", core.AgencyPolice), agency("MP", core.AgencyProsecution)
	user := func(a core.Agency, email string, role core.Role) core.User {
		u, err := acc.CreateUser(ctx, core.SystemActor, accounts.NewUser{AgencyID: a.ID, Email: email, Name: "Medición " + email,
			Roles: []core.Role{role}, Password: password})
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	inspector := user(labour, "inspectora@medicion.example", core.RoleLabourInspector)
	officer := user(police, "policia@medicion.example", core.RoleInvestigator)

	start := time.Now()
	generateCases(b, db, nCases, nPersons, labour.ID, police.ID, prosecution.ID, inspector.ID)
	b.Logf("generated %d cases, %d persons, %d case persons in %s", nCases, nPersons, 5*nCases, time.Since(start).Round(time.Second))

	ring, err := seal.CreateRing(b.TempDir() + "/kek.json")
	if err != nil {
		b.Fatal(err)
	}
	wired := casewire.New(db, ring, casewire.Config{})
	srv, err := web.New(web.Config{Accounts: acc, Audit: audit.NewService(db.Audit()), Ping: db.Ping, Version: "bench", Cases: wired.Cases})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	login := func(email string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(ts.URL+"/login", url.Values{"email": {email}, "password": {password}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("login %s: %v %v", email, resp, err)
		}
		resp.Body.Close()
		return c
	}
	insp, pol := login(inspector.Email), login(officer.Email)

	// Cases to open: the labour ministry's own (every fourth id is the police's or the
	// prosecutor's, see generateCases) and those it shares with the police.
	ownCase := func(i int) string { return strconv.Itoa(((i*7919)%(nCases/4))*4 + 1) }
	sharedCase := func(i int) string { return strconv.Itoa(((i*104729)%(nCases/20))*20 + 1) }
	pages := []struct {
		name   string
		client *http.Client
		path   func(i int) string
		want   string
	}{
		{"GET /healthz (baseline)", insp, func(int) string { return "/healthz" }, ""},
		{"GET /cases (labour inspector, owner)", insp, func(int) string { return "/cases" }, "case-table"},
		{"GET /cases (police, own and shared)", pol, func(int) string { return "/cases" }, "case-table"},
		{"GET /cases?status=screening&department=11", insp, func(int) string { return "/cases?status=screening&department=11" }, "case-table"},
		{"GET /cases/{id} (owner's overview)", insp, func(i int) string { return "/cases/" + ownCase(i) }, "case-title"},
		{"GET /cases/{id}/persons (police, pseudonyms)", pol, func(i int) string { return "/cases/" + sharedCase(i) + "/persons" }, "pseudonym-notice"},
	}
	get := func(c *http.Client, path, want string) time.Duration {
		t0 := time.Now()
		resp, err := c.Get(ts.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return d
	}
	// Warm up, then interleave the pages so that each sees the same state of the machine.
	for i := 0; i < 20; i++ {
		for _, p := range pages {
			get(p.client, p.path(i), p.want)
		}
	}
	samples := make([][]time.Duration, len(pages))
	b.ResetTimer()
	for i := 0; i < requests; i++ {
		for j, p := range pages {
			samples[j] = append(samples[j], get(p.client, p.path(i+100), p.want))
		}
	}
	b.StopTimer()
	pct := func(s []time.Duration, q float64) time.Duration { return s[int(q*float64(len(s)-1))] }
	for j := range samples {
		slices.Sort(samples[j])
	}
	base := samples[0]
	var out strings.Builder
	fmt.Fprintf(&out, "\n%d cases, %d persons, %d requests per page, SQLite\n", nCases, nPersons, requests)
	fmt.Fprintf(&out, "| %-52s | %9s | %9s | %9s | %-22s |\n", "page", "p50", "p95", "p99", "ratio to baseline")
	for j, p := range pages {
		s := samples[j]
		fmt.Fprintf(&out, "| %-52s | %9s | %9s | %9s | %5.1f× %5.1f× %5.1f× |\n", p.name,
			pct(s, .50).Round(10*time.Microsecond), pct(s, .95).Round(10*time.Microsecond), pct(s, .99).Round(10*time.Microsecond),
			float64(pct(s, .50))/float64(pct(base, .50)), float64(pct(s, .95))/float64(pct(base, .95)), float64(pct(s, .99))/float64(pct(base, .99)))
	}
	fmt.Print(out.String())
	b.ReportMetric(float64(pct(samples[1], .95).Microseconds()), "list-p95-µs")
	b.ReportMetric(float64(pct(samples[4], .95).Microseconds()), "page-p95-µs")
}

// generateCases fills the database in SQL. Case i belongs to the labour ministry when i is
// 1 modulo 4 or 0 modulo 4, to the police when 2 modulo 4, to the prosecutor's office when 3
// modulo 4; case i with i 1 modulo 20 is shared with the police at operational level.
func generateCases(b *testing.B, db *store.DB, nCases, nPersons int, labour, police, prosecution, creator int64) {
	ctx := context.Background()
	statuses := make([]string, len(cases.Statuses))
	for i, s := range cases.Statuses {
		statuses[i] = "'" + string(s) + "'"
	}
	now := "'" + time.Now().UTC().Format("2006-01-02 15:04:05") + "'"
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO persons (id, agency_id, pseudonym, kind, gender, age_at_identification, birth_year, citizenship,
				primary_language, department, district, vulnerabilities, kek_id, data_key, given_names, paternal_surname,
				maternal_surname, other_names, birth_date, document, nationality_documents, phones, addresses, version,
				created_by, created_at, updated_at)
			SELECT i, CASE i %% 4 WHEN 2 THEN %d WHEN 3 THEN %d ELSE %d END, 'V-2025-' || printf('%%07d', i), 'victim',
				CASE i %% 2 WHEN 0 THEN 'Feminine' ELSE 'Masculine' END, 10 + i %% 40, 0, ',PRY,', 'gn',
				printf('%%02d', i %% 18), '', '', '', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00',
				1, %d, %s, %s FROM n`, nPersons, police, prosecution, labour, creator, now, now),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO cases (id, agency_id, number, year, seq, title, status, exploitation, sector, department, district,
				reported_on, opened_on, closed_on, source, sensitive, version, created_by, created_at, updated_at)
			SELECT i, CASE i %% 4 WHEN 2 THEN %d WHEN 3 THEN %d ELSE %d END,
				CASE i %% 4 WHEN 2 THEN 'PN' WHEN 3 THEN 'MP' ELSE 'MTESS' END || '-2025-' || printf('%%06d', i), 2025, i,
				'Caso de medición', (%s) , ',ForcedLabour,', 'C', printf('%%02d', i %% 18), '', 
				date('2025-01-01', '+' || (i %% 300) || ' days'), '', '', 'inspection', 0, 1, %d, %s, %s FROM n`,
			nCases, police, prosecution, labour, "CASE i % 8 "+whenList(statuses)+" END", creator, now, now),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO case_status_changes (case_id, from_status, to_status, reason, by_user, by_agency, at)
			SELECT i, '', 'reported', '', %d, %d, %s FROM n`, nCases, creator, labour, now),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO case_persons (case_id, person_id, role, perpetrator_roles, victim_status, status_decided_by, agency_id,
				created_by, created_at)
			SELECT 1 + (i - 1) / 5, 1 + ((i - 1) * 7) %% %d, CASE i %% 5 WHEN 0 THEN 'suspect' ELSE 'victim' END, '',
				CASE i %% 5 WHEN 0 THEN '' ELSE 'possible' END, '', %d, %d, %s FROM n`, 5*nCases, nPersons, labour, creator, now),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 20 FROM n WHERE i + 20 <= %d)
			INSERT INTO case_shares (case_id, agency_id, level, granted_by, granted_at)
			SELECT i, %d, 'operational', %d, %s FROM n`, nCases, police, creator, now),
		`ANALYZE`,
	}
	for _, s := range stmts {
		if err := db.ExecForTest(ctx, s); err != nil {
			b.Fatalf("generate: %v\n%s", err, s)
		}
	}
}

func whenList(values []string) string {
	var sb strings.Builder
	for i, v := range values {
		fmt.Fprintf(&sb, "WHEN %d THEN %s ", i, v)
	}
	return sb.String()
}
