package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"nanduti/internal/cases"
	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
)

// Real responses of the cases API match the document: listing, reading, persons, sharing and
// revoking, with the errors each may answer.
func TestCasesAPIResponsesMatchTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	ctx := context.Background()
	inspector := h.user(h.agencyA, core.RoleInvestigator)
	other := h.user(h.agencyB, core.RoleInvestigator)
	tok, otherTok := h.token(inspector), h.token(other)
	owner := core.Actor{UserID: inspector.ID, AgencyID: h.agencyA.ID, Roles: inspector.Roles}
	c, err := h.cases.Create(ctx, owner, cases.Input{Title: "Olería en Minga Guazú", Exploitation: []string{"ChildLabour"},
		Department: "10", ReportedOn: "2026-01-10", Source: "inspection"})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(c.ID, 10)
	calls := []struct{ method, path, token, body string }{
		{"GET", "/api/v1/cases", tok, ""},
		{"GET", "/api/v1/cases?status=reported&limit=5", tok, ""},
		{"GET", "/api/v1/cases?limit=x", tok, ""},
		{"GET", "/api/v1/cases", "", ""},
		{"POST", "/api/v1/cases", tok, `{"title": "Estancia en Boquerón", "exploitation": ["ForcedLabour"], "department": "17", "reported_on": "2026-01-12", "source": "hotline"}`},
		{"POST", "/api/v1/cases", tok, `{"title": "", "exploitation": [], "department": "99", "reported_on": "ayer", "source": "rumour"}`},
		{"GET", "/api/v1/cases/" + id, tok, ""},
		{"GET", "/api/v1/cases/" + id, otherTok, ""},
		{"GET", "/api/v1/cases/999999", tok, ""},
		{"GET", "/api/v1/cases/" + id + "/persons", tok, ""},
		{"GET", "/api/v1/cases/" + id + "/persons", otherTok, ""},
		{"POST", "/api/v1/cases/" + id + "/shares", tok, `{"agency_id": ` + strconv.FormatInt(h.agencyB.ID, 10) + `, "level": "operational"}`},
		{"POST", "/api/v1/cases/" + id + "/shares", tok, `{"agency_id": ` + strconv.FormatInt(h.agencyB.ID, 10) + `, "level": "everything"}`},
		{"POST", "/api/v1/cases/" + id + "/shares", otherTok, `{"agency_id": ` + strconv.FormatInt(h.agencyB.ID, 10) + `, "level": "full"}`},
		{"GET", "/api/v1/cases/" + id, otherTok, ""},
		{"DELETE", "/api/v1/cases/" + id + "/shares/" + strconv.FormatInt(h.agencyB.ID, 10), tok, ""},
		{"DELETE", "/api/v1/cases/" + id + "/shares/" + strconv.FormatInt(h.agencyB.ID, 10), otherTok, ""},
	}
	for _, c := range calls {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, h.ts.URL+c.path, body)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := h.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		vreq, _ := http.NewRequest(c.method, "http://nanduti.example"+c.path, nil)
		vreq.Header.Set("Content-Type", "application/json")
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}
}
