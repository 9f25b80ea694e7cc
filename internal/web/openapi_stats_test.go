package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
)

// Live answers of the statistics API match the document: tables, errors, not found, refusals.
func TestStatsAPIResponsesMatchTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	d := h.importDataset(h.agencyA.ID, "Documento", 90)
	other := h.importDataset(h.agencyB.ID, "Otro", 30)
	tok := h.token(h.user(h.agencyA, core.RoleAnalyst))
	inv := h.token(h.user(h.agencyA, core.RoleInvestigator))
	for _, c := range []struct {
		path, token string
		status      int
	}{
		{"/api/v1/stats/datasets", tok, 200},
		{"/api/v1/stats/datasets", inv, 403},
		{fmt.Sprintf("/api/v1/stats/tables?source=dataset:%d&by=year,sex&threshold=5", d.ID), tok, 200},
		{fmt.Sprintf("/api/v1/stats/tables?source=dataset:%d&by=age_group&year_from=2020&sex=Female", d.ID), tok, 200},
		{fmt.Sprintf("/api/v1/stats/tables?source=dataset:%d&by=colour", d.ID), tok, 400},
		{fmt.Sprintf("/api/v1/stats/tables?source=dataset:%d&by=year", other.ID), tok, 404},
		{"/api/v1/stats/tables?source=db&by=year", tok, 200},
		{"/api/v1/stats/tables?source=db:presumed&by=sex&year_from=2024", tok, 200},
		{"/api/v1/stats/tables?source=db:other&by=year", tok, 400},
		{"/api/v1/stats/tables?source=db&by=year", inv, 403},
		{fmt.Sprintf("/api/v1/stats/tables?source=dataset:%d&by=year", d.ID), inv, 403},
	} {
		req, _ := http.NewRequest("GET", h.ts.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := h.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.path, resp.StatusCode, c.status, raw)
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		vreq, _ := http.NewRequest("GET", "http://nanduti.example"+c.path, nil)
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s → %d: %s: %s", c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}
}
