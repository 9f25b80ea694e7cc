package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// caseVictims writes agency A's case 9001 straight into the tables: seven identified victims
// and three presumed ones, reported in 2025 in department 11.
func caseVictims(t *testing.T, h *harness, creator int64) {
	t.Helper()
	ctx := context.Background()
	at := "'2026-01-05 12:00:00+00:00'"
	exec := func(q string, args ...any) {
		t.Helper()
		if err := h.db.ExecForTest(ctx, fmt.Sprintf(q, args...)); err != nil {
			t.Fatalf("%v\n%s", err, fmt.Sprintf(q, args...))
		}
	}
	exec(`INSERT INTO cases (id, agency_id, number, year, seq, title, status, exploitation, sector, department, district,
			reported_on, opened_on, closed_on, source, sensitive, version, created_by, created_at, updated_at)
		VALUES (9001, %d, 'AAA-2025-9001', 2025, 9001, 'Caso ficticio', 'reported', ',ForcedLabour,', 'A', '11', '',
			'2025-04-01', '2025-04-02', '', 'inspection', 0, 1, %d, %s, %s)`, h.agencyA.ID, creator, at, at)
	for i := int64(1); i <= 10; i++ {
		status := "actual"
		if i > 7 {
			status = "possible"
		}
		exec(`INSERT INTO persons (id, agency_id, pseudonym, kind, gender, age_at_identification, birth_year, citizenship,
				kek_id, data_key, given_names, paternal_surname, maternal_surname, other_names, birth_date, document,
				nationality_documents, phones, addresses, version, created_by, created_at, updated_at)
			VALUES (%d, %d, 'V-2025-9%04d', 'victim', 'Feminine', 17, 0, ',PRY,', 'k', '', '', '', '', '', '', '', '', '', '',
				1, %d, %s, %s)`, 9000+i, h.agencyA.ID, i, creator, at, at)
		exec(`INSERT INTO case_persons (case_id, person_id, role, perpetrator_roles, victim_status, status_decided_by,
				agency_id, created_by, created_at) VALUES (9001, %d, 'victim', '', '%s', 'Police', %d, %d, %s)`,
			9000+i, status, h.agencyA.ID, creator, at)
	}
}

// The dashboard, downloads and API count the case database within the user's scope: agency
// B's analyst sees nothing of A's unshared case, and sees it once shared at statistical level;
// presumed victims are a source of their own; every download is audited.
func TestStatsCaseDatabaseSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		inspector := h.user(h.agencyA, core.RoleLabourInspector)
		caseVictims(t, h, inspector.ID)
		analystA, analystB := h.user(h.agencyA, core.RoleAnalyst), h.user(h.agencyB, core.RoleAnalyst)
		ca, cb := h.login(analystA, "/"), h.login(analystB, "/")

		page := h.get(ca, "/stats")
		for _, want := range []string{`value="db" selected`, `value="db:presumed"`, "Base de casos de Ñandutí: víctimas identificadas",
			"Base de casos de Ñandutí: presuntas víctimas"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the dashboard lacks %q", want)
			}
		}
		csv := func(c, path string) string {
			t.Helper()
			client := ca
			if c == "B" {
				client = cb
			}
			r := h.get(client, path)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			return r.body
		}
		byYear := "/stats/download?source=db&by=year&format=csv"
		if got := csv("A", byYear); !strings.Contains(got, "2025,7,,5\n") || !strings.Contains(got, "Total,7,,5\n") {
			t.Errorf("A's victims by year:\n%s", got)
		}
		if got := csv("A", "/stats/download?source=db:presumed&by=year&format=csv"); !strings.Contains(got, "2025,<5,primary,5\n") {
			t.Errorf("A's presumed victims by year:\n%s", got)
		}
		// B: nothing of A's case, in any table or on the page.
		if got := csv("B", byYear); strings.Contains(got, "2025") || !strings.Contains(got, "Total,0,,5\n") {
			t.Errorf("B sees A's unshared case:\n%s", got)
		}
		if got := csv("B", "/stats/download?source=db&by=department,sex&format=csv"); strings.Contains(got, "11,") {
			t.Errorf("B sees A's department:\n%s", got)
		}
		if r := h.get(cb, "/stats?source=db&by=year"); r.status != 200 || strings.Contains(r.body, "2025") {
			t.Errorf("B's dashboard: %d, shows 2025: %v", r.status, strings.Contains(r.body, "2025"))
		}
		// Shared with B at statistical level, B counts it.
		if err := h.db.ExecForTest(context.Background(), fmt.Sprintf(`INSERT INTO case_shares (case_id, agency_id, level, granted_by,
			granted_at) VALUES (9001, %d, 'statistical', %d, '2026-01-05 12:00:00+00:00')`, h.agencyB.ID, inspector.ID)); err != nil {
			t.Fatal(err)
		}
		if got := csv("B", byYear); !strings.Contains(got, "2025,7,,5\n") {
			t.Errorf("B's victims by year after sharing:\n%s", got)
		}
		if r := h.get(cb, "/stats?source=db&by=year"); !strings.Contains(r.body, "2025") {
			t.Error("B's dashboard does not show the shared case's year")
		}
		// The API answers with the same protected table.
		if r := h.api("GET", "/api/v1/stats/tables?source=db&by=age_group", h.token(analystB), ""); r.status != 200 ||
			!strings.Contains(r.body, `"0-17"`) || !strings.Contains(r.body, "identified victims") {
			t.Errorf("API: %d %s", r.status, r.body)
		}
		// Every download is audited with the source's name, never a value.
		var identified, presumed int
		for _, rec := range h.auditRows("stats.export") {
			switch rec.ObjectID {
			case "db":
				identified++
			case "db:presumed":
				presumed++
			}
		}
		if identified != 5 || presumed != 1 {
			t.Errorf("audited exports: %d of db, %d of db:presumed; want 5 and 1", identified, presumed)
		}
	})
}
