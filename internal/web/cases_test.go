package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/store"
	"nanduti/internal/store/storetest"
)

// The first "Done when" through the web pages and the API: agency B gets not found
// for A's unshared case; after an operational share B sees it; after revocation, nothing.
func TestCasesNotFoundUntilShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, harnessOptions{waiveSecondFactor: true})
		ctx := context.Background()
		inspA := h.user(h.agencyA, core.RoleLabourInspector)
		polB := h.user(h.agencyB, core.RoleInvestigator)
		owner := core.Actor{UserID: inspA.ID, AgencyID: inspA.AgencyID, Roles: inspA.Roles}
		c, err := h.cases.Create(ctx, owner, cases.Input{Title: "Olería en Minga Guazú", Exploitation: []string{"ChildLabour"},
			Department: "10", ReportedOn: "2026-01-02", Source: "inspection"})
		if err != nil {
			t.Fatal(err)
		}
		web, tok := h.login(polB, "/"), h.token(polB)
		page, api := fmt.Sprintf("/cases/%d", c.ID), fmt.Sprintf("/api/v1/cases/%d", c.ID)
		check := func(stage string, want int) {
			t.Helper()
			if r := h.get(web, page); r.status != want {
				t.Errorf("%s: page %d, want %d", stage, r.status, want)
			}
			if r := h.get(web, page+"/persons"); r.status != want {
				t.Errorf("%s: persons page %d, want %d", stage, r.status, want)
			}
			if r := h.api("GET", api, tok, ""); r.status != want {
				t.Errorf("%s: API %d, want %d", stage, r.status, want)
			}
			list := h.get(web, "/cases")
			if shown := strings.Contains(list.body, c.Number); shown != (want == 200) {
				t.Errorf("%s: list shows the case: %v", stage, shown)
			}
			if shown := strings.Contains(h.api("GET", "/api/v1/cases", tok, "").body, c.Number); shown != (want == 200) {
				t.Errorf("%s: API list shows the case: %v", stage, shown)
			}
		}
		check("unshared", http.StatusNotFound)
		if err := h.cases.Share(ctx, owner, c.ID, h.agencyB.ID, core.ShareStatistical); err != nil {
			t.Fatal(err)
		}
		check("statistical", http.StatusNotFound)
		if err := h.cases.Share(ctx, owner, c.ID, h.agencyB.ID, core.ShareOperational); err != nil {
			t.Fatal(err)
		}
		check("operational", http.StatusOK)
		if r := h.get(web, page+"/persons"); !strings.Contains(r.body, `id="pseudonym-notice"`) {
			t.Errorf("operational persons page does not say pseudonyms only")
		}
		if err := h.cases.Revoke(ctx, owner, c.ID, h.agencyB.ID); err != nil {
			t.Fatal(err)
		}
		check("revoked", http.StatusNotFound)
	})
}

// A stale edit answers 409, keeps what was typed and names what someone else changed.
func TestCaseConflictShowsWhatChanged(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	insp := h.user(h.agencyA, core.RoleLabourInspector)
	web := h.login(insp, "/")
	form := map[string][]string{"title": {"Caso de prueba"}, "exploitation": {"ForcedLabour"}, "department": {"16"},
		"reported_on": {"2026-01-02"}, "source": {"patrol"}}
	r := h.post(web, "/cases", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	page := r.header.Get("Location")
	edit := func(title string) response {
		f := map[string][]string{"version": {"1"}, "title": {title}, "exploitation": {"ForcedLabour"}, "department": {"16"},
			"reported_on": {"2026-01-02"}, "source": {"patrol"}}
		return h.post(web, page, f)
	}
	if r := edit("Estancia en el Chaco"); r.status != http.StatusSeeOther {
		t.Fatalf("first edit: %d", r.status)
	}
	r = edit("Estancia en Boquerón")
	if r.status != http.StatusConflict || !strings.Contains(r.body, `id="conflict"`) || !strings.Contains(r.body, `value="Estancia en Boquerón"`) ||
		!strings.Contains(r.body, `name="version" value="2"`) {
		t.Errorf("stale edit: %d\n%s", r.status, r.body)
	}
	// A move the workflow forbids is refused with a message, not a crash.
	r = h.post(web, page+"/status", map[string][]string{"version": {"2"}, "status": {"judgement"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "error-summary") {
		t.Errorf("invalid move: %d", r.status)
	}
}
