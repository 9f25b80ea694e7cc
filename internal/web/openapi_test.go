package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"nanduti/internal/core"
	"nanduti/internal/store/storetest"
	"nanduti/internal/web"
)

func loadValidator(t *testing.T) validator.Validator {
	t.Helper()
	spec, err := web.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	return v
}

// The document must satisfy the OpenAPI 3.1 schema.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	v := loadValidator(t)
	ok, errs := v.ValidateDocument()
	if !ok {
		for _, e := range errs {
			t.Errorf("openapi.json: %s: %s", e.Message, e.Reason)
		}
	}
}

// Every API route is documented, and every documented path exists.
func TestOpenAPICoversTheRoutes(t *testing.T) {
	spec, err := web.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{})
	for _, r := range h.server.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		p, ok := strings.CutPrefix(path, "/api/v1")
		if !ok {
			continue
		}
		var doc struct{ Paths map[string]any }
		json.Unmarshal(spec, &doc)
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("route %s is not in openapi.json", r.Pattern)
			continue
		}
		_ = method
	}
}

// Real responses of the API match the document.
func TestAPIResponsesMatchTheDocument(t *testing.T) {
	v := loadValidator(t)
	h := newHarness(t, storetest.OpenSQLite(t), harnessOptions{waiveSecondFactor: true})
	admin := h.user(h.agencyA, core.RoleSystemAdmin)
	auditor := h.user(h.agencyA, core.RoleAuditor)
	tok, audTok := h.token(admin), h.token(auditor)
	target := h.user(h.agencyB, core.RoleAnalyst)
	calls := []struct{ method, path, token, body string }{
		{"GET", "/api/v1/me", tok, ""},
		{"GET", "/api/v1/agencies", tok, ""},
		{"POST", "/api/v1/agencies", tok, `{"code": "OAS", "name": "Documento", "kind": "ngo"}`},
		{"POST", "/api/v1/agencies", tok, `{"code": "OAS", "name": "Documento", "kind": "ngo"}`},
		{"GET", "/api/v1/users", tok, ""},
		{"POST", "/api/v1/users", tok, `{"agency_id": 1, "email": "oas@prueba.example", "name": "OAS", "roles": ["analyst"], "password": "a long enough password"}`},
		{"POST", "/api/v1/users", tok, `{"agency_id": 1, "email": "bad", "name": "", "roles": ["analyst"], "password": "a long enough password"}`},
		{"GET", "/api/v1/users/" + strconv.FormatInt(target.ID, 10), tok, ""},
		{"GET", "/api/v1/users/999999", tok, ""},
		{"POST", "/api/v1/users/" + strconv.FormatInt(target.ID, 10) + "/disable", tok, ""},
		{"POST", "/api/v1/users/" + strconv.FormatInt(target.ID, 10) + "/enable", tok, ""},
		{"GET", "/api/v1/tokens", tok, ""},
		{"GET", "/api/v1/audit?limit=5", audTok, ""},
		{"GET", "/api/v1/audit", tok, ""},
		{"GET", "/api/v1/me", "", ""},
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
		// The validator matches paths against the servers entry "/api/v1".
		vreq, _ := http.NewRequest(c.method, "http://nanduti.example"+c.path, nil)
		vreq.Header.Set("Content-Type", "application/json")
		if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d: %s: %s", c.method, c.path, resp.StatusCode, e.Message, e.Reason)
			}
		}
	}
}
